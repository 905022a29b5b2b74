/*
 * shaddock/abi.h - the Shaddock SDK ABI, version 1.
 *
 * This header is the whole contract between the host process (shaddock-host) and the shared libraries
 * it loads: plugins (features such as the connector or the RPC transport) and the app (game logic).
 * It is plain C11 so that any compiler and any language with a C FFI can build against it; the C++
 * wrapper in shaddock/cpp/ is compiled into each plugin and never crosses this boundary.
 *
 * Versioning rules (never break these inside a major):
 *  - SHD_ABI_MAJOR is part of every entry symbol name (shd_plugin_entry_v1). A break needs a new major.
 *  - SHD_ABI_MINOR grows when something is appended. Allowed in a minor: appending fields at the end of
 *    a struct that starts with struct_size, new status and log values, new service ids.
 *    Forbidden: reordering, removing or retyping members, changing the meaning of a member.
 *  - Every struct that crosses starts with {struct_size, abi_major, abi_minor}. A reader checks
 *    SHD_HAS_FIELD() before it touches a member appended after 1.0.
 *  - A plugin states the oldest host minor it needs in min_host_minor; an older host refuses it before
 *    running any of its code (the value is also in the manifest section, see shd_manifest_v1).
 *
 * Threads. Every function documents where it may be called:
 *  - [logic]: the server's single logic thread. All plugin and app callbacks (lifecycle, posted tasks,
 *    timers, events, service calls made by other plugins) run there, never concurrently, so app code
 *    needs no locks. A plugin that owns I/O threads hands work back with post().
 *  - [any]: any thread, including threads a plugin created itself.
 *
 * Ownership:
 *  - shd_str and shd_bytes are borrowed views, valid only for the duration of the call that passes
 *    them; the receiver copies what it keeps. They are UTF-8 and not NUL-terminated unless stated.
 *  - The side that creates a thing destroys it. Nothing allocated on one side is freed on the other.
 *  - Every callback registered with a user_data pointer is called exactly once with a final status
 *    (interval timers and event subscriptions: once per occurrence, then exactly once with the final
 *    status), so the registrant always knows when it may free user_data.
 *  - No exception, longjmp or C++ object ever crosses this boundary.
 */
#ifndef SHADDOCK_ABI_H
#define SHADDOCK_ABI_H

#include <stddef.h>
#include <stdint.h>

#define SHD_ABI_MAJOR 1
#define SHD_ABI_MINOR 2

#if defined(_WIN32)
#define SHD_EXPORT __declspec(dllexport)
#define SHD_CALL __cdecl
#else
#define SHD_EXPORT __attribute__((visibility("default")))
#define SHD_CALL
#endif

/* True when a struct whose reported size is `size` contains `member` (for fields appended later). */
#define SHD_HAS_FIELD(type, size, member) \
    ((size_t)(size) >= offsetof(type, member) + sizeof(((type *)0)->member))

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------------
 * Status codes. Values never change meaning; treat an unknown non-zero value as a generic error.
 * ---------------------------------------------------------------------------------------------- */
typedef int32_t shd_status;
#define SHD_OK 0
#define SHD_ERR_INVALID 1     /* a bad argument or bad input */
#define SHD_ERR_UNSUPPORTED 2 /* the call or option is not supported by this side */
#define SHD_ERR_INTERNAL 3    /* a bug or an unexpected failure (e.g. a C++ exception was caught) */
#define SHD_ERR_BUSY 4        /* a queue or resource is full; retry later */
#define SHD_ERR_NOT_FOUND 5   /* no such service, file, session, route, ... */
#define SHD_ERR_CANCELLED 6   /* final status of a cancelled timer, subscription or task */
#define SHD_ERR_TIMEOUT 7     /* a deadline passed */
#define SHD_ERR_EXISTS 8      /* already registered or already bound */
#define SHD_ERR_SHUTDOWN 9    /* the host is stopping; the work was not done */
#define SHD_ERR_IO 10         /* a network or file error */

/* Log levels. */
#define SHD_LOG_TRACE 0
#define SHD_LOG_DEBUG 1
#define SHD_LOG_INFO 2
#define SHD_LOG_WARN 3
#define SHD_LOG_ERROR 4

/* Borrowed views (see Ownership above). */
typedef struct shd_str {
    const char *data;
    size_t size;
} shd_str;

typedef struct shd_bytes {
    const uint8_t *data;
    size_t size;
} shd_bytes;

