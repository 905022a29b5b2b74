/*
 * shaddock/ext/settings.h - service "shd.settings/1": Pomelo's app settings (app.set / app.get /
 * enable / disable / enabled), one map per server process shared by every plugin and the app.
 *
 * Built into the host (no plugin provides it, no manifest needs to list it): every module finds it
 * with lookup_service from its entry call on. Keys are any non-empty text; values are JSON values,
 * stored as canonical JSON text (so a value set as `1.50` reads back as `1.5`).
 *
 * The host sets these before any module is loaded (Pomelo's defaults; modules may overwrite them):
 *   "env"         the environment ("development")
 *   "base"        the app directory (Pomelo's app.getBase())
 *   "serverId"    this server's id
 *   "serverType"  this server's type ("master" on the master)
 *   "curServer"   this server's entry of servers.json / master.json
 *   "master"      the master's entry of master.json (absent without one)
 *   "stopTimeout" the host's stop deadline in milliseconds (--stop-timeout)
 *
 * All functions: [logic].
 */
#ifndef SHADDOCK_EXT_SETTINGS_H
#define SHADDOCK_EXT_SETTINGS_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_SETTINGS_SERVICE_ID "shd.settings/1"

typedef struct shd_settings_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    /* Stores one JSON value under key, replacing any previous value. SHD_ERR_INVALID for an empty
     * key or a value that is not exactly one JSON value. */
    shd_status(SHD_CALL *set)(void *sctx, shd_str key, shd_str value_json);
    /* The value under key, as JSON text, to sink during the call; SHD_ERR_NOT_FOUND when unset. */
    shd_status(SHD_CALL *get)(void *sctx, shd_str key, shd_text_fn sink, void *user_data);
    /* Forgets key; SHD_ERR_NOT_FOUND when unset. */
    shd_status(SHD_CALL *remove)(void *sctx, shd_str key);
    /* Every setting as one JSON object, keys sorted, to sink during the call. */
    void(SHD_CALL *all)(void *sctx, shd_text_fn sink, void *user_data);
} shd_settings_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_SETTINGS_H */
