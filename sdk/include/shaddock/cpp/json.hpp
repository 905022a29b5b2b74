// shaddock/cpp/json.hpp - the few JSON helpers every plugin and app needs around the ABI's JSON
// text (bodies, settings, options, RPC arguments), on RapidJSON (header-only).
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

namespace shd {

// JSON text of a RapidJSON value (key order kept).
inline std::string to_json(const rapidjson::Value &v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

// Pomelo decodes an unparsable body as {}; so does this.
inline rapidjson::Document parse_json_or_empty(std::string_view text) {
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    if (d.HasParseError()) d.SetObject();
    return d;
}

// Quotes a string as a JSON string literal.
inline std::string json_quote(std::string_view s) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return std::string(buf.GetString(), buf.GetSize());
}

// obj[key] when obj is an object and that member is a string, else fallback.
inline std::string json_string(const rapidjson::Value &obj, const char *key, std::string fallback = {}) {
    if (!obj.IsObject()) return fallback;
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) return fallback;
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace shd
