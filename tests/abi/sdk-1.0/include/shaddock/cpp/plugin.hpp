// shaddock/cpp/plugin.hpp - write a plugin or an app as a C++ class.
//
//   class Greeter : public shd::Plugin {
//   public:
//       using shd::Plugin::Plugin;
//       void configure() override { host().info("configured"); }
//   };
//   SHADDOCK_PLUGIN(Greeter, "greeter", "1.0.0", "example.greeter/1", "")
//
// The macro places the manifest the host reads before loading, and defines the one exported entry
// symbol. Every call from the host goes through a noexcept trampoline that turns an exception into an
// error status plus a report naming the phase, so nothing unwinds through the host.
#pragma once

#include <shaddock/cpp/host.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <type_traits>

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

class Plugin {
public:
    explicit Plugin(Host host) : host_(host) {}
    virtual ~Plugin() = default;
    Plugin(const Plugin &) = delete;
    Plugin &operator=(const Plugin &) = delete;

    virtual void configure() {}
    virtual void start() {}
    virtual void stop(Done done) { done(); }

    const Host &host() const noexcept { return host_; }

private:
    Host host_;
};

class App {
public:
    explicit App(Host host) : host_(host) {}
    virtual ~App() = default;
    App(const App &) = delete;
    App &operator=(const App &) = delete;

    virtual void configure() {}
    virtual void start() {}
    virtual void start_all() {}
    virtual void stop(Done done) { done(); }

    const Host &host() const noexcept { return host_; }

private:
    Host host_;
};

namespace detail {

template <class Self, class F> shd_status guarded(Self *self, const char *phase, F &&f) noexcept {
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

template <class T> struct Glue {
    static T *self(void *ctx) { return static_cast<T *>(ctx); }
    static shd_status SHD_CALL configure(void *ctx) noexcept {
        return guarded(self(ctx), "configure", [&] { self(ctx)->configure(); });
    }
    static shd_status SHD_CALL start(void *ctx) noexcept {
        return guarded(self(ctx), "start", [&] { self(ctx)->start(); });
    }
    static void SHD_CALL start_all(void *ctx) noexcept {
        guarded(self(ctx), "start_all", [&] {
            if constexpr (std::is_base_of_v<App, T>) self(ctx)->start_all();
        });
    }
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
inline bool older_than(unsigned have, unsigned need) noexcept { return have < need; }

inline shd_status check_host(const shd_host_api *host) noexcept {
    if (!host || host->abi_major != SHD_ABI_MAJOR) return SHD_ERR_UNSUPPORTED;
    if (older_than(host->abi_minor, SHADDOCK_MIN_HOST_MINOR)) return SHD_ERR_UNSUPPORTED;
    return SHD_OK;
}

template <class T, class Out> shd_status create(const shd_host_api *host, Out &filled) noexcept {
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
template <class Out> void hand_over(const Out &filled, Out *out) noexcept {
    size_t room = std::min<size_t>(out->struct_size, sizeof(Out));
    std::memcpy(static_cast<void *>(out), &filled, room);
    out->struct_size = static_cast<uint32_t>(room);
}

template <class T>
shd_status plugin_entry(const shd_host_api *host, shd_plugin *out, const char *name, const char *version,
                        const char *provides, const char *required) noexcept {
    if (!out) return SHD_ERR_INVALID;
    if (shd_status s = check_host(host)) return s;
    shd_plugin p{};
    p.struct_size = sizeof(shd_plugin);
    p.abi_major = SHD_ABI_MAJOR;
    p.abi_minor = SHD_ABI_MINOR;
    p.min_host_minor = SHADDOCK_MIN_HOST_MINOR;
    p.name = name;
    p.version = version;
    p.provides = provides;
    p.required = required;
    p.on_configure = &Glue<T>::configure;
    p.on_start = &Glue<T>::start;
    p.on_stop = &Glue<T>::stop;
    p.on_destroy = &Glue<T>::destroy;
    if (shd_status s = create<T>(host, p)) return s;
    hand_over(p, out);
    return SHD_OK;
}

template <class T>
shd_status app_entry(const shd_host_api *host, shd_app *out, const char *name, const char *version,
                     const char *required) noexcept {
    if (!out) return SHD_ERR_INVALID;
    if (shd_status s = check_host(host)) return s;
    shd_app a{};
    a.struct_size = sizeof(shd_app);
    a.abi_major = SHD_ABI_MAJOR;
    a.abi_minor = SHD_ABI_MINOR;
    a.min_host_minor = SHADDOCK_MIN_HOST_MINOR;
    a.name = name;
    a.version = version;
    a.required = required;
    a.on_configure = &Glue<T>::configure;
    a.on_start = &Glue<T>::start;
    a.on_start_all = &Glue<T>::start_all;
    a.on_stop = &Glue<T>::stop;
    a.on_destroy = &Glue<T>::destroy;
    if (shd_status s = create<T>(host, a)) return s;
    hand_over(a, out);
    return SHD_OK;
}

}  // namespace detail
}  // namespace shd

// Declares CLASS (derived from shd::Plugin, constructible from shd::Host) as this library's plugin.
// PROVIDES and REQUIRED are space-separated service ids ("shd.rpc/1 shd.session/1"), or "".
#define SHADDOCK_PLUGIN(CLASS, NAME, VERSION, PROVIDES, REQUIRED)                                       \
    SHD_MANIFEST(SHD_KIND_PLUGIN, NAME, VERSION, SHADDOCK_MIN_HOST_MINOR, PROVIDES, REQUIRED);          \
    extern "C" SHD_EXPORT shd_status SHD_CALL shd_plugin_entry_v1(const shd_host_api *host,            \
                                                                  shd_plugin *out) noexcept {           \
        return ::shd::detail::plugin_entry<CLASS>(host, out, NAME, VERSION, PROVIDES, REQUIRED);        \
    }

// Declares CLASS (derived from shd::App) as this library's app.
#define SHADDOCK_APP(CLASS, NAME, VERSION, REQUIRED)                                                    \
    SHD_MANIFEST(SHD_KIND_APP, NAME, VERSION, SHADDOCK_MIN_HOST_MINOR, "", REQUIRED);                   \
    extern "C" SHD_EXPORT shd_status SHD_CALL shd_app_entry_v1(const shd_host_api *host,               \
                                                               shd_app *out) noexcept {                 \
        return ::shd::detail::app_entry<CLASS>(host, out, NAME, VERSION, REQUIRED);                     \
    }
