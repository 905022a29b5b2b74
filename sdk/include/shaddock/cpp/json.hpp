// shaddock/cpp/json.hpp - the few JSON helpers every plugin and app needs around the ABI's JSON
// text (bodies, settings, options, RPC arguments), on RapidJSON (header-only).
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

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

// Appends s to out as a JSON string literal: '"' and '\\' escaped, control characters as \b \t \n
// \f \r or \u00XX, every other byte as it is (the bytes RapidJSON's Writer makes).
inline void json_quote_append(std::string &out, std::string_view s) {
    static const char hex[] = "0123456789ABCDEF";
    out.reserve(out.size() + s.size() + 2);
    out.push_back('"');
    size_t plain = 0;  // start of the run of bytes that need no escape
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + plain, i - plain);
        plain = i + 1;
        out.push_back('\\');
        switch (c) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '\b': out.push_back('b'); break;
            case '\t': out.push_back('t'); break;
            case '\n': out.push_back('n'); break;
            case '\f': out.push_back('f'); break;
            case '\r': out.push_back('r'); break;
            default:
                out.append("u00");
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 15]);
        }
    }
    out.append(s.data() + plain, s.size() - plain);
    out.push_back('"');
}

// Quotes a string as a JSON string literal.
inline std::string json_quote(std::string_view s) {
    std::string out;
    json_quote_append(out, s);
    return out;
}

// The strings as a JSON array of string literals: ["a","b"].
inline std::string json_string_array(const std::vector<std::string> &items) {
    std::string out = "[";
    for (const auto &s : items) {
        if (out.size() > 1) out += ',';
        json_quote_append(out, s);
    }
    return out + "]";
}

// obj[key] when obj is an object and that member is a string, else fallback.
inline std::string json_string(const rapidjson::Value &obj, const char *key, std::string fallback = {}) {
    if (!obj.IsObject()) return fallback;
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) return fallback;
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

// The string at a path of object keys in a JSON text, e.g. json_path_string(session, {"settings",
// "rid"}); `fallback` when the text is not JSON there or the value is absent or not a string. Reads
// the text once without building a document and stops at the value: for hot paths such as route
// functions, which want one setting of the session.
inline std::string json_path_string(std::string_view text, std::initializer_list<std::string_view> path,
                                    std::string fallback = {}) {
    // Containers are counted by depth (the top-level value is depth 1); a container is on the path
    // while every key leading to it matched: depth == matched + 1.
    struct Finder : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Finder> {
        const std::string_view *path = nullptr;
        size_t size = 0;  // of path
        size_t depth = 0, matched = 0;
        bool key_hit = false;  // the last key of an on-path object was the next path element
        bool found = false;
        std::string value;

        bool Default() {
            key_hit = false;
            return true;
        }
        bool String(const char *s, rapidjson::SizeType n, bool) {
            if (key_hit && matched + 1 == size) {
                value.assign(s, n);
                found = true;
                return false;  // done: stop reading
            }
            key_hit = false;
            return true;
        }
        bool Key(const char *s, rapidjson::SizeType n, bool) {
            key_hit = depth == matched + 1 && matched < size && std::string_view(s, n) == path[matched];
            return true;
        }
        bool StartObject() {
            ++depth;
            if (depth > 1 && key_hit && matched + 1 < size) ++matched;  // descend along the path
            key_hit = false;
            return true;
        }
        bool EndObject(rapidjson::SizeType) {
            if (depth == matched + 1 && matched > 0) --matched;
            --depth;
            key_hit = false;
            return true;
        }
        bool StartArray() {
            ++depth;
            key_hit = false;
            return true;
        }
        bool EndArray(rapidjson::SizeType) {
            --depth;
            return true;
        }
    };
    if (path.size() == 0) return fallback;
    Finder f;
    f.path = path.begin();
    f.size = path.size();
    rapidjson::MemoryStream ms(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
    rapidjson::Reader reader;
    reader.Parse(in, f);
    return f.found ? std::move(f.value) : fallback;
}

}  // namespace shd