/* The host's per-module context. Opaque; owned by the host; valid until the module's on_destroy
 * returns. */
typedef struct shd_host_ctx shd_host_ctx;

/* A task or completion callback. Called exactly once, on the logic thread, with SHD_OK when the work
 * ran or with a final error (SHD_ERR_CANCELLED, SHD_ERR_SHUTDOWN, ...) when it never will. */
typedef void(SHD_CALL *shd_task_fn)(void *user_data, shd_status status);

/* Receives a borrowed text (for example a config file's JSON). Called during the call that takes it. */
typedef void(SHD_CALL *shd_text_fn)(void *user_data, shd_str text);

/* An event delivery [logic]: `name` and `payload_json` are borrowed. */
typedef void(SHD_CALL *shd_event_fn)(void *user_data, shd_str name, shd_str payload_json);

/* Releases the user_data of a subscription: called exactly once, after the last delivery. */
typedef void(SHD_CALL *shd_release_fn)(void *user_data);

/* ------------------------------------------------------------------------------------------------
 * This server's identity, from master.json / servers.json. Host-owned; valid until on_destroy.
 * ---------------------------------------------------------------------------------------------- */
typedef struct shd_server_info {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    shd_str id;          /* "connector-server-1" */
    shd_str type;        /* "connector"; "master" for the master */
    shd_str env;         /* "development", "production", ... */
    shd_str app_dir;     /* the app directory holding config/ (absolute path) */
    shd_str host;        /* the server's "host" key; empty when absent */
    int32_t port;        /* RPC port ("port"); 0 when absent */
    int32_t client_port; /* "clientPort"; 0 when absent */
    int32_t frontend;    /* 1 for frontend servers, else 0 */
    int32_t is_master;   /* 1 for the master process, else 0 */
    shd_str server_json; /* the server's whole entry as JSON text, custom keys included */
} shd_server_info;

/* ------------------------------------------------------------------------------------------------
 * The host API: what a plugin or app may call. One table per loaded module (ctx differs);
 * the functions are shared. Valid from the entry call until the module's on_destroy returns.
 * ---------------------------------------------------------------------------------------------- */
