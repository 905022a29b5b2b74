// The channels of this process (Pomelo's ChannelService state): named groups of members, each
// member a uid and the id of the frontend server holding its session. Pure data, no I/O. [logic]
//
// A channel keeps its members in join order and, for pushes, the same members grouped by frontend
// with each group's uid list already rendered as JSON: a push to a channel whose membership did not
// change since the last push builds nothing.
#pragma once

#include <shaddock/abi.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shd::channel {

struct Member {
    std::string uid;
    std::string frontend_id;
};

// The members of one frontend, in join order.
struct FrontendGroup {
    std::string frontend_id;
    std::vector<std::string> uids;
    std::string uids_json;  // ["uid", ...]
};

// Immutable once built; a push holds it while its calls are out, so a membership change meanwhile
// does not disturb it.
using Groups = std::shared_ptr<const std::vector<FrontendGroup>>;

// Groups receivers by frontend id, keeping the order in which each frontend and uid first appear.
Groups group_by_frontend(const std::vector<Member> &members);

class Channel {
public:
    // SHD_ERR_INVALID for an empty uid or frontend id, SHD_ERR_EXISTS when the uid is a member.
    shd_status add(std::string_view uid, std::string_view frontend_id);
    // SHD_ERR_NOT_FOUND unless uid is a member on exactly that frontend.
    shd_status leave(std::string_view uid, std::string_view frontend_id);
    // The member's frontend id, or null.
    const std::string *frontend_of(std::string_view uid) const;
    size_t size() const { return order_.size(); }
    const std::list<Member> &members() const { return order_; }
    // The members grouped by frontend (built on first use after a change).
    Groups groups() const;

private:
    std::list<Member> order_;
    std::unordered_map<std::string, std::list<Member>::iterator> by_uid_;
    mutable Groups groups_;  // null when stale
};

class ChannelRegistry {
public:
    // Creates the channel if absent; returns it either way.
    Channel &create(std::string_view name);
    Channel *find(std::string_view name);
    // false when there was no such channel.
    bool destroy(std::string_view name);
    size_t size() const { return channels_.size(); }

private:
    std::unordered_map<std::string, Channel> channels_;
};

}  // namespace shd::channel
