#include "server_directory.hpp"

#include "config_files.hpp"

#include <rapidjson/document.h>

#include <cstdlib>
#include <map>
#include <set>

namespace shd::host {

const ServerEntry *ServerDirectory::find(const std::string &id) const {
    if (master && master->id == id) return &*master;
    for (const auto &s : servers)
        if (s.id == id) return &s;
    for (const auto &s : standby_masters)
        if (s.id == id) return &s;
    return nullptr;
}

namespace {

// Pomelo passes every key as a command-line string, so "true" and true both mean true.
bool truthy(const rapidjson::Value &v) { return (v.IsBool() && v.GetBool()) || (v.IsString() && std::string(v.GetString()) == "true"); }

int read_port(const rapidjson::Value &entry, const char *key, const std::string &where) {
    if (!entry.HasMember(key)) return 0;
    const rapidjson::Value &v = entry[key];
    if (v.IsInt() && v.GetInt() >= 0 && v.GetInt() <= 65535) return v.GetInt();
    if (v.IsString()) {
        char *end = nullptr;
        long n = std::strtol(v.GetString(), &end, 10);
        if (end != v.GetString() && *end == '\0' && n >= 0 && n <= 65535) return static_cast<int>(n);
    }
    throw ConfigError(where + "." + key + ": expected a port number (0-65535), got " + describe(v));
}

ServerEntry make_entry(rapidjson::Value &entry, const std::string &type, const std::string &where,
                       rapidjson::Document::AllocatorType &alloc) {
    if (!entry.IsObject()) throw ConfigError(where + ": expected an object describing a server, got " + describe(entry));
    ServerEntry s;
    s.type = type;
    if (!entry.HasMember("id") || !entry["id"].IsString() || entry["id"].GetStringLength() == 0)
        throw ConfigError(where + ".id: expected a non-empty string" +
                          (entry.HasMember("id") ? ", got " + describe(entry["id"]) : std::string(", but it is missing")));
    s.id = entry["id"].GetString();
    if (entry.HasMember("host")) {
        if (!entry["host"].IsString()) throw ConfigError(where + ".host: expected a string, got " + describe(entry["host"]));
        s.host = entry["host"].GetString();
    }
    s.port = read_port(entry, "port", where);
    s.client_port = read_port(entry, "clientPort", where);
    s.frontend = entry.HasMember("frontend") && truthy(entry["frontend"]);
    if (!entry.HasMember("serverType"))
        entry.AddMember("serverType", rapidjson::Value(type.c_str(), alloc), alloc);
    s.json = to_json(entry);
    return s;
}

// "4060++" -> 4060 + k; any other value stays.
void expand_plus_plus(rapidjson::Value &entry, int k, rapidjson::Document::AllocatorType &alloc) {
    for (auto &m : entry.GetObject()) {
        if (!m.value.IsString()) continue;
        std::string text = m.value.GetString();
        if (text.size() > 2 && text.compare(text.size() - 2, 2, "++") == 0) {
            std::string base = text.substr(0, text.size() - 2);
            char *end = nullptr;
            long n = std::strtol(base.c_str(), &end, 10);
            if (end != base.c_str() && *end == '\0') m.value.SetInt(static_cast<int>(n + k));
        }
    }
    (void)alloc;
}

}  // namespace

ServerEntry parse_server_entry(const std::string &json, const std::string &where) {
    rapidjson::Document doc;
    doc.Parse(json.c_str(), json.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw ConfigError(where + ": expected a JSON object describing a server");
    if (!doc.HasMember("serverType") || !doc["serverType"].IsString() || doc["serverType"].GetStringLength() == 0)
        throw ConfigError(where + ".serverType: expected a non-empty string");
    std::string type = doc["serverType"].GetString();
    if (type == "master") throw ConfigError(where + ".serverType: the master is configured in master.json");
    return make_entry(doc, type, where, doc.GetAllocator());
}

ServerDirectory load_server_directory(const std::string &app_dir, const std::string &env) {
    ServerDirectory dir;
    if (auto master = load_config(app_dir, env, "master.json")) {
        const std::string where = master->shown_name;
        if (!master->json.IsObject()) throw ConfigError(where + ": expected an object {\"id\", \"host\", \"port\"}, got " + describe(master->json));
        dir.master = make_entry(master->json, "master", where, master->json.GetAllocator());
        dir.master->is_master = true;
    }
    if (auto standby = load_config(app_dir, env, "masterha.json")) {
        const std::string where = standby->shown_name;
        // Pomelo's form is a list per environment: a file of other environments' lists only gives
        // this one no standby.
        bool other_envs_only = standby->json.IsObject() && standby->json.MemberCount() > 0;
        if (other_envs_only)
            for (const auto &m : standby->json.GetObject()) other_envs_only = other_envs_only && m.value.IsArray();
        if (!standby->json.IsArray() && !other_envs_only)
            throw ConfigError(where + ": expected a list of standby masters [{\"id\", \"host\", \"port\"}] (or one per "
                              "environment: {\"" + env + "\": [...]}), got " + describe(standby->json));
        if (other_envs_only) standby->json.SetArray();
        rapidjson::SizeType index = 0;
        for (auto &entry : standby->json.GetArray()) {
            std::string at = where + ": [" + std::to_string(index++) + "]";
            ServerEntry s = make_entry(entry, "master", at, standby->json.GetAllocator());
            if (s.port <= 0) throw ConfigError(at + ".port: a standby master needs a port (1-65535)");
            if (dir.master && s.id == dir.master->id)
                throw ConfigError(at + ".id: \"" + s.id + "\" is master.json's master; a standby needs an id of its own");
            for (const auto &other : dir.standby_masters)
                if (other.id == s.id) throw ConfigError(at + ".id: duplicate standby master id \"" + s.id + "\"");
            s.is_master = true;
            dir.standby_masters.push_back(std::move(s));
        }
    }
    auto servers = load_config(app_dir, env, "servers.json");
    if (!servers) return dir;
    const std::string file = servers->shown_name;
    rapidjson::Document &doc = servers->json;
    if (!doc.IsObject()) throw ConfigError(file + ": expected an object mapping server types to lists of servers, got " + describe(doc));
    std::map<std::string, int> cluster_counter;
    std::set<std::string> seen;
    if (dir.master) seen.insert(dir.master->id);
    for (auto &type_member : doc.GetObject()) {
        std::string type = type_member.name.GetString();
        if (type == "master") throw ConfigError(file + ".master: the master is configured in master.json, not servers.json");
        if (!type_member.value.IsArray())
            throw ConfigError(file + ": " + type + ": expected an array of servers, got " + describe(type_member.value));
        rapidjson::SizeType index = 0;
        for (auto &entry : type_member.value.GetArray()) {
            std::string where = file + ": " + type + "[" + std::to_string(index++) + "]";
            if (entry.IsObject() && entry.HasMember("clusterCount")) {
                const rapidjson::Value &cc = entry["clusterCount"];
                if (!cc.IsInt() || cc.GetInt() < 1)
                    throw ConfigError(where + ".clusterCount: expected a positive integer, got " + describe(cc));
                int count = cc.GetInt();
                for (int k = 0; k < count; ++k) {
                    rapidjson::Document copy;
                    copy.CopyFrom(entry, copy.GetAllocator());
                    copy.RemoveMember("clusterCount");
                    expand_plus_plus(copy, k, copy.GetAllocator());
                    std::string id = "cluster-server-" + type + "-" + std::to_string(cluster_counter[type]++);
                    if (copy.HasMember("id")) copy["id"].SetString(id.c_str(), copy.GetAllocator());
                    else copy.AddMember("id", rapidjson::Value(id.c_str(), copy.GetAllocator()), copy.GetAllocator());
                    ServerEntry s = make_entry(copy, type, where, copy.GetAllocator());
                    if (!seen.insert(s.id).second) throw ConfigError(where + ".id: duplicate server id \"" + s.id + "\"");
                    dir.servers.push_back(std::move(s));
                }
                continue;
            }
            ServerEntry s = make_entry(entry, type, where, doc.GetAllocator());
            if (!seen.insert(s.id).second) throw ConfigError(where + ".id: duplicate server id \"" + s.id + "\"");
            dir.servers.push_back(std::move(s));
        }
    }
    for (const auto &m : dir.standby_masters)
        if (seen.count(m.id))
            throw ConfigError("masterha.json: standby master id \"" + m.id + "\" is also a server of servers.json");
    return dir;
}

}  // namespace shd::host