typedef struct shd_host_api {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    shd_host_ctx *ctx;

    /* This server's identity. */
    const shd_server_info *server;

    /* This module's own "options" object from plugins.json, as JSON text ("{}" when absent). */
    shd_str options_json;

    /* [any] Writes one log line, tagged with the module name, to the console and the server's file. */
    void(SHD_CALL *log)(shd_host_ctx *ctx, int32_t level, shd_str message);

    /* [any] Records why the current call failed; the host copies the message immediately and shows it
     * with the file name and the phase when the module's callback returns an error. */
    void(SHD_CALL *report_error)(shd_host_ctx *ctx, shd_status status, shd_str message);

    /* [any] Runs fn(user_data, SHD_OK) on the logic thread. If the host stops first, fn runs once with
     * SHD_ERR_SHUTDOWN instead. Returns SHD_ERR_SHUTDOWN, without ever calling fn, once the host has
     * stopped accepting work. */
    shd_status(SHD_CALL *post)(shd_host_ctx *ctx, shd_task_fn fn, void *user_data);

    /* [logic] Starts a timer. One-shot (interval_ms == 0): fn runs once with SHD_OK after delay_ms, or
     * once with SHD_ERR_CANCELLED if cancelled or the host stops first. Interval: fn runs with SHD_OK
     * after delay_ms and then every interval_ms, and finally exactly once with SHD_ERR_CANCELLED.
     * The id is never reused within a process. */
    shd_status(SHD_CALL *timer_start)(shd_host_ctx *ctx, uint64_t delay_ms, uint64_t interval_ms,
                                      shd_task_fn fn, void *user_data, uint64_t *out_timer_id);

    /* [logic] Cancels a timer. Its final callback runs later on the logic thread, never inside this
     * call. Returns SHD_ERR_NOT_FOUND for an unknown or already finished timer. */
    shd_status(SHD_CALL *timer_cancel)(shd_host_ctx *ctx, uint64_t timer_id);

    /* [logic] Publishes a service under an id such as "shd.rpc/1". `vtable` is a C table of function
     * pointers whose layout the id defines (it starts with struct_size/abi_major/abi_minor);
     * `service_ctx` is passed back to its functions. Both stay owned by the provider and must remain
     * valid until the provider's on_destroy. Only ids the module declared in `provides` may be
     * registered (SHD_ERR_INVALID otherwise); an id registered twice gives SHD_ERR_EXISTS. */
    shd_status(SHD_CALL *register_service)(shd_host_ctx *ctx, shd_str id, const void *vtable,
                                           void *service_ctx);

    /* [logic] Finds a service. Providers are configured before the modules that require them, so a
     * required service is available from on_configure on. SHD_ERR_NOT_FOUND when absent. */
    shd_status(SHD_CALL *lookup_service)(shd_host_ctx *ctx, shd_str id, const void **out_vtable,
                                         void **out_service_ctx);

    /* [logic] Reads a config file of the app ("servers.json", "dictionary.json", ...) with Pomelo's
     * environment resolution: config/<name> (only its <env> member when it has one), else
     * config/<env>/<name>. The resolved JSON text goes to sink during this call.
     * SHD_ERR_NOT_FOUND when neither file exists; SHD_ERR_INVALID (with a logged reason naming the
     * file) when it is not valid JSON. */
    shd_status(SHD_CALL *read_config)(shd_host_ctx *ctx, shd_str file_name, shd_text_fn sink,
                                      void *user_data);

    /* [logic] Subscribes to a named event ("start_all", "close_session", ...). fn runs on the logic
     * thread for each emit; release runs exactly once after the last delivery (on unsubscribe or at
     * host stop). */
    shd_status(SHD_CALL *subscribe)(shd_host_ctx *ctx, shd_str name, shd_event_fn fn,
                                    shd_release_fn release, void *user_data,
                                    uint64_t *out_subscription_id);

    /* [logic] Ends a subscription; release runs later on the logic thread. */
    shd_status(SHD_CALL *unsubscribe)(shd_host_ctx *ctx, uint64_t subscription_id);

    /* [logic] Delivers an event to every subscriber, later on the logic thread (never re-entrantly).
     * The host copies name and payload. */
    shd_status(SHD_CALL *emit)(shd_host_ctx *ctx, shd_str name, shd_str payload_json);

    /* [any] Asks the host to stop this server (as SIGTERM does). `reason` is logged. */
    void(SHD_CALL *request_stop)(shd_host_ctx *ctx, shd_str reason);

    /* [any] Milliseconds of a monotonic clock. */
    uint64_t(SHD_CALL *now_ms)(shd_host_ctx *ctx);

    /* ---- 1.1 ---- */

    /* [logic] @since 1.1. Every server of the app's configuration as one JSON array: the master of
     * master.json first (if any), then servers.json in file order with clusterCount entries expanded
     * (ids "cluster-server-<type>-<k>", "++" ports counted up); each entry has "serverType". The text
     * goes to sink during the call. Check SHD_HAS_FIELD(shd_host_api, api->struct_size, list_servers)
     * before calling: a 1.0 host has no such field. */
    shd_status(SHD_CALL *list_servers)(shd_host_ctx *ctx, shd_text_fn sink, void *user_data);
} shd_host_api;

/* ------------------------------------------------------------------------------------------------
 * What a plugin fills in. The host zeroes the struct and sets struct_size to the size it knows; the
 * plugin fills at most that many bytes and writes back the size it filled.
 * ---------------------------------------------------------------------------------------------- */
typedef struct shd_plugin {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint16_t min_host_minor; /* the oldest host ABI minor this plugin works with */
    uint16_t reserved;       /* zero */
    const char *name;        /* NUL-terminated, static storage: "connector" */
    const char *version;     /* NUL-terminated, static storage: "1.0.0" */
    const char *provides;    /* space-separated service ids, static storage; "" for none */
    const char *required;    /* space-separated service ids, static storage; "" for none */
    void *ctx;               /* the plugin instance, passed to every callback */

    /* [logic] Reads options, registers services. An error stops the server's startup. */
    shd_status(SHD_CALL *on_configure)(void *ctx);
    /* [logic] Starts work (listening sockets, threads). An error stops the server's startup. */
    shd_status(SHD_CALL *on_start)(void *ctx);
    /* [logic] Begins to stop. The plugin calls done(done_data, status) exactly once, now or later on
     * the logic thread, when it has stopped (threads joined, sockets closed). The host waits up to the
     * stop deadline. */
    void(SHD_CALL *on_stop)(void *ctx, shd_task_fn done, void *done_data);
    /* [logic] Frees the instance. No call reaches the plugin after this. */
    void(SHD_CALL *on_destroy)(void *ctx);
} shd_plugin;

