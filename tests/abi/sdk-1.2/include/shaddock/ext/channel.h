/*
 * shaddock/ext/channel.h - service "shd.channel/1": Pomelo's ChannelService (POMELO.md 3.6).
 *
 * Provided by the `channel` plugin on every non-master server. A channel is a named group of
 * members (uid, frontend server id), local to the process that created it. Pushing to a channel
 * sends ONE system RPC per frontend holding members (or a direct call when that frontend is this
 * process); the frontend encodes the message once and shares the bytes among its recipients.
 *
 * All functions: [logic]. Result callbacks run exactly once, on the logic thread, never inside the
 * call that started them.
 */
#ifndef SHADDOCK_EXT_CHANNEL_H
#define SHADDOCK_EXT_CHANNEL_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_CHANNEL_SERVICE_ID "shd.channel/1"

/* Outcome of a push: status, and the uids that could not be reached as a JSON array of strings
 * (Pomelo's `fails`). */
typedef void(SHD_CALL *shd_push_result_fn)(void *user_data, shd_status status, shd_str failed_uids_json);

/* One member, borrowed during the sink call. */
typedef void(SHD_CALL *shd_member_fn)(void *user_data, shd_str uid, shd_str frontend_id);

typedef struct shd_channel_service_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Creates the channel if needed (Pomelo's createChannel / getChannel(name, true)). */
    shd_status(SHD_CALL *create)(void *cctx, shd_str name);
    /* 1 if the channel exists. */
    int32_t(SHD_CALL *exists)(void *cctx, shd_str name);
    /* Removes the channel and its members. SHD_ERR_NOT_FOUND if absent. */
    shd_status(SHD_CALL *destroy)(void *cctx, shd_str name);

    /* Adds a member; SHD_ERR_NOT_FOUND for an unknown channel, SHD_ERR_EXISTS when already in. */
    shd_status(SHD_CALL *add)(void *cctx, shd_str name, shd_str uid, shd_str frontend_id);
    /* Removes a member; SHD_ERR_NOT_FOUND when absent. */
    shd_status(SHD_CALL *leave)(void *cctx, shd_str name, shd_str uid, shd_str frontend_id);
    /* Every member, in the order they joined. */
    shd_status(SHD_CALL *members)(void *cctx, shd_str name, shd_member_fn sink, void *user_data);
    /* One member's frontend id, or SHD_ERR_NOT_FOUND. */
    shd_status(SHD_CALL *member)(void *cctx, shd_str name, shd_str uid, shd_text_fn frontend_sink, void *user_data);
    /* Number of members (0 for an unknown channel). */
    uint64_t(SHD_CALL *user_amount)(void *cctx, shd_str name);

    /* Pushes route+body to every member of the channel. */
    void(SHD_CALL *push_message)(void *cctx, shd_str name, shd_str route, shd_str body_json, shd_push_result_fn done,
                                 void *user_data);
    /* Pushes to listed receivers: receivers_json is [{"uid":..,"sid":<frontend id>}, ...] (Pomelo's
     * pushMessageByUids, where "sid" names the frontend server). */
    void(SHD_CALL *push_by_uids)(void *cctx, shd_str route, shd_str body_json, shd_str receivers_json,
                                 shd_push_result_fn done, void *user_data);
    /* Pushes to every session of every server of frontend_type (bound_only: sessions with a uid). */
    void(SHD_CALL *broadcast)(void *cctx, shd_str frontend_type, shd_str route, shd_str body_json, int32_t bound_only,
                              shd_push_result_fn done, void *user_data);

    /* ---- Appended after ABI 1.1 (frozen with 1.2): check
     *      SHD_HAS_FIELD(shd_channel_service_v1, vt->struct_size, push_to_frontend). ---- */

    /* Pushes route+body to uids whose sessions are on ONE frontend server: uids_json is a JSON array
     * of uid strings, ["uid", ...], not empty. push_by_uids with receivers the caller already grouped
     * by frontend (an area's AOI pushes, say): no receiver objects to write and read back. The result
     * is push_by_uids's; SHD_ERR_INVALID for an empty frontend_id or route, a body that is not JSON, or
     * uids_json that is not a non-empty array of strings. */
    void(SHD_CALL *push_to_frontend)(void *cctx, shd_str frontend_id, shd_str route, shd_str body_json,
                                     shd_str uids_json, shd_push_result_fn done, void *user_data);
} shd_channel_service_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_CHANNEL_H */
