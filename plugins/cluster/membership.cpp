#include "membership.hpp"

#include <shaddock/cpp/host.hpp>

#include <rapidjson/document.h>

#include <algorithm>

namespace shd::cluster {

namespace {

Membership *self(void *ctx) { return static_cast<Membership *>(ctx); }

void SHD_CALL servers(void *ctx, shd_text_fn sink, void *ud) {
    std::string json = self(ctx)->to_json();
    sink(ud, to_shd(json));
}

void SHD_CALL server_ids_by_type(void *ctx, shd_str type, shd_text_fn sink, void *ud) {
    for (const Member *m : self(ctx)->by_type(std::string(to_view(type)))) sink(ud, to_shd(m->id));
}

shd_status SHD_CALL server(void *ctx, shd_str id, shd_text_fn sink, void *ud) {
    const Member *m = self(ctx)->find(std::string(to_view(id)));
    if (!m) return SHD_ERR_NOT_FOUND;
    sink(ud, to_shd(m->json));
    return SHD_OK;
}

int32_t SHD_CALL all_started(void *ctx) { return self(ctx)->all_started ? 1 : 0; }

shd_str SHD_CALL cluster_secret(void *ctx) { return to_shd(self(ctx)->secret); }

}  // namespace

Membership::Membership() {
    shd::stamp(vtable_);
    vtable_.servers = &cluster::servers;
    vtable_.server_ids_by_type = &cluster::server_ids_by_type;
    vtable_.server = &cluster::server;
    vtable_.all_started = &cluster::all_started;
    vtable_.cluster_secret = &cluster::cluster_secret;
}

void Membership::set_config_order(const std::vector<std::string> &ids) {
    config_rank_.clear();
    for (size_t i = 0; i < ids.size(); ++i) config_rank_[ids[i]] = static_cast<int>(i);
}

bool Membership::add(const std::string &entry_json) {
    rapidjson::Document d;
    d.Parse(entry_json.c_str(), entry_json.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("id") || !d["id"].IsString() || !d.HasMember("serverType") ||
        !d["serverType"].IsString())
        return false;
    Member m{d["id"].GetString(), d["serverType"].GetString(), entry_json, 0};
    remove(m.id);
    auto it = config_rank_.find(m.id);
    m.rank = it != config_rank_.end() ? it->second : next_dynamic_rank_++;
    auto pos = std::upper_bound(members_.begin(), members_.end(), m.rank,
                                [](int rank, const Member &x) { return rank < x.rank; });
    members_.insert(pos, std::move(m));
    return true;
}

bool Membership::remove(const std::string &id) {
    auto it = std::find_if(members_.begin(), members_.end(), [&](const Member &m) { return m.id == id; });
    if (it == members_.end()) return false;
    members_.erase(it);
    return true;
}

const Member *Membership::find(const std::string &id) const {
    for (const auto &m : members_)
        if (m.id == id) return &m;
    return nullptr;
}

std::vector<const Member *> Membership::by_type(const std::string &type) const {
    std::vector<const Member *> out;
    for (const auto &m : members_)
        if (m.type == type) out.push_back(&m);
    return out;
}

std::string Membership::to_json() const {
    std::string out = "[";
    for (size_t i = 0; i < members_.size(); ++i) {
        if (i) out += ",";
        out += members_[i].json;
    }
    return out + "]";
}

}  // namespace shd::cluster
