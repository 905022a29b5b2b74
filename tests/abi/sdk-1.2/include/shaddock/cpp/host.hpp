// shaddock/cpp/host.hpp - header-only C++ view of the host API (shaddock/abi.h).
//
// Compiled into each plugin and app: nothing here crosses the ABI. Callables given to post(), after()
// and every() are boxed on this side and handed to the host as (fn, user_data) pairs whose trampolines
// catch every exception, so a throwing lambda is logged and contained, never unwound through the host.
#pragma once

#include <shaddock/abi.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace shd {

inline shd_str to_shd(std::string_view s) { return shd_str{s.data(), s.size()}; }
inline std::string_view to_view(shd_str s) { return std::string_view(s.data ? s.data : "", s.size); }

// Thrown by wrapper calls whose C counterpart returned an error; carries the status.
class Error : public std::runtime_error {
public:
    Error(shd_status status, const std::string &what) : std::runtime_error(what), status_(status) {}
    shd_status status() const noexcept { return status_; }

private:
    shd_status status_;
};

inline const char *status_name(shd_status s) {
    switch (s) {
    case SHD_OK: return "ok";
    case SHD_ERR_INVALID: return "invalid";
    case SHD_ERR_UNSUPPORTED: return "unsupported";
    case SHD_ERR_INTERNAL: return "internal error";
    case SHD_ERR_BUSY: return "busy";
    case SHD_ERR_NOT_FOUND: return "not found";
    case SHD_ERR_CANCELLED: return "cancelled";
    case SHD_ERR_TIMEOUT: return "timeout";
    case SHD_ERR_EXISTS: return "exists";
    case SHD_ERR_SHUTDOWN: return "shutting down";
    case SHD_ERR_IO: return "i/o error";
    default: return "unknown error";
    }
}

// Fills the {struct_size, abi_major, abi_minor} header that every ABI struct and service table
// starts with, for the SDK version this code is compiled against.
template <class T> void stamp(T &table) noexcept {
    table.struct_size = static_cast<uint32_t>(sizeof(T));
    table.abi_major = SHD_ABI_MAJOR;
    table.abi_minor = SHD_ABI_MINOR;
}

// A plain description of this server, copied out of shd_server_info.
struct ServerInfo {
    std::string id, type, env, app_dir, host, json;
    int port = 0, client_port = 0;
    bool frontend = false, master = false;
};

class Host {
public:
    explicit Host(const shd_host_api *api) : api_(api) {}

    const shd_host_api *api() const noexcept { return api_; }
    shd_host_ctx *ctx() const noexcept { return api_->ctx; }

    // [any]
    void log(int level, std::string_view msg) const noexcept { api_->log(api_->ctx, level, to_shd(msg)); }
    void debug(std::string_view m) const noexcept { log(SHD_LOG_DEBUG, m); }
    void info(std::string_view m) const noexcept { log(SHD_LOG_INFO, m); }
    void warn(std::string_view m) const noexcept { log(SHD_LOG_WARN, m); }
    void error(std::string_view m) const noexcept { log(SHD_LOG_ERROR, m); }
    void report_error(shd_status s, std::string_view m) const noexcept {
        api_->report_error(api_->ctx, s, to_shd(m));
    }
    void request_stop(std::string_view reason) const noexcept { api_->request_stop(api_->ctx, to_shd(reason)); }
    uint64_t now_ms() const noexcept { return api_->now_ms(api_->ctx); }

    ServerInfo server() const {
        const shd_server_info *s = api_->server;
        ServerInfo out;
        out.id = std::string(to_view(s->id));
        out.type = std::string(to_view(s->type));
        out.env = std::string(to_view(s->env));
        out.app_dir = std::string(to_view(s->app_dir));
        out.host = std::string(to_view(s->host));
        out.json = std::string(to_view(s->server_json));
        out.port = s->port;
        out.client_port = s->client_port;
        out.frontend = s->frontend != 0;
        out.master = s->is_master != 0;
        return out;
    }
    std::string_view options_json() const noexcept { return to_view(api_->options_json); }

