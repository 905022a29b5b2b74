'use strict';
// Generates the protocol test vectors with the REAL npm encoders (pomelo-protocol 0.1.6,
// pomelo-protobuf 0.4.0) and writes them as JSON (bytes as hex) to the path in argv[2].
// The C++ test tests/pomelo_codec/vectors_test.cpp reads them. What Pomelo computes inside the
// pomelo package itself (dictionary, protos version, handshake reply, crc32 routing) comes from
// pomelo_reference.js.
//
// Usage: node gen_vectors.js <out.json>

const fs = require('fs');

let Protocol, protobuf, clientProtobuf, reference;
try {
    Protocol = require('pomelo-protocol');
    protobuf = require('pomelo-protobuf');
    clientProtobuf = require('pomelo-protobuf/lib/client/protobuf.js');
    reference = require('./pomelo_reference.js');
} catch (e) {
    console.error('gen_vectors: ' + e.message + '\nRun `npm ci` in tests/interop first.');
    process.exit(1);
}
const { Package, Message } = Protocol;

const outPath = process.argv[2];
if (!outPath) {
    console.error('usage: node gen_vectors.js <out.json>');
    process.exit(2);
}

const hex = (bytes) => (bytes ? Buffer.from(bytes).toString('hex') : '');
function check(cond, what) {
    if (!cond) {
        console.error('gen_vectors: self-check failed: ' + what);
        process.exit(1);
    }
}
// pomelo-protobuf logs through console on failures we provoke on purpose; returns what fn
// returned and what was logged.
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

const vectors = {};

// ---- Package layer ---------------------------------------------------------------------------
const big = Buffer.alloc(70000);
for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
const packageBodies = [null, Buffer.from('{"a":1}'), Buffer.from('x'.repeat(300)), big];
vectors.packages = [];
for (let type = 1; type <= 5; type++) {
    for (const body of packageBodies) {
        if (body === big && type !== 4) continue;
        const bytes = Package.encode(type, body);
        const back = Package.decode(bytes);
        check(back.type === type, 'package round trip');
        vectors.packages.push({ type, body: hex(body), bytes: hex(bytes) });
    }
}
// A raw TCP stream of several packages, as Package.decode splits it.
{
    const parts = [
        Package.encode(Package.TYPE_HANDSHAKE, Buffer.from('{"sys":{"type":"js-websocket","version":"0.0.1"}}')),
        Package.encode(Package.TYPE_HANDSHAKE_ACK),
        Package.encode(Package.TYPE_HEARTBEAT),
        Package.encode(Package.TYPE_DATA, Buffer.from([0, 1, 3, 0x61, 0x2e, 0x62, 0x7b, 0x7d])),
        Package.encode(Package.TYPE_DATA, Buffer.alloc(0)),
        Package.encode(Package.TYPE_KICK, Buffer.from('{"reason":"kick"}')),
    ];
    const stream = Buffer.concat(parts);
    const decoded = Package.decode(stream);
    vectors.package_stream = {
        bytes: hex(stream),
        packages: decoded.map((p) => ({ type: p.type, body: hex(p.body) })),
    };
}

