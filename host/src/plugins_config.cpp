#include "plugins_config.hpp"

#include "config_files.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <initializer_list>

namespace shd::host {

bool ModuleConfig::applies_to(const std::string &server_type, const std::string &env) const {
    auto matches = [](const std::vector<std::string> &list, const std::string &value) {
        return list.empty() || std::find(list.begin(), list.end(), value) != list.end() ||
               std::find(list.begin(), list.end(), "*") != list.end();
    };
    return enabled && matches(server_types, server_type) && matches(envs, env);
}

namespace {

void check_keys(const rapidjson::Value &obj, const std::string &where, std::initializer_list<const char *> allowed) {
    for (const auto &m : obj.GetObject()) {
        std::string key = m.name.GetString();
        bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const char *a) { return key == a; });
        if (!ok) {
            std::string list;
            for (const char *a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
            throw ConfigError(where + "." + key + ": unknown key; expected one of: " + list);
        }
    }
}

// A string or an array of strings ("connector|gate" is accepted too, as in Pomelo's app.configure).
std::vector<std::string> read_list(const rapidjson::Value &v, const std::string &where) {
    std::vector<std::string> out;
    auto split = [&](const std::string &s) {
        size_t start = 0;
        while (start <= s.size()) {
            size_t bar = s.find('|', start);
            std::string part = s.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
            if (!part.empty()) out.push_back(part);
            if (bar == std::string::npos) break;
            start = bar + 1;
        }
    };
    if (v.IsString()) {
        split(v.GetString());
        return out;
    }
    if (!v.IsArray()) throw ConfigError(where + ": expected a string or an array of strings, got " + describe(v));
    rapidjson::SizeType i = 0;
    for (const auto &item : v.GetArray()) {
        if (!item.IsString())
            throw ConfigError(where + "[" + std::to_string(i) + "]: expected a string, got " + describe(item));
        split(item.GetString());
        ++i;
    }
    return out;
}

bool read_bool(const rapidjson::Value &obj, const char *key, bool fallback, const std::string &where) {
    if (!obj.HasMember(key)) return fallback;
    if (!obj[key].IsBool()) throw ConfigError(where + "." + key + ": expected true or false, got " + describe(obj[key]));
    return obj[key].GetBool();
}

ModuleConfig read_module(const rapidjson::Value &v, const std::string &where, bool is_app) {
    ModuleConfig m;
    m.where = where;
    if (v.IsString()) {  // shorthand: "connector"
        m.name = v.GetString();
        if (m.name.empty()) throw ConfigError(where + ": expected a non-empty plugin name");
        return m;
    }
    if (!v.IsObject()) throw ConfigError(where + ": expected an object like {\"name\": ..., \"options\": {...}}, got " + describe(v));
    if (is_app) check_keys(v, where, {"name", "path", "serverTypes", "env", "enabled", "options"});
    else check_keys(v, where, {"name", "path", "serverTypes", "env", "enabled", "optional", "options"});
    if (!v.HasMember("name") || !v["name"].IsString() || v["name"].GetStringLength() == 0)
        throw ConfigError(where + ".name: expected a non-empty string" +
                          (v.HasMember("name") ? ", got " + describe(v["name"]) : std::string(", but it is missing")));
    m.name = v["name"].GetString();
    if (m.name.find('/') != std::string::npos)
        throw ConfigError(where + ".name: expected a plain name (use \"path\" for a file), got \"" + m.name + "\"");
    if (v.HasMember("path")) {
        if (!v["path"].IsString()) throw ConfigError(where + ".path: expected a string, got " + describe(v["path"]));
        m.path = v["path"].GetString();
    }
    if (v.HasMember("serverTypes")) m.server_types = read_list(v["serverTypes"], where + ".serverTypes");
    if (v.HasMember("env")) m.envs = read_list(v["env"], where + ".env");
    m.enabled = read_bool(v, "enabled", true, where);
    if (!is_app) m.optional = read_bool(v, "optional", false, where);
    if (v.HasMember("options")) {
        if (!v["options"].IsObject()) throw ConfigError(where + ".options: expected an object, got " + describe(v["options"]));
        m.options_json = to_json(v["options"]);
    }
    return m;
}

}  // namespace

PluginsConfig load_plugins_config(const std::string &app_dir, const std::string &env) {
    PluginsConfig cfg;
    auto file = load_config(app_dir, env, "plugins.json");
    if (!file) return cfg;
    cfg.shown_name = file->shown_name;
    const rapidjson::Value &doc = file->json;
    const std::string &where = cfg.shown_name;
    if (!doc.IsObject()) throw ConfigError(where + ": expected an object {\"plugins\": [...], \"app\": ...}, got " + describe(doc));
    check_keys(doc, where, {"plugins", "app"});
    if (doc.HasMember("plugins")) {
        if (!doc["plugins"].IsArray()) throw ConfigError(where + ": plugins: expected an array, got " + describe(doc["plugins"]));
        rapidjson::SizeType i = 0;
        for (const auto &entry : doc["plugins"].GetArray()) {
            cfg.plugins.push_back(read_module(entry, where + ": plugins[" + std::to_string(i++) + "]", false));
        }
    }
    if (doc.HasMember("app")) {
        cfg.app = read_module(doc["app"], where + ": app", true);
        cfg.has_app = true;
    }
    return cfg;
}

}  // namespace shd::host
