// Interop vectors: our codec against the bytes and values of the real npm encoders.
//
// Reads the file tests/interop/gen_vectors.js writes (path in SHD_VECTORS): our encoders must
// produce the same bytes, our decoders the same values, our JSON the same text. Then writes our own
// encodings (path in SHD_OURS) for tests/interop/check_ours.js to decode with the npm decoders.
#include "hex.hpp"

#include <shaddock/cpp/route_hash.hpp>
#include <shaddock/pomelo/handshake.hpp>
#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/kick_body.hpp>
#include <shaddock/pomelo/message_codec.hpp>
#include <shaddock/pomelo/package_codec.hpp>
#include <shaddock/pomelo/package_stream_parser.hpp>
#include <shaddock/pomelo/pomelo_protobuf.hpp>
#include <shaddock/pomelo/protos_version.hpp>
#include <shaddock/pomelo/route_dictionary.hpp>
#include <shaddock/pomelo/utf8_decode.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

namespace shd::pomelo {
namespace {

using test::from_hex;
using test::to_hex;
using Value = rapidjson::Value;

constexpr unsigned kParseFlags = rapidjson::kParseFullPrecisionFlag;

std::string str(const Value &v) {
    return std::string(v.GetString(), v.GetStringLength());
}

std::string env_path(const char *name) {
    const char *p = std::getenv(name);
    if (!p || !*p) CPPUNIT_FAIL(std::string(name) + " is not set (CTest sets it; see tests/pomelo_protocol)");
    return p;
}

const rapidjson::Document &vectors() {
    static const std::unique_ptr<rapidjson::Document> doc = [] {
        const std::string path = env_path("SHD_VECTORS");
        std::ifstream in(path, std::ios::binary);
        if (!in) CPPUNIT_FAIL("cannot read " + path + " (run the protocol_vectors_generate test first)");
        std::stringstream text;
        text << in.rdbuf();
        auto d = std::make_unique<rapidjson::Document>();
        d->Parse<kParseFlags>(text.str().c_str());
        if (d->HasParseError()) CPPUNIT_FAIL(path + " is not JSON");
        return d;
    }();
    return *doc;
}

std::string js_json(const Value &v) {
    std::string out;
    append_js_json(out, v);
    return out;
}

// Counts checks in one section and reports every mismatch (the first ones in full).
class Tally {
public:
    explicit Tally(std::string section) : section_(std::move(section)) {}
    void equal(const std::string &what, const std::string &expected, const std::string &actual) {
        ++checked_;
        if (expected != actual) failures_.push_back(what + "\n    expected: " + expected + "\n    actual:   " + actual);
    }
    void expect(const std::string &what, bool ok) {
        ++checked_;
        if (!ok) failures_.push_back(what);
    }
    void finish() {
        std::cerr << "  " << section_ << ": " << checked_ - failures_.size() << " of " << checked_
                  << " checks passed\n";
        std::string report;
        for (size_t i = 0; i < failures_.size() && i < 10; ++i) report += "\n  " + failures_[i];
        CPPUNIT_ASSERT_MESSAGE(section_ + ": " + std::to_string(failures_.size()) + " mismatches" + report,
                               failures_.empty());
        CPPUNIT_ASSERT_MESSAGE(section_ + ": no vectors", checked_ > 0);
    }

private:
    std::string section_;
    size_t checked_ = 0;
    std::vector<std::string> failures_;
};

Message message_of(const Value &v, std::string &route_storage, std::string &body_storage) {
    Message m;
    m.type = static_cast<MessageType>(v["type"].GetInt());
    m.id = v["id"].GetUint();
    m.gzip = v["gzip"].GetInt() != 0;
    const Value &route = v["route"];
    if (route.IsNumber()) {
        m.route_compressed = true;
        m.route_code = static_cast<uint16_t>(route.GetUint());
    } else if (route.IsString()) {
        route_storage = str(route);
        m.route = route_storage;
    }
    body_storage = from_hex(str(v["body"]));
    m.body = body_storage;
    return m;
}

ProtobufSchema load_schema(const Value &source) {
    ProtobufSchema s;
    const std::string error = s.load(source);
    if (!error.empty()) CPPUNIT_FAIL("schema: " + error);
    return s;
}

// The server side of one vectors.protos_version entry.
struct Protos {
    ProtobufSchema client, server;
    std::string version;
};

std::vector<std::unique_ptr<Protos>> load_protos_versions() {
    std::vector<std::unique_ptr<Protos>> all;
    for (const Value &v : vectors()["protos_version"].GetArray()) {
        auto p = std::make_unique<Protos>();
        p->client = load_schema(v["client"]);
        p->server = load_schema(v["server"]);
        p->version = protos_version(p->client, p->server);
        all.push_back(std::move(p));
    }
    return all;
}

std::vector<std::string> strings_of(const Value &array) {
    std::vector<std::string> out;
    for (const Value &s : array.GetArray()) out.push_back(str(s));
    return out;
}

std::vector<RouteDictionary> load_dictionaries() {
    std::vector<RouteDictionary> all;
    for (const Value &v : vectors()["dictionary"].GetArray())
        all.emplace_back(strings_of(v["routes"]), strings_of(v["user"]));
    return all;
}

HandshakeReplyConfig config_of(const Value &c, const std::vector<RouteDictionary> &dicts,
                               const std::vector<std::unique_ptr<Protos>> &protos) {
    HandshakeReplyConfig config;
    if (c.HasMember("heartbeat")) config.heartbeat_seconds = c["heartbeat"].GetUint();
    if (c.HasMember("dict")) config.dictionary = &dicts.at(c["dict"].GetUint());
    if (c.HasMember("protos")) {
        const Protos &p = *protos.at(c["protos"].GetUint());
        config.server_protos = &p.server;
        config.client_protos = &p.client;
        config.protos_version = p.version;
    }
    if (c.HasMember("user")) config.user = &c["user"];
    return config;
}

std::string handshake_body(const HandshakeRequest &request, const HandshakeReplyConfig &config) {
    return request.has_sys ? handshake_reply(request, config) : handshake_error_reply(kHandshakeBadRequest);
}

double double_of_bits(const std::string &hex_be) {
    const std::string bytes = from_hex(hex_be);
    uint64_t bits = 0;
    for (char c : bytes) bits = (bits << 8) | static_cast<uint8_t>(c);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

class VectorsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VectorsTest);
    CPPUNIT_TEST(packages);
    CPPUNIT_TEST(packageStream);
    CPPUNIT_TEST(messages);
    CPPUNIT_TEST(protobufParsedForm);
    CPPUNIT_TEST(protobufEncodeDecode);
    CPPUNIT_TEST(protobufParseTexts);
    CPPUNIT_TEST(protosVersion);
    CPPUNIT_TEST(dictionary);
    CPPUNIT_TEST(handshake);
    CPPUNIT_TEST(kick);
    CPPUNIT_TEST(crc32);
    CPPUNIT_TEST(jsNumbers);
    CPPUNIT_TEST(jsStrings);
    CPPUNIT_TEST(jsValues);
    CPPUNIT_TEST(writeOursForNode);
    CPPUNIT_TEST_SUITE_END();

public:
    void packages() {
        Tally t("packages");
        for (const Value &v : vectors()["packages"].GetArray()) {
            const auto type = static_cast<PackageType>(v["type"].GetInt());
            const std::string body = from_hex(str(v["body"]));
            const std::string what =
                "type " + std::to_string(v["type"].GetInt()) + " body " + std::to_string(body.size()) + " bytes";
            std::string out;
            t.expect(what + ": encodes", encode_package(out, type, body) == nullptr);
            t.equal(what + ": bytes", str(v["bytes"]), to_hex(out));
            const std::string frame = from_hex(str(v["bytes"]));
            const auto back = decode_frame_package(frame, kMaxPackageBodySize);
            t.expect(what + ": decodes", back.ok() && back.package.type == type && back.package.body == body);
        }
        t.finish();
    }