// ---- Message layer ---------------------------------------------------------------------------
const { TYPE_REQUEST, TYPE_NOTIFY, TYPE_RESPONSE, TYPE_PUSH } = Message;
vectors.messages = [];
function addMessage(name, id, type, compressRoute, route, body, gzip) {
    const bodyBuf = body === null ? null : Buffer.from(body);
    const bytes = Message.encode(id, type, compressRoute, route, bodyBuf, gzip ? 1 : 0);
    const m = Message.decode(bytes);
    vectors.messages.push({
        name,
        id: m.id,
        type: m.type,
        compressRoute: m.compressRoute,
        route: m.route,
        body: hex(m.body),
        gzip: m.compressGzip,
        bytes: hex(bytes),
        package: hex(Package.encode(Package.TYPE_DATA, bytes)),
    });
}
const ids = [1, 127, 128, 300, 16384, 2 ** 31 - 1];
const chatRoute = 'chat.chatHandler.send';
for (const id of ids) {
    addMessage(`request id ${id}`, id, TYPE_REQUEST, 0, chatRoute, '{"a":1}');
    addMessage(`request id ${id} code 3`, id, TYPE_REQUEST, 1, 3, '{"a":1}');
    addMessage(`response id ${id}`, id, TYPE_RESPONSE, 0, null, '{"code":200}');
}
addMessage('request empty body', 7, TYPE_REQUEST, 0, chatRoute, null);
addMessage('request empty route', 8, TYPE_REQUEST, 0, '', '{}');
addMessage('request route 255 bytes', 9, TYPE_REQUEST, 0, 'r'.repeat(255), '{}');
addMessage('request unicode route', 10, TYPE_REQUEST, 0, '聊天.处理器.发送😀', '{"t":"ü"}');
addMessage('request code 0xffff', 11, TYPE_REQUEST, 1, 0xffff, '{}');
addMessage('request code 0', 12, TYPE_REQUEST, 1, 0, '{}');
addMessage('notify', 0, TYPE_NOTIFY, 0, chatRoute, '{"a":1}');
addMessage('notify code 0x0102', 0, TYPE_NOTIFY, 1, 0x0102, '{"a":1}');
addMessage('notify empty body', 0, TYPE_NOTIFY, 0, 'a.b.c', null);
addMessage('response empty body', 5, TYPE_RESPONSE, 0, null, null);
addMessage('response gzip bit', 1, TYPE_RESPONSE, 0, null, '{"code":200}', true);
addMessage('push gzip bit', 0, TYPE_PUSH, 0, 'onChat', '{}', true);
addMessage('push binary body', 0, TYPE_PUSH, 1, 5, Buffer.from([0x0a, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00, 0xff]));
// The worked examples of POMELO.md 1.10, made by the encoders.
addMessage('doc 1.10 request id=1 chat.chatHandler.send {"a":1}', 1, TYPE_REQUEST, 0, chatRoute, '{"a":1}');
addMessage('doc 1.10 request id=1 code 3 {"a":1}', 1, TYPE_REQUEST, 1, 3, '{"a":1}');
addMessage('doc 1.10 notify chat.chatHandler.send {"a":1}', 0, TYPE_NOTIFY, 0, chatRoute, '{"a":1}');
addMessage('doc 1.10 response id=1 {"code":200}', 1, TYPE_RESPONSE, 0, null, '{"code":200}');
addMessage('doc 1.10 push onChat {"msg":"hi"}', 0, TYPE_PUSH, 0, 'onChat', '{"msg":"hi"}');
addMessage('doc 1.10 push code 0x0102 {}', 0, TYPE_PUSH, 1, 0x0102, '{}');
addMessage('doc 1.10 live request code 2', 1, TYPE_REQUEST, 1, 2, '{"username":"alice","rid":"r1"}');
check(
    vectors.messages.find((m) => m.name.startsWith('doc 1.10 request id=1 code')).package === '0400000b010100037b2261223a317d',
    'doc 1.10 compressed request bytes'
);

