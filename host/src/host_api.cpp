#include "host_api.hpp"

#include "config_files.hpp"

#include <chrono>

namespace shd::host {

namespace {

std::string text(shd_str s) { return s.data ? std::string(s.data, s.size) : std::string(); }

Level to_level(int32_t level) {
    if (level <= SHD_LOG_TRACE) return Level::trace;
    if (level >= SHD_LOG_ERROR) return Level::error;
    return static_cast<Level>(level);
}

void SHD_CALL api_log(shd_host_ctx *ctx, int32_t level, shd_str message) {
    if (!ctx) return;
    ctx->runtime->logger().write(to_level(level), ctx->name, std::string_view(message.data ? message.data : "", message.size));
}

void SHD_CALL api_report_error(shd_host_ctx *ctx, shd_status status, shd_str message) {
    if (!ctx) return;
    std::lock_guard<std::mutex> lock(ctx->error_mutex);
    ctx->reported_error = text(message) + " (status " + std::to_string(status) + ")";
}

shd_status SHD_CALL api_post(shd_host_ctx *ctx, shd_task_fn fn, void *ud) {
    if (!ctx) return SHD_ERR_INVALID;
    return ctx->runtime->loop().post(fn, ud);
}

shd_status SHD_CALL api_timer_start(shd_host_ctx *ctx, uint64_t delay, uint64_t interval, shd_task_fn fn,
                                    void *ud, uint64_t *out_id) {
    if (!ctx || !out_id) return SHD_ERR_INVALID;
    return ctx->runtime->loop().timer_start(delay, interval, fn, ud, *out_id);
}

shd_status SHD_CALL api_timer_cancel(shd_host_ctx *ctx, uint64_t id) {
    if (!ctx) return SHD_ERR_INVALID;
    return ctx->runtime->loop().timer_cancel(id);
}

shd_status SHD_CALL api_register_service(shd_host_ctx *ctx, shd_str id, const void *vtable, void *service_ctx) {
    if (!ctx || !vtable || !id.data || id.size == 0) return SHD_ERR_INVALID;
    return ctx->runtime->register_service(ctx, text(id), vtable, service_ctx);
}

shd_status SHD_CALL api_lookup_service(shd_host_ctx *ctx, shd_str id, const void **vtable, void **service_ctx) {
    if (!ctx || !vtable || !service_ctx) return SHD_ERR_INVALID;
    return ctx->runtime->lookup_service(text(id), vtable, service_ctx);
}

shd_status SHD_CALL api_read_config(shd_host_ctx *ctx, shd_str file_name, shd_text_fn sink, void *ud) {
    if (!ctx || !sink) return SHD_ERR_INVALID;
    std::string name = text(file_name);
    if (name.empty() || name.find("..") != std::string::npos || name[0] == '/') return SHD_ERR_INVALID;
    const RuntimeOptions &o = ctx->runtime->options();
    try {
        auto file = load_config(o.app_dir, o.env, name);
        if (!file) return SHD_ERR_NOT_FOUND;
        std::string json = to_json(file->json);
        sink(ud, shd_str{json.data(), json.size()});
        return SHD_OK;
    } catch (const ConfigError &e) {
        ctx->runtime->logger().write(Level::error, ctx->name, e.what());
        return SHD_ERR_INVALID;
    }
}

shd_status SHD_CALL api_subscribe(shd_host_ctx *ctx, shd_str name, shd_event_fn fn, shd_release_fn release,
                                  void *ud, uint64_t *out_id) {
    if (!ctx || !out_id) return SHD_ERR_INVALID;
    return ctx->runtime->loop().subscribe(text(name), fn, release, ud, *out_id);
}

shd_status SHD_CALL api_unsubscribe(shd_host_ctx *ctx, uint64_t id) {
    if (!ctx) return SHD_ERR_INVALID;
    return ctx->runtime->loop().unsubscribe(id);
}

shd_status SHD_CALL api_emit(shd_host_ctx *ctx, shd_str name, shd_str payload) {
    if (!ctx || !name.data || name.size == 0) return SHD_ERR_INVALID;
    ctx->runtime->loop().emit(text(name), text(payload));
    return SHD_OK;
}

void SHD_CALL api_request_stop(shd_host_ctx *ctx, shd_str reason) {
    if (!ctx) return;
    ctx->runtime->request_stop(ctx->name + ": " + text(reason));
}

uint64_t SHD_CALL api_now_ms(shd_host_ctx *) {
    using namespace std::chrono;
    return static_cast<uint64_t>(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

shd_status SHD_CALL api_list_servers(shd_host_ctx *ctx, shd_text_fn sink, void *ud) {
    if (!ctx || !sink) return SHD_ERR_INVALID;
    const std::string &json = ctx->runtime->servers_json();
    sink(ud, shd_str{json.data(), json.size()});
    return SHD_OK;
}

}  // namespace

void fill_host_api(shd_host_ctx &ctx) {
    shd_host_api &a = ctx.api;
    a = shd_host_api{};
    a.struct_size = sizeof(shd_host_api);
    a.abi_major = SHD_ABI_MAJOR;
    a.abi_minor = SHD_ABI_MINOR;
    a.ctx = &ctx;
    a.server = ctx.runtime->server_info();
    a.options_json = shd_str{ctx.options_json.data(), ctx.options_json.size()};
    a.log = &api_log;
    a.report_error = &api_report_error;
    a.post = &api_post;
    a.timer_start = &api_timer_start;
    a.timer_cancel = &api_timer_cancel;
    a.register_service = &api_register_service;
    a.lookup_service = &api_lookup_service;
    a.read_config = &api_read_config;
    a.subscribe = &api_subscribe;
    a.unsubscribe = &api_unsubscribe;
    a.emit = &api_emit;
    a.request_stop = &api_request_stop;
    a.now_ms = &api_now_ms;
    a.list_servers = &api_list_servers;
}

}  // namespace shd::host
