// Who the RPC can reach: server id -> host:port, server type -> ids in membership order.
//
// Backed by "shd.cluster/1" when a cluster plugin is loaded, else by a static list (the `peers` option,
// or the servers of the configuration).
// Cluster answers are cached until the next membership event (invalidate()). [logic] only.
#pragma once

#include <shaddock/ext/cluster.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shd::rpc {

struct PeerEntry {
    std::string id, type, host;
    int port = 0;
    int weight = 1;
};

// Reads one server entry ({"id","serverType","host","port","weight",...}). Throws std::runtime_error
// naming `where` and the key when a key has the wrong type. `id`/`type` fill in absent keys.
PeerEntry parse_peer_entry(std::string_view json, const std::string &where, std::string_view id = {},
                           std::string_view type = {});

// The servers of a JSON array of server entries (the host's list_servers: the app's configuration) that
// can serve RPC, in order: entries without host or port and the master are left out.
std::vector<PeerEntry> parse_server_list(std::string_view json);

class PeerDirectory {
public:
    void use_static(std::vector<PeerEntry> peers);
    void use_cluster(const shd_cluster_v1 *cluster, void *cluster_ctx);
    bool clustered() const { return cluster_ != nullptr; }

    // The member ids of a type in membership order (empty when none).
    const std::vector<std::string> &ids_of_type(const std::string &type);
    // One member, or nullptr when it is not a member.
    const PeerEntry *find(const std::string &id);
    // Forgets cached cluster answers.
    void invalidate();
    // The cluster's shared secret ("" without a cluster or before the master handed it out).
    std::string cluster_secret() const;

private:
    const shd_cluster_v1 *cluster_ = nullptr;
    void *cluster_ctx_ = nullptr;
    std::vector<PeerEntry> static_;
    std::map<std::string, std::vector<std::string>, std::less<>> by_type_;
    std::map<std::string, std::optional<PeerEntry>, std::less<>> by_id_;
};

}  // namespace shd::rpc