// ---- pomelo-protobuf -------------------------------------------------------------------------
const schemaSource = {
    'test.all': {
        'required uInt32 a': 1,
        'optional sInt32 s': 2,
        'optional int32 i': 3,
        'optional string str': 4,
        'repeated uInt32 arr': 5,
        'repeated Item items': 6,
        'message Item': { 'required string name': 1, 'optional uInt32 n': 2 },
        'optional float f': 7,
        'optional double d': 8,
        'repeated sInt32 zs': 9,
        'repeated float fs': 10,
        'repeated double ds': 11,
        'repeated string strs': 12,
        'optional Item one': 13,
        'optional Global g': 14,
        'repeated int32 is': 15,
        'optional uInt32 big_tag': 1000,
    },
    'doc.example': {
        'optional uInt32 a': 1,
        'optional sInt32 s': 2,
        'optional int32 i': 3,
        'optional string str': 4,
        'repeated uInt32 arr': 5,
        'message Item': { 'required string name': 1 },
        'repeated Item items': 6,
        'optional float f': 7,
        'optional double d': 8,
    },
    'chat.chatHandler.send': { 'required string content': 1, 'optional uInt32 n': 2 },
    onChat: { 'required string msg': 1, 'required string from': 2, 'optional uInt32 n': 3 },
    'empty.route': { 'optional uInt32 x': 1 },
    'message Global': { 'optional string label': 1, 'optional Global child': 2, 'repeated uInt32 nums': 3 },
    'edge.keys': {
        'required uInt32 a': 1,
        'optional string b': 1, // tag 1 taken: skipped
        'optional uInt32 7': 7, // an integer-like field name: JS puts it first
        'bogus key': 3,
        'required  uInt32 two_spaces': 4,
        message: { 'required uInt32 z': 1 },
        'optional Unknown u': 9,
        'optional uInt32 zero': 0,
        'message Inner': { 'optional uInt32 q': 1, 'message Deeper': { 'optional string w': 1 }, 'optional Deeper d': 2 },
        'optional Inner inner': 5,
    },
};
const parsed = protobuf.parse(schemaSource);
protobuf.init({ encoderProtos: parsed, decoderProtos: parsed });
clientProtobuf.init({ encoderProtos: parsed, decoderProtos: parsed });

