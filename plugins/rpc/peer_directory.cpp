#include "peer_directory.hpp"

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

#include <cstdlib>
#include <stdexcept>

namespace shd::rpc {

namespace {

std::string_view view(shd_str s) {
    return std::string_view(s.data ? s.data : "", s.size);
}

// servers.json allows "port": "6050" as well as 6050 (Pomelo passes keys as strings).
int read_port(const rapidjson::Value &v, const std::string &where) {
    if (v.IsInt() && v.GetInt() >= 0 && v.GetInt() <= 65535) return v.GetInt();
    if (v.IsString()) {
        char *end = nullptr;
        long n = std::strtol(v.GetString(), &end, 10);
        if (end != v.GetString() && *end == '\0' && n >= 0 && n <= 65535) return static_cast<int>(n);
    }
    throw std::runtime_error(where + ".port: expected a port number (0-65535)");
}

}  // namespace

PeerEntry parse_peer_entry(std::string_view json, const std::string &where, std::string_view id,
                           std::string_view type) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject()) throw std::runtime_error(where + ": expected a server entry object");
    PeerEntry e;
    e.id = std::string(id);
    e.type = std::string(type);
    auto str = [&](const char *key, std::string &out) {
        auto it = doc.FindMember(key);
        if (it == doc.MemberEnd()) return;
        if (!it->value.IsString()) throw std::runtime_error(where + "." + key + ": expected a string");
        out.assign(it->value.GetString(), it->value.GetStringLength());
    };
    str("id", e.id);
    str("serverType", e.type);
    str("host", e.host);
    if (auto it = doc.FindMember("port"); it != doc.MemberEnd()) e.port = read_port(it->value, where);
    if (auto it = doc.FindMember("weight"); it != doc.MemberEnd()) {
        const rapidjson::Value &w = it->value;
        if (w.IsInt())
            e.weight = w.GetInt();
        else if (w.IsNumber())
            e.weight = static_cast<int>(w.GetDouble());
        else if (w.IsString())
            e.weight = std::atoi(w.GetString());
        else
            throw std::runtime_error(where + ".weight: expected a number");
    }
    return e;
}

std::vector<PeerEntry> parse_server_list(std::string_view json) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    std::vector<PeerEntry> out;
    if (doc.HasParseError() || !doc.IsArray()) return out;
    for (const auto &v : doc.GetArray()) {
        if (!v.IsObject()) continue;
        try {
            PeerEntry e = parse_peer_entry(shd::to_json(v), "list_servers");
            if (!e.id.empty() && !e.host.empty() && e.port > 0 && e.type != "master") out.push_back(std::move(e));
        } catch (const std::exception &) {
            // an entry the host accepted but we cannot use is left out
        }
    }
    return out;
}

void PeerDirectory::use_static(std::vector<PeerEntry> peers) {
    static_ = std::move(peers);
    cluster_ = nullptr;
    invalidate();
}

void PeerDirectory::use_cluster(const shd_cluster_v1 *cluster, void *cluster_ctx) {
    cluster_ = cluster;
    cluster_ctx_ = cluster_ctx;
    invalidate();
}

void PeerDirectory::invalidate() {
    by_type_.clear();
    by_id_.clear();
}

const std::vector<std::string> &PeerDirectory::ids_of_type(const std::string &type) {
    auto it = by_type_.find(type);
    if (it != by_type_.end()) return it->second;
    std::vector<std::string> ids;
    if (cluster_) {
        cluster_->server_ids_by_type(
            cluster_ctx_, shd_str{type.data(), type.size()},
            [](void *ud, shd_str id) { static_cast<std::vector<std::string> *>(ud)->emplace_back(view(id)); }, &ids);
    } else {
        for (const auto &p : static_)
            if (p.type == type) ids.push_back(p.id);
    }
    return by_type_.emplace(type, std::move(ids)).first->second;
}

const PeerEntry *PeerDirectory::find(const std::string &id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) {
        std::optional<PeerEntry> found;
        if (cluster_) {
            std::string json;
            shd_status s = cluster_->server(
                cluster_ctx_, shd_str{id.data(), id.size()},
                [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(view(t)); }, &json);
            if (s == SHD_OK) {
                try {
                    found = parse_peer_entry(json, "shd.cluster/1 server " + id, id);
                } catch (const std::exception &) {
                    found.reset();  // an unusable entry is as good as absent
                }
            }
        } else {
            for (const auto &p : static_)
                if (p.id == id) found = p;
        }
        it = by_id_.emplace(id, std::move(found)).first;
    }
    return it->second ? &*it->second : nullptr;
}

std::string PeerDirectory::cluster_secret() const {
    if (!cluster_ || !cluster_->cluster_secret) return {};
    return std::string(view(cluster_->cluster_secret(cluster_ctx_)));
}

}  // namespace shd::rpc
