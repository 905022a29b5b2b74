// shaddock/cpp/filter.hpp - Pomelo's handler filters and error handlers for apps, over "shd.filter/1"
// (the `server` plugin; the contract is in shaddock/ext/filter.h).
//
//   void configure() override {
//       filters_ = std::make_unique<shd::Filters>(host());
//       filters_->filter(shd::filters::serial(3000));       // app.filter(pomelo.filters.serial(3000))
//       filters_->global_before([](shd::FilterMsg &msg, shd::Session &session, shd::Next next) {
//           if (session.uid().empty() && msg.route() != "connector.entryHandler.login")
//               return next.fail(R"({"code":401})");          // next(err, resp): the handler never runs
//           next();
//       });
//       filters_->error_handler([](shd_status, shd::FilterMsg &, const std::string &, shd::Session &,
//                                  shd::Next next) { next.fail(R"({"code":500,"msg":"try again"})"); });
//   }
//
// | Pomelo                                   | here                                            |
// |------------------------------------------|-------------------------------------------------|
// | app.before(fn) / app.after(fn)           | before(fn) / after(fn)                          |
// | app.filter(obj)                          | filter(std::make_shared<MyFilter>())            |
// | app.filter(pomelo.filters.serial(t))     | filter(shd::filters::serial(t))                 |
// | app.globalBefore/globalAfter/globalFilter| global_before / global_after / global_filter     |
// | app.set('errorHandler', fn)              | error_handler(fn)                               |
// | app.set('globalErrorHandler', fn)        | global_error_handler(fn)                        |
//
// Local filters run around handlers on the server that runs them; global ones on the frontend before
// a request is handled there or forwarded. Before filters run in registration order, after filters in
// reverse registration order. Each gets a Next to call exactly once, now or later; a Next dropped
// uncalled continues (after filters, error handlers) or, in a before filter, answers {"code":500}.
// Keep the Filters object alive as long as the app: it owns the functions. Everything here runs on
// the logic thread.
#pragma once

#include <shaddock/ext/filter.h>
#include <shaddock/cpp/handler.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shd {

// What a filter sees of a message (Pomelo's msg): the route and the body.
class FilterMsg {
public:
    explicit FilterMsg(const shd_inbound_msg_v1 &msg)
        : route_(to_view(msg.route)), body_(to_view(msg.body_json)), id_(msg.id), notify_(msg.kind == SHD_MSG_NOTIFY) {}

    const std::string &route() const { return route_; }
    const std::string &body() const { return body_; }
    rapidjson::Document json() const { return parse_json_or_empty(body_); }
    uint32_t id() const { return id_; }
    bool is_notify() const { return notify_; }

private:
    std::string route_, body_;
    uint32_t id_;
    bool notify_;
};

// The continuation of a filter or an error handler (Pomelo's next). Copies share one state: the first
// call wins, later ones do nothing.
class Next {
public:
    // Continues. In an error handler: keeps the error response as it is.
    void operator()() const { state_->fire(state_->go_status, state_->go_body); }
    // Before filter: aborts with an error answer (Pomelo's next(err, resp); "code":500 is added when
    // the body has none). Error handler: answers with this error response.
    void fail(std::string_view body_json = "{}", shd_status status = SHD_ERR_INTERNAL) const {
        state_->fire(status == SHD_OK ? SHD_ERR_INTERNAL : status, body_json);
    }
    // Error handler: answers normally with body_json instead of the error.
    void respond(std::string_view body_json) const { state_->fire(SHD_OK, body_json); }
    // Before filter, before continuing: replaces the body the next filters and the handler see.
    bool set_body(std::string_view body_json) const {
        const shd_filter_next_v1 *t = state_->table;
        return t && t->set_body(t->ctx, to_shd(body_json)) == SHD_OK;
    }

    // Used by Filters: `go` is what operator() sends, `dropped` what an uncalled Next sends.
    Next(const shd_filter_next_v1 *table, const Host &host, std::string route, shd_status go_status,
         std::string go_body, shd_status dropped_status, std::string dropped_body)
        : state_(std::make_shared<State>(table, host, std::move(route), go_status, std::move(go_body), dropped_status,
                                         std::move(dropped_body))) {}

private:
    struct State {
        State(const shd_filter_next_v1 *t, const Host &h, std::string r, shd_status gs, std::string gb, shd_status ds,
              std::string db)
            : table(t),
              host(h),
              route(std::move(r)),
              go_status(gs),
              go_body(std::move(gb)),
              dropped_status(ds),
              dropped_body(std::move(db)) {}
        State(const State &) = delete;
        State &operator=(const State &) = delete;
        const shd_filter_next_v1 *table;
        Host host;
        std::string route;
        shd_status go_status;
        std::string go_body;
        shd_status dropped_status;
        std::string dropped_body;
        ~State() {
            if (!table) return;
            // Only a before filter has a "go" that differs from its "dropped": a lost request.
            if (dropped_status != go_status)
                host.warn("a filter of " + route + " dropped its next uncalled; the request is answered as an error");
            fire(dropped_status, dropped_body);
        }
        void fire(shd_status s, std::string_view body) {
            const shd_filter_next_v1 *t = table;
            if (!t) return;
            table = nullptr;
            t->next(t->ctx, s, to_shd(body));
        }
    };
    std::shared_ptr<State> state_;
};

