'use strict';
// The npm pomelo-aoi package (0.3.34, pinned in tests/game/reference, installed by `tools/dev.sh setup`
// or `npm ci` there), for the AOI comparison test and the AOI benchmark. load() returns null when it
// is not installed; the callers skip (tests) or say how to install it (benchmark).
const path = require('node:path');
const { createRequire } = require('node:module');

const REPO = path.resolve(__dirname, '..', '..');
const REFERENCE = path.join(REPO, 'tests', 'game', 'reference');

function load() {
  try {
    return createRequire(path.join(REFERENCE, 'package.json'))('pomelo-aoi');
  } catch (e) {
    if (e.code === 'MODULE_NOT_FOUND') return null;
    throw e;
  }
}

function version() {
  return require(path.join(REFERENCE, 'node_modules', 'pomelo-aoi', 'package.json')).version;
}

module.exports = { load, version, REPO, REFERENCE };
