/*
 * shaddock/ext/cluster.h - service "shd.cluster/1": who is in the cluster.
 *
 * Provided by the `monitor` plugin on every server that joins a cluster run by a master (and by the
 * `master` plugin on the master itself). The membership is the master's list: servers join when they
 * register with the master and leave when their connection to it ends. Members are kept in
 * servers.json order (master first, clusterCount expanded) on every server, whatever order they join
 * in; servers absent from the configuration come after, in joining order (Pomelo's default RPC
 * routing depends on this order).
 *
 * Host events emitted by the provider (payloads are JSON):
 *   "add_servers"    [ {server entry}, ... ]   servers that joined
 *   "remove_servers" [ "id", ... ]             servers that left
 *   "start_all"      {}                        every configured server is up (Pomelo's afterStartAll)
 * A server entry is the servers.json object with "serverType" (and "id", "host", "port",
 * "clientPort", "frontend", custom keys).
 *
 * All functions: [logic].
 */
#ifndef SHADDOCK_EXT_CLUSTER_H
#define SHADDOCK_EXT_CLUSTER_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_CLUSTER_SERVICE_ID "shd.cluster/1"

typedef struct shd_cluster_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    /* Every current member as one JSON array of server entries, in membership order. */
    void(SHD_CALL *servers)(void *cctx, shd_text_fn sink, void *user_data);
    /* The ids of the current members of one type, in membership order: one sink call per id. */
    void(SHD_CALL *server_ids_by_type)(void *cctx, shd_str server_type, shd_text_fn sink, void *user_data);
    /* One member's entry as JSON; SHD_ERR_NOT_FOUND when it is not a member. */
    shd_status(SHD_CALL *server)(void *cctx, shd_str server_id, shd_text_fn sink, void *user_data);
    /* 1 once "start_all" has happened. */
    int32_t(SHD_CALL *all_started)(void *cctx);
    /* The secret servers of this cluster share (RPC peers authenticate with it); borrowed, valid
     * until the provider's on_destroy. */
    shd_str(SHD_CALL *cluster_secret)(void *cctx);
} shd_cluster_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_CLUSTER_H */
