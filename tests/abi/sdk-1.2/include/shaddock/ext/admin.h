/*
 * shaddock/ext/admin.h - service "shd.admin/1": admin modules (Pomelo's app.registerAdmin), small named
 * handlers that the cluster's operators call from the `shaddock` CLI through the master
 * (`shaddock module call NAME [SERVER] [JSON]`, docs/operations.md "Admin console").
 *
 * Built into the host (no plugin provides it, no manifest needs to list it): every module finds it
 * with lookup_service from its entry call on. One registry per server process; the cluster plugin
 * answers the master's console requests from it, and the host, the cluster plugin, the connector and
 * the cron plugin register the built-in modules (components, systemInfo, nodeInfo, monitorLog,
 * watchServer, settings, blacklist, cron).
 *
 * A module takes one JSON value (the request) and answers one JSON value, synchronously, on the logic
 * thread. There is deliberately no way to run code sent by the caller: Pomelo's `scripts` module, which
 * ran JavaScript from the admin console on any server, is remote code execution and has no equivalent.
 * A module must treat the request as hostile (any JSON value, up to 64 KiB) and keep its answer small
 * (the cluster refuses answers over 256 KiB).
 *
 * Names: 1 to 64 bytes of [A-Za-z0-9_.-]. Modules start enabled; `shaddock module disable NAME`
 * disables one (calls are refused with SHD_ERR_UNSUPPORTED until it is enabled again).
 *
 * All functions and handlers: [logic].
 */
#ifndef SHADDOCK_EXT_ADMIN_H
#define SHADDOCK_EXT_ADMIN_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_ADMIN_SERVICE_ID "shd.admin/1"

/* A module's handler. request_json is one JSON value (borrowed for the call). The handler calls
 * answer(answer_data, text) at most once during the call: with one JSON value when it returns SHD_OK,
 * or with a one-line error message when it returns an error (SHD_ERR_INVALID for a bad request, ...).
 * Nothing answered with SHD_OK means the answer is null. */
typedef shd_status(SHD_CALL *shd_admin_handler_fn)(void *user_data, shd_str request_json, shd_text_fn answer,
                                                   void *answer_data);

typedef struct shd_admin_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    /* Registers a module. description is one line for `shaddock module list` (copied). user_data stays
     * owned by the caller and must stay valid until unregister_module or the caller's on_destroy;
     * a module that stops before the others should unregister in its on_stop. SHD_ERR_INVALID for a
     * bad name or a NULL handler, SHD_ERR_EXISTS when the name is taken. */
    shd_status(SHD_CALL *register_module)(void *actx, shd_str name, shd_str description, shd_admin_handler_fn fn,
                                          void *user_data);
    /* Forgets a module; SHD_ERR_NOT_FOUND when unknown. */
    shd_status(SHD_CALL *unregister_module)(void *actx, shd_str name);
    /* Calls a module: its answer (a JSON value, or the error message) goes to answer(answer_data, text)
     * during the call. SHD_ERR_NOT_FOUND for an unknown module, SHD_ERR_UNSUPPORTED for a disabled one,
     * SHD_ERR_INVALID when request_json is not one JSON value, else the handler's status. */
    shd_status(SHD_CALL *call)(void *actx, shd_str name, shd_str request_json, shd_text_fn answer, void *answer_data);
    /* Every module as one JSON array, sorted by name, to sink during the call:
     * [{"name":"nodeInfo","description":"...","enabled":true}]. */
    void(SHD_CALL *list)(void *actx, shd_text_fn sink, void *user_data);
    /* Enables (enabled != 0) or disables a module; SHD_ERR_NOT_FOUND when unknown. */
    shd_status(SHD_CALL *set_enabled)(void *actx, shd_str name, int32_t enabled);
} shd_admin_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_ADMIN_H */