    void packageStream() {
        Tally t("package stream");
        const Value &v = vectors()["package_stream"];
        const std::string stream = from_hex(str(v["bytes"]));
        std::string expected;
        for (const Value &p : v["packages"].GetArray())
            expected += std::to_string(p["type"].GetInt()) + ":" + str(p["body"]) + " ";
        for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{13}, stream.size()}) {
            PackageStreamParser parser;
            std::vector<std::string> chunks;
            std::string seen;
            for (size_t pos = 0; pos < stream.size(); pos += chunk) {
                chunks.push_back(stream.substr(pos, chunk));
                parser.feed(chunks.back());
                for (auto r = parser.next(); r.status == PackageStreamParser::Status::package; r = parser.next())
                    seen += std::to_string(static_cast<int>(r.package.type)) + ":" + to_hex(r.package.body) + " ";
            }
            t.equal("chunks of " + std::to_string(chunk), expected, seen);
        }
        t.finish();
    }

    void messages() {
        Tally t("messages");
        for (const Value &v : vectors()["messages"].GetArray()) {
            const std::string name = str(v["name"]);
            std::string route, body;
            const Message m = message_of(v, route, body);
            std::string out;
            t.expect(name + ": encodes", encode_message(out, m) == nullptr);
            t.equal(name + ": message bytes", str(v["bytes"]), to_hex(out));
            out.clear();
            t.expect(name + ": encodes a package", encode_data_package(out, m) == nullptr);
            t.equal(name + ": package bytes", str(v["package"]), to_hex(out));

            const std::string bytes = from_hex(str(v["bytes"]));
            const auto r = decode_message(bytes);
            t.expect(name + ": decodes", r.ok());
            const Message &d = r.message;
            t.expect(name + ": decoded fields",
                     d.type == m.type && d.id == m.id && d.route_compressed == m.route_compressed &&
                         d.route_code == m.route_code && d.route == m.route && d.body == m.body && d.gzip == m.gzip);
        }
        t.finish();
    }

    void protobufParsedForm() {
        Tally t("protobuf parsed form");
        const ProtobufSchema s = load_schema(vectors()["protobuf"]["source"]);
        t.equal("parsed_json", str(vectors()["protobuf"]["parsed_json"]), s.parsed_json());
        t.finish();
    }

    void protobufEncodeDecode() {
        Tally t("protobuf encode/decode");
        const ProtobufSchema s = load_schema(vectors()["protobuf"]["source"]);
        for (const Value &c : vectors()["protobuf"]["cases"].GetArray()) {
            const std::string route = str(c["route"]);
            const std::string what = route + " " + str(c["value_json"]);
            rapidjson::Document value;
            value.Parse<kParseFlags>(str(c["value_json"]).c_str());
            std::string out;
            const std::string error = s.encode(out, route, value);
            if (c.HasMember("encode_error")) {
                t.expect(what + ": must be refused", !error.empty());
                continue;
            }
            t.equal(what + ": encode error", "", error);
            t.equal(what + ": bytes", str(c["bytes"]), to_hex(out));

            rapidjson::Document decoded;
            t.equal(what + ": decode error", "",
                    s.decode(route, from_hex(str(c["bytes"])), decoded, decoded.GetAllocator()));
            t.equal(what + ": decoded", str(c["decoded_json"]), js_json(decoded));
            if (c.HasMember("client_bytes")) {
                rapidjson::Document from_client;
                t.equal(what + ": client decode error", "",
                        s.decode(route, from_hex(str(c["client_bytes"])), from_client, from_client.GetAllocator()));
                t.equal(what + ": decoded from client bytes", str(c["client_decoded_json"]), js_json(from_client));
            }
        }
        t.finish();
    }

    void protobufParseTexts() {
        Tally t("protobuf parse of source texts");
        for (const Value &c : vectors()["protobuf_parse"].GetArray()) {
            rapidjson::Document source;
            source.Parse<kParseFlags>(str(c["text"]).c_str());
            ProtobufSchema s;
            const std::string error = s.load(source);
            t.equal(str(c["text"]) + ": error", "", error);
            t.equal(str(c["text"]), str(c["parsed_json"]), s.parsed_json());
        }
        t.finish();
    }

    void protosVersion() {
        Tally t("protos version");
        const auto all = load_protos_versions();
        const Value &v = vectors()["protos_version"];
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
            t.equal("protos_version[" + std::to_string(i) + "]", str(v[i]["version"]), all[i]->version);
        t.finish();
    }

    void dictionary() {
        Tally t("dictionary");
        const auto dicts = load_dictionaries();
        const Value &v = vectors()["dictionary"];
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
            const std::string what = "dictionary[" + std::to_string(i) + "]";
            t.equal(what + " dict", str(v[i]["dict_json"]), dicts[i].dict_json());
            t.equal(what + " codeToRoute", str(v[i]["code_to_route_json"]), dicts[i].code_to_route_json());
            t.equal(what + " version", str(v[i]["version"]), dicts[i].version());
        }
        t.finish();
    }

    void handshake() {
        Tally t("handshake");
        const auto dicts = load_dictionaries();
        const auto protos = load_protos_versions();
        for (const Value &v : vectors()["handshake"].GetArray()) {
            const HandshakeReplyConfig config = config_of(v["config"], dicts, protos);
            const HandshakeRequest request = parse_handshake_request(str(v["body"]));
            t.equal("body " + str(v["body"]) + " config " + js_json(v["config"]), str(v["reply"]),
                    handshake_body(request, config));
        }
        t.finish();
    }

    void kick() {
        Tally t("kick");
        for (const Value &v : vectors()["kick"].GetArray()) {
            const std::string body = kick_body(str(v["reason"]));
            t.equal("kick " + str(v["reason"]), str(v["body"]), body);
            std::string out;
            t.expect("kick package", encode_package(out, PackageType::kick, body) == nullptr);
            t.equal("kick package " + str(v["reason"]), str(v["bytes"]), to_hex(out));
        }
        t.finish();
    }

    void crc32() {
        Tally t("crc32");
        const Value &v = vectors()["crc32"];
        const Value &counts = v["server_counts"];
        for (const Value &c : v["cases"].GetArray()) {
            const std::string s = from_hex(str(c["utf8"]));
            t.equal("crc32 of " + str(c["utf8"]), std::to_string(c["crc"].GetInt()),
                    std::to_string(static_cast<int32_t>(shd::pomelo_crc32(s))));
            for (rapidjson::SizeType i = 0; i < counts.Size(); ++i)
                t.equal("index of " + str(c["utf8"]) + " among " + std::to_string(counts[i].GetUint()),
                        std::to_string(c["index"][i].GetUint()), std::to_string(shd::pomelo_route_index(s, counts[i].GetUint())));
        }
        t.finish();
    }

    void jsNumbers() {
        Tally t("JSON.stringify(number)");
        for (const Value &v : vectors()["js_numbers"].GetArray()) {
            std::string out;
            append_js_number(out, double_of_bits(str(v["bits"])));
            t.equal("bits " + str(v["bits"]), str(v["json"]), out);
        }
        t.finish();
    }

    void jsStrings() {
        Tally t("JSON.stringify(string from bytes)");
        for (const Value &v : vectors()["js_strings"].GetArray()) {
            std::string out;
            append_js_string(out, from_hex(str(v["utf8"])));
            t.equal("bytes " + str(v["utf8"]), str(v["json"]), out);
        }
        t.finish();
    }

    void jsValues() {
        Tally t("JSON.stringify(JSON.parse(text))");
        for (const Value &v : vectors()["js_values"].GetArray()) {
            rapidjson::Document d;
            d.Parse<kParseFlags>(str(v["text"]).c_str());
            t.expect(str(v["text"]) + ": parses", !d.HasParseError());
            t.equal(str(v["text"]), str(v["json"]), js_json(d));
        }
        t.finish();
    }

    // Our encodings of the vector inputs plus inputs of our own (random ones from a fixed seed),
    // for check_ours.js.
    void writeOursForNode();
};

