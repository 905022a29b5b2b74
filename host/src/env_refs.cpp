#include "env_refs.hpp"

#include "config_files.hpp"

#include <rapidjson/document.h>

#include <cstdlib>

namespace shd::host {

namespace {

bool name_char(char c, bool first) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

// Expands the references of one string. `whole` tells whether the string was exactly one reference.
std::string expand_string(const std::string &s, const std::string &where, bool &whole) {
    std::string out;
    int refs = 0;
    bool text_around = false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '$' || i + 1 == s.size() || (s[i + 1] != '{' && s[i + 1] != '$')) {
            out += s[i];
            text_around = true;
            continue;
        }
        if (s[i + 1] == '$') {  // "$$": a literal "$"
            out += '$';
            text_around = true;
            ++i;
            continue;
        }
        size_t close = s.find('}', i + 2);
        if (close == std::string::npos)
            throw ConfigError(where + ": \"" + s + "\": a reference ${...} is not closed (write $$ for a literal $)");
        std::string body = s.substr(i + 2, close - i - 2);
        size_t dash = body.find(":-");
        std::string name = body.substr(0, dash);
        bool valid = !name.empty();
        for (size_t k = 0; k < name.size() && valid; ++k) valid = name_char(name[k], k == 0);
        if (!valid)
            throw ConfigError(where + ": \"${" + body + "}\": expected ${NAME} or ${NAME:-default}, NAME made of letters, digits and _");
        const char *value = std::getenv(name.c_str());
        if (value && *value) out += value;
        else if (dash != std::string::npos) out += body.substr(dash + 2);
        else
            throw ConfigError(where + ": ${" + name + "} is not set in the environment (set it, or give a default: ${" +
                              name + ":-value})");
        ++refs;
        i = close;
    }
    whole = refs == 1 && !text_around;
    return out;
}

// A JSON number, true or false: the typed value a whole reference becomes.
bool typed_literal(const std::string &text, rapidjson::Document &out) {
    if (text.empty()) return false;
    out.Parse(text.c_str(), text.size());
    return !out.HasParseError() && (out.IsNumber() || out.IsBool());
}

void expand(rapidjson::Value &v, rapidjson::Document::AllocatorType &alloc, const std::string &where) {
    if (v.IsObject()) {
        for (auto &m : v.GetObject()) expand(m.value, alloc, where + "." + m.name.GetString());
    } else if (v.IsArray()) {
        rapidjson::SizeType i = 0;
        for (auto &item : v.GetArray()) expand(item, alloc, where + "[" + std::to_string(i++) + "]");
    } else if (v.IsString()) {
        std::string s(v.GetString(), v.GetStringLength());
        if (s.find('$') == std::string::npos) return;
        bool whole = false;
        std::string value = expand_string(s, where, whole);
        rapidjson::Document typed;
        if (whole && typed_literal(value, typed)) v.CopyFrom(typed, alloc);
        else v.SetString(value.data(), static_cast<rapidjson::SizeType>(value.size()), alloc);
    }
}

}  // namespace

std::string expand_env_refs(const std::string &options_json, const std::string &where) {
    if (options_json.find('$') == std::string::npos) return options_json;
    rapidjson::Document doc = parse_json(options_json, where);
    expand(doc, doc.GetAllocator(), where);
    return to_json(doc);
}

}  // namespace shd::host
