'use strict';
// What pomelo 2.2.7 computes inside the pomelo package itself, step for step, for the vectors
// (gen_vectors.js) and for checking our output (check_ours.js). The pomelo package is not a
// dependency here; these follow lib/components/dictionary.js, lib/components/protobuf.js,
// lib/connectors/commands/handshake.js and the `crc` 0.2.0 package, and were checked once against
// a real pomelo 2.2.7 install (handler files, dictionary.json and proto files on disk).

const crypto = require('crypto');
const protobuf = require('pomelo-protobuf');

const md5b64 = (s) => crypto.createHash('md5').update(s).digest('base64');

// dictionary.js: handler routes sorted with the default sort and numbered from 1, then the
// dictionary.json entries numbered on (repeats are not skipped).
function dictionary(handlerRoutes, userDict) {
    const routes = handlerRoutes.slice().sort();
    const dict = {};
    const abbrs = {};
    let code = 1;
    for (const r of routes.concat(userDict)) {
        abbrs[code] = r;
        dict[r] = code++;
    }
    return { dict, abbrs, version: md5b64(JSON.stringify(dict)) };
}

// protobuf.js: md5 over JSON of the parsed client protos, then the parsed server protos.
function protosVersion(clientSource, serverSource) {
    return md5b64(JSON.stringify(protobuf.parse(clientSource)) + JSON.stringify(protobuf.parse(serverSource)));
}

// handshake.js (with common/handler.js, which turns a body that is not JSON into {}). config:
// { heartbeat, dict: {routes, user}, protos: {client, server}, user }. Returns the reply body.
function handshakeReply(bodyText, config) {
    let msg;
    try {
        msg = JSON.parse(bodyText);
        if (!msg.sys) return JSON.stringify({ code: 500 });
    } catch (e) {
        return JSON.stringify({ code: 500 });
    }
    const opts = { heartbeat: config.heartbeat };
    if (config.dict) {
        const d = dictionary(config.dict.routes, config.dict.user);
        if (!msg.sys.dictVersion || msg.sys.dictVersion !== d.version) {
            opts.dict = d.dict;
            opts.routeToCode = d.dict;
            opts.codeToRoute = d.abbrs;
            opts.dictVersion = d.version;
        }
        opts.useDict = true;
    }
    if (config.protos) {
        const version = protosVersion(config.protos.client, config.protos.server);
        if (!msg.sys.protoVersion || msg.sys.protoVersion !== version) {
            opts.protos = {
                server: protobuf.parse(config.protos.server),
                client: protobuf.parse(config.protos.client),
                version,
            };
        }
        opts.useProto = true;
    }
    const res = { code: 200, sys: opts };
    if (config.user) res.user = config.user;
    return JSON.stringify(res);
}

// crc 0.2.0 crc32(str): CRC-32/IEEE over the low byte of each UTF-16 code unit, as a signed int32.
const CRC_TABLE = (() => {
    const t = [];
    for (let i = 0; i < 256; i++) {
        let c = i;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        t.push(c >>> 0);
    }
    return t;
})();
function crc32(str) {
    let crc = 0xffffffff;
    for (let i = 0; i < str.length; i++) crc = CRC_TABLE[(crc ^ str.charCodeAt(i)) & 0xff] ^ ((crc >>> 8) & 0xffffff);
    return crc ^ 0xffffffff;
}
// components/proxy.js defaultRoute.
const routeIndex = (str, serverCount) => Math.abs(crc32(str)) % serverCount;

module.exports = { md5b64, dictionary, protosVersion, handshakeReply, crc32, routeIndex };
