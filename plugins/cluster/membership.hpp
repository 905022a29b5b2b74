// The cluster's member list as this process knows it, in routing order, and the "shd.cluster/1"
// table that serves it. [logic] only.
#pragma once

#include <shaddock/ext/cluster.h>
#include <shaddock/cpp/host.hpp>

#include <map>
#include <string>
#include <vector>

namespace shd::cluster {

struct Member {
    std::string id;
    std::string type;
    std::string json;  // the server entry
    int rank;          // position in servers.json (dynamic additions come after)
};

class Membership {
public:
    explicit Membership(const Host &host);

    // Ranks come from servers.json order so routing order does not depend on who registered first.
    void set_config_order(const std::vector<std::string> &ids);

    // Adds or replaces a member from its JSON entry; false when the entry has no id or serverType.
    bool add(const std::string &entry_json);
    bool remove(const std::string &id);
    void clear() { members_.clear(); }

    const Member *find(const std::string &id) const;
    std::vector<const Member *> by_type(const std::string &type) const;
    std::string to_json() const;  // JSON array of entries in order
    size_t size() const { return members_.size(); }

    bool all_started = false;
    std::string secret;

    const shd_cluster_v1 *vtable() const { return &vtable_; }
    const Host &host() const { return host_; }  // where the table's entries report a failure

private:
    Host host_;
    std::vector<Member> members_;  // kept sorted by (rank, arrival)
    std::map<std::string, int> config_rank_;
    int next_dynamic_rank_ = 1 << 20;
    shd_cluster_v1 vtable_{};
};

}  // namespace shd::cluster