const pbCases = [
    ['doc.example', { a: 300, s: -2, i: -1, str: 'hi', arr: [1, 2, 3], items: [{ name: 'x' }, { name: 'y' }], f: 1.5, d: 2.5 }],
    ['doc.example', { a: 1 }],
    ['chat.chatHandler.send', { content: 'hello', n: 5 }],
    ['onChat', { msg: 'hello', from: 'alice*r1', n: 5 }],
    ['test.all', { a: 0 }],
    ['test.all', { a: 4294967295, s: -2147483648, i: 2147483647 }],
    ['test.all', { a: 4294967296, s: 2147483647, i: -2147483648 }],
    ['test.all', { a: 4503599627370497 }],
    ['test.all', { a: 1, s: -1, i: -64, zs: [-1, 0, 1, -2147483648, 2147483647], is: [-5, 5, -300] }],
    ['test.all', { a: 1, f: 0.1, d: 0.1 }],
    // (no -0: the value travels to the C++ test as JSON, which has no -0)
    ['test.all', { a: 1, f: 3.4e38, d: -1e300 }],
    ['test.all', { a: 1, f: 1e-45, d: 5e-324 }],
    ['test.all', { a: 1, f: 1e39 }],
    ['test.all', { a: 1, f: 16777217, d: 123456789.123456789 }],
    ['test.all', { a: 1, fs: [0.1, -2.5, 1e10], ds: [0.1, 1e-300] }],
    ['test.all', { a: 1, str: 'héllo wörld 中文 😀' }],
    ['test.all', { a: 1, str: 'q"b\\s\n\t\u0001\u001f\u007f\u2028' }],
    ['test.all', { a: 1, str: '' }],
    ['test.all', { a: 1, strs: ['a', '', 'ü', '😀'] }],
    ['test.all', { a: 1, arr: [], strs: [], items: [] }],
    ['test.all', { a: 1, arr: [0, 127, 128, 16384, 4294967295] }],
    ['test.all', { a: 2, items: [{ name: 'x', n: 1 }, { name: 'y' }, { n: 3, name: 'z' }], one: { name: 'solo', n: 7 } }],
    ['test.all', { a: 3, g: { label: 'root', child: { label: 'kid', child: { nums: [1, 2] } }, nums: [] } }],
    ['test.all', { d: 1, str: 'z', a: 1 }],
    ['test.all', { a: 1, extra: 'ignored', zz: { y: 1 }, s: 5 }],
    ['test.all', { a: 3.7, s: -3.9, i: 2.5 }],
    ['test.all', { a: 1e-7, s: -1e-7 }],
    ['test.all', { a: 1, big_tag: 9 }],
    ['test.all', { a: 1, arr: null, items: null }],
    ['empty.route', {}],
    ['message Global', { label: 'g', nums: [7] }],
    ['edge.keys', { a: 1, 7: 7, zero: 3, inner: { q: 1, d: { w: 'deep' } } }],
    // Encodes that pomelo-protobuf refuses (required field missing, here or nested).
    ['test.all', { s: 1 }],
    ['test.all', { a: 1, items: [{ n: 1 }] }],
    ['test.all', { a: 1, one: { n: 1 } }],
    ['chat.chatHandler.send', { n: 1 }],
];
vectors.protobuf = { source: schemaSource, parsed_json: JSON.stringify(parsed), cases: [] };
for (const [route, value] of pbCases) {
    const { result: buf, logged } = quietly(() => protobuf.encode(route, value));
    // null is also what an empty encoding gives; only a logged check failure is a refusal.
    const failed = buf === null && logged.includes('check msg failed');
    const entry = { route, value, value_json: JSON.stringify(value) };
    if (failed) {
        entry.encode_error = true;
    } else {
        const bytes = buf || Buffer.alloc(0);
        entry.bytes = hex(bytes);
        entry.decoded_json = JSON.stringify(protobuf.decode(route, bytes));
        // The browser client's encoder writes wire type 2 for varints; decoders must not care.
        let clientBytes = null;
        try {
            clientBytes = Buffer.from(quietly(() => clientProtobuf.encode(route, value)).result || []);
        } catch (e) {
            /* the client encoder crashes on some values (null repeated fields) */
        }
        if (clientBytes) {
            entry.client_bytes = hex(clientBytes);
            entry.client_decoded_json = JSON.stringify(protobuf.decode(route, clientBytes));
        }
    }
    vectors.protobuf.cases.push(entry);
}
{
    const doc = vectors.protobuf.cases[0].bytes;
    check(doc === '08ac021003180122026869280301020332030a017832030a01793d0000c03f410000000000000440', 'doc 1.9 example');
    check(vectors.protobuf.cases[2].bytes === '0a0568656c6c6f1005', 'doc 1.9 live send example');
    check(vectors.protobuf.cases[3].bytes === '0a0568656c6c6f1208616c6963652a72311805', 'doc 1.9 live onChat example');
}

// Parsed forms of source texts JSON.parse must read first (repeated keys: the last one wins).
vectors.protobuf_parse = [
    '{}',
    '{"r":{}}',
    '{"r":5,"s":"str","t":[1,2],"u":null}',
    '{"r":{"required uInt32 a":1,"required uInt32 a":2}}',
    '{"r":{"optional uInt32 a":1,"optional string a":2,"optional sInt32 b":1}}',
    '{"r":{"message A":{"optional uInt32 x":1},"message A":{"optional uInt32 y":2},"optional A a":1}}',
    '{"r":{"optional uInt32 __tags":1,"optional uInt32 __messages":2,"optional uInt32 c":3}}',
    '{"r":{"optional uInt32 10":10,"optional uInt32 2":2,"optional uInt32 b":3,"optional uInt32 01":4}}',
    '{"2":{"optional uInt32 x":1},"1":{"optional uInt32 x":1},"r":{"optional uInt32 x":1.0}}',
    '{"r":{"required uInt32 ":1,"optional uInt32 y":1}}',
    '{"r":{"optional uInt32 x":1,"message":{},"message a b":{},"repeated":3,"optional x":4}}',
    '{"r\\u00e9\\n":{"optional string n\\"q":1}}',
].map((text) => ({ text, parsed_json: JSON.stringify(protobuf.parse(JSON.parse(text))) }));

