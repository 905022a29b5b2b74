/*
 * shaddock/ext/status.h - service "shd.status/1": who is online, on which frontends, across the
 * whole cluster (pomelo-status-plugin's statusService, POMELO.md 6.2).
 *
 * Provided by the `status` plugin (plugins/status), which keeps the status in Redis with Pomelo's
 * layout: one set per uid, key "<prefix>:<uid>", holding the ids of the frontend servers where that
 * uid has at least one bound session. Frontends running the plugin update it on every bind, unbind
 * and session close; any server running it can query it.
 *
 * Every call is asynchronous: Redis is reached off the logic thread. Results go to `done` exactly
 * once, later on the logic thread, never inside the call, with a status and a JSON text (borrowed
 * during the callback). A Redis that cannot be reached answers SHD_ERR_IO (SHD_ERR_TIMEOUT when it
 * did not answer in time), never waits; SHD_ERR_INVALID for malformed arguments.
 *
 * All functions: [logic]. New after ABI 1.1: a new table, nothing existing changed (docs/abi.md).
 */
#ifndef SHADDOCK_EXT_STATUS_H
#define SHADDOCK_EXT_STATUS_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_STATUS_SERVICE_ID "shd.status/1"

/* A status call's outcome: status and, on SHD_OK, its result as JSON (see each call). */
typedef void(SHD_CALL *shd_status_result_fn)(void *user_data, shd_status status, shd_str result_json);

typedef struct shd_status_service_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Pomelo's getSidsByUid: the frontend server ids holding the uid's sessions, as a JSON array of
     * strings ([] when offline). */
    void(SHD_CALL *sids_by_uid)(void *sctx, shd_str uid, shd_status_result_fn done, void *user_data);
    /* Pomelo's getStatusByUid: true or false. */
    void(SHD_CALL *status_by_uid)(void *sctx, shd_str uid, shd_status_result_fn done, void *user_data);
    /* Pomelo's getStatusByUids: uids_json is a JSON array of strings; the result is an object
     * {"<uid>": true|false, ...}. */
    void(SHD_CALL *status_by_uids)(void *sctx, shd_str uids_json, shd_status_result_fn done, void *user_data);
    /* Pomelo's pushByUids: pushes route+body to every session of each listed uid, on whatever
     * frontends hold them (one call per frontend, through "shd.channel/1"). The result is the JSON
     * array of uids not reached (offline, or their frontend failed), like a channel push's `fails`;
     * SHD_ERR_UNSUPPORTED when no "shd.channel/1" is loaded on this server. */
    void(SHD_CALL *push_by_uids)(void *sctx, shd_str uids_json, shd_str route, shd_str body_json,
                                 shd_status_result_fn done, void *user_data);
} shd_status_service_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_STATUS_H */