using BeforeFilterFn = std::function<void(FilterMsg &msg, Session &session, Next next)>;
using AfterFilterFn =
    std::function<void(shd_status err, FilterMsg &msg, Session &session, const std::string &resp, Next next)>;
using ErrorHandlerFn =
    std::function<void(shd_status err, FilterMsg &msg, const std::string &resp, Session &session, Next next)>;

// A filter object with both halves (Pomelo's {before, after}); override either.
class Filter {
public:
    virtual ~Filter() = default;
    virtual void before(FilterMsg &, Session &, Next next) { next(); }
    virtual void after(shd_status, FilterMsg &, Session &, const std::string &, Next next) { next(); }
};

// A built-in filter of the server plugin, by name and options (see shd::filters).
struct BuiltinFilter {
    std::string name;
    std::string options_json;
};

// Pomelo's pomelo.filters.*.
namespace filters {
// One request at a time per session; one still running after timeout_ms is answered with an error
// and the session's next request starts.
inline BuiltinFilter serial(uint32_t timeout_ms = 3000) {
    return {"serial", "{\"timeout\":" + std::to_string(timeout_ms) + "}"};
}
// Logs each request's route and the time it took.
inline BuiltinFilter time() {
    return {"time", ""};
}
// Warns about requests still running after timeout_ms (does not abort them); watches at most max_size.
inline BuiltinFilter timeout(uint32_t timeout_ms = 3000, uint32_t max_size = 500) {
    return {"timeout", "{\"timeout\":" + std::to_string(timeout_ms) + ",\"maxSize\":" + std::to_string(max_size) + "}"};
}
// Answers {"code":500} while the logic thread lags more than max_lag_ms.
inline BuiltinFilter toobusy(uint32_t max_lag_ms = 70) {
    return {"toobusy", "{\"maxLag\":" + std::to_string(max_lag_ms) + "}"};
}
}  // namespace filters

class Filters {
public:
    explicit Filters(const Host &host) : host_(host), sessions_(host) {
        auto [vt, ctx] = host.require<shd_filter_service_v1>(SHD_FILTER_SERVICE_ID);
        vt_ = vt;
        ctx_ = ctx;
    }
    Filters(const Filters &) = delete;
    Filters &operator=(const Filters &) = delete;

    // Local filters: around handlers on this server.
    void before(BeforeFilterFn fn) { add_before(SHD_FILTER_LOCAL, std::move(fn)); }
    void after(AfterFilterFn fn) { add_after(SHD_FILTER_LOCAL, std::move(fn)); }
    void filter(std::shared_ptr<Filter> f) { add_object(SHD_FILTER_LOCAL, std::move(f)); }
    void filter(const BuiltinFilter &b) { add_builtin(SHD_FILTER_LOCAL, b); }
    void error_handler(ErrorHandlerFn fn) { set_error_handler(SHD_FILTER_LOCAL, std::move(fn)); }

    // Global filters: on the frontend, before a request is handled there or forwarded.
    void global_before(BeforeFilterFn fn) { add_before(SHD_FILTER_GLOBAL, std::move(fn)); }
    void global_after(AfterFilterFn fn) { add_after(SHD_FILTER_GLOBAL, std::move(fn)); }
    void global_filter(std::shared_ptr<Filter> f) { add_object(SHD_FILTER_GLOBAL, std::move(f)); }
    void global_filter(const BuiltinFilter &b) { add_builtin(SHD_FILTER_GLOBAL, b); }
    void global_error_handler(ErrorHandlerFn fn) { set_error_handler(SHD_FILTER_GLOBAL, std::move(fn)); }

private:
    struct BeforeEntry {
        Filters *owner;
        BeforeFilterFn fn;
    };
    struct AfterEntry {
        Filters *owner;
        AfterFilterFn fn;
    };
    struct ErrorEntry {
        Filters *owner;
        ErrorHandlerFn fn;
    };

