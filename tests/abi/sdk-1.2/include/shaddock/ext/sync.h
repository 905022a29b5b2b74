/*
 * shaddock/ext/sync.h - service "shd.sync/1": write-behind persistence (pomelo-sync). Provided by the
 * `sync` plugin on the servers that load it; docs/persistence.md says what is durable when.
 *
 * The app registers writers: a key ("playerSync.updatePlayer") and one SQL statement with bound
 * parameters, named (":id", ":x") or positional ("?"). exec(key, id, value) queues a write of that
 * statement; writes queued under the same key and id merge (the last value wins) until the next write
 * to the database, every `interval` ms. Values are JSON: an object whose fields fill the named
 * parameters, or an array that fills the positional ones. Values are always bound, never spliced
 * into the SQL text.
 *
 * The database (SQLite by default, PostgreSQL when configured) is written from a thread of the plugin,
 * never the logic thread; completions and errors come back on the logic thread. While the database is
 * unreachable, writes stay queued and are retried with backoff; past the configured queue size, exec
 * answers SHD_ERR_BUSY. When the server stops, the plugin's stop completes only once every queued
 * write is in the database (or the host's stop deadline passes).
 *
 * All functions: [logic]. Completions: exactly once, on the logic thread, never inside the call.
 */
#ifndef SHADDOCK_EXT_SYNC_H
#define SHADDOCK_EXT_SYNC_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_SYNC_SERVICE_ID "shd.sync/1"

/* The end of a flush or sync: status SHD_OK once written; otherwise the reason is in message
 * (borrowed): SHD_ERR_BUSY (queue full), SHD_ERR_INVALID (a bad value, or the database refused the
 * statement), SHD_ERR_NOT_FOUND (no writer of that key), SHD_ERR_SHUTDOWN (the plugin has stopped). */
typedef void(SHD_CALL *shd_sync_done_fn)(void *user_data, shd_status status, shd_str message);

/* A write the database refused and that is dropped (a constraint, a type, an error in the SQL): the
 * writer's key, the id given to exec and the database's message, all borrowed. */
typedef void(SHD_CALL *shd_sync_error_fn)(void *user_data, shd_str key, shd_str id, shd_status status, shd_str message);

typedef struct shd_sync_service_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Registers a writer: `key` names it, `sql` is one statement with named (":name") or positional
     * ("?") parameters, not both. SHD_ERR_EXISTS when the key is taken; SHD_ERR_INVALID for an empty
     * key or a statement the plugin cannot use, with the reason given to why(why_data, text) during the
     * call when why is not NULL. */
    shd_status(SHD_CALL *add_writer)(void *sctx, shd_str key, shd_str sql, shd_text_fn why, void *why_data);

    /* pomelo-sync's exec: queues a write of writer `key` with value_json (an object for named
     * parameters, an array for positional ones), merged with a queued write of the same key and id
     * (the last value wins). SHD_OK when queued; SHD_ERR_BUSY when the queue is full and nothing of
     * this key and id is waiting (a merge is always accepted); SHD_ERR_NOT_FOUND for an unknown key;
     * SHD_ERR_INVALID for a value that does not fill the statement; SHD_ERR_SHUTDOWN once the plugin
     * has stopped. The reason of an error goes to why during the call when why is not NULL. */
    shd_status(SHD_CALL *exec)(void *sctx, shd_str key, shd_str id, shd_str value_json, shd_text_fn why,
                               void *why_data);

    /* pomelo-sync's flush: as exec, then writes now instead of at the next interval. done runs once
     * this write (or a later value of the same key and id) is in the database, or with the error. */
    void(SHD_CALL *flush)(void *sctx, shd_str key, shd_str id, shd_str value_json, shd_sync_done_fn done,
                          void *user_data);

    /* pomelo-sync's sync: writes everything queued now; done runs once every write queued before the
     * call is in the database (or dropped as refused: see set_error_handler). */
    void(SHD_CALL *sync)(void *sctx, shd_sync_done_fn done, void *user_data);

    /* pomelo-sync's isDone: 1 when no write is queued or being written, else 0. */
    int32_t(SHD_CALL *is_done)(void *sctx);

    /* Sets the function told of each write the database refused (it is dropped, never retried); NULL
     * clears it. user_data stays owned by the caller, who clears the handler before freeing it. Each
     * refused write is also logged (key, id and the database's message; never the value). */
    shd_status(SHD_CALL *set_error_handler)(void *sctx, shd_sync_error_fn fn, void *user_data);

    /* The figures as JSON, to sink during the call: {"database", "connected", "queued", "writing",
     * "accepted", "merged", "written", "refused", "busy", "retries"}. */
    void(SHD_CALL *stats)(void *sctx, shd_text_fn sink, void *user_data);
} shd_sync_service_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_SYNC_H */
