// Reading what a handshake teaches a client: the route dictionary, the protobuf schemas in their
// parsed form, the heartbeat. Every value here comes from the network and is checked for shape.
#include "server_protocol.hpp"

#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/document.h>

#include <cmath>

namespace shd::client {

namespace {

// Parsed protos nest two JSON levels per message (the field map and "__messages"); real schemas
// are shallow, this only keeps hostile input bounded.
constexpr unsigned kMaxProtoNesting = 32;
constexpr size_t kMaxReplyDepth = 2 * kMaxProtoNesting + 16;

std::string_view view_of(const rapidjson::Value &v) {
    return std::string_view(v.GetString(), v.GetStringLength());
}

rapidjson::Value string_value(std::string_view s, pomelo::JsonAllocator &a) {
    return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

// Turns one parsed message back into the source form ProtobufSchema::load reads:
// {"<option> <type> <name>": tag, "message <Name>": {...}}.
std::string parsed_to_source(const rapidjson::Value &parsed, rapidjson::Value &source, pomelo::JsonAllocator &a,
                             const std::string &where, unsigned depth) {
    if (depth > kMaxProtoNesting) return where + ": messages nested too deeply";
    if (!parsed.IsObject()) return where + ": expected an object";
    source.SetObject();
    for (auto it = parsed.MemberBegin(); it != parsed.MemberEnd(); ++it) {
        const std::string_view name = view_of(it->name);
        if (name == "__tags") continue;  // derived from the fields; load() rebuilds it
        if (name == "__messages") {
            if (!it->value.IsObject()) return where + ": __messages is not an object";
            for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m) {
                rapidjson::Value nested;
                const std::string inner_where = where + " > " + std::string(view_of(m->name));
                std::string err = parsed_to_source(m->value, nested, a, inner_where, depth + 1);
                if (!err.empty()) return err;
                source.AddMember(string_value("message " + std::string(view_of(m->name)), a), nested, a);
            }
            continue;
        }
        const rapidjson::Value &field = it->value;
        if (!field.IsObject()) return where + ": field \"" + std::string(name) + "\" is not an object";
        auto option = field.FindMember("option");
        auto type = field.FindMember("type");
        auto tag = field.FindMember("tag");
        if (option == field.MemberEnd() || !option->value.IsString() || type == field.MemberEnd() ||
            !type->value.IsString() || tag == field.MemberEnd() || !tag->value.IsNumber())
            return where + ": field \"" + std::string(name) + "\" needs string option/type and a numeric tag";
        std::string key = std::string(view_of(option->value)) + " " + std::string(view_of(type->value)) + " " +
                          std::string(name);
        rapidjson::Value tag_copy(tag->value, a);
        source.AddMember(string_value(key, a), tag_copy, a);
    }
    return {};
}

}  // namespace

std::string RouteCodes::load(const rapidjson::Value &route_to_code) {
    if (!route_to_code.IsObject()) return "the route dictionary is not an object";
    routes_.reserve(route_to_code.MemberCount());
    for (auto it = route_to_code.MemberBegin(); it != route_to_code.MemberEnd(); ++it) {
        if (!it->value.IsNumber()) return "route \"" + std::string(view_of(it->name)) + "\" has no numeric code";
        const double code = it->value.GetDouble();
        if (code < 1 || code > 0xFFFF || std::floor(code) != code) continue;
        routes_.emplace_back(view_of(it->name));
        const auto c = static_cast<uint16_t>(code);
        code_by_route_[routes_.back()] = c;
        route_by_code_[c] = routes_.size() - 1;
    }
    return {};
}

std::string load_parsed_protos(const rapidjson::Value &parsed, pomelo::ProtobufSchema &out) {
    if (!parsed.IsObject()) return "protos: expected an object keyed by route";
    rapidjson::Document source(rapidjson::kObjectType);
    auto &a = source.GetAllocator();
    for (auto it = parsed.MemberBegin(); it != parsed.MemberEnd(); ++it) {
        rapidjson::Value message;
        std::string err = parsed_to_source(it->value, message, a, "protos: \"" + std::string(view_of(it->name)) + "\"", 1);
        if (!err.empty()) return err;
        source.AddMember(rapidjson::Value(it->name, a), message, a);
    }
    return out.load(source);
}

std::string handshake_request_json(const ServerProtocol &cached, std::string_view user_json) {
    std::string out = R"({"sys":{"type":"shaddock-cpp","version":"0.1.0","rsa":{})";
    if (cached.dict && !cached.dict_version.empty()) {
        out += R"(,"dictVersion":)";
        pomelo::append_js_string(out, cached.dict_version);
    }
    if (cached.protos && !cached.proto_version.empty()) {
        out += R"(,"protoVersion":)";
        pomelo::append_js_string(out, cached.proto_version);
    }
    out += R"(},"user":)";
    out += user_json;
    out += '}';
    return out;
}

std::string parse_handshake_reply(std::string_view body, const ServerProtocol &cached, HandshakeOutcome &out) {
    rapidjson::Document doc;
    if (!pomelo::parse_json(body, doc, kMaxReplyDepth) || !doc.IsObject())
        return "the handshake reply is not a JSON object";
    auto code = doc.FindMember("code");
    if (code == doc.MemberEnd() || !code->value.IsInt()) return "the handshake reply has no integer code";
    out.code = code->value.GetInt();
    if (auto user = doc.FindMember("user"); user != doc.MemberEnd()) {
        if (!pomelo::append_js_json(out.user_json, user->value)) return "the handshake reply's user is too deep";
    }
    if (out.code != 200) return {};

    auto sys_it = doc.FindMember("sys");
    if (sys_it == doc.MemberEnd() || !sys_it->value.IsObject()) return "the handshake reply has no sys object";
    const rapidjson::Value &sys = sys_it->value;

    if (auto hb = sys.FindMember("heartbeat"); hb != sys.MemberEnd()) {
        // A day is already absurd; anything beyond, negative or not a number is garbage.
        if (!hb->value.IsNumber() || hb->value.GetDouble() < 0 || hb->value.GetDouble() > 86400)
            return "sys.heartbeat is not a number of seconds in 0..86400";
        out.heartbeat_s = static_cast<uint32_t>(std::ceil(hb->value.GetDouble()));
    }

    auto flag = [&](const char *name) {
        auto it = sys.FindMember(name);
        return it != sys.MemberEnd() && it->value.IsBool() && it->value.GetBool();
    };
    out.use_dict = flag("useDict");
    out.use_proto = flag("useProto");

    if (out.use_dict) {
        auto dict = sys.FindMember("routeToCode");  // libpomelo2 reads routeToCode, the JS client dict
        if (dict == sys.MemberEnd()) dict = sys.FindMember("dict");
        if (dict != sys.MemberEnd()) {
            auto codes = std::make_shared<RouteCodes>();
            std::string err = codes->load(dict->value);
            if (!err.empty()) return err;
            out.protocol.dict = std::move(codes);
            if (auto v = sys.FindMember("dictVersion"); v != sys.MemberEnd() && v->value.IsString())
                out.protocol.dict_version = std::string(view_of(v->value));
        } else if (cached.dict && !cached.dict_version.empty()) {
            out.protocol.dict = cached.dict;
            out.protocol.dict_version = cached.dict_version;
            out.dict_from_cache = true;
        } else {
            return "sys.useDict is set but the reply has no dictionary and none is cached";
        }
    }

    if (out.use_proto) {
        auto protos = sys.FindMember("protos");
        if (protos != sys.MemberEnd()) {
            if (!protos->value.IsObject()) return "sys.protos is not an object";
            const rapidjson::Value &p = protos->value;
            auto schemas = std::make_shared<Protos>();
            static const rapidjson::Value kEmpty(rapidjson::kObjectType);
            auto side = [&](const char *name, pomelo::ProtobufSchema &schema) {
                auto it = p.FindMember(name);
                return load_parsed_protos(it == p.MemberEnd() ? kEmpty : it->value, schema);
            };
            std::string err = side("client", schemas->client);
            if (err.empty()) err = side("server", schemas->server);
            if (!err.empty()) return err;
            if (auto v = p.FindMember("version"); v != p.MemberEnd()) {
                // Some servers (the decodeIO plugin) send a number: keep its text.
                if (v->value.IsString()) {
                    out.protocol.proto_version = std::string(view_of(v->value));
                } else if (v->value.IsNumber()) {
                    pomelo::append_js_number(out.protocol.proto_version, v->value.GetDouble());
                }
            }
            out.protocol.protos = std::move(schemas);
        } else if (cached.protos && !cached.proto_version.empty()) {
            out.protocol.protos = cached.protos;
            out.protocol.proto_version = cached.proto_version;
            out.protos_from_cache = true;
        } else {
            return "sys.useProto is set but the reply has no protos and none are cached";
        }
    }
    return {};
}

}  // namespace shd::client
