// shaddock/cpp/service.hpp - the provider side of a service table: every entry a noexcept trampoline.
//
//   static shd_status create(ChannelPlugin *self, shd_str name) { ... may throw ... }
//   ...
//   vtable_.create = shd::guard<&ChannelPlugin::create>;
//
// shd::guard<&F> is a C function with the slot's signature whose first parameter is `void *ctx`; F is
// the body, a function taking the implementation (`Impl *`, what was registered as service_ctx)
// followed by the slot's other parameters unchanged. The trampoline is the error policy of the ABI
// (docs/abi.md "Errors across the ABI"), the same for every table:
//  - Nothing unwinds into the caller. An exception from the body is logged through the module's host
//    (the host tags the line with the module's name; the line names the entry) and the entry returns
//    SHD_ERR_INTERNAL, or the status of a thrown shd::Error. An entry returning another type returns a
//    zero value (0, an empty shd_str); void returns nothing.
//  - std::bad_alloc is fatal: one line is logged and the process aborts (DESIGN.md: out of memory is
//    fatal and logged). A server that cannot allocate cannot keep any promise of exactly-once.
//  - A completion is called exactly once. When the slot's last parameters are a completion - a
//    `const shd_responder_v1 *`, or a result callback `void (*)(void *, int32_t, shd_str)` or a
//    shd_task_fn, followed by its void * - the body receives a relay instead. If the body throws before
//    the completion was called, the trampoline completes it with SHD_ERR_INTERNAL, later on the logic
//    thread (never inside the call), and the relay drops any later call the provider still makes; if
//    the body had already completed it, nothing more happens. The relay costs one small allocation per
//    call of such an entry. A relay whose body threw before completing it cannot be told from one the
//    provider still holds: it is freed by the provider's call if one comes, else when the library is
//    unloaded (a few pointers per exception, and exceptions here are bugs).
//  - Sinks (shd_text_fn and the like, called during the call) are passed through untouched.
//
// OnError is the int32_t an entry gives back when its body throws: returned by an int32_t entry and
// passed to an int32_t completion. It defaults to SHD_ERR_INTERNAL, right wherever the int32_t is a
// shd_status. Entries whose int32_t is something else name their value: a boolean (exists, all_started)
// `shd::guard<&F, 0>`; a handshake reply code `shd::guard<&F, 500>`.
//
// The body's class must offer `host()` returning a shd::Host (or anything with error(std::string_view)
// and, for entries with a completion, post(std::function<void()>)).
#pragma once

#include <shaddock/abi.h>
#include <shaddock/ext/handler.h>
#include <shaddock/cpp/host.hpp>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace shd {

namespace detail {

using ResultFn = void(SHD_CALL *)(void *, int32_t, shd_str);

// The body's name, read from the trampoline's signature as the compiler prints it (GCC: "... F)(Impl*,
// A ...) = ns::Impl::create; ...", Clang: "F = &ns::Impl::create, ..."), only on the failure path.
inline std::string entry_name(const char *pretty) {
    std::string_view p(pretty);
    size_t at = std::string_view::npos;
    if (size_t gcc = p.find("F)("); gcc != std::string_view::npos && (gcc = p.find(") = ", gcc)) != p.npos)
        at = gcc + 4;
    else if (size_t clang = p.find("F = "); clang != std::string_view::npos)
        at = clang + 4;
    if (at == std::string_view::npos) return "(unnamed)";
    p.remove_prefix(at);
    std::string name(p.substr(0, p.find_first_of(";,]")));
    if (!name.empty() && name[0] == '&') name.erase(0, 1);
    for (std::string_view noise : {"{anonymous}::", "(anonymous namespace)::"})
        for (size_t i; (i = name.find(noise)) != std::string::npos;) name.erase(i, noise.size());
    return name.empty() ? "(unnamed)" : name;
}

// What the trampoline caught, as one log line and a status.
struct Caught {
    std::string what;
    shd_status status = SHD_ERR_INTERNAL;
};

template <class H>
[[noreturn]] void out_of_memory(const H &host) noexcept {
    // A fixed text: the host's line is the only allocation left to try; if it fails, terminate.
    host.error("out of memory in a service entry; aborting (out of memory is fatal)");
    std::abort();
}

// Runs body(); on an exception fills `caught` and returns false. bad_alloc never returns.
template <class H, class Body>
bool run_guarded(const H &host, const char *pretty, Caught &caught, Body &&body) noexcept {
    try {
        body();
        return true;
    } catch (const std::bad_alloc &) {
        out_of_memory(host);
    } catch (const Error &e) {
        caught.what = e.what();
        caught.status = e.status() == SHD_OK ? SHD_ERR_INTERNAL : e.status();
    } catch (const std::exception &e) {
        caught.what = e.what();
    } catch (...) {
        caught.what = "a non-standard exception";
    }
    try {
        host.error("service entry " + entry_name(pretty) + " threw: " + caught.what);
    } catch (...) {
        std::abort();  // only allocation can fail here
    }
    return false;
}

// Relays whose body threw before completing them and that the provider may or may not still hold.
// One the provider calls later frees itself (and leaves this list); the others are freed when the
// library is unloaded. Only a throwing body ever puts one here.
class Orphans {
public:
    Orphans() = default;
    Orphans(const Orphans &) = delete;
    Orphans &operator=(const Orphans &) = delete;
    ~Orphans() {
        for (auto &[p, free] : list_) free(p);
    }
    void add(void *p, void (*free)(void *)) {
        std::lock_guard<std::mutex> lock(mutex_);
        list_.emplace_back(p, free);
    }
    void remove(void *p) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = list_.begin(); it != list_.end(); ++it)
            if (it->first == p) {
                list_.erase(it);
                return;
            }
    }

