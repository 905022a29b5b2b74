// shaddock/cpp/cluster.hpp - Pomelo's membership getters for apps and plugins, over the cluster
// plugin's "shd.cluster/1" service (shaddock/ext/cluster.h).
//
//   shd::Cluster cluster(host());
//   for (const shd::ServerEntry &s : cluster.servers_by_type("connector")) ...   // getServersByType
//   auto chat = cluster.server("chat-server-1");                                 // getServerById
//   if (cluster.frontend()) ...                                                   // isFrontend
//
// Pomelo name -> here: getServers -> servers(), getServersByType -> servers_by_type(),
// getServerById -> server(), getServersFromConfig -> servers_from_config(), getServerFromConfig ->
// server_from_config(), getServerTypes -> server_types(), getServerId -> server_id(), getServerType ->
// server_type(), getCurServer -> current(), getMaster -> master(), isFrontend / isBackend / isMaster ->
// frontend() / backend() / is_master().
//
// With the cluster plugin, the membership is the master's live list (servers that registered, in
// servers.json order; the master itself is one of them, with serverType "master"). On a lone server
// without the cluster plugin every query answers from the configuration instead (host ABI 1.1
// list_servers; on a 1.0 host, this server alone). [logic] only; cheap enough to build per call.
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/json.hpp>
#include <shaddock/ext/cluster.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shd {

// One server of the cluster, as Pomelo's server info object.
struct ServerEntry {
    std::string id;
    std::string server_type;
    std::string host;
    int port = 0;         // RPC port; 0 when absent
    int client_port = 0;  // 0 when absent
    bool frontend = false;
    std::string json;     // the whole entry, custom keys included

    // From one server entry (JSON object); nullopt when it is not an object with an id.
    static std::optional<ServerEntry> parse(const rapidjson::Value &v) {
        if (!v.IsObject()) return std::nullopt;
        ServerEntry e;
        e.id = json_string(v, "id");
        if (e.id.empty()) return std::nullopt;
        e.server_type = json_string(v, "serverType");
        e.host = json_string(v, "host");
        e.port = number(v, "port");
        e.client_port = number(v, "clientPort");
        auto f = v.FindMember("frontend");
        // Pomelo passes entries through command lines, so "true" counts as true.
        e.frontend = f != v.MemberEnd() && ((f->value.IsBool() && f->value.GetBool()) ||
                                            (f->value.IsString() && std::string_view(f->value.GetString()) == "true"));
        e.json = to_json(v);
        return e;
    }
    static std::optional<ServerEntry> parse(std::string_view json) {
        rapidjson::Document d;
        d.Parse(json.data(), json.size());
        if (d.HasParseError()) return std::nullopt;
        return parse(static_cast<const rapidjson::Value &>(d));
    }

private:
    // A port may be a number or a numeric string ("3150").
    static int number(const rapidjson::Value &v, const char *key) {
        auto it = v.FindMember(key);
        if (it == v.MemberEnd()) return 0;
        if (it->value.IsInt()) return it->value.GetInt();
        if (it->value.IsString()) {
            try {
                size_t used = 0;
                int n = std::stoi(it->value.GetString(), &used);
                return used == it->value.GetStringLength() ? n : 0;
            } catch (...) {
            }
        }
        return 0;
    }
};

class Cluster {
public:
    explicit Cluster(const Host &host) : host_(host) {
        auto found = host.find<shd_cluster_v1>(SHD_CLUSTER_SERVICE_ID);
        vt_ = found.first;
        ctx_ = found.second;
    }

    // True when the cluster plugin serves the membership; false on a lone server (config fallback).
    bool live() const noexcept { return vt_ != nullptr; }

    // Pomelo's getServers(): every member, in membership order.
    std::vector<ServerEntry> servers() const {
        if (!vt_) return servers_from_config();
        std::string text;
        vt_->servers(ctx_, &assign, &text);
        return parse_list(text);
    }

