// shaddock/cpp/options.hpp - typed reading of a plugin's options (its "options" object in
// config/plugins.json), with errors that name the option and what was expected.
//
//   shd::Options opts(host().options_json());
//   int heartbeat = opts.get_int("heartbeat", 0, 0, 3600);
//   bool use_dict = opts.get_bool("useDict", false);
//   opts.reject_unknown({"heartbeat", "useDict"});
//
// A wrong type throws shd::Error(SHD_ERR_INVALID, "option heartbeat: expected an integer from 0 to
// 3600, got \"3\""); thrown from configure(), the host shows it with the file and the plugin name.
#pragma once

#include <shaddock/cpp/host.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace shd {

class Options {
public:
    explicit Options(std::string_view json) {
        doc_.Parse(json.data(), json.size());
        if (doc_.HasParseError() || !doc_.IsObject())
            throw Error(SHD_ERR_INVALID, "options: expected a JSON object");
    }

    bool has(const char *key) const { return doc_.HasMember(key); }
    const rapidjson::Value *find(const char *key) const {
        auto it = doc_.FindMember(key);
        return it == doc_.MemberEnd() ? nullptr : &it->value;
    }

    bool get_bool(const char *key, bool fallback) const {
        const rapidjson::Value *v = find(key);
        if (!v) return fallback;
        if (!v->IsBool()) fail(key, "true or false", *v);
        return v->GetBool();
    }
    int64_t get_int(const char *key, int64_t fallback, int64_t min = INT64_MIN, int64_t max = INT64_MAX) const {
        const rapidjson::Value *v = find(key);
        if (!v) return fallback;
        if (!v->IsInt64() || v->GetInt64() < min || v->GetInt64() > max)
            fail(key, "an integer" + range(min, max), *v);
        return v->GetInt64();
    }
    double get_number(const char *key, double fallback, double min = -1e300, double max = 1e300) const {
        const rapidjson::Value *v = find(key);
        if (!v) return fallback;
        if (!v->IsNumber() || v->GetDouble() < min || v->GetDouble() > max) fail(key, "a number", *v);
        return v->GetDouble();
    }
    std::string get_string(const char *key, std::string fallback) const {
        const rapidjson::Value *v = find(key);
        if (!v) return fallback;
        if (!v->IsString()) fail(key, "a string", *v);
        return std::string(v->GetString(), v->GetStringLength());
    }
    std::vector<std::string> get_strings(const char *key) const {
        std::vector<std::string> out;
        const rapidjson::Value *v = find(key);
        if (!v) return out;
        if (!v->IsArray()) fail(key, "an array of strings", *v);
        for (const auto &item : v->GetArray()) {
            if (!item.IsString()) fail(key, "an array of strings", *v);
            out.emplace_back(item.GetString(), item.GetStringLength());
        }
        return out;
    }
    // Throws for any key not in `known`, so a typo is an error instead of a silent default.
    void reject_unknown(std::initializer_list<const char *> known) const {
        for (const auto &m : doc_.GetObject()) {
            std::string key(m.name.GetString(), m.name.GetStringLength());
            if (std::none_of(known.begin(), known.end(), [&](const char *k) { return key == k; })) {
                std::string list;
                for (const char *k : known) list += (list.empty() ? "" : ", ") + std::string(k);
                throw Error(SHD_ERR_INVALID, "option " + key + ": unknown option; expected one of: " + list);
            }
        }
    }
    const rapidjson::Document &json() const { return doc_; }

private:
    static std::string range(int64_t min, int64_t max) {
        if (min == INT64_MIN && max == INT64_MAX) return "";
        if (max == INT64_MAX) return " of at least " + std::to_string(min);
        return " from " + std::to_string(min) + " to " + std::to_string(max);
    }
    [[noreturn]] static void fail(const char *key, const std::string &expected, const rapidjson::Value &got) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        got.Accept(w);
        std::string shown(buf.GetString(), buf.GetSize());
        if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
        throw Error(SHD_ERR_INVALID, std::string("option ") + key + ": expected " + expected + ", got " + shown);
    }

    rapidjson::Document doc_;
};

}  // namespace shd