// ---- writing ours.json ------------------------------------------------------------------------

class OursWriter {
public:
    OursWriter() : ours_(rapidjson::kObjectType), a_(ours_.GetAllocator()) {}

    void packages() {
        Value list(rapidjson::kArrayType);
        auto add = [&](int type, const std::string &body) {
            std::string bytes;
            CPPUNIT_ASSERT(encode_package(bytes, static_cast<PackageType>(type), body) == nullptr);
            Value e(rapidjson::kObjectType);
            e.AddMember("type", type, a_);
            e.AddMember("body", s(to_hex(body)), a_);
            e.AddMember("bytes", s(to_hex(bytes)), a_);
            list.PushBack(e, a_);
        };
        for (const Value &v : vectors()["packages"].GetArray()) add(v["type"].GetInt(), from_hex(str(v["body"])));
        for (int i = 0; i < 20; ++i) add(1 + static_cast<int>(rng_() % 5), random_bytes(rng_() % 600));
        ours_.AddMember("packages", list, a_);
    }

    void messages() {
        Value list(rapidjson::kArrayType);
        auto add = [&](const Message &m) {
            std::string bytes;
            CPPUNIT_ASSERT(encode_message(bytes, m) == nullptr);
            Value e(rapidjson::kObjectType);
            e.AddMember("id", message_has_id(m.type) ? m.id : 0, a_);
            e.AddMember("type", static_cast<int>(m.type), a_);
            const bool compressed = message_has_route(m.type) && m.route_compressed;
            e.AddMember("compressRoute", compressed ? 1 : 0, a_);
            if (!message_has_route(m.type)) {
                e.AddMember("route", Value(), a_);
            } else if (compressed) {
                e.AddMember("route", m.route_code, a_);
            } else {
                e.AddMember("route", s(std::string(m.route)), a_);
            }
            e.AddMember("body", s(to_hex(m.body)), a_);
            e.AddMember("gzip", m.gzip ? 1 : 0, a_);
            e.AddMember("bytes", s(to_hex(bytes)), a_);
            list.PushBack(e, a_);
        };
        for (const Value &v : vectors()["messages"].GetArray()) {
            std::string route, body;
            add(message_of(v, route, body));
        }
        for (int i = 0; i < 200; ++i) {
            Message m;
            m.type = static_cast<MessageType>(rng_() % 4);
            m.id = 1 + static_cast<uint32_t>(rng_() % kMaxMessageId);
            if (i % 3 == 0) m.id = 1 + static_cast<uint32_t>(rng_() % 300);
            m.route_compressed = rng_() % 2;
            m.route_code = static_cast<uint16_t>(rng_());
            const std::string route = random_ascii(rng_() % 256);
            m.route = route;
            const std::string body = random_bytes(rng_() % 100);
            m.body = body;
            m.gzip = rng_() % 4 == 0;
            add(m);
        }
        ours_.AddMember("messages", list, a_);
    }