// ---- protos version (lib/components/protobuf.js) ----------------------------------------------
vectors.protos_version = [
    [{}, {}],
    [{ 'chat.chatHandler.send': schemaSource['chat.chatHandler.send'] }, { onChat: schemaSource.onChat }],
    [{}, schemaSource],
    [schemaSource, {}],
].map(([client, server]) => ({ client, server, version: reference.protosVersion(client, server) }));
check(vectors.protos_version[0].version === 'xT9OvpsqULwrUv2IpdUD4Q==', 'doc 1.3 empty protos version');

// ---- Route dictionary (lib/components/dictionary.js) -----------------------------------------
const dictCases = [
    [['connector.entryHandler.subscribe', 'connector.entryHandler.entry', 'connector.entryHandler.publish'], []],
    [
        ['connector.entryHandler.fail', 'chat.chatHandler.send', 'connector.entryHandler.entry', 'connector.entryHandler.enter'],
        ['onChat', 'onAdd', 'onLeave'],
    ],
    [[], []],
    [[], ['onChat']],
    [['b.h.x', 'a.h.y', 'B.h.z', 'a.h.Y', 'a_.h.x', 'a.h.y2'], ['a.h.y', 'onX', 'onX', '123', '7', 'onY']],
    [['u.\uff5e.x', 'u.\u{1f600}.x', 'u.\u00e9.x', 'u.e.x', 'u.\u4e2d.x'], ['\u2028', 'q"uote']],
];
vectors.dictionary = dictCases.map(([routes, user]) => {
    const d = reference.dictionary(routes, user);
    return {
        routes,
        user,
        dict_json: JSON.stringify(d.dict),
        code_to_route_json: JSON.stringify(d.abbrs),
        version: d.version,
    };
});
check(vectors.dictionary[0].version === 'vhs1TJfFaUAZcUaS9t3zTQ==', 'doc 1.3 dictVersion');

// ---- Handshake replies (lib/connectors/commands/handshake.js) --------------------------------
// In the file, config.dict and config.protos are indices into vectors.dictionary and
// vectors.protos_version.
function resolveConfig(config) {
    const c = Object.assign({}, config);
    if (config.dict !== undefined) c.dict = { routes: dictCases[config.dict][0], user: dictCases[config.dict][1] };
    if (config.protos !== undefined) c.protos = vectors.protos_version[config.protos];
    return c;
}
const pomeloHandshake = (body, config) => reference.handshakeReply(body, resolveConfig(config));
const dv = (i) => vectors.dictionary[i].version;
const pv = (i) => vectors.protos_version[i].version;
const hsRequests = [
    '{"sys":{"type":"js-websocket","version":"0.0.1","rsa":{}},"user":{}}',
    '{"sys":{"type":"desktop","version":"0.3.5-release"}}',
    `{"sys":{"type":"desktop","version":"0.3.5-release","dictVersion":"${dv(1)}","protoVersion":"${pv(1)}"}}`,
    `{"sys":{"dictVersion":"${dv(1)}"}}`,
    `{"sys":{"protoVersion":"${pv(1)}"}}`,
    '{"sys":{"dictVersion":123,"protoVersion":""}}',
    '{"sys":"yes"}',
    '{"sys":1,"user":{"name":"x"}}',
    '{"sys":0}',
    '{"sys":null}',
    '{"sys":""}',
    '{"user":{}}',
    'not json',
    '',
    '[1,2]',
    'null',
    '5',
    '{"sys":{}} trailing',
    '{"sys":{"type":"a"},"sys":false}',
];
const hsConfigs = [
    {},
    { heartbeat: 3 },
    { heartbeat: 3, dict: 0, protos: 0 },
    { heartbeat: 30, dict: 1, protos: 1 },
    { dict: 4 },
    { protos: 2, user: { uid: 42, name: 'ü"x', list: [1, 2.5, null, true], 10: 'ten', 2: 'two' } },
    { heartbeat: 5, user: 'welcome' },
    { heartbeat: 5, user: 0 },
    { heartbeat: 5, user: '' },
    { dict: 5, protos: 3, user: [1] },
];
vectors.handshake = [];
for (const body of hsRequests) {
    for (let c = 0; c < hsConfigs.length; c++) {
        vectors.handshake.push({ body, config: hsConfigs[c], reply: pomeloHandshake(body, hsConfigs[c]) });
    }
}
check(
    pomeloHandshake(`{"sys":{"dictVersion":"${dv(0)}","protoVersion":"${pv(0)}"}}`, hsConfigs[2]) ===
        '{"code":200,"sys":{"heartbeat":3,"useDict":true,"useProto":true}}',
    'doc 1.3 short reply'
);

