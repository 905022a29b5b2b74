/*
 * greeter/greeting.h - service "shd.example.greeting/1", provided by the example plugin `greeter`
 * (plugins/greeter) and used by the example app apps/hello. It exists to show how a plugin publishes
 * a C vtable that other modules look up by id; every real service (shd.protocol/1, shd.rpc/1, ...)
 * follows the same shape, with its header in the SDK (shaddock/ext/).
 *
 * An example, not part of the SDK: it lives with the plugin that provides it, and a module that
 * uses the service adds plugins/greeter/include to its include path. It was released in the SDK as
 * shaddock/ext/greeting.h with ABI 1.0 and 1.1 (tests/abi/sdk-1.*), so its layout is still frozen
 * (tests/abi/layout_v1_0.h) and checked by the abidiff gate, and the include guard is unchanged.
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
