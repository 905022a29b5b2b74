/*
 * shaddock/ext/session.h - service "shd.session/1": the frontend's real sessions (Pomelo's
 * SessionService) and pushes to clients. Provided by the `connector` plugin on frontend servers.
 *
 * A session is one client connection that completed its handshake. Sessions live on the logic
 * thread; every function here is [logic]. Pushes encode the message once and share the bytes among
 * all recipients.
 */
#ifndef SHADDOCK_EXT_SESSION_H
#define SHADDOCK_EXT_SESSION_H

#include <shaddock/abi.h>
#include <shaddock/ext/handler.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_SESSION_SERVICE_ID "shd.session/1"

/* Receives a session snapshot during the call. */
typedef void(SHD_CALL *shd_session_fn)(void *user_data, const shd_session_view_v1 *session);

/* Receives a session id during the call (one call per id). */
typedef void(SHD_CALL *shd_sid_fn)(void *user_data, uint64_t sid);

/* Called exactly once per registration: when the session closes (status SHD_OK, with its last uid
 * and the reason: "client closed", "kick", "heartbeat timeout", ...), or with SHD_ERR_NOT_FOUND
 * (later on the logic thread, never inside on_closed) when the session does not exist. on_closed
 * itself returns SHD_OK whenever fn will be called, so the caller frees user_data only in fn; it
 * returns an error (and never calls fn) only for invalid arguments. */
typedef void(SHD_CALL *shd_closed_fn)(void *user_data, shd_status status, uint64_t sid, shd_str uid, shd_str reason);

typedef struct shd_session_service_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Binds a uid. SHD_ERR_EXISTS when the session is bound to another uid, or when singleSession
     * is on and the uid already has a session; SHD_ERR_NOT_FOUND for an unknown sid. Emits the host
     * event "bind_session" {"sid","uid","frontendId"}. */
    shd_status(SHD_CALL *bind)(void *sctx, uint64_t sid, shd_str uid);
    /* Unbinds; SHD_ERR_INVALID when bound to another uid. Emits "unbind_session". */
    shd_status(SHD_CALL *unbind)(void *sctx, uint64_t sid, shd_str uid);
    /* Sets one setting of the real session (Pomelo's push(key) / import). value_json is any JSON. */
    shd_status(SHD_CALL *set)(void *sctx, uint64_t sid, shd_str key, shd_str value_json);
    /* Replaces all settings (Pomelo's pushAll / importAll); settings_json must be an object. */
    shd_status(SHD_CALL *set_all)(void *sctx, uint64_t sid, shd_str settings_json);
    /* A snapshot of one session. SHD_ERR_NOT_FOUND when gone. */
    shd_status(SHD_CALL *get)(void *sctx, uint64_t sid, shd_session_fn sink, void *user_data);
    /* The sessions bound to uid (several unless singleSession). */
    void(SHD_CALL *sids_by_uid)(void *sctx, shd_str uid, shd_sid_fn sink, void *user_data);
    /* Number of sessions, and of bound sessions. */
    uint64_t(SHD_CALL *count)(void *sctx, int32_t bound_only);
    /* Registers a closed callback (see shd_closed_fn). */
    shd_status(SHD_CALL *on_closed)(void *sctx, uint64_t sid, shd_closed_fn fn, void *user_data);

    /* Sends a kick notice {"reason":...} and closes. SHD_ERR_NOT_FOUND for unknown sid/uid. */
    shd_status(SHD_CALL *kick_by_sid)(void *sctx, uint64_t sid, shd_str reason);
    shd_status(SHD_CALL *kick_by_uid)(void *sctx, shd_str uid, shd_str reason);

    /* Pushes route+body to the given sessions; unknown sids are skipped and counted in
     * *out_missed (may be NULL). */
    shd_status(SHD_CALL *push_to_sids)(void *sctx, shd_str route, shd_str body_json, const uint64_t *sids,
                                       size_t count, size_t *out_missed);
    /* Pushes to every session of each uid; uids without a session go to missed_sink (may be NULL). */
    shd_status(SHD_CALL *push_to_uids)(void *sctx, shd_str route, shd_str body_json, const shd_str *uids,
                                       size_t count, shd_text_fn missed_sink, void *user_data);
    /* Pushes to every session (bound_only: only sessions with a uid). */
    shd_status(SHD_CALL *broadcast)(void *sctx, shd_str route, shd_str body_json, int32_t bound_only);
} shd_session_service_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_SESSION_H */
