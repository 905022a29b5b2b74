/*
 * shaddock/ext/greeting.h - service "shd.example.greeting/1", provided by the example plugin
 * `greeter`. It exists to show how a plugin publishes a C vtable that other modules look up by id;
 * every real service (shd.protocol/1, shd.rpc/1, ...) follows the same shape.
 */
#ifndef SHADDOCK_EXT_GREETING_H
#define SHADDOCK_EXT_GREETING_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_GREETING_SERVICE_ID "shd.example.greeting/1"

typedef struct shd_greeting_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    /* [logic] Builds a greeting for `name` and hands it to sink during the call. */
    shd_status(SHD_CALL *greet)(void *service_ctx, shd_str name, shd_text_fn sink, void *user_data);
    /* [logic] How many greetings were made so far. */
    uint64_t(SHD_CALL *count)(void *service_ctx);
} shd_greeting_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_GREETING_H */
