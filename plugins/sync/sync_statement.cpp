#include "sync_statement.hpp"

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/json.hpp>

#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/document.h>

#include <cctype>

namespace shd::sync {

namespace {

[[noreturn]] void invalid(const std::string &why) {
    throw shd::Error(SHD_ERR_INVALID, why);
}

bool name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// The end (one past) of the quoted text, comment or dollar-quoted string that starts at `at`, or
// npos when `at` starts none of them.
size_t skip_literal(std::string_view sql, size_t at) {
    const char c = sql[at];
    if (c == '\'' || c == '"') {  // a string or a quoted identifier; a doubled quote stays inside
        for (size_t i = at + 1; i < sql.size(); ++i) {
            if (sql[i] != c) continue;
            if (i + 1 < sql.size() && sql[i + 1] == c) {
                ++i;
                continue;
            }
            return i + 1;
        }
        invalid(std::string("unterminated ") + (c == '\'' ? "string" : "quoted identifier"));
    }
    if (c == '-' && at + 1 < sql.size() && sql[at + 1] == '-') {
        size_t end = sql.find('\n', at);
        return end == std::string_view::npos ? sql.size() : end;
    }
    if (c == '/' && at + 1 < sql.size() && sql[at + 1] == '*') {
        size_t end = sql.find("*/", at + 2);
        if (end == std::string_view::npos) invalid("unterminated comment");
        return end + 2;
    }
    if (c == '$' && at + 1 < sql.size() && (sql[at + 1] == '$' || name_start(sql[at + 1]))) {
        size_t tag_end = at + 1;
        while (tag_end < sql.size() && name_char(sql[tag_end])) ++tag_end;
        if (tag_end < sql.size() && sql[tag_end] == '$') {  // $tag$ ... $tag$ (PostgreSQL)
            std::string_view tag = sql.substr(at, tag_end - at + 1);
            size_t end = sql.find(tag, tag_end + 1);
            if (end == std::string_view::npos) invalid("unterminated dollar-quoted string " + std::string(tag));
            return end + tag.size();
        }
    }
    return std::string_view::npos;
}

}  // namespace

Writer parse_writer(std::string key, std::string_view sql, Dialect dialect) {
    Writer w;
    w.key = std::move(key);
    bool positional = false;
    auto placeholder = [&](std::string_view name) {
        ++w.count;
        if (name.empty()) {
            positional = true;
        } else {
            w.names.emplace_back(name);
        }
        if (dialect == Dialect::postgresql)
            w.sql += "$" + std::to_string(w.count);
        else
            w.sql += '?';
    };
    for (size_t i = 0; i < sql.size();) {
        size_t end = skip_literal(sql, i);
        if (end != std::string_view::npos) {
            w.sql.append(sql.substr(i, end - i));
            i = end;
            continue;
        }
        const char c = sql[i];
        if (c == '?') {
            placeholder({});
            ++i;
        } else if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {  // a PostgreSQL cast: "x::int"
            w.sql += "::";
            i += 2;
        } else if (c == ':' && i + 1 < sql.size() && name_start(sql[i + 1])) {
            size_t start = ++i;
            while (i < sql.size() && name_char(sql[i])) ++i;
            placeholder(sql.substr(start, i - start));
        } else if (c == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
            invalid("\"$" + std::string(1, sql[i + 1]) +
                    "...\": write parameters as :name or ?; the plugin numbers them for PostgreSQL");
        } else {
            w.sql += c;
            ++i;
        }
    }
    if (w.sql.find_first_not_of(" \t\r\n;") == std::string::npos) invalid("the statement is empty");
    if (positional && !w.names.empty()) invalid("the statement mixes named (:name) and positional (?) parameters");
    w.named = !w.names.empty();
    return w;
}

namespace {

Param to_param(const rapidjson::Value &v) {
    if (v.IsNull()) return std::monostate{};
    if (v.IsBool()) return v.GetBool();
    if (v.IsInt64()) return v.GetInt64();
    if (v.IsNumber()) return v.GetDouble();
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    return shd::to_json(v);  // an object or an array: its JSON text
}

}  // namespace

Params bind_value(const Writer &writer, std::string_view value_json) {
    rapidjson::Document doc;
    // Depth-limited: the value may hold what a client sent.
    if (!pomelo::parse_json(value_json, doc)) invalid("the value is not JSON (or nests too deep)");
    Params out;
    out.reserve(writer.count);
    if (writer.named) {
        if (!doc.IsObject()) invalid("the value must be a JSON object with the statement's named parameters");
        for (const std::string &name : writer.names) {
            auto m = doc.FindMember(rapidjson::StringRef(name.data(), name.size()));
            if (m == doc.MemberEnd()) invalid("the value has no field \"" + name + "\" for :" + name);
            out.push_back(to_param(m->value));
        }
        return out;
    }
    if (!doc.IsArray())
        invalid("the value must be a JSON array of the statement's " + std::to_string(writer.count) + " parameter(s)");
    if (doc.Size() != writer.count)
        invalid("the value has " + std::to_string(doc.Size()) + " item(s); the statement has " +
                std::to_string(writer.count) + " parameter(s)");
    for (const auto &item : doc.GetArray()) out.push_back(to_param(item));
    return out;
}

}  // namespace shd::sync
