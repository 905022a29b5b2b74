/*
 * shaddock/ext/global_channel.h - service "shd.globalchannel/1": channels spanning every process of
 * the cluster (pomelo-globalchannel-plugin's globalChannelService, POMELO.md 6.3).
 *
 * Provided by the `global_channel` plugin (plugins/global_channel), which keeps the members in Redis
 * with Pomelo's layout: one set per channel and frontend, key "<prefix>:<channel>:<frontend id>",
 * holding uids. Any server running the plugin sees and changes the same channels. A push reads the
 * members of each frontend of a type and sends ONE call per frontend (Pomelo's sys RPC
 * channelRemote.pushMessage, through "shd.channel/1"), which encodes the message once for its
 * sessions.
 *
 * Every call is asynchronous: Redis is reached off the logic thread. Results go to `done` exactly
 * once, later on the logic thread, never inside the call, with a status and a JSON text (borrowed
 * during the callback). A Redis that cannot be reached answers SHD_ERR_IO (SHD_ERR_TIMEOUT when it
 * did not answer in time), never waits; SHD_ERR_INVALID for malformed arguments.
 *
 * All functions: [logic]. New after ABI 1.1: a new table, nothing existing changed (docs/abi.md).
 */
#ifndef SHADDOCK_EXT_GLOBAL_CHANNEL_H
#define SHADDOCK_EXT_GLOBAL_CHANNEL_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_GLOBAL_CHANNEL_SERVICE_ID "shd.globalchannel/1"

/* A global channel call's outcome: status and, on SHD_OK, its result as JSON (see each call). */
typedef void(SHD_CALL *shd_global_channel_result_fn)(void *user_data, shd_status status, shd_str result_json);

typedef struct shd_global_channel_service_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Adds uid, whose session is on frontend server frontend_id, to the channel. Result: true when
     * added, false when it was already a member there. */
    void(SHD_CALL *add)(void *gctx, shd_str name, shd_str uid, shd_str frontend_id, shd_global_channel_result_fn done,
                        void *user_data);
    /* Removes it. Result: true when removed, false when it was not a member there. */
    void(SHD_CALL *leave)(void *gctx, shd_str name, shd_str uid, shd_str frontend_id, shd_global_channel_result_fn done,
                          void *user_data);
    /* Pomelo's getMembersBySid: the uids of the channel on one frontend, a JSON array of strings. */
    void(SHD_CALL *members_by_sid)(void *gctx, shd_str name, shd_str frontend_id, shd_global_channel_result_fn done,
                                   void *user_data);
    /* Pomelo's getMembersByChannelName: the uids of the channel on every frontend of that type,
     * one JSON array (a uid present on two frontends is listed twice, as in Pomelo). */
    void(SHD_CALL *members_by_channel_name)(void *gctx, shd_str frontend_type, shd_str name,
                                            shd_global_channel_result_fn done, void *user_data);
    /* Removes the channel on every server of the cluster. Result: null. */
    void(SHD_CALL *destroy_channel)(void *gctx, shd_str name, shd_global_channel_result_fn done, void *user_data);
    /* Pomelo's pushMessage(frontendType, route, msg, channelName): pushes route+body to every member
     * on the frontends of that type, one call per frontend. Result: the JSON array of uids not
     * reached (Pomelo's `fails`); SHD_ERR_UNSUPPORTED when no "shd.channel/1" is loaded here. */
    void(SHD_CALL *push_message)(void *gctx, shd_str frontend_type, shd_str route, shd_str body_json, shd_str name,
                                 shd_global_channel_result_fn done, void *user_data);
} shd_global_channel_service_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_GLOBAL_CHANNEL_H */
