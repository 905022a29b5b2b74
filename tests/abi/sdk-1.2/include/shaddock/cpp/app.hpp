// shaddock/cpp/app.hpp - write an app (the game logic of a server) as a C++ class, with Pomelo's
// components: named parts of the app that start before its start() and stop after its stop().
//
//   class Ranking : public shd::Component {
//   public:
//       Ranking() : shd::Component("ranking") {}
//       void start(shd::Step done) override { load(); done(); }
//   };
//   class Game : public shd::App {
//   public:
//       using shd::App::App;
//       void configure() override { add_component(std::make_unique<Ranking>()); }
//       void start_all() override { host().info("the whole cluster is up"); }
//   };
//   SHADDOCK_APP(Game, "game", "1.0.0", "shd.handler/1")
//
// Everything here runs on the logic thread. The component start-up and stop chains run inside the
// app's on_start and on_stop, through the specialisation of detail::Glue at the end of this header
// (the trampolines shared with plugins are in shaddock/cpp/lifecycle.hpp). Plugins:
// shaddock/cpp/plugin.hpp.
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/lifecycle.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace shd {

// Completes one step of a component (start, after_start, stop). Call it once: ok() or no argument
// when done, fail(reason) when the step failed. Copies share one state; later calls are ignored. If
// every copy is dropped uncalled the step fails ("never completed"), so a lost callback cannot pass
// for success.
class Step {
public:
    using Fn = std::function<void(shd_status, const std::string &)>;
    explicit Step(Fn fn) : state_(std::make_shared<State>(std::move(fn))) {}
    void operator()() const { ok(); }
    void ok() const { state_->fire(SHD_OK, {}); }
    void fail(const std::string &reason, shd_status status = SHD_ERR_INTERNAL) const {
        state_->fire(status == SHD_OK ? SHD_ERR_INTERNAL : status, reason);
    }

private:
    struct State {
        explicit State(Fn f) : fn(std::move(f)) {}
        ~State() { fire(SHD_ERR_INTERNAL, "its completion was dropped without being called"); }
        void fire(shd_status s, const std::string &why) noexcept {
            if (fired.exchange(true) || !fn) return;
            try {
                fn(s, why);
            } catch (...) {
            }
        }
        Fn fn;
        std::atomic<bool> fired{false};
    };
    std::shared_ptr<State> state_;
};

// Pomelo's component: a named part of the app with start(cb), afterStart(cb) and stop(force, cb).
// Add them in App::configure() with add_component(). At startup every component's start runs, one
// after another in the order they were added, then every after_start in the same order, then the
// app's start(). At stop, after the app's stop(), every started component's stop runs in reverse
// order. A step may finish now or later (keep the Step and call it from a timer or a reply); throwing
// counts as fail(what()).
class Component {
public:
    explicit Component(std::string name) : name_(std::move(name)) {}
    virtual ~Component() = default;
    Component(const Component &) = delete;
    Component &operator=(const Component &) = delete;

    const std::string &name() const noexcept { return name_; }

    virtual void start(Step done) { done(); }
    virtual void after_start(Step done) { done(); }
    // force: the server is stopping after a failed startup; finish fast, skip what can wait.
    virtual void stop(bool force, Step done) {
        (void)force;
        done();
    }

private:
    std::string name_;
};

class App {
public:
    explicit App(Host host) : host_(host) {}
    virtual ~App() = default;
    App(const App &) = delete;
    App &operator=(const App &) = delete;

    virtual void configure() {}
    // After every component's start and after_start (Pomelo's afterStartup).
    virtual void start() {}
    virtual void start_all() {}
    // Pomelo's beforeShutdown: the components stop after done() is called.
    virtual void stop(Done done) { done(); }

    const Host &host() const noexcept { return host_; }

    // Pomelo's app.load(component): keyed by name; a second component with a name already added is
    // ignored (as in Pomelo) and false is returned. Call from configure().
    bool add_component(std::unique_ptr<Component> c) {
        if (!c) throw Error(SHD_ERR_INVALID, "add_component: null component");
        if (component(c->name())) {
            host_.warn("component \"" + c->name() + "\" is already added; the second one is ignored");
            return false;
        }
        components_.push_back(std::move(c));
        return true;
    }
    // app.components[name], or nullptr.
    Component *component(std::string_view name) const noexcept {
        for (const auto &c : components_)
            if (c->name() == name) return c.get();
        return nullptr;
    }

private:
    template <class T, class Enable>
    friend struct detail::Glue;

    // Where the component startup is: it may finish inside on_start (then its result is on_start's)
    // or later (then a failure stops the server through request_stop).
    enum class Boot { idle, running, done, failed };

    // Runs step `index` of the startup chain: starts are 0..n-1, after_starts n..2n-1.
    void boot_step(size_t index) {
        size_t n = components_.size();
        if (index == 2 * n) return boot_finished(SHD_OK, {});
        Component &c = *components_[index % n];
        bool after = index >= n;
        auto alive = alive_;
        Step step([this, alive, index, after, name = c.name()](shd_status s, const std::string &why) {
            if (!*alive) return;
            if (s != SHD_OK)
                return boot_finished(
                    s, "component \"" + name + "\" failed in " + (after ? "after_start" : "start") + ": " + why);
            if (!after) started_ = index + 1;
            boot_step(index + 1);
        });
        try {
            if (after)
                c.after_start(step);
            else
                c.start(step);
        } catch (const std::exception &e) {
            step.fail(e.what());
        } catch (...) {
            step.fail("a non-standard exception");
        }
    }

    void boot_finished(shd_status s, const std::string &why) {
        if (s == SHD_OK) {
            boot_ = Boot::done;
            if (!boot_sync_) run_late_start();
            return;
        }
        boot_ = Boot::failed;
        boot_error_ = why;
        if (!boot_sync_) host_.error(why);  // inside on_start the host reports it with the phase
        stop_components_now(true);
        if (!boot_sync_) host_.request_stop(why);
    }

    // The user's start() and a start_all that arrived early, once an asynchronous boot has finished.
    void run_late_start() {
        try {
            start();
        } catch (const std::exception &e) {
            std::string why = std::string("start threw: ") + e.what();
            host_.error(why);
            host_.request_stop(why);
            return;
        }
        if (start_all_pending_) {
            start_all_pending_ = false;
            start_all();
        }
    }

    // Stops the started components in reverse order, then calls `then` (with the first failure).
    void stop_components(bool force, std::function<void()> then) {
        if (started_ == 0) return then();
        Component &c = *components_[--started_];
        auto alive = alive_;
        Step step([this, alive, force, then, name = c.name()](shd_status s, const std::string &why) {
            if (!*alive) return;
            if (s != SHD_OK) host_.warn("component \"" + name + "\" failed in stop: " + why);
            stop_components(force, then);
        });
        try {
            c.stop(force, step);
        } catch (const std::exception &e) {
            step.fail(e.what());
        } catch (...) {
            step.fail("a non-standard exception");
        }
    }
    void stop_components_now(bool force) {
        stop_components(force, [] {});
    }

    Host host_;
    std::vector<std::unique_ptr<Component>> components_;
    size_t started_ = 0;  // components whose start completed: these owe a stop
    Boot boot_ = Boot::idle;
    bool boot_sync_ = false;  // inside on_start
    bool start_all_pending_ = false;
    std::string boot_error_;
    // Completions that fire after the app is gone do nothing.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

    // Components go first, while the app they may point into is still whole.
    void drop_components() noexcept {
        *alive_ = false;
        components_.clear();
    }
};

namespace detail {

// The trampolines of an app: a plugin's (the primary template in lifecycle.hpp) plus the component
// chains. Chosen for every T derived from App; see the primary template for why this is sound.
template <class T>
struct Glue<T, std::enable_if_t<std::is_base_of_v<App, T>>> {
    static T *self(void *ctx) { return static_cast<T *>(ctx); }
    static shd_status SHD_CALL configure(void *ctx) noexcept {
        return guarded(self(ctx), "configure", [&] { self(ctx)->configure(); });
    }
    static shd_status SHD_CALL start(void *ctx) noexcept {
        T *t = self(ctx);
        App &app = *t;
        // Components first (start, then after_start), then the app's own start().
        app.boot_ = App::Boot::running;
        app.boot_sync_ = true;
        shd_status s = guarded(t, "start", [&] { app.boot_step(0); });
        app.boot_sync_ = false;
        if (s != SHD_OK) return s;
        if (app.boot_ == App::Boot::failed) {
            t->host().report_error(SHD_ERR_INTERNAL, app.boot_error_);
            return SHD_ERR_INTERNAL;
        }
        if (app.boot_ == App::Boot::running) {
            t->host().info("waiting for components to finish starting");
            return SHD_OK;  // boot_finished() goes on when the last step completes
        }
        s = guarded(t, "start", [&] { t->start(); });
        if (s != SHD_OK) app.stop_components_now(true);
        return s;
    }
    static void SHD_CALL start_all(void *ctx) noexcept {
        guarded(self(ctx), "start_all", [&] {
            App &app = *self(ctx);
            if (app.boot_ == App::Boot::running)
                app.start_all_pending_ = true;  // after the components
            else if (app.boot_ == App::Boot::done)
                self(ctx)->start_all();
        });
    }
    static void SHD_CALL stop(void *ctx, shd_task_fn done, void *done_data) noexcept {
        Done d(done, done_data);
        // The app's stop (beforeShutdown), then its components in reverse order.
        App &app = *self(ctx);
        auto alive = app.alive_;
        Done after = Done::from([&app, alive, d](shd_status s) {
            if (!*alive) return d(s);
            app.stop_components(app.boot_ == App::Boot::failed, [d, s] { d(s); });
        });
        shd_status s = guarded(self(ctx), "stop", [&] { self(ctx)->stop(after); });
        if (s != SHD_OK) after(s);
    }
    static void SHD_CALL destroy(void *ctx) noexcept {
        try {
            static_cast<App *>(self(ctx))->drop_components();
            delete self(ctx);
        } catch (...) {
        }
    }
};

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

// Declares CLASS (derived from shd::App) as this library's app.
#define SHADDOCK_APP(CLASS, NAME, VERSION, REQUIRED)                                                              \
    SHD_MANIFEST(SHD_KIND_APP, NAME, VERSION, SHADDOCK_MIN_HOST_MINOR, "", REQUIRED);                             \
    extern "C" SHD_EXPORT shd_status SHD_CALL shd_app_entry_v1(const shd_host_api *host, shd_app *out) noexcept { \
        return ::shd::detail::app_entry<CLASS>(host, out, NAME, VERSION, REQUIRED);                               \
    }
