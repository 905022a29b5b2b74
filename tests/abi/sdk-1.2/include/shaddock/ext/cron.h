/*
 * shaddock/ext/cron.h - service "shd.cron/1": scheduled jobs (Pomelo's crons). Provided by the `cron`
 * plugin on the servers that load it.
 *
 * The plugin reads config/crons.json (Pomelo's format: environment -> server type -> list of
 * {"id", "time", "action", "serverId"?}) and keeps the entries of this server's type whose serverId is
 * this server or absent. "time" is a 6-field cron expression, seconds first, with pomelo-scheduler's
 * syntax and ranges (months 0-11, days of the week 0-6 with 0 = Sunday; docs/crons.md). "action" is
 * "cronFile.method"; the app registers a function under that name. Each cron runs on the logic thread
 * at every matching second of the server's local time.
 *
 * All functions and callbacks: [logic].
 */
#ifndef SHADDOCK_EXT_CRON_H
#define SHADDOCK_EXT_CRON_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_CRON_SERVICE_ID "shd.cron/1"

/* A cron action, run at each matching time. cron_json is the cron's entry as JSON (borrowed). */
typedef void(SHD_CALL *shd_cron_action_fn)(void *user_data, shd_str cron_json);

typedef struct shd_cron_service_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Registers the function of an action name "cronFile.method". SHD_ERR_EXISTS when the name is
     * taken; SHD_ERR_INVALID unless it has exactly two non-empty dot-separated parts. user_data stays
     * owned by the caller and must stay valid until the caller's on_destroy. A cron whose action is
     * not registered when it is due is skipped with a warning. */
    shd_status(SHD_CALL *add_action)(void *sctx, shd_str action, shd_cron_action_fn fn, void *user_data);

    /* Pomelo's app.addCrons: crons_json is a JSON array of entries as in crons.json; entries whose
     * serverId names another server are skipped. All or nothing: SHD_ERR_INVALID for a bad entry,
     * SHD_ERR_EXISTS for an id already scheduled, with the reason given to why(why_data, text) during
     * the call when why is not NULL. */
    shd_status(SHD_CALL *add_crons)(void *sctx, shd_str crons_json, shd_text_fn why, void *why_data);

    /* Pomelo's app.removeCrons: a JSON array of entries ({"id": ...}) or bare ids; unknown ids are
     * ignored. SHD_ERR_INVALID when crons_json is not an array. */
    shd_status(SHD_CALL *remove_crons)(void *sctx, shd_str crons_json);

    /* The scheduled crons as one JSON array of {"id", "time", "action", "next"} (next: the next run in
     * milliseconds since the epoch, or null when the expression matches no future second). */
    void(SHD_CALL *list)(void *sctx, shd_text_fn sink, void *user_data);
} shd_cron_service_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_CRON_H */
