/* Test plugin "never_stops", written against the raw C ABI: it asks the host to stop as soon as it has
 * started, and its on_stop never calls `done`. The host must give up after --stop-timeout and exit
 * with a message and a non-zero code instead of hanging. */
#include <shaddock/abi.h>

#include <string.h>

static const shd_host_api *g_host;

static shd_str text(const char *s) {
    shd_str out = {s, strlen(s)};
    return out;
}

static shd_status SHD_CALL on_configure(void *ctx) {
    (void)ctx;
    return SHD_OK;
}

static shd_status SHD_CALL on_start(void *ctx) {
    (void)ctx;
    g_host->request_stop(g_host->ctx, text("never_stops wants the stop sequence to begin"));
    return SHD_OK;
}

static void SHD_CALL on_stop(void *ctx, shd_task_fn done, void *done_data) {
    (void)ctx;
    (void)done;
    (void)done_data;
    g_host->log(g_host->ctx, SHD_LOG_INFO, text("never_stops: on_stop returns without calling done"));
}

static void SHD_CALL on_destroy(void *ctx) {
    (void)ctx;
}

SHD_MANIFEST(SHD_KIND_PLUGIN, "never_stops", "1.0.0", 0, "", "");

SHD_EXPORT shd_status SHD_CALL shd_plugin_entry_v1(const shd_host_api *host, shd_plugin *out) {
    shd_plugin p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.abi_major = SHD_ABI_MAJOR;
    p.abi_minor = SHD_ABI_MINOR;
    p.name = "never_stops";
    p.version = "1.0.0";
    p.provides = "";
    p.required = "";
    p.on_configure = on_configure;
    p.on_start = on_start;
    p.on_stop = on_stop;
    p.on_destroy = on_destroy;
    g_host = host;
    if (out->struct_size < sizeof p) return SHD_ERR_UNSUPPORTED;
    memcpy(out, &p, sizeof p);
    return SHD_OK;
}