private:
    std::mutex mutex_;
    std::vector<std::pair<void *, void (*)(void *)>> list_;
};

inline Orphans &orphans() {
    static Orphans list;
    return list;
}

// What every relay shares: whether its completion has run, whether the provider called it, whether
// the trampoline has returned (from then on the provider's call frees it), and whether it is listed
// as an orphan.
struct RelayState {
    bool fired = false, called = false, returned = false, orphan = false;
    // The provider's call: true when this is the first completion. Frees the relay when the
    // trampoline has returned.
    template <class RelayT>
    static bool arrive(RelayT *r) {
        bool first = !r->fired;
        r->fired = r->called = true;
        if (r->returned) {
            if (r->orphan) orphans().remove(r);
            delete r;
        }
        return first;
    }
};

// Keeps one completion exactly-once across the body and the trampoline. Lives on the heap: the
// provider may keep the relay and call it after the entry returned.
template <class Fn>
struct Relay;

template <>
struct Relay<ResultFn> : RelayState {
    Relay(ResultFn f, void *u) : fn(f), ud(u) {}
    ResultFn fn;
    void *ud;
    static void SHD_CALL call(void *p, int32_t status, shd_str text) {
        auto *r = static_cast<Relay *>(p);
        ResultFn fn = r->fn;
        void *ud = r->ud;
        if (RelayState::arrive(r)) fn(ud, status, text);
    }
    // A status gets a message as a JSON string (what rpc.h asks for; channel.h's list of failed uids
    // reads it as none); any other code (a handshake's 500) gets "".
    auto failer(int32_t status, bool is_status) const {
        return [fn = fn, ud = ud, status, is_status] {
            fn(ud, status, is_status ? to_shd("\"internal error\"") : shd_str{"", 0});
        };
    }
};

template <>
struct Relay<shd_task_fn> : RelayState {
    Relay(shd_task_fn f, void *u) : fn(f), ud(u) {}
    shd_task_fn fn;
    void *ud;
    static void SHD_CALL call(void *p, shd_status status) {
        auto *r = static_cast<Relay *>(p);
        shd_task_fn fn = r->fn;
        void *ud = r->ud;
        if (RelayState::arrive(r)) fn(ud, status);
    }
    auto failer(int32_t status, bool) const {
        return [fn = fn, ud = ud, status] { fn(ud, status); };
    }
};

template <>
struct Relay<const shd_responder_v1 *> : RelayState {
    const shd_responder_v1 *original;
    shd_responder_v1 responder{};
    explicit Relay(const shd_responder_v1 *o) : original(o) {
        stamp(responder);
        responder.ctx = this;
        responder.respond = &Relay::call;
    }
    static void SHD_CALL call(void *p, shd_status status, shd_str body) {
        auto *r = static_cast<Relay *>(p);
        const shd_responder_v1 *o = r->original;
        if (RelayState::arrive(r)) o->respond(o->ctx, status, body);
    }
    auto failer(int32_t status, bool) const {
        return [o = original, status] { o->respond(o->ctx, status, shd_str{"", 0}); };
    }
};

// Which completion, if any, the parameter list A... ends with: 0 none, 1 a responder, 2 a (fn, void *) pair.
template <class Last>
constexpr bool is_responder = std::is_same_v<Last, const shd_responder_v1 *>;