    void protobuf() {
        const Value &pv = vectors()["protobuf"];
        const ProtobufSchema schema = load_schema(pv["source"]);
        Value section(rapidjson::kObjectType);
        section.AddMember("source", Value(pv["source"], a_), a_);
        section.AddMember("parsed_json", s(schema.parsed_json()), a_);
        Value cases(rapidjson::kArrayType);
        auto add = [&](const std::string &route, const std::string &value_json, const char *note) {
            rapidjson::Document value;
            value.Parse<kParseFlags>(value_json.c_str());
            CPPUNIT_ASSERT_MESSAGE(value_json, !value.HasParseError());
            std::string bytes;
            const std::string error = schema.encode(bytes, route, value);
            Value e(rapidjson::kObjectType);
            e.AddMember("route", s(route), a_);
            e.AddMember("value_json", s(value_json), a_);
            if (error.empty()) {
                e.AddMember("bytes", s(to_hex(bytes)), a_);
            } else {
                e.AddMember("error", s(error), a_);
            }
            if (note) e.AddMember("note", s(note), a_);
            cases.PushBack(e, a_);
        };
        for (const Value &c : pv["cases"].GetArray()) add(str(c["route"]), str(c["value_json"]), nullptr);
        // Longer than pomelo-protobuf's encoder can hold (it sizes its buffer from the JSON text).
        std::string doubles = R"({"a":1,"ds":[)";
        for (int i = 0; i < 20; ++i) doubles += (i ? ",0" : "0");
        add("test.all", doubles + "]}", "npm encoder overflows its buffer");
        for (int i = 0; i < 150; ++i) add("test.all", random_message(), nullptr);
        section.AddMember("cases", cases, a_);
        ours_.AddMember("protobuf", section, a_);

        Value parses(rapidjson::kArrayType);
        for (const Value &c : vectors()["protobuf_parse"].GetArray()) {
            rapidjson::Document source;
            source.Parse<kParseFlags>(str(c["text"]).c_str());
            ProtobufSchema s2;
            CPPUNIT_ASSERT(s2.load(source).empty());
            Value e(rapidjson::kObjectType);
            e.AddMember("text", Value(c["text"], a_), a_);
            e.AddMember("parsed_json", s(s2.parsed_json()), a_);
            parses.PushBack(e, a_);
        }
        ours_.AddMember("protobuf_parse", parses, a_);
    }

