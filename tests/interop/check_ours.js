'use strict';
// Decodes the encodings OUR C++ codec wrote (tests/pomelo_codec/vectors_test.cpp, file in
// argv[2]) with the real npm decoders (pomelo-protocol 0.1.6, pomelo-protobuf 0.4.0) and checks
// they give back what was encoded. What the pomelo package computes itself (dictionary, versions,
// handshake reply, crc32 routing) is recomputed with pomelo_reference.js.
// Prints "N passed, M failed"; exits non-zero on any failure.
//
// Usage: node check_ours.js <ours.json>

const fs = require('fs');

let Protocol, protobuf, reference;
try {
    Protocol = require('pomelo-protocol');
    protobuf = require('pomelo-protobuf');
    reference = require('./pomelo_reference.js');
} catch (e) {
    console.error('check_ours: ' + e.message + '\nRun `npm ci` in tests/interop first.');
    process.exit(1);
}
const { Package, Message } = Protocol;

if (!process.argv[2]) {
    console.error('usage: node check_ours.js <ours.json>');
    process.exit(2);
}
const ours = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

let passed = 0;
const failures = [];
function check(what, expected, actual) {
    const e = typeof expected === 'string' ? expected : JSON.stringify(expected);
    const a = typeof actual === 'string' ? actual : JSON.stringify(actual);
    if (e === a) {
        passed++;
    } else {
        failures.push(`${what}\n    expected: ${e}\n    actual:   ${a}`);
    }
}
const fromHex = (h) => Buffer.from(h, 'hex');
const hex = (b) => (b ? Buffer.from(b).toString('hex') : '');
function quietly(fn) {
    const saved = [console.log, console.warn];
    const logged = [];
    console.log = console.warn = (...args) => logged.push(args.join(' '));
    try {
        return { result: fn(), logged: logged.join('\n') };
    } finally {
        [console.log, console.warn] = saved;
    }
}
// Package.decode gives one object for one package, an array for several.
function onePackage(bytes) {
    const p = Package.decode(fromHex(bytes));
    return Array.isArray(p) ? { type: 'several packages', body: null } : p;
}

// ---- packages
for (const p of ours.packages) {
    const d = onePackage(p.bytes);
    check(`package type ${p.type} (${p.bytes.slice(0, 16)}...)`, { type: p.type, body: p.body }, { type: d.type, body: hex(d.body) });
}

// ---- messages
for (const m of ours.messages) {
    const d = Message.decode(fromHex(m.bytes));
    check(
        `message ${m.bytes.slice(0, 24)}...`,
        { id: m.id, type: m.type, compressRoute: m.compressRoute, route: m.route, body: m.body, gzip: m.gzip },
        { id: d.id, type: d.type, compressRoute: d.compressRoute, route: d.route, body: hex(d.body), gzip: d.compressGzip }
    );
}

// ---- pomelo-protobuf: our parsed form must be pomelo-protobuf's, and must work as the client's
// schema as it is (clients use the handshake's parsed form without re-parsing).
const pb = ours.protobuf;
check('protobuf parsed form', JSON.stringify(protobuf.parse(pb.source)), pb.parsed_json);
const ourParsed = JSON.parse(pb.parsed_json);
protobuf.init({ encoderProtos: ourParsed, decoderProtos: ourParsed });
for (const c of pb.cases) {
    const what = `protobuf ${c.route} ${c.value_json}`;
    const value = JSON.parse(c.value_json);
    let npm = null;
    let npmRefused = false;
    let npmThrew = false;
    try {
        const r = quietly(() => protobuf.encode(c.route, value));
        npm = r.result || Buffer.alloc(0);
        npmRefused = r.result === null && r.logged.includes('check msg failed');
    } catch (e) {
        npmThrew = true;
    }
    if (c.error !== undefined) {
        check(`${what}: refused by both (ours: ${c.error})`, true, npmRefused);
        continue;
    }
    check(`${what}: accepted by pomelo-protobuf too`, false, npmRefused);
    const decoded = JSON.stringify(protobuf.decode(c.route, fromHex(c.bytes)));
    if (npmThrew) {
        // pomelo-protobuf cannot encode it (buffer sized from the JSON text); the value must survive.
        check(`${what}: decoded`, JSON.stringify(value), decoded);
    } else {
        check(`${what}: bytes`, hex(npm), c.bytes);
        check(`${what}: decoded`, JSON.stringify(protobuf.decode(c.route, npm)), decoded);
    }
}
for (const c of ours.protobuf_parse) {
    check(`protobuf parse ${c.text}`, JSON.stringify(protobuf.parse(JSON.parse(c.text))), c.parsed_json);
}

// ---- versions and dictionaries
for (const p of ours.protos_version) {
    check('protos version', reference.protosVersion(p.client, p.server), p.version);
}
for (const d of ours.dictionary) {
    const r = reference.dictionary(d.routes, d.user);
    check(`dictionary ${JSON.stringify(d.routes)}`, JSON.stringify(r.dict), d.dict_json);
    check(`codeToRoute ${JSON.stringify(d.routes)}`, JSON.stringify(r.abbrs), d.code_to_route_json);
    check(`dictVersion ${JSON.stringify(d.routes)}`, r.version, d.version);
}

// ---- handshake replies: Pomelo's text, in a handshake package, and canonical JSON.stringify.
for (const h of ours.handshake) {
    const what = `handshake ${h.body} ${JSON.stringify(h.config)}`;
    check(what, reference.handshakeReply(h.body, h.config), h.reply);
    const p = onePackage(h.package);
    check(`${what}: package`, { type: Package.TYPE_HANDSHAKE, body: h.reply }, { type: p.type, body: p.body ? p.body.toString() : '' });
    check(`${what}: canonical`, JSON.stringify(JSON.parse(h.reply)), h.reply);
    const reply = JSON.parse(h.reply);
    if (reply.sys && reply.sys.protos) {
        check(`${what}: protos.server parsed form`, JSON.stringify(protobuf.parse(h.config.protos.server)), JSON.stringify(reply.sys.protos.server));
    }
}

// ---- kick bodies
for (const k of ours.kick) {
    const p = onePackage(k.bytes);
    const body = p.body ? p.body.toString() : '';
    check(`kick ${JSON.stringify(k.reason)}: type`, Package.TYPE_KICK, p.type);
    check(`kick ${JSON.stringify(k.reason)}: body`, JSON.stringify({ reason: k.reason }), body);
}

// ---- crc32 routing
for (const c of ours.crc32) {
    const s = fromHex(c.utf8).toString('utf8');
    check(`crc32 of ${c.utf8}`, reference.crc32(s), c.crc);
    check(`route index of ${c.utf8}`, c.server_counts.map((n) => reference.routeIndex(s, n)), c.index);
}

// ---- JSON.stringify(number)
for (const n of ours.js_numbers) {
    check(`JSON.stringify of bits ${n.bits}`, JSON.stringify(fromHex(n.bits).readDoubleBE(0)), n.json);
}

for (const f of failures.slice(0, 20)) console.error('FAIL ' + f);
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
