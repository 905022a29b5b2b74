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
 * RPC filters and the error handler (appended in minor 2, see SHD_RPC_MINOR): Pomelo's app.rpcBefore,
 * app.rpcAfter, app.rpcFilter and app.set('rpcErrorHandler'), run on the calling server. For one call:
 *   before filters (registration order; each may reject) -> send -> result -> after filters
 *   (registration order, as pomelo-rpc pushes them) -> error handler (when the status is an error)
 *   -> the result callback.
 * Before filters run once the target server is known (after routing; per member for "*"); a call that
 * fails before that (unknown type, route failure, bad arguments) runs no filter, but does reach the
 * error handler. Every call whose before chain started gets its after filters exactly once.
 *
 * All functions: [logic].
 */
#ifndef SHADDOCK_EXT_RPC_H
#define SHADDOCK_EXT_RPC_H

#include <shaddock/abi.h>
#include <shaddock/ext/handler.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_RPC_SERVICE_ID "shd.rpc/1"
/* The revision of the shd.rpc/1 table the provider stamps in abi_minor: 1 the first table, 2 with the
 * filter members appended, 3 with the typed forward. Readers test
 * SHD_HAS_FIELD(shd_rpc_v1, vt->struct_size, member). */
#define SHD_RPC_MINOR 3

/* Answers one incoming call. Owned by the RPC provider; call reply exactly once, now or later. */
typedef struct shd_rpc_responder_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    void *ctx;
    void(SHD_CALL *reply)(void *ctx, shd_status status, shd_str result_json);
} shd_rpc_responder_v1;

/* A remote method. caller is the calling server's id. A remote that throws (a C++ remote registered
 * without the SDK's wrapper) has failed its call: the caller gets SHD_ERR_INTERNAL and the responder
 * is invalid from then on, unless the remote had replied before throwing. */
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

/* One outgoing call as RPC filters and the error handler see it; borrowed for the duration of the
 * callback. @since shd.rpc/1 minor 2. */
typedef struct shd_rpc_call_view_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint64_t call_id;     /* unique among this process's calls; a call's before and after share it */
    shd_str server_id;    /* the target server; "" when the call failed before one was chosen */
    shd_str server_type;  /* the type the caller named ("" for an invoke that named none) */
    shd_str route;        /* "namespace.service.method", e.g. "user.chatRemote.add" */
    shd_str args_json;    /* the argument list */
} shd_rpc_call_view_v1;

/* A before filter's continuation: call exactly once, now or later on the logic thread. SHD_OK sends
 * the call on (to the next filter, then the network); an error status rejects it: the remote is never
 * called and the result callback gets that status and message_json (a JSON string; "" for a default
 * message). After the call's deadline has passed the call has already failed and next does nothing. */
typedef void(SHD_CALL *shd_rpc_next_fn)(void *next_ctx, shd_status status, shd_str message_json);

/* Pomelo's rpcBefore(serverId, msg, opts, next). */
typedef void(SHD_CALL *shd_rpc_before_fn)(void *user_data, const shd_rpc_call_view_v1 *call, shd_rpc_next_fn next,
                                          void *next_ctx);

/* Pomelo's rpcAfter, given the outcome: status and result_json are what the result callback will get
 * (for an error, the message), elapsed_us the time since invoke/call was made. Observes only. */
typedef void(SHD_CALL *shd_rpc_after_fn)(void *user_data, const shd_rpc_call_view_v1 *call, shd_status status,
                                         shd_str result_json, uint64_t elapsed_us);

/* Pomelo's rpcErrorHandler: runs for every call that ends with an error status (timeout, connection
 * lost, no such server or type, rejected by a before filter, the remote's error), after the after
 * filters and right before the result callback. message_json is the callback's message. */
typedef void(SHD_CALL *shd_rpc_error_fn)(void *user_data, const shd_rpc_call_view_v1 *call, shd_status status,
                                         shd_str message_json);

/* A client message forwarded by a frontend (Pomelo's msgRemote.forwardMessage), on the backend: the
 * message and the session as the frontend saw them, and the responder that answers the frontend
 * (respond exactly once; the status and body reach the frontend's forward callback). caller is the
 * frontend's server id. Everything is borrowed for the duration of the call except the responder,
 * which stays valid until respond. @since shd.rpc/1 minor 3. */
