// Which servers a Redis plugin addresses: the frontends of a type (a global push, a channel's
// members), every server id (destroying a global channel), and whether this server is the one of its
// type that cleans up after a frontend that left the cluster. [logic] only.
#pragma once

#include <shaddock/ext/cluster.h>
#include <shaddock/cpp/host.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace shd::redis {

class ServerDirectory {
public:
    explicit ServerDirectory(const Host &host) : host_(host) {}

    // Looks up shd.cluster/1 (at start; optional: without it, the configuration's servers).
    void attach();
    // The ids of the servers of one type: the cluster's members, else the configuration's servers.
    std::vector<std::string> servers_of_type(std::string_view type) const;
    // Every server id known: the cluster's members and the configuration's servers.
    std::vector<std::string> all_server_ids() const;
    // True for one server per server type: the first member of this server's type. It cleans up
    // the Redis entries of a frontend that left the cluster (false without a cluster).
    bool is_cleaner() const;
    // True when id names a frontend in the configuration.
    bool is_configured_frontend(std::string_view id) const;

private:
    std::vector<std::pair<std::string, std::string>> configured(bool frontends_only) const;  // (id, type)

    Host host_;
    const shd_cluster_v1 *cluster_ = nullptr;
    void *cluster_ctx_ = nullptr;
};

}  // namespace shd::redis
