/*
 * shaddock/ext/filter.h - service "shd.filter/1": handler filters and error handlers (Pomelo's
 * app.filter/before/after, app.globalFilter/globalBefore/globalAfter, errorHandler and
 * globalErrorHandler). Provided by the `server` plugin on every server that runs handlers.
 *
 * Two scopes, each with its own chains and error handler:
 *  - SHD_FILTER_LOCAL runs around a handler on the server that runs it (the frontend for its own
 *    routes, the backend for forwarded ones).
 *  - SHD_FILTER_GLOBAL runs on the frontend around the whole dispatch, before a request is handled
 *    here or forwarded. On a backend it is accepted and never runs.
 *
 * The order is Pomelo's: before filters in registration order, then the handler (or, globally, the
 * dispatch), then the error handler when the outcome is an error, then the after filters in reverse
 * registration order. A local request is answered after its after filters; a global one before its
 * after filters. A before filter that aborts skips the rest of the before chain and the handler; the
 * error handler and every after filter still run. After filters never change the response.
 *
 * Filters may finish later (after a timer, an RPC, ...): each gets a continuation to call exactly once.
 * Every request still gets exactly one response.
 *
 * Register filters in on_configure; one registered while requests are in flight applies to the
 * requests that start after it. All functions and callbacks: [logic].
 */
#ifndef SHADDOCK_EXT_FILTER_H
#define SHADDOCK_EXT_FILTER_H

#include <shaddock/abi.h>
#include <shaddock/ext/handler.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_FILTER_SERVICE_ID "shd.filter/1"

/* Scopes. */
#define SHD_FILTER_LOCAL 0
#define SHD_FILTER_GLOBAL 1

/* The continuation given to a filter or an error handler. Owned by the server plugin; valid until
 * `next` is called. */
typedef struct shd_filter_next_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    void *ctx;
    /* [logic] Call exactly once, now or later (a second call is ignored and logged).
     *  - Before filter: SHD_OK continues (body_json is ignored). Any other status aborts (Pomelo's
     *    next(err, resp)): the request is answered with body_json as an error response; the protocol
     *    adds "code":500 when the body has no code ("" means {}).
     *  - After filter: status and body_json are ignored.
     *  - Error handler: the response to send instead: status SHD_OK turns it into a normal answer. */
    void(SHD_CALL *next)(void *ctx, shd_status status, shd_str body_json);
    /* [logic] Before filters only, before calling next: replaces the message body that the following
     * filters and the handler see (Pomelo's filters change msg in place). SHD_ERR_INVALID when
     * body_json is not JSON; SHD_ERR_UNSUPPORTED from an after filter or an error handler. */
    shd_status(SHD_CALL *set_body)(void *ctx, shd_str body_json);
} shd_filter_next_v1;

/* A before filter. msg and session are borrowed for the call; copy what is kept. */
typedef void(SHD_CALL *shd_before_filter_fn)(void *user_data, const shd_inbound_msg_v1 *msg,
                                             const shd_session_view_v1 *session, const shd_filter_next_v1 *next);

/* An after filter: status is SHD_OK or the error of the outcome, response_json its body (borrowed). */
typedef void(SHD_CALL *shd_after_filter_fn)(void *user_data, shd_status status, const shd_inbound_msg_v1 *msg,
                                            const shd_session_view_v1 *session, shd_str response_json,
                                            const shd_filter_next_v1 *next);

/* An error handler: sees an error outcome (status != SHD_OK) and gives the response to send through
 * next (the same one to keep it). Not called for notifies (nobody receives their answer). */
typedef void(SHD_CALL *shd_error_handler_fn)(void *user_data, shd_status status, const shd_inbound_msg_v1 *msg,
                                             const shd_session_view_v1 *session, shd_str response_json,
                                             const shd_filter_next_v1 *next);

typedef struct shd_filter_service_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Appends a before filter to the scope. user_data stays owned by the caller and must stay valid
     * until the caller's on_destroy. SHD_ERR_INVALID for a NULL fn or an unknown scope. */
    shd_status(SHD_CALL *add_before)(void *sctx, int32_t scope, shd_before_filter_fn fn, void *user_data);

    /* Adds an after filter to the scope; it runs before the after filters registered earlier. */
    shd_status(SHD_CALL *add_after)(void *sctx, int32_t scope, shd_after_filter_fn fn, void *user_data);

    /* Adds a built-in filter, both halves (Pomelo's app.filter(pomelo.filters.<name>(...))):
     * "serial" {timeout=3000}, "time" {}, "timeout" {timeout=3000, maxSize=500},
     * "toobusy" {maxLag=70}; options_json is its options object ("" for the defaults).
     * SHD_ERR_NOT_FOUND for an unknown name, SHD_ERR_INVALID for bad options; the reason goes to
     * why(why_data, text) during the call when why is not NULL. */
    shd_status(SHD_CALL *add_builtin)(void *sctx, int32_t scope, shd_str name, shd_str options_json, shd_text_fn why,
                                      void *why_data);

    /* Sets the scope's error handler (errorHandler / globalErrorHandler); fn NULL removes it. */
    shd_status(SHD_CALL *set_error_handler)(void *sctx, int32_t scope, shd_error_handler_fn fn, void *user_data);
} shd_filter_service_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_FILTER_H */