// ---- Kick -------------------------------------------------------------------------------------
vectors.kick = ['kick', 'attack', '', 'q"b\\s/x', 'ctl\u0000\u0001\u001f\b\f\n\r\t\u007f', 'ünï 中 😀', '\u2028\u2029'].map(
    (reason) => {
        const body = JSON.stringify({ reason });
        return { reason, body, bytes: hex(Package.encode(Package.TYPE_KICK, Buffer.from(body))) };
    }
);
check(vectors.kick[1].bytes === '050000137b22726561736f6e223a2261747461636b227d', 'doc 1.5 attack kick');

// ---- crc32 as the `crc` 0.2.0 package computes it (used by pomelo's default RPC router) ---------
const crc32OfString = reference.crc32;
check(crc32OfString('123456789') >>> 0 === 0xcbf43926, 'crc32("123456789")');
check(crc32OfString('The quick brown fox jumps over the lazy dog') >>> 0 === 0x414fa339, 'crc32(fox)');
let crcSource = 'implementation in pomelo_reference.js';
try {
    const crc = require('crc'); // pomelo's own dependency, when it happens to be installed
    if (typeof crc.crc32 === 'function' && crc.crc32('123456789') === crc32OfString('123456789')) {
        crcSource = 'npm crc ' + require('crc/package.json').version;
        for (const s of ['a', 'ü中😀', 'uid-10086']) check(crc.crc32(s) === crc32OfString(s), 'crc package agrees');
    }
} catch (e) {
    /* not installed: the implementation above, checked against known values */
}
const crcInputs = [
    '', '123456789', 'a', 'uid-1', '10086', '10087', 'zhangsan', 'ü', '中文', '😀', 'a😀b', '\uffff',
].map((s) => Buffer.from(s, 'utf8').toString('hex'));
// Invalid UTF-8: the JS string is what Buffer#toString makes of it.
crcInputs.push('80', 'c0af', 'e0808061', 'eda080', 'f4908080', 'f09f98', 'ff41fe', 'c2', '41e2822042');
const serverCounts = [1, 2, 3, 5, 7, 10, 64];
vectors.crc32 = {
    source: crcSource,
    cases: crcInputs.map((h) => {
        const s = Buffer.from(h, 'hex').toString('utf8');
        const crc = crc32OfString(s);
        return { utf8: h, crc, index: serverCounts.map((n) => Math.abs(crc) % n) };
    }),
    server_counts: serverCounts,
};

