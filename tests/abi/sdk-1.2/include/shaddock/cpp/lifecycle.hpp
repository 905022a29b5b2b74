// shaddock/cpp/lifecycle.hpp - what a plugin (shaddock/cpp/plugin.hpp) and an app
// (shaddock/cpp/app.hpp) share: shd::Done, the completion of an asynchronous stop, and the noexcept
// trampolines and entry helpers their SHADDOCK_PLUGIN / SHADDOCK_APP macros are built from.
//
// Every call from the host goes through a trampoline of detail::Glue<T>, which turns an exception
// into an error status plus a report naming the phase, so nothing unwinds through the host. Nothing
// here crosses the ABI: it is compiled into each library and fills the C descriptors of abi.h.
#pragma once

#include <shaddock/cpp/host.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>

// The oldest host ABI minor this library needs (shd_plugin/shd_app min_host_minor and the manifest).
// Define it before including plugin.hpp or app.hpp to raise it.
#ifndef SHADDOCK_MIN_HOST_MINOR
#define SHADDOCK_MIN_HOST_MINOR 0
#endif

namespace shd {

// The completion of an asynchronous stop. Call it once when stopped; copies share one state, later
// calls are ignored, and if every copy is dropped uncalled it completes with SHD_OK.
class Done {
public:
    Done(shd_task_fn fn, void *ud) : state_(std::make_shared<State>(fn, ud)) {}
    // A Done that runs a C++ callable (once, with the final status).
    static Done from(std::function<void(shd_status)> fn) {
        using Fn = std::function<void(shd_status)>;
        return Done(
            [](void *ud, shd_status s) {
                auto *f = static_cast<Fn *>(ud);
                try {
                    (*f)(s);
                } catch (...) {
                }
                delete f;
            },
            new Fn(std::move(fn)));
    }
    void operator()(shd_status status = SHD_OK) const noexcept { state_->fire(status); }

private:
    struct State {
        State(shd_task_fn f, void *u) : fn(f), ud(u) {}
        ~State() { fire(SHD_OK); }
        void fire(shd_status s) noexcept {
            if (!fired.exchange(true) && fn) fn(ud, s);
        }
        shd_task_fn fn;
        void *ud;
        std::atomic<bool> fired{false};
    };
    std::shared_ptr<State> state_;
};

namespace detail {

// Runs f() for a module's phase; an exception becomes a report through self->host() naming the
// phase, and an error status.
template <class Self, class F>
shd_status guarded(Self *self, const char *phase, F &&f) noexcept {
    try {
        f();
        return SHD_OK;
    } catch (const Error &e) {
        self->host().report_error(e.status(), std::string(phase) + ": " + e.what());
        return e.status() == SHD_OK ? SHD_ERR_INTERNAL : e.status();
    } catch (const std::exception &e) {
        self->host().report_error(SHD_ERR_INTERNAL, std::string(phase) + " threw: " + e.what());
    } catch (...) {
        self->host().report_error(SHD_ERR_INTERNAL, std::string(phase) + " threw a non-standard exception");
    }
    return SHD_ERR_INTERNAL;
}

// The C trampolines (on_configure, on_start, on_start_all, on_stop, on_destroy) for a module of
// class T, which has configure(), start(), stop(Done) and host(), and is deleted on destroy.
//
// This primary template is a plugin's: each phase calls T's own member and nothing else. An app has
// more to do (its components start before its start() and stop after its stop()), and that belongs
// with shd::App, not here. So Glue takes a second, defaulted parameter, and shaddock/cpp/app.hpp
// defines, right after shd::App, the partial specialisation
// Glue<T, std::enable_if_t<std::is_base_of_v<App, T>>> for every T derived from App; this header
// never names App. That is sound: a class derived from App can only be defined after App's
// definition, so wherever Glue<T> is instantiated for such a T, app.hpp (and with it the
// specialisation) has already been seen, and no translation unit can pick the primary for an app.
template <class T, class Enable = void>
struct Glue {
    static T *self(void *ctx) { return static_cast<T *>(ctx); }
    static shd_status SHD_CALL configure(void *ctx) noexcept {
        return guarded(self(ctx), "configure", [&] { self(ctx)->configure(); });
    }
    static shd_status SHD_CALL start(void *ctx) noexcept {
        return guarded(self(ctx), "start", [&] { self(ctx)->start(); });
    }
    // Only apps have a start_all; an app_entry for a class not derived from App gets this no-op.
    static void SHD_CALL start_all(void *) noexcept {}
    static void SHD_CALL stop(void *ctx, shd_task_fn done, void *done_data) noexcept {
        Done d(done, done_data);
        shd_status s = guarded(self(ctx), "stop", [&] { self(ctx)->stop(d); });
        if (s != SHD_OK) d(s);
    }
    static void SHD_CALL destroy(void *ctx) noexcept {
        try {
            delete self(ctx);
        } catch (...) {
        }
    }
};

// A function, not an inline comparison, so a minimum of 0 does not warn as "always false".
inline bool older_than(unsigned have, unsigned need) noexcept {
    return have < need;
}

inline shd_status check_host(const shd_host_api *host) noexcept {
    if (!host || host->abi_major != SHD_ABI_MAJOR) return SHD_ERR_UNSUPPORTED;
    if (older_than(host->abi_minor, SHADDOCK_MIN_HOST_MINOR)) return SHD_ERR_UNSUPPORTED;
    return SHD_OK;
}

template <class T, class Out>
shd_status create(const shd_host_api *host, Out &filled) noexcept {
    try {
        filled.ctx = new T(Host(host));
        return SHD_OK;
    } catch (const std::exception &e) {
        host->report_error(host->ctx, SHD_ERR_INTERNAL, to_shd(std::string("constructor threw: ") + e.what()));
    } catch (...) {
        host->report_error(host->ctx, SHD_ERR_INTERNAL, to_shd("constructor threw a non-standard exception"));
    }
    return SHD_ERR_INTERNAL;
}

// Copies `filled` into the host's struct, never more bytes than the host said it has room for.
template <class Out>
void hand_over(const Out &filled, Out *out) noexcept {
    size_t room = std::min<size_t>(out->struct_size, sizeof(Out));
    std::memcpy(static_cast<void *>(out), &filled, room);
    out->struct_size = static_cast<uint32_t>(room);
}

}  // namespace detail
}  // namespace shd