template <class... A>
constexpr int completion_kind() {
    constexpr size_t n = sizeof...(A);
    if constexpr (n == 0) {
        return 0;
    } else {
        using Last = std::tuple_element_t<n - 1, std::tuple<A...>>;
        if constexpr (is_responder<Last>) {
            return 1;
        } else if constexpr (n >= 2 && std::is_same_v<Last, void *>) {
            using Fn = std::tuple_element_t<n - 2, std::tuple<A...>>;
            if constexpr (std::is_same_v<Fn, ResultFn> || std::is_same_v<Fn, shd_task_fn>)
                return 2;
            else
                return 0;
        } else {
            return 0;
        }
    }
}

template <class R, int32_t OnError>
R failed_value(const Caught &c) noexcept {
    if constexpr (std::is_void_v<R>) {
        return;
    } else if constexpr (std::is_same_v<R, int32_t>) {
        return OnError == SHD_ERR_INTERNAL ? c.status : OnError;
    } else {
        return R{};
    }
}

// Completes a relay the body did not complete: posted to the logic thread, inline only when the host
// takes no more work (then it is the last chance). The task holds copies, not the relay, which the
// provider may free meanwhile by calling it.
template <class H, class RelayT>
void fail_relay(const H &host, RelayT *relay, int32_t status, bool is_status) noexcept {
    relay->fired = true;
    auto fail = relay->failer(status, is_status);
    try {
        if (host.post(fail)) return;
    } catch (...) {
    }
    fail();
}

// Lists a relay whose body threw before completing it (see Orphans).
template <class RelayT>
void adopt_orphan(RelayT *relay) noexcept {
    relay->orphan = true;
    try {
        orphans().add(relay, [](void *p) { delete static_cast<RelayT *>(p); });
    } catch (...) {
        std::abort();  // out of memory is fatal
    }
}

template <auto F, int32_t OnError>
struct Entry;

template <class Impl, class R, class... A, R (*F)(Impl *, A...), int32_t OnError>
struct Entry<F, OnError> {
    static R SHD_CALL call(void *ctx, A... a) noexcept {
        Impl *self = static_cast<Impl *>(ctx);
        std::tuple<A...> args(a...);
        constexpr size_t n = sizeof...(A);
        constexpr int kind = completion_kind<A...>();
        if constexpr (kind == 1) {
            const shd_responder_v1 *original = std::get<n - 1>(args);
            if (original) {
                auto *relay = make_relay<Relay<const shd_responder_v1 *>>(self, original);
                std::get<n - 1>(args) = &relay->responder;
                return run(self, args, relay);
            }
        } else if constexpr (kind == 2) {
            using Fn = std::tuple_element_t<n - 2, std::tuple<A...>>;
            Fn original = std::get<n - 2>(args);
            if (original) {
                auto *relay = make_relay<Relay<Fn>>(self, original, std::get<n - 1>(args));
                std::get<n - 2>(args) = &Relay<Fn>::call;
                std::get<n - 1>(args) = relay;
                return run(self, args, relay);
            }
        }
        return run(self, args, nullptr);
    }

private:
    template <class RelayT, class... V>
    static RelayT *make_relay(Impl *self, V... v) noexcept {
        try {
            return new RelayT{v...};
        } catch (...) {
            out_of_memory(self->host());
        }
    }

    // Calls the body; then settles the relay (when there is one): freed now if the body completed it,
    // else left to the provider's call, and completed with the failure when the body threw.
    template <class RelayT>
    static R run(Impl *self, std::tuple<A...> &args, RelayT relay) noexcept {
        Caught c;
        bool ok;
        [[maybe_unused]] std::conditional_t<std::is_void_v<R>, int, R> out{};
        if constexpr (std::is_void_v<R>)
            ok = run_guarded(self->host(), __PRETTY_FUNCTION__, c,
                             [&] { std::apply(F, std::tuple_cat(std::make_tuple(self), args)); });
        else
            ok = run_guarded(self->host(), __PRETTY_FUNCTION__, c,
                             [&] { out = std::apply(F, std::tuple_cat(std::make_tuple(self), args)); });
        if constexpr (!std::is_same_v<RelayT, std::nullptr_t>) {
            if (relay->called) {
                delete relay;  // the provider called it already: nobody holds it any more
            } else {
                relay->returned = true;  // from now on freed by the provider's call
                if (!ok) {
                    constexpr bool is_status = OnError == SHD_ERR_INTERNAL;
                    fail_relay(self->host(), relay, is_status ? c.status : OnError, is_status);
                    adopt_orphan(relay);
                }
            }
        }
        if constexpr (!std::is_void_v<R>) return ok ? out : failed_value<R, OnError>(c);
    }
};

}  // namespace detail

// The noexcept C trampoline of body F (see the top of this file).
template <auto F, int32_t OnError = SHD_ERR_INTERNAL>
inline constexpr auto guard = &detail::Entry<F, OnError>::call;

}  // namespace shd
