/*
 * tests/abi/layout_v1_0.h - the frozen memory layout of every ABI 1.0 struct on LP64 targets
 * (x86_64, aarch64): size, alignment, and the offset and size of each member, in bytes.
 *
 * The numbers were computed once from sdk/include/shaddock/abi.h at the 1.0 release and are written
 * here as literals. They must never change: a plugin built against 1.0 reads these offsets forever.
 * A later minor may only append members, which leaves every number below intact (only the new
 * members and sizeof grow, which is why the size of a `grows` struct is checked with >=). When 1.1 is
 * released, copy this file to layout_v1_1.h with the new members added.
 *
 * SHD_LAYOUT_V1_0(STRUCT, MEMBER) is an X-macro table: STRUCT(type, size, align, growth) and
 * MEMBER(type, member, offset, size). Including this header checks the table at compile time, in C11
 * and in C++; layout_v1_0_test.cpp walks the same table at run time and names any mismatch.
 */
#ifndef SHD_TESTS_LAYOUT_V1_0_H
#define SHD_TESTS_LAYOUT_V1_0_H

#include <shaddock/abi.h>
/* Released in the SDK as shaddock/ext/greeting.h (1.0, 1.1); now the example plugin's header. */
#include <greeter/greeting.h>

#include <assert.h> /* static_assert in C11 */
#include <stddef.h>

#if !defined(__LP64__) || !(defined(__x86_64__) || defined(__aarch64__))
#error "layout_v1_0.h holds the LP64 layout (x86_64, aarch64); add a table for this target"
#endif

/* The smallest descriptors an ABI 1.0 host accepts (SHD_PLUGIN_V1_0_SIZE, SHD_APP_V1_0_SIZE). */
#define SHD_LAYOUT_V1_0_PLUGIN_SIZE 88
#define SHD_LAYOUT_V1_0_APP_SIZE 88

#define SHD_LAYOUT_V1_0(STRUCT, MEMBER)            \
    STRUCT(shd_str, 16, 8, exact)                  \
    MEMBER(shd_str, data, 0, 8)                    \
    MEMBER(shd_str, size, 8, 8)                    \
    STRUCT(shd_bytes, 16, 8, exact)                \
    MEMBER(shd_bytes, data, 0, 8)                  \
    MEMBER(shd_bytes, size, 8, 8)                  \
    STRUCT(shd_server_info, 120, 8, grows)         \
    MEMBER(shd_server_info, struct_size, 0, 4)     \
    MEMBER(shd_server_info, abi_major, 4, 2)       \
    MEMBER(shd_server_info, abi_minor, 6, 2)       \
    MEMBER(shd_server_info, id, 8, 16)             \
    MEMBER(shd_server_info, type, 24, 16)          \
    MEMBER(shd_server_info, env, 40, 16)           \
    MEMBER(shd_server_info, app_dir, 56, 16)       \
    MEMBER(shd_server_info, host, 72, 16)          \
    MEMBER(shd_server_info, port, 88, 4)           \
    MEMBER(shd_server_info, client_port, 92, 4)    \
    MEMBER(shd_server_info, frontend, 96, 4)       \
    MEMBER(shd_server_info, is_master, 100, 4)     \
    MEMBER(shd_server_info, server_json, 104, 16)  \
    STRUCT(shd_host_api, 144, 8, grows)            \
    MEMBER(shd_host_api, struct_size, 0, 4)        \
    MEMBER(shd_host_api, abi_major, 4, 2)          \
    MEMBER(shd_host_api, abi_minor, 6, 2)          \
    MEMBER(shd_host_api, ctx, 8, 8)                \
    MEMBER(shd_host_api, server, 16, 8)            \
    MEMBER(shd_host_api, options_json, 24, 16)     \
    MEMBER(shd_host_api, log, 40, 8)               \
    MEMBER(shd_host_api, report_error, 48, 8)      \
    MEMBER(shd_host_api, post, 56, 8)              \
    MEMBER(shd_host_api, timer_start, 64, 8)       \
    MEMBER(shd_host_api, timer_cancel, 72, 8)      \
    MEMBER(shd_host_api, register_service, 80, 8)  \
    MEMBER(shd_host_api, lookup_service, 88, 8)    \
    MEMBER(shd_host_api, read_config, 96, 8)       \
    MEMBER(shd_host_api, subscribe, 104, 8)        \
    MEMBER(shd_host_api, unsubscribe, 112, 8)      \
    MEMBER(shd_host_api, emit, 120, 8)             \
    MEMBER(shd_host_api, request_stop, 128, 8)     \
    MEMBER(shd_host_api, now_ms, 136, 8)           \
    STRUCT(shd_plugin, 88, 8, grows)               \
    MEMBER(shd_plugin, struct_size, 0, 4)          \
    MEMBER(shd_plugin, abi_major, 4, 2)            \
    MEMBER(shd_plugin, abi_minor, 6, 2)            \
    MEMBER(shd_plugin, min_host_minor, 8, 2)       \
    MEMBER(shd_plugin, reserved, 10, 2)            \
    MEMBER(shd_plugin, name, 16, 8)                \
    MEMBER(shd_plugin, version, 24, 8)             \
    MEMBER(shd_plugin, provides, 32, 8)            \
    MEMBER(shd_plugin, required, 40, 8)            \
    MEMBER(shd_plugin, ctx, 48, 8)                 \
    MEMBER(shd_plugin, on_configure, 56, 8)        \
    MEMBER(shd_plugin, on_start, 64, 8)            \
    MEMBER(shd_plugin, on_stop, 72, 8)             \
    MEMBER(shd_plugin, on_destroy, 80, 8)          \
    STRUCT(shd_app, 88, 8, grows)                  \
    MEMBER(shd_app, struct_size, 0, 4)             \
    MEMBER(shd_app, abi_major, 4, 2)               \
    MEMBER(shd_app, abi_minor, 6, 2)               \
    MEMBER(shd_app, min_host_minor, 8, 2)          \
    MEMBER(shd_app, reserved, 10, 2)               \
    MEMBER(shd_app, name, 16, 8)                   \
    MEMBER(shd_app, version, 24, 8)                \
    MEMBER(shd_app, required, 32, 8)               \
    MEMBER(shd_app, ctx, 40, 8)                    \
    MEMBER(shd_app, on_configure, 48, 8)           \
    MEMBER(shd_app, on_start, 56, 8)               \
    MEMBER(shd_app, on_start_all, 64, 8)           \
    MEMBER(shd_app, on_stop, 72, 8)                \
    MEMBER(shd_app, on_destroy, 80, 8)             \
    STRUCT(shd_manifest_v1, 1016, 4, exact)        \
    MEMBER(shd_manifest_v1, magic, 0, 8)           \
    MEMBER(shd_manifest_v1, struct_size, 8, 4)     \
    MEMBER(shd_manifest_v1, abi_major, 12, 2)      \
    MEMBER(shd_manifest_v1, abi_minor, 14, 2)      \
    MEMBER(shd_manifest_v1, min_host_minor, 16, 2) \
    MEMBER(shd_manifest_v1, kind, 18, 2)           \
    MEMBER(shd_manifest_v1, reserved, 20, 4)       \
    MEMBER(shd_manifest_v1, name, 24, 64)          \
    MEMBER(shd_manifest_v1, version, 88, 32)       \
    MEMBER(shd_manifest_v1, provides, 120, 448)    \
    MEMBER(shd_manifest_v1, required, 568, 448)    \
    STRUCT(shd_greeting_v1, 24, 8, grows)          \
    MEMBER(shd_greeting_v1, struct_size, 0, 4)     \
    MEMBER(shd_greeting_v1, abi_major, 4, 2)       \
    MEMBER(shd_greeting_v1, abi_minor, 6, 2)       \
    MEMBER(shd_greeting_v1, greet, 8, 8)           \
    MEMBER(shd_greeting_v1, count, 16, 8)