/* Size of shd_plugin in ABI 1.0: the smallest struct_size a host accepts. */
#define SHD_PLUGIN_V1_0_SIZE (offsetof(shd_plugin, on_destroy) + sizeof(void (*)(void *)))

/* ------------------------------------------------------------------------------------------------
 * What an app fills in. Same rules as shd_plugin. One app per server process.
 * ---------------------------------------------------------------------------------------------- */
typedef struct shd_app {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint16_t min_host_minor;
    uint16_t reserved;
    const char *name;
    const char *version;
    const char *required; /* space-separated service ids the app needs; "" for none */
    void *ctx;

    /* [logic] After every plugin is configured: register handlers, remotes, filters. */
    shd_status(SHD_CALL *on_configure)(void *ctx);
    /* [logic] After every plugin has started (Pomelo's afterStartup). */
    shd_status(SHD_CALL *on_start)(void *ctx);
    /* [logic] Once the whole cluster is up (Pomelo's afterStartAll); on a lone server, right after
     * on_start. */
    void(SHD_CALL *on_start_all)(void *ctx);
    /* [logic] Pomelo's beforeShutdown: call done exactly once when ready to stop. */
    void(SHD_CALL *on_stop)(void *ctx, shd_task_fn done, void *done_data);
    /* [logic] Frees the instance. */
    void(SHD_CALL *on_destroy)(void *ctx);
} shd_app;

#define SHD_APP_V1_0_SIZE (offsetof(shd_app, on_destroy) + sizeof(void (*)(void *)))

/* ------------------------------------------------------------------------------------------------
 * Entry points. A plugin exports shd_plugin_entry_v1, an app shd_app_entry_v1 (and nothing else).
 * [logic] Must be cheap: allocate the instance and fill `out`; real work waits for on_configure.
 * Return SHD_OK, or an error (after report_error) to refuse loading.
 * ---------------------------------------------------------------------------------------------- */
typedef shd_status(SHD_CALL *shd_plugin_entry_fn)(const shd_host_api *host, shd_plugin *out);
typedef shd_status(SHD_CALL *shd_app_entry_fn)(const shd_host_api *host, shd_app *out);

#define SHD_PLUGIN_ENTRY_SYMBOL "shd_plugin_entry_v1"
#define SHD_APP_ENTRY_SYMBOL "shd_app_entry_v1"

/* ------------------------------------------------------------------------------------------------
 * The manifest: facts the host reads from the file before running any code of the library.
 * Every plugin and app places exactly one in the ELF section ".shd_manifest" (SHD_MANIFEST below
 * does it). Strings are NUL-padded; readers must not assume a terminating NUL.
 * ---------------------------------------------------------------------------------------------- */
#define SHD_MANIFEST_SECTION ".shd_manifest"
#define SHD_MANIFEST_MAGIC "SHDMAN1"
#define SHD_KIND_PLUGIN 1
#define SHD_KIND_APP 2

typedef struct shd_manifest_v1 {
    char magic[8]; /* SHD_MANIFEST_MAGIC, NUL-terminated */
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint16_t min_host_minor;
    uint16_t kind; /* SHD_KIND_PLUGIN or SHD_KIND_APP */
    uint32_t reserved;
    char name[64];
    char version[32];
    char provides[448]; /* space-separated service ids */
    char required[448];
} shd_manifest_v1;

#if defined(__GNUC__) || defined(__clang__)
#define SHD_MANIFEST_ATTRIBUTES __attribute__((section(".shd_manifest"), used, aligned(8)))
#else
#define SHD_MANIFEST_ATTRIBUTES
#endif

/* Places this library's manifest. Use once per library, at file scope. */
#define SHD_MANIFEST(KIND, NAME, VERSION, MIN_HOST_MINOR, PROVIDES, REQUIRED)                      \
    SHD_MANIFEST_ATTRIBUTES const shd_manifest_v1 shd_library_manifest = {                         \
        SHD_MANIFEST_MAGIC, (uint32_t)sizeof(shd_manifest_v1), SHD_ABI_MAJOR, SHD_ABI_MINOR,       \
        (uint16_t)(MIN_HOST_MINOR), (uint16_t)(KIND), 0u, NAME, VERSION, PROVIDES, REQUIRED}

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_ABI_H */
