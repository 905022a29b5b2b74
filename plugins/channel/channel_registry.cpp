#include "channel_registry.hpp"

#include <shaddock/cpp/handler.hpp>

namespace shd::channel {

Groups group_by_frontend(const std::vector<Member> &members) {
    auto groups = std::make_shared<std::vector<FrontendGroup>>();
    std::unordered_map<std::string_view, size_t> index;
    for (const Member &m : members) {
        auto [it, fresh] = index.emplace(m.frontend_id, groups->size());
        if (fresh) groups->push_back(FrontendGroup{m.frontend_id, {}, {}});
        (*groups)[it->second].uids.push_back(m.uid);
    }
    for (FrontendGroup &g : *groups) g.uids_json = json_string_array(g.uids);
    return groups;
}

shd_status Channel::add(std::string_view uid, std::string_view frontend_id) {
    if (uid.empty() || frontend_id.empty()) return SHD_ERR_INVALID;
    std::string key(uid);
    if (by_uid_.count(key)) return SHD_ERR_EXISTS;
    order_.push_back(Member{key, std::string(frontend_id)});
    by_uid_.emplace(std::move(key), std::prev(order_.end()));
    groups_.reset();
    return SHD_OK;
}

shd_status Channel::leave(std::string_view uid, std::string_view frontend_id) {
    auto it = by_uid_.find(std::string(uid));
    if (it == by_uid_.end() || it->second->frontend_id != frontend_id) return SHD_ERR_NOT_FOUND;
    order_.erase(it->second);
    by_uid_.erase(it);
    groups_.reset();
    return SHD_OK;
}

const std::string *Channel::frontend_of(std::string_view uid) const {
    auto it = by_uid_.find(std::string(uid));
    return it == by_uid_.end() ? nullptr : &it->second->frontend_id;
}

Groups Channel::groups() const {
    if (!groups_) groups_ = group_by_frontend(std::vector<Member>(order_.begin(), order_.end()));
    return groups_;
}

Channel &ChannelRegistry::create(std::string_view name) {
    return channels_[std::string(name)];
}

Channel *ChannelRegistry::find(std::string_view name) {
    auto it = channels_.find(std::string(name));
    return it == channels_.end() ? nullptr : &it->second;
}

bool ChannelRegistry::destroy(std::string_view name) {
    return channels_.erase(std::string(name)) > 0;
}

}  // namespace shd::channel