typedef void(SHD_CALL *shd_rpc_forward_handler_fn)(void *user_data, shd_str caller, const shd_inbound_msg_v1 *msg,
                                                   const shd_session_view_v1 *session,
                                                   const shd_responder_v1 *responder);

/* The outcome of a forward, exactly once, on the logic thread, never inside forward() (the promise
 * above). When the backend's handler answered: status and body_json are its answer (body "{}" when it
 * gave none) and error_json is "". When the forward failed without an answer (no server of the type,
 * timeout, connection lost, stopping, rejected by a before filter, ...): status is the error, body_json
 * "" and error_json the message, a JSON string as for call. @since shd.rpc/1 minor 3. */
typedef void(SHD_CALL *shd_rpc_forward_done_fn)(void *user_data, shd_status status, shd_str body_json,
                                                shd_str error_json);

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

    /* ---- @since shd.rpc/1 minor 2: check SHD_HAS_FIELD(shd_rpc_v1, vt->struct_size, add_before). ---- */

    /* Appends a before / after filter (Pomelo's app.rpcBefore / app.rpcAfter; rpcFilter is both).
     * They apply to calls started afterwards; user_data stays owned by the caller and must live as
     * long as the provider. SHD_ERR_INVALID for a NULL fn. */
    shd_status(SHD_CALL *add_before)(void *rctx, shd_rpc_before_fn fn, void *user_data);
    shd_status(SHD_CALL *add_after)(void *rctx, shd_rpc_after_fn fn, void *user_data);

    /* Appends a built-in filter (Pomelo's pomelo.rpcFilters): "rpcLog" {"slowMs": 0} logs each call's
     * route, target, status and time (only calls taking at least slowMs, as warnings, when slowMs > 0);
     * "toobusy" {"maxLag": 70} rejects calls with SHD_ERR_BUSY while the logic thread lags more than
     * maxLag ms. options_json: an object or "". SHD_ERR_NOT_FOUND for an unknown name,
     * SHD_ERR_INVALID for bad options (the reason is logged). */
    shd_status(SHD_CALL *add_builtin_filter)(void *rctx, shd_str name, shd_str options_json);

    /* Installs the error handler (one; a second call replaces it, NULL removes it). */
    shd_status(SHD_CALL *set_error_handler)(void *rctx, shd_rpc_error_fn fn, void *user_data);

    /* ---- @since shd.rpc/1 minor 3: check SHD_HAS_FIELD(shd_rpc_v1, vt->struct_size, forward). ---- */

    /* Forwards a client message to a server of server_type, as a FORWARD frame carrying its fields
     * (docs/rpc.md): no JSON envelope is built or parsed. Routed like call: a route function installed
     * for the type (or "default") gets the session as route_param_json
     * {"id","frontendId","uid","settings"}, built only then; the configured router gets the uid.
     * Timeouts, failover and errors are call's; RPC filters and the error handler see the forward as
     * the call it replaces: route "sys.msgRemote.forwardMessage", args_json the envelope
     * [{"id","type","route"}, {"id","frontendId","uid"}, settings, body] and, for an answer, the
     * result [null, body] or [{"code":500}, body] with SHD_OK. msg and session are borrowed for the
     * duration of the call; empty body and settings are sent as "{}". timeout_ms 0: the default. */
    void(SHD_CALL *forward)(void *rctx, shd_str server_type, const shd_inbound_msg_v1 *msg,
                            const shd_session_view_v1 *session, uint32_t timeout_ms, shd_rpc_forward_done_fn done,
                            void *user_data);

    /* Installs the function that runs forwarded messages on this server (one per process; a second
     * call replaces it, NULL removes it; the server plugin installs it). A forward arriving without
     * one is answered SHD_ERR_NOT_FOUND. */
    shd_status(SHD_CALL *set_forward_handler)(void *rctx, shd_rpc_forward_handler_fn fn, void *user_data);
} shd_rpc_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_RPC_H */