    // [logic] Every configured server as a JSON array (host ABI 1.1; see shd_host_api.list_servers).
    // Throws when the host is older than 1.1: declare SHADDOCK_MIN_HOST_MINOR 1 to be refused early.
    std::string list_servers() const {
        if (!SHD_HAS_FIELD(shd_host_api, api_->struct_size, list_servers) || !api_->list_servers)
            throw Error(SHD_ERR_UNSUPPORTED, "list_servers needs a host with ABI 1.1 or newer");
        std::string text;
        shd_status s = api_->list_servers(
            api_->ctx, [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data, t.size); }, &text);
        if (s != SHD_OK) throw Error(s, std::string("list_servers: ") + status_name(s));
        return text;
    }

    // The resolved text of config/<name>, or nullopt when the app has no such file.
    std::optional<std::string> read_config(std::string_view name) const {
        std::string text;
        shd_status s = api_->read_config(
            api_->ctx, to_shd(name),
            [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data, t.size); }, &text);
        if (s == SHD_ERR_NOT_FOUND) return std::nullopt;
        if (s != SHD_OK) throw Error(s, "config/" + std::string(name) + ": " + status_name(s));
        return text;
    }

    // [any] Runs fn on the logic thread; fn is dropped unrun if the host is stopping.
    bool post(std::function<void()> fn) const {
        auto *box = new std::function<void()>(std::move(fn));
        shd_status s = api_->post(api_->ctx, &Host::run_task, box);
        if (s != SHD_OK) {
            delete box;
            return false;
        }
        return true;
    }

    // [logic] One-shot and interval timers. The callable runs on the logic thread; the returned id
    // cancels it.
    uint64_t after(uint64_t delay_ms, std::function<void()> fn) const { return start_timer(delay_ms, 0, std::move(fn)); }
    uint64_t every(uint64_t interval_ms, std::function<void()> fn) const {
        return start_timer(interval_ms, interval_ms, std::move(fn));
    }
    bool cancel(uint64_t timer_id) const noexcept { return api_->timer_cancel(api_->ctx, timer_id) == SHD_OK; }

    // [logic] Services: a C vtable type V published under an id.
    template <class V> void provide(std::string_view id, const V *vtable, void *service_ctx) const {
        shd_status s = api_->register_service(api_->ctx, to_shd(id), vtable, service_ctx);
        if (s != SHD_OK) throw Error(s, "register service " + std::string(id) + ": " + status_name(s));
    }
    template <class V> std::pair<const V *, void *> find(std::string_view id) const {
        const void *vt = nullptr;
        void *sctx = nullptr;
        if (api_->lookup_service(api_->ctx, to_shd(id), &vt, &sctx) != SHD_OK) return {nullptr, nullptr};
        return {static_cast<const V *>(vt), sctx};
    }
    template <class V> std::pair<const V *, void *> require(std::string_view id) const {
        auto found = find<V>(id);
        if (!found.first) throw Error(SHD_ERR_NOT_FOUND, "required service " + std::string(id) + " is not available");
        return found;
    }

    // [logic] Events.
    uint64_t subscribe(std::string_view name, std::function<void(std::string_view, std::string_view)> fn) const {
        using Fn = std::function<void(std::string_view, std::string_view)>;
        auto *box = new Fn(std::move(fn));
        uint64_t id = 0;
        shd_status s = api_->subscribe(
            api_->ctx, to_shd(name),
            [](void *ud, shd_str n, shd_str p) {
                try {
                    (*static_cast<Fn *>(ud))(to_view(n), to_view(p));
                } catch (...) {
                }
            },
            [](void *ud) { delete static_cast<Fn *>(ud); }, box, &id);
        if (s != SHD_OK) {
            delete box;
            throw Error(s, "subscribe " + std::string(name) + ": " + status_name(s));
        }
        return id;
    }
    void unsubscribe(uint64_t id) const noexcept { api_->unsubscribe(api_->ctx, id); }
    void emit(std::string_view name, std::string_view payload_json) const {
        api_->emit(api_->ctx, to_shd(name), to_shd(payload_json));
    }

private:
    struct TimerBox {
        const shd_host_api *api;
        std::function<void()> fn;
    };

    static void SHD_CALL run_task(void *ud, shd_status status) {
        auto *box = static_cast<std::function<void()> *>(ud);
        if (status == SHD_OK) {
            try {
                (*box)();
            } catch (...) {
                // A posted task has nobody to report to; the plugin's own code should catch.
            }
        }
        delete box;
    }

    static void SHD_CALL run_timer(void *ud, shd_status status) {
        auto *box = static_cast<TimerBox *>(ud);
        if (status == SHD_OK) {
            try {
                box->fn();
            } catch (const std::exception &e) {
                box->api->log(box->api->ctx, SHD_LOG_ERROR, to_shd(std::string("timer callback threw: ") + e.what()));
            } catch (...) {
                box->api->log(box->api->ctx, SHD_LOG_ERROR, to_shd("timer callback threw"));
            }
            return;  // an interval timer goes on; its final call carries SHD_ERR_CANCELLED
        }
        delete box;
    }

    uint64_t start_timer(uint64_t delay, uint64_t interval, std::function<void()> fn) const {
        auto *box = new TimerBox{api_, std::move(fn)};
        uint64_t id = 0;
        // A one-shot timer's only call carries SHD_OK, so that box is freed by a wrapper below.
        shd_task_fn cb = interval ? &Host::run_timer : &Host::run_once;
        shd_status s = api_->timer_start(api_->ctx, delay, interval, cb, box, &id);
        if (s != SHD_OK) {
            delete box;
            throw Error(s, std::string("timer_start: ") + status_name(s));
        }
        return id;
    }

    static void SHD_CALL run_once(void *ud, shd_status status) {
        auto *box = static_cast<TimerBox *>(ud);
        if (status == SHD_OK) run_timer(ud, SHD_OK);
        delete box;
    }

    const shd_host_api *api_;
};

}  // namespace shd
