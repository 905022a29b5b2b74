/* Shared by the raw-C fault plugins: a shd_str from a C string, and a complete, valid ABI 1.0
 * descriptor whose lifecycle functions do nothing, for faults that break one thing only. */
#ifndef SHD_TESTS_FAULT_COMMON_H
#define SHD_TESTS_FAULT_COMMON_H

#include <shaddock/abi.h>

#include <string.h>

static inline shd_str fault_text(const char *s) {
    shd_str out = {s, strlen(s)};
    return out;
}

static inline shd_status SHD_CALL fault_ok(void *ctx) {
    (void)ctx;
    return SHD_OK;
}

static inline void SHD_CALL fault_stop(void *ctx, shd_task_fn done, void *done_data) {
    (void)ctx;
    done(done_data, SHD_OK);
}

static inline void SHD_CALL fault_destroy(void *ctx) {
    (void)ctx;
}

static inline shd_plugin fault_descriptor(const char *name) {
    shd_plugin p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.abi_major = SHD_ABI_MAJOR;
    p.abi_minor = SHD_ABI_MINOR;
    p.name = name;
    p.version = "1.0.0";
    p.provides = "";
    p.required = "";
    p.on_configure = fault_ok;
    p.on_start = fault_ok;
    p.on_stop = fault_stop;
    p.on_destroy = fault_destroy;
    return p;
}

#endif /* SHD_TESTS_FAULT_COMMON_H */
