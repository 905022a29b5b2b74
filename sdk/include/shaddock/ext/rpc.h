/*
 * shaddock/ext/rpc.h - service "shd.rpc/1": calls between the servers of a cluster.
 *
 * Pomelo's programming model (remotes named namespace.service.method, "user" for the app's remotes
 * and "sys" for the framework's, route functions per server type, toServer) over Shaddock's own
 * transport (the `rpc` plugin: binary frames on TCP with TCP_NODELAY, docs/rpc.md).
 *
 * Arguments and results are JSON arrays, as in Pomelo: args_json is the argument list, result_json
 * the list of callback arguments (by convention [err, ...]).
 *
 * The promise: every call's result callback runs exactly once, on the logic thread, never inside
 * the call that started it: with SHD_OK and the remote's result, or with an error status
 * (SHD_ERR_NOT_FOUND no such server/remote, SHD_ERR_TIMEOUT, SHD_ERR_IO connection lost,
 * SHD_ERR_SHUTDOWN host stopping, SHD_ERR_INVALID bad arguments) and a message as a JSON string.
 *
 * All functions: [logic].
 */
#ifndef SHADDOCK_EXT_RPC_H
#define SHADDOCK_EXT_RPC_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_RPC_SERVICE_ID "shd.rpc/1"

/* Answers one incoming call. Owned by the RPC provider; call reply exactly once, now or later. */
typedef struct shd_rpc_responder_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    void *ctx;
    void(SHD_CALL *reply)(void *ctx, shd_status status, shd_str result_json);
} shd_rpc_responder_v1;

/* A remote method. caller is the calling server's id. */
typedef void(SHD_CALL *shd_remote_fn)(void *user_data, shd_str caller, shd_str args_json,
                                      const shd_rpc_responder_v1 *responder);

/* The outcome of an outgoing call (see the promise above). */
typedef void(SHD_CALL *shd_rpc_result_fn)(void *user_data, shd_status status, shd_str result_json);

/* Gives a route function's choice back: exactly once, with SHD_OK and a server id, or an error. */
typedef void(SHD_CALL *shd_route_choice_fn)(void *choice_ctx, shd_status status, shd_str server_id);

/* Chooses the server of `server_type` for a call. route_param_json is what the caller routed by
 * (for a forwarded client request: the session {"id","frontendId","uid","settings"}); candidates are
 * the members of the type in membership order. */
typedef void(SHD_CALL *shd_route_fn)(void *user_data, shd_str server_type, shd_str route_param_json,
                                     const shd_str *candidates, size_t candidate_count, shd_route_choice_fn choose,
                                     void *choice_ctx);

typedef struct shd_rpc_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Publishes a remote method, e.g. ("user", "chatRemote", "add"). SHD_ERR_EXISTS when taken. */
    shd_status(SHD_CALL *add_remote)(void *rctx, shd_str ns, shd_str service, shd_str method, shd_remote_fn fn,
                                     void *user_data);

    /* Calls one server by id (Pomelo's toServer / rpcInvoke). server_id "*" calls every member of
     * server_type; the result is then a JSON array of each server's result list, in membership
     * order, and the status is the first error, if any. timeout_ms 0 means the configured default. */
    void(SHD_CALL *invoke)(void *rctx, shd_str server_id, shd_str server_type, shd_str ns, shd_str service,
                           shd_str method, shd_str args_json, uint32_t timeout_ms, shd_rpc_result_fn done,
                           void *user_data);

    /* Routes, then calls: the route function of server_type (or the "default" one, or the
     * configured router: Pomelo's crc32 of the uid, rr, wrr, la, ch) picks the server. */
    void(SHD_CALL *call)(void *rctx, shd_str server_type, shd_str route_param_json, shd_str ns, shd_str service,
                         shd_str method, shd_str args_json, uint32_t timeout_ms, shd_rpc_result_fn done,
                         void *user_data);

    /* Installs the route function for a server type ("default": for every type without its own). */
    shd_status(SHD_CALL *set_route)(void *rctx, shd_str server_type, shd_route_fn fn, void *user_data);
} shd_rpc_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_RPC_H */
