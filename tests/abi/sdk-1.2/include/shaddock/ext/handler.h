/*
 * shaddock/ext/handler.h - service "shd.handler/1": the app's handlers and their dispatch
 * (Pomelo's "server" component). Provided by the `server` plugin on every non-master server.
 *
 * The app registers one function per route "serverType.handler.method" in on_configure. A
 * frontend's connector dispatches client messages here; the RPC layer dispatches requests that a
 * frontend forwarded. Every request gets exactly one response, a notify none.
 * All functions: [logic].
 */
#ifndef SHADDOCK_EXT_HANDLER_H
#define SHADDOCK_EXT_HANDLER_H

#include <shaddock/abi.h>
#include <shaddock/ext/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_HANDLER_SERVICE_ID "shd.handler/1"

/* A snapshot of the client's session as the handler sees it (Pomelo's FrontendSession /
 * BackendSession fields). Borrowed for the duration of the call. */
typedef struct shd_session_view_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint64_t id;             /* session id, unique within its frontend */
    shd_str frontend_id;     /* the server holding the connection */
    shd_str uid;             /* "" when not bound */
    shd_str settings_json;   /* the settings object, "{}" when empty */
} shd_session_view_v1;

/* How a handler answers. Owned by the dispatcher; valid until respond is called. */
typedef struct shd_responder_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    void *ctx;
    /* [logic] Call exactly once, now or later. status SHD_OK sends body_json as the response;
     * any other status marks an error: Pomelo's rule adds "code":500 when the body has no code
     * (an empty body becomes {"code":500}). For a notify the response is dropped. */
    void(SHD_CALL *respond)(void *ctx, shd_status status, shd_str body_json);
} shd_responder_v1;

typedef void(SHD_CALL *shd_handler_fn)(void *user_data, const shd_inbound_msg_v1 *msg,
                                       const shd_session_view_v1 *session, const shd_responder_v1 *responder);

/* The app's answer to a client handshake (Pomelo's connectorConfig.handshake + checkClient):
 * call reply(reply_ctx, code, user_json) exactly once: 200 to accept (user_json goes to the
 * client as "user", "" for none), 501 for a client too old, 500 to refuse. */
typedef void(SHD_CALL *shd_handshake_check_fn)(void *user_data, shd_str client_type, shd_str client_version,
                                               shd_str user_json, shd_handshake_reply_fn reply, void *reply_ctx);

typedef struct shd_handler_service_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Registers fn for route. SHD_ERR_EXISTS if the route has a handler; SHD_ERR_INVALID unless the
     * route has exactly three non-empty dot-separated parts. user_data stays owned by the caller. */
    shd_status(SHD_CALL *add_handler)(void *sctx, shd_str route, shd_handler_fn fn, void *user_data);

    /* Every registered route, one sink call each, in no particular order. */
    void(SHD_CALL *list_routes)(void *sctx, shd_text_fn sink, void *user_data);

    /* Runs the handler of msg->route for this session. The responder is called exactly once:
     * with the handler's answer, or with an error when no handler serves the route. The message
     * and session are copied as needed; the responder must stay valid until it is called. */
    void(SHD_CALL *dispatch)(void *sctx, const shd_inbound_msg_v1 *msg, const shd_session_view_v1 *session,
                             const shd_responder_v1 *responder);

    /* Installs the handshake check (one per server; a second call replaces the first). */
    shd_status(SHD_CALL *set_handshake_check)(void *sctx, shd_handshake_check_fn fn, void *user_data);

    /* Runs the handshake check, or accepts with code 200 and no user data when none is set. */
    void(SHD_CALL *check_handshake)(void *sctx, shd_str client_type, shd_str client_version, shd_str user_json,
                                    shd_handshake_reply_fn reply, void *reply_ctx);
} shd_handler_service_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_HANDLER_H */