    void versions_and_dictionaries() {
        const auto protos = load_protos_versions();
        Value pvs(rapidjson::kArrayType);
        const Value &pv = vectors()["protos_version"];
        for (rapidjson::SizeType i = 0; i < pv.Size(); ++i) {
            Value e(rapidjson::kObjectType);
            e.AddMember("client", Value(pv[i]["client"], a_), a_);
            e.AddMember("server", Value(pv[i]["server"], a_), a_);
            e.AddMember("version", s(protos[i]->version), a_);
            pvs.PushBack(e, a_);
        }
        ours_.AddMember("protos_version", pvs, a_);

        const auto dicts = load_dictionaries();
        Value ds(rapidjson::kArrayType);
        const Value &dv = vectors()["dictionary"];
        for (rapidjson::SizeType i = 0; i < dv.Size(); ++i) {
            Value e(rapidjson::kObjectType);
            e.AddMember("routes", Value(dv[i]["routes"], a_), a_);
            e.AddMember("user", Value(dv[i]["user"], a_), a_);
            e.AddMember("dict_json", s(dicts[i].dict_json()), a_);
            e.AddMember("code_to_route_json", s(dicts[i].code_to_route_json()), a_);
            e.AddMember("version", s(dicts[i].version()), a_);
            ds.PushBack(e, a_);
        }
        ours_.AddMember("dictionary", ds, a_);
    }