    // getServersByType(type), in routing order (servers.json order).
    std::vector<ServerEntry> servers_by_type(std::string_view type) const {
        std::vector<ServerEntry> out;
        for (auto &s : servers())
            if (s.server_type == type) out.push_back(std::move(s));
        return out;
    }

    // The ids only, straight from the service (cheaper than servers_by_type when that is all you need).
    std::vector<std::string> server_ids_by_type(std::string_view type) const {
        std::vector<std::string> ids;
        if (vt_) {
            vt_->server_ids_by_type(
                ctx_, to_shd(type), [](void *ud, shd_str id) { static_cast<std::vector<std::string> *>(ud)->emplace_back(to_view(id)); },
                &ids);
            return ids;
        }
        for (const auto &s : servers_by_type(type)) ids.push_back(s.id);
        return ids;
    }

    // getServerById(id): nullopt when no such member.
    std::optional<ServerEntry> server(std::string_view id) const {
        if (!vt_) return server_from_config(id);
        std::string text;
        if (vt_->server(ctx_, to_shd(id), &assign, &text) != SHD_OK) return std::nullopt;
        return ServerEntry::parse(text);
    }

    // getServerTypes(): the distinct types of the members, in order of first appearance, without
    // "master" (which serves no requests).
    std::vector<std::string> server_types() const {
        std::vector<std::string> types;
        for (const auto &s : servers()) {
            if (s.server_type.empty() || s.server_type == "master") continue;
            bool seen = false;
            for (const auto &t : types) seen = seen || t == s.server_type;
            if (!seen) types.push_back(s.server_type);
        }
        return types;
    }

    // getServersFromConfig(): every configured server (master first, clusterCount expanded).
    std::vector<ServerEntry> servers_from_config() const {
        const shd_host_api *api = host_.api();
        if (!SHD_HAS_FIELD(shd_host_api, api->struct_size, list_servers) || !api->list_servers) return {current()};
        return parse_list(host_.list_servers());
    }
    std::optional<ServerEntry> server_from_config(std::string_view id) const {
        for (auto &s : servers_from_config())
            if (s.id == id) return std::move(s);
        return std::nullopt;
    }

    // getMaster(): the master of master.json (nullopt without one).
    std::optional<ServerEntry> master() const {
        for (auto &s : servers_from_config())
            if (s.server_type == "master") return std::move(s);
        return std::nullopt;
    }

    // getCurServer(), getServerId(), getServerType(), isFrontend(), isBackend(), isMaster().
    ServerEntry current() const {
        ServerInfo me = host_.server();
        if (auto e = ServerEntry::parse(me.json)) {
            if (e->server_type.empty()) e->server_type = me.type;
            return *e;
        }
        ServerEntry e;
        e.id = me.id;
        e.server_type = me.type;
        e.host = me.host;
        e.port = me.port;
        e.client_port = me.client_port;
        e.frontend = me.frontend;
        e.json = me.json;
        return e;
    }
    std::string server_id() const { return host_.server().id; }
    std::string server_type() const { return host_.server().type; }
    bool frontend() const { return host_.server().frontend; }
    bool backend() const {
        ServerInfo me = host_.server();
        return !me.frontend && !me.master;
    }
    bool is_master() const { return host_.server().master; }

    // The start barrier: true once every configured server has started (always on a lone server).
    bool all_started() const { return !vt_ || vt_->all_started(ctx_) != 0; }

private:
    static void SHD_CALL assign(void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data ? t.data : "", t.size); }

    static std::vector<ServerEntry> parse_list(const std::string &text) {
        std::vector<ServerEntry> out;
        rapidjson::Document d;
        d.Parse(text.c_str(), text.size());
        if (d.HasParseError() || !d.IsArray()) return out;
        for (const auto &v : d.GetArray())
            if (auto e = ServerEntry::parse(v)) out.push_back(std::move(*e));
        return out;
    }

    Host host_;
    const shd_cluster_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
};

}  // namespace shd