    void add_before(int32_t scope, BeforeFilterFn fn) {
        befores_.push_back(std::make_unique<BeforeEntry>(BeforeEntry{this, std::move(fn)}));
        check(vt_->add_before(ctx_, scope, &Filters::before_trampoline, befores_.back().get()), "before filter");
    }
    void add_after(int32_t scope, AfterFilterFn fn) {
        afters_.push_back(std::make_unique<AfterEntry>(AfterEntry{this, std::move(fn)}));
        check(vt_->add_after(ctx_, scope, &Filters::after_trampoline, afters_.back().get()), "after filter");
    }
    void add_object(int32_t scope, std::shared_ptr<Filter> f) {
        if (!f) throw Error(SHD_ERR_INVALID, "filter: null filter object");
        add_before(scope, [f](FilterMsg &m, Session &s, Next n) { f->before(m, s, std::move(n)); });
        add_after(scope, [f](shd_status e, FilterMsg &m, Session &s, const std::string &r, Next n) {
            f->after(e, m, s, r, std::move(n));
        });
    }
    void add_builtin(int32_t scope, const BuiltinFilter &b) {
        std::string why;
        shd_status s = vt_->add_builtin(
            ctx_, scope, to_shd(b.name), to_shd(b.options_json),
            [](void *ud, shd_str text) { static_cast<std::string *>(ud)->assign(text.data, text.size); }, &why);
        if (s != SHD_OK) throw Error(s, "filter " + b.name + ": " + (why.empty() ? status_name(s) : why));
    }
    void set_error_handler(int32_t scope, ErrorHandlerFn fn) {
        // Earlier handlers stay alive: requests already under way still call them.
        errors_.push_back(std::make_unique<ErrorEntry>(ErrorEntry{this, std::move(fn)}));
        check(vt_->set_error_handler(ctx_, scope, &Filters::error_trampoline, errors_.back().get()), "error handler");
    }
    static void check(shd_status s, const char *what) {
        if (s != SHD_OK) throw Error(s, std::string(what) + ": " + status_name(s));
    }

    static void SHD_CALL before_trampoline(void *ud, const shd_inbound_msg_v1 *msg, const shd_session_view_v1 *session,
                                           const shd_filter_next_v1 *next) {
        auto *e = static_cast<BeforeEntry *>(ud);
        std::string route(to_view(msg->route));
        Next n(next, e->owner->host_, route, SHD_OK, "", SHD_ERR_INTERNAL, "{}");
        try {
            FilterMsg m(*msg);
            Session s(*session, e->owner->sessions_, e->owner->host_);
            e->fn(m, s, n);
        } catch (const std::exception &ex) {
            e->owner->host_.warn("before filter of " + route + " threw: " + ex.what());
            n.fail();
        } catch (...) {
            e->owner->host_.warn("before filter of " + route + " threw");
            n.fail();
        }
    }

    static void SHD_CALL after_trampoline(void *ud, shd_status status, const shd_inbound_msg_v1 *msg,
                                          const shd_session_view_v1 *session, shd_str resp,
                                          const shd_filter_next_v1 *next) {
        auto *e = static_cast<AfterEntry *>(ud);
        std::string route(to_view(msg->route));
        Next n(next, e->owner->host_, route, SHD_OK, "", SHD_OK, "");
        try {
            FilterMsg m(*msg);
            Session s(*session, e->owner->sessions_, e->owner->host_);
            e->fn(status, m, s, std::string(to_view(resp)), n);
        } catch (const std::exception &ex) {
            e->owner->host_.warn("after filter of " + route + " threw: " + ex.what());
            n();
        } catch (...) {
            e->owner->host_.warn("after filter of " + route + " threw");
            n();
        }
    }

    static void SHD_CALL error_trampoline(void *ud, shd_status status, const shd_inbound_msg_v1 *msg,
                                          const shd_session_view_v1 *session, shd_str resp,
                                          const shd_filter_next_v1 *next) {
        auto *e = static_cast<ErrorEntry *>(ud);
        std::string route(to_view(msg->route));
        std::string body(to_view(resp));
        Next n(next, e->owner->host_, route, status, body, status, body);
        try {
            FilterMsg m(*msg);
            Session s(*session, e->owner->sessions_, e->owner->host_);
            e->fn(status, m, body, s, n);
        } catch (const std::exception &ex) {
            e->owner->host_.warn("error handler of " + route + " threw: " + ex.what());
            n();
        } catch (...) {
            e->owner->host_.warn("error handler of " + route + " threw");
            n();
        }
    }

    Host host_;
    SessionService sessions_;
    const shd_filter_service_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
    std::vector<std::unique_ptr<BeforeEntry>> befores_;
    std::vector<std::unique_ptr<AfterEntry>> afters_;
    std::vector<std::unique_ptr<ErrorEntry>> errors_;
};

}  // namespace shd