    void handshakes() {
        const auto dicts = load_dictionaries();
        const auto protos = load_protos_versions();
        Value list(rapidjson::kArrayType);
        for (const Value &v : vectors()["handshake"].GetArray()) {
            const Value &c = v["config"];
            const std::string reply =
                handshake_body(parse_handshake_request(str(v["body"])), config_of(c, dicts, protos));
            std::string package;
            CPPUNIT_ASSERT(encode_package(package, PackageType::handshake, reply) == nullptr);
            // The config spelled out, so check_ours.js needs nothing but this file.
            Value config(rapidjson::kObjectType);
            if (c.HasMember("heartbeat")) config.AddMember("heartbeat", c["heartbeat"].GetUint(), a_);
            if (c.HasMember("dict")) {
                const Value &d = vectors()["dictionary"][c["dict"].GetUint()];
                Value dict(rapidjson::kObjectType);
                dict.AddMember("routes", Value(d["routes"], a_), a_);
                dict.AddMember("user", Value(d["user"], a_), a_);
                config.AddMember("dict", dict, a_);
            }
            if (c.HasMember("protos")) {
                const Value &p = vectors()["protos_version"][c["protos"].GetUint()];
                Value pr(rapidjson::kObjectType);
                pr.AddMember("client", Value(p["client"], a_), a_);
                pr.AddMember("server", Value(p["server"], a_), a_);
                config.AddMember("protos", pr, a_);
            }
            if (c.HasMember("user")) config.AddMember("user", Value(c["user"], a_), a_);
            Value e(rapidjson::kObjectType);
            e.AddMember("body", Value(v["body"], a_), a_);
            e.AddMember("config", config, a_);
            e.AddMember("reply", s(reply), a_);
            e.AddMember("package", s(to_hex(package)), a_);
            list.PushBack(e, a_);
        }
        ours_.AddMember("handshake", list, a_);
    }