// ---- JSON.stringify details -------------------------------------------------------------------
// Numbers: IEEE-754 bits (hex, big-endian) -> JSON.stringify(number).
const numberBits = [];
const pushDouble = (d) => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(d);
    numberBits.push(b.toString('hex'));
};
[
    0, -0, 1, -1, 0.1, 0.2 + 0.1, 1.5, -2.5, 100, 1e20, 1e21, 1.5e21, 123456789012345680000, 1e-6, 1e-7, 1.5e-7,
    0.000001234, 2 ** 53, 2 ** 53 + 2, 2 ** 64, -(2 ** 63), 5e-324, 1.7976931348623157e308, 2.2250738585072014e-308,
    Infinity, -Infinity, NaN, 4294967295, 4294967296, 0.5, 1 / 3, 2 / 3, 100.25, 1e100, 1.2345678901234567e-100,
    Math.fround(0.1), Math.fround(3.4e38), 9007199254740993, 123e-20, 5e-7, 999999999999999900000, 1e16, 12345.678,
].forEach(pushDouble);
// Random bit patterns across all magnitudes (deterministic: seeded xorshift).
let seed = 0x9e3779b97f4a7c15n;
const nextRandom = () => {
    seed ^= seed << 13n;
    seed &= 0xffffffffffffffffn;
    seed ^= seed >> 7n;
    seed ^= seed << 17n;
    seed &= 0xffffffffffffffffn;
    return seed;
};
for (let i = 0; i < 400; i++) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(nextRandom());
    numberBits.push(b.toString('hex'));
}
for (let i = 0; i < 100; i++) pushDouble(Number(nextRandom() % 1000000n) / 1000); // short decimals
for (let i = 0; i < 50; i++) pushDouble(Math.fround(Number(nextRandom() % 100000n) / 7)); // float32 values
vectors.js_numbers = numberBits.map((h) => ({ bits: h, json: JSON.stringify(Buffer.from(h, 'hex').readDoubleBE(0)) }));

// Strings from raw bytes (hex) as Buffer#toString then JSON.stringify see them.
const stringHexes = [
    '', '616263', '22275c2f', '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f7f',
    Buffer.from('héllo 中文 😀 \u2028\u2029 \ufeff \uffff', 'utf8').toString('hex'),
    '80', 'bf', 'c0', 'c080', 'c1bf', 'c2', 'c280', 'dfbf', 'e0', 'e080', 'e08080', 'e0a080', 'e0a0', 'ed9fbf', 'eda080',
    'edbfbf', 'ee8080', 'efbfbd', 'efbfbf', 'f0', 'f08080', 'f0808080', 'f0908080', 'f09080', 'f4', 'f48fbfbf',
    'f4908080', 'f5808080', 'f8', 'fe', 'ff', '41c241', '41e08041', '41f09f9841', 'f09f98f09f9880', 'e282ac80',
];
vectors.js_strings = stringHexes.map((h) => ({ utf8: h, json: JSON.stringify(Buffer.from(h, 'hex').toString('utf8')) }));

// Whole values: JSON text -> JSON.stringify(JSON.parse(text)) (key order, repeated keys, escapes).
vectors.js_values = [
    '{"b":1,"a":2}',
    '{"10":"a","2":"b","x":1,"1":"c","0":0,"01":"lead","-1":"neg","4294967294":"max","4294967295":"over","1.5":"f"}',
    '{"a":1,"b":2,"a":3}',
    '{"a":{"z":1,"3":2},"b":[{"y":1,"2":0}],"c":[]}',
    '[1.0,-0,1e21,1E-7,0.1,123456789012345678901234567890,-9223372036854775809,18446744073709551615,9007199254740993]',
    '"\\u00e9\\ud83d\\ude00\\u2028\\/\\b\\u0000"',
    '{"":"empty","\\u0000":"nul","é":"e"}',
    'true',
    'null',
    '{"deep":[[[[[{"x":[[]]}]]]]]}',
].map((text) => ({ text, json: JSON.stringify(JSON.parse(text)) }));

fs.writeFileSync(outPath, JSON.stringify(vectors, null, 1));
const count = (v) => (Array.isArray(v) ? v.length : v && v.cases ? v.cases.length : 1);
const total = Object.values(vectors).reduce((n, v) => n + count(v), 0);
console.log(`gen_vectors: wrote ${total} vectors to ${outPath}`);
