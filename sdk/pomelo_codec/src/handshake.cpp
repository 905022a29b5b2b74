#include <shaddock/pomelo/handshake.hpp>

#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/json_parse.hpp>
#include <shaddock/pomelo/pomelo_protobuf.hpp>
#include <shaddock/pomelo/route_dictionary.hpp>

#include <rapidjson/document.h>

namespace shd::pomelo {

namespace {

bool js_truthy(const rapidjson::Value &v) {
    switch (v.GetType()) {
        case rapidjson::kNullType:
        case rapidjson::kFalseType: return false;
        case rapidjson::kNumberType: return v.GetDouble() != 0 && v.GetDouble() == v.GetDouble();
        case rapidjson::kStringType: return v.GetStringLength() > 0;
        default: return true;
    }
}

// obj[name] as JSON.parse would have it: the last of repeated keys wins. Null if absent.
const rapidjson::Value *member(const rapidjson::Value &obj, std::string_view name) {
    if (!obj.IsObject()) return nullptr;
    const rapidjson::Value *found = nullptr;
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it)
        if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == name) found = &it->value;
    return found;
}

std::string string_member(const rapidjson::Value &obj, std::string_view name) {
    const rapidjson::Value *v = member(obj, name);
    if (!v || !v->IsString()) return {};
    return std::string(v->GetString(), v->GetStringLength());
}

}  // namespace

HandshakeRequest parse_handshake_request(std::string_view body) {
    HandshakeRequest r;
    rapidjson::Document doc;
    if (!parse_json(body, doc) || !doc.IsObject()) return r;
    const rapidjson::Value *sys = member(doc, "sys");
    if (!sys || !js_truthy(*sys)) return r;
    r.has_sys = true;
    r.type = string_member(*sys, "type");
    r.version = string_member(*sys, "version");
    r.dict_version = string_member(*sys, "dictVersion");
    r.proto_version = string_member(*sys, "protoVersion");
    if (const rapidjson::Value *user = member(doc, "user")) {
        if (!append_js_json(r.user_json, *user, kDefaultMaxJsonDepth + 1)) r.user_json.clear();
    }
    return r;
}

std::string handshake_reply(const HandshakeRequest &request, const HandshakeReplyConfig &config) {
    std::string out = "{\"code\":200,\"sys\":{";
    bool first = true;
    auto key = [&](const char *name) {
        if (!first) out.push_back(',');
        first = false;
        out += '"';
        out += name;
        out += "\":";
    };
    if (config.heartbeat_seconds > 0) {
        key("heartbeat");
        out += std::to_string(config.heartbeat_seconds);
    }
    if (const RouteDictionary *dict = config.dictionary) {
        // `!msg.sys.dictVersion || msg.sys.dictVersion !== dictVersion`
        if (request.dict_version.empty() || request.dict_version != dict->version()) {
            key("dict");
            out += dict->dict_json();
            key("routeToCode");
            out += dict->dict_json();
            key("codeToRoute");
            out += dict->code_to_route_json();
            key("dictVersion");
            append_js_string(out, dict->version());
        }
        key("useDict");
        out += "true";
    }
    if (config.server_protos && config.client_protos) {
        if (request.proto_version.empty() || request.proto_version != config.protos_version) {
            key("protos");
            out += "{\"server\":";
            out += config.server_protos->parsed_json();
            out += ",\"client\":";
            out += config.client_protos->parsed_json();
            out += ",\"version\":";
            append_js_string(out, config.protos_version);
            out.push_back('}');
        }
        key("useProto");
        out += "true";
    }
    out.push_back('}');
    if (config.user && js_truthy(*config.user)) {
        const size_t before = out.size();
        out += ",\"user\":";
        if (!append_js_json(out, *config.user)) out.resize(before);  // too deep to send
    }
    out.push_back('}');
    return out;
}

std::string handshake_error_reply(int code) {
    return "{\"code\":" + std::to_string(code) + "}";
}

}  // namespace shd::pomelo