    void kicks_and_crc() {
        Value kicks(rapidjson::kArrayType);
        std::vector<std::string> reasons;
        for (const Value &v : vectors()["kick"].GetArray()) reasons.push_back(str(v["reason"]));
        for (int i = 0; i < 20; ++i) reasons.push_back(random_text(rng_() % 30));
        for (const std::string &reason : reasons) {
            std::string bytes;
            CPPUNIT_ASSERT(encode_package(bytes, PackageType::kick, kick_body(reason)) == nullptr);
            Value e(rapidjson::kObjectType);
            e.AddMember("reason", s(reason), a_);
            e.AddMember("bytes", s(to_hex(bytes)), a_);
            kicks.PushBack(e, a_);
        }
        ours_.AddMember("kick", kicks, a_);

        Value crcs(rapidjson::kArrayType);
        const unsigned counts[] = {1, 2, 3, 4, 5, 7, 10, 16, 100};
        std::vector<std::string> inputs;
        for (const Value &c : vectors()["crc32"]["cases"].GetArray()) inputs.push_back(from_hex(str(c["utf8"])));
        for (int i = 0; i < 100; ++i) inputs.push_back(i % 4 ? random_text(rng_() % 20) : random_bytes(rng_() % 12));
        for (const std::string &in : inputs) {
            Value e(rapidjson::kObjectType);
            e.AddMember("utf8", s(to_hex(in)), a_);
            e.AddMember("crc", static_cast<int32_t>(shd::pomelo_crc32(in)), a_);
            Value index(rapidjson::kArrayType);
            Value n(rapidjson::kArrayType);
            for (unsigned c : counts) {
                index.PushBack(static_cast<uint64_t>(shd::pomelo_route_index(in, c)), a_);
                n.PushBack(c, a_);
            }
            e.AddMember("index", index, a_);
            e.AddMember("server_counts", n, a_);
            crcs.PushBack(e, a_);
        }
        ours_.AddMember("crc32", crcs, a_);
    }

    void numbers() {
        Value list(rapidjson::kArrayType);
        for (int i = 0; i < 2000; ++i) {
            uint64_t bits = rng_();
            if (i % 2) bits = (bits & 0x800FFFFFFFFFFFFFull) | (uint64_t{1023 - 70 + rng_() % 140} << 52);  // near 1
            double d;
            std::memcpy(&d, &bits, sizeof d);
            std::string json;
            append_js_number(json, d);
            std::string be;
            for (int k = 7; k >= 0; --k) be.push_back(static_cast<char>(bits >> (8 * k)));
            Value e(rapidjson::kObjectType);
            e.AddMember("bits", s(to_hex(be)), a_);
            e.AddMember("json", s(json), a_);
            list.PushBack(e, a_);
        }
        ours_.AddMember("js_numbers", list, a_);
    }