#ifdef __cplusplus
#define SHD_LAYOUT_ALIGNOF(type) alignof(type)
#else
#define SHD_LAYOUT_ALIGNOF(type) _Alignof(type)
#endif

/* `grows`: a struct that starts with struct_size and is only reached through pointers may gain members
 * at its end in a later minor, so its size may only grow. `exact`: embedded by value (shd_str,
 * shd_bytes) or read from files by size (shd_manifest_v1); its size never changes within major 1. */
#define SHD_LAYOUT_SIZE_OK_exact(actual, frozen) ((actual) == (frozen))
#define SHD_LAYOUT_SIZE_OK_grows(actual, frozen) ((actual) >= (frozen))

#ifndef SHD_LAYOUT_TABLE_ONLY
#define SHD_LAYOUT_ASSERT_STRUCT(type, size, align, growth)                                          \
    static_assert(SHD_LAYOUT_SIZE_OK_##growth(sizeof(type), size), #type ": size differs from 1.0"); \
    static_assert(SHD_LAYOUT_ALIGNOF(type) == (align), #type ": alignment differs from 1.0");
#define SHD_LAYOUT_ASSERT_MEMBER(type, member, offset, size)                                 \
    static_assert(offsetof(type, member) == (offset), #type "." #member ": offset changed"); \
    static_assert(sizeof(((type *)0)->member) == (size), #type "." #member ": size changed");

SHD_LAYOUT_V1_0(SHD_LAYOUT_ASSERT_STRUCT, SHD_LAYOUT_ASSERT_MEMBER)

static_assert(SHD_PLUGIN_V1_0_SIZE == SHD_LAYOUT_V1_0_PLUGIN_SIZE, "SHD_PLUGIN_V1_0_SIZE changed");
static_assert(SHD_APP_V1_0_SIZE == SHD_LAYOUT_V1_0_APP_SIZE, "SHD_APP_V1_0_SIZE changed");

#undef SHD_LAYOUT_ASSERT_STRUCT
#undef SHD_LAYOUT_ASSERT_MEMBER
#endif /* SHD_LAYOUT_TABLE_ONLY */

#endif /* SHD_TESTS_LAYOUT_V1_0_H */
