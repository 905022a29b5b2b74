#include "server_directory.hpp"

#include <rapidjson/document.h>

#include <algorithm>

namespace shd::redis {

void ServerDirectory::attach() {
    std::tie(cluster_, cluster_ctx_) = host_.find<shd_cluster_v1>(SHD_CLUSTER_SERVICE_ID);
}

std::vector<std::pair<std::string, std::string>> ServerDirectory::configured(bool frontends_only) const {
    std::vector<std::pair<std::string, std::string>> out;
    if (!SHD_HAS_FIELD(shd_host_api, host_.api()->struct_size, list_servers)) return out;
    rapidjson::Document all;
    try {
        std::string text = host_.list_servers();
        all.Parse(text.data(), text.size());
    } catch (const Error &) {
        return out;
    }
    if (!all.IsArray()) return out;
    for (const auto &s : all.GetArray()) {
        if (!s.IsObject() || !s.HasMember("id") || !s["id"].IsString() || !s.HasMember("serverType") ||
            !s["serverType"].IsString())
            continue;
        if (frontends_only && !(s.HasMember("frontend") && s["frontend"].IsTrue())) continue;
        out.emplace_back(s["id"].GetString(), s["serverType"].GetString());
    }
    return out;
}

std::vector<std::string> ServerDirectory::servers_of_type(std::string_view type) const {
    std::vector<std::string> ids;
    auto collect = [](void *ud, shd_str id) { static_cast<std::vector<std::string> *>(ud)->emplace_back(to_view(id)); };
    if (cluster_) {
        cluster_->server_ids_by_type(cluster_ctx_, to_shd(type), collect, &ids);
        return ids;
    }
    for (auto &[id, t] : configured(false))
        if (t == type) ids.push_back(id);
    ServerInfo self = host_.server();
    if (ids.empty() && type == self.type) ids.push_back(self.id);
    return ids;
}

std::vector<std::string> ServerDirectory::all_server_ids() const {
    std::vector<std::string> ids;
    if (cluster_) {
        std::string text;
        cluster_->servers(
            cluster_ctx_, [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data, t.size); }, &text);
        rapidjson::Document d;
        d.Parse(text.data(), text.size());
        if (d.IsArray())
            for (const auto &s : d.GetArray())
                if (s.IsObject() && s.HasMember("id") && s["id"].IsString()) ids.emplace_back(s["id"].GetString());
    }
    for (auto &[id, t] : configured(false))
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    std::string self = host_.server().id;
    if (std::find(ids.begin(), ids.end(), self) == ids.end()) ids.push_back(self);
    return ids;
}

bool ServerDirectory::is_cleaner() const {
    if (!cluster_) return false;
    ServerInfo self = host_.server();
    std::vector<std::string> same = servers_of_type(self.type);
    return !same.empty() && same.front() == self.id;
}

bool ServerDirectory::is_configured_frontend(std::string_view id) const {
    for (auto &[fid, t] : configured(true))
        if (fid == id) return true;
    return false;
}

}  // namespace shd::redis