    void write(const std::string &path) {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        ours_.Accept(writer);
        std::ofstream out(path, std::ios::binary);
        out << buffer.GetString();
        CPPUNIT_ASSERT_MESSAGE("cannot write " + path, out.good());
    }

private:
    Value s(const std::string &text) { return Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a_); }

    std::string random_bytes(size_t n) {
        std::string out;
        for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(rng_()));
        return out;
    }
    std::string random_ascii(size_t n) {
        std::string out;
        for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(0x20 + rng_() % 95));
        return out;
    }
    // Valid UTF-8 over ASCII, controls, Latin-1, CJK and astral code points.
    std::string random_text(size_t n) {
        static const char32_t kPool[] = {'a',  'Z',  '0',   ' ',    '"',    '\\',   '\n',   0x01,    0x1f,
                                         0x7f, 0xe9, 0x100, 0x4e2d, 0x2028, 0xfeff, 0xffff, 0x1f600, 0x10ffff};
        std::string out;
        for (size_t i = 0; i < n; ++i) {
            append_utf8(out, kPool[rng_() % (sizeof kPool / sizeof kPool[0])]);
        }
        return out;
    }
    std::string json_string(const std::string &text) {
        std::string out;
        append_js_string(out, text);
        return out;
    }
    std::string json_number(double d) {
        std::string out;
        append_js_number(out, d);
        return out;
    }
    double random_finite_double() {
        for (;;) {
            const uint64_t bits = rng_();
            double d;
            std::memcpy(&d, &bits, sizeof d);
            if (std::isfinite(d)) return d;
        }
    }
    // A random value for the "test.all" schema; floats are float32-representable so they survive.
    std::string random_message() {
        auto u32 = [&] { return std::to_string(static_cast<uint32_t>(rng_())); };
        auto i32 = [&] { return std::to_string(static_cast<int32_t>(rng_())); };
        auto f32 = [&] {
            float f;
            do {
                const uint32_t bits = static_cast<uint32_t>(rng_());
                std::memcpy(&f, &bits, sizeof f);
            } while (!std::isfinite(f));
            return json_number(f);
        };
        std::vector<std::string> fields = {R"("a":)" + u32()};
        auto maybe = [&](const std::string &field) {
            if (rng_() % 2) fields.push_back(field);
        };
        maybe(R"("s":)" + i32());
        maybe(R"("i":)" + i32());
        maybe(R"("str":)" + json_string(random_text(rng_() % 12)));
        maybe(R"("f":)" + f32());
        maybe(R"("d":)" + json_number(random_finite_double()));
        auto list = [&](auto make, size_t n) {
            std::string out = "[";
            for (size_t k = 0; k < n; ++k) out += (k ? "," : "") + make();
            return out + "]";
        };
        maybe(R"("arr":)" + list(u32, rng_() % 5));
        maybe(R"("zs":)" + list(i32, rng_() % 5));
        maybe(R"("is":)" + list(i32, rng_() % 3));
        maybe(R"("fs":)" + list(f32, rng_() % 3));
        maybe(R"("ds":)" + list([&] { return json_number(random_finite_double()); }, rng_() % 2));
        maybe(R"("strs":)" + list([&] { return json_string(random_text(rng_() % 5)); }, rng_() % 4));
        maybe(R"("items":)" +
              list([&] { return R"({"n":)" + u32() + R"(,"name":)" + json_string(random_text(3)) + "}"; }, rng_() % 3));
        maybe(R"("g":{"label":"x","child":{"nums":)" + list(u32, 1 + rng_() % 3) + "}}");
        // Shuffle: field order is the value's key order, and it must survive.
        for (size_t k = fields.size(); k > 1; --k) std::swap(fields[k - 1], fields[rng_() % k]);
        std::string out = "{";
        for (size_t k = 0; k < fields.size(); ++k) out += (k ? "," : "") + fields[k];
        return out + "}";
    }

    rapidjson::Document ours_;
    rapidjson::Document::AllocatorType &a_;
    std::mt19937_64 rng_{20191108};  // fixed seed: the same file every run
};

void VectorsTest::writeOursForNode() {
    OursWriter w;
    w.packages();
    w.messages();
    w.protobuf();
    w.versions_and_dictionaries();
    w.handshakes();
    w.kicks_and_crc();
    w.numbers();
    w.write(env_path("SHD_OURS"));
}

CPPUNIT_TEST_SUITE_REGISTRATION(VectorsTest);

}  // namespace
}  // namespace shd::pomelo
