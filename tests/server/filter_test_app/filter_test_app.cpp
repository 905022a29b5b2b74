// The app of the tests in tests/filters. The same library serves every server type of the test
// clusters ("connector" frontends, "backend" servers) and turns features on from its options in
// plugins.json:
//   orderFilters  global filters G1, G2 and local filters L1, L2 that write their names into the body's
//                 "trace" (before) and into a per-tag log (after), plus both error handlers
//   toobusy       adds shd::filters::toobusy(<maxLag>) as a local filter
//   stopDelay     ms the app takes to acknowledge stop (Pomelo's beforeShutdown calling cb later)
//   dynamicCron   adds crons "dyn" and "once" (every second) through addCrons; "once" removes itself
// Every lifecycle hook and every cron run is logged with the wall-clock time; the tests read the logs.
// Routes login (bind a uid, set settings) and lookup (shd::BackendSessionService from any server)
// serve the backend session lookup test.
#include <shaddock/cpp/cron.hpp>
#include <shaddock/cpp/filter.hpp>
#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/options.hpp>
#include <shaddock/cpp/plugin.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int64_t wall_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

bool has_member(const rapidjson::Document &d, const char *key) {
    return d.IsObject() && d.HasMember(key);
}

std::string tag_of(const shd::FilterMsg &msg) {
    auto body = msg.json();
    return has_member(body, "tag") && body["tag"].IsString() ? body["tag"].GetString() : "";
}

class FilterTestApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        stamp("configure");
        shd::Options opts(host().options_json());
        opts.reject_unknown({"orderFilters", "toobusy", "stopDelay", "dynamicCron"});
        stop_delay_ = static_cast<uint64_t>(opts.get_int("stopDelay", 0, 0, 60000));
        id_ = host().server().id;

        handlers_ = std::make_unique<shd::Handlers>(host());
        for (const char *type : {"connector", "backend"}) add_routes(type);
        add_raw_throwing_handler();

        if (host().find<shd_filter_service_v1>(SHD_FILTER_SERVICE_ID).first) {
            filters_ = std::make_unique<shd::Filters>(host());
            if (opts.get_bool("orderFilters", false)) add_order_filters();
            if (int64_t lag = opts.get_int("toobusy", 0, 0, 60000)) filters_->filter(shd::filters::toobusy(lag));
        }
        if (host().find<shd_cron_service_v1>(SHD_CRON_SERVICE_ID).first) {
            crons_ = std::make_unique<shd::Crons>(host());
            for (const char *action : {"testCron.tick", "testCron.even", "testCron.other"}) {
                crons_->action(action, [this, action](const std::string &cron) {
                    auto d = shd::parse_json_or_empty(cron);
                    host().info(std::string("cron run action=") + action + " id=" + shd::to_json(d["id"]) +
                                " at=" + std::to_string(wall_us() / 1000));
                });
            }
            // testCron.once removes its own cron while it runs (Pomelo's removeCrons).
            crons_->action("testCron.once", [this](const std::string &cron) {
                host().info("cron run action=testCron.once id=" + shd::to_json(shd::parse_json_or_empty(cron)["id"]) +
                            " at=" + std::to_string(wall_us() / 1000));
                crons_->remove(R"([{"id":"once"}])");
            });
            if (opts.get_bool("dynamicCron", false))
                crons_->add(R"([{"id":"dyn","time":"* * * * * *","action":"testCron.tick"},
                                {"id":"once","time":"* * * * * *","action":"testCron.once"}])");
        }
    }

    void start() override { stamp("start"); }
    void start_all() override { stamp("start_all"); }

    void stop(shd::Done done) override {
        stamp("stop");
        if (!stop_delay_) return done();
        host().after(stop_delay_, [this, done] {
            stamp("stopped");
            done();
        });
    }

private:
    // "connector.rawHandler.throws": registered through the C table, without the SDK's wrapper, and
    // throws before answering. The host must answer it with an error at once (not leave it to a
    // timeout or never answer it), filters or not.
    void add_raw_throwing_handler() {
        auto [svc, ctx] = host().find<shd_handler_service_v1>(SHD_HANDLER_SERVICE_ID);
        if (!svc) return;
        auto raw = [](void *, const shd_inbound_msg_v1 *, const shd_session_view_v1 *, const shd_responder_v1 *) {
            throw std::runtime_error("raw handler gives up");
        };
        svc->add_handler(ctx, shd::to_shd(std::string_view("connector.rawHandler.throws")), raw, nullptr);
    }

    void stamp(const char *hook) { host().info(std::string("lifecycle ") + hook + " " + std::to_string(wall_us())); }

    void add_routes(const std::string &type) {
        auto &h = *handlers_;
        std::string p = type + ".testHandler.";
        h.on(p + "echo", [this](shd::RequestPtr req) {
            ++calls_[req->route()];
            auto body = req->json();
            std::string trace = has_member(body, "trace") ? shd::to_json(body["trace"]) : "[]";
            req->respond(R"({"code":200,"server":)" + shd::json_quote(id_) + R"(,"trace":)" + trace + "}");
        });
        h.on(p + "fail", [this](shd::RequestPtr req) {
            ++calls_[req->route()];
            req->fail(R"({"why":"handler","server":)" + shd::json_quote(id_) + "}");
        });
        // {"logOf": tag}: what the after filters of this server recorded for the tag.
        h.on(p + "log", [this](shd::RequestPtr req) {
            auto body = req->json();
            std::string tag = has_member(body, "logOf") && body["logOf"].IsString() ? body["logOf"].GetString() : "";
            std::string list = "[";
            for (const auto &e : after_log_[tag]) list += (list.size() > 1 ? "," : "") + shd::json_quote(e);
            std::string prefix = req->route().substr(0, req->route().rfind('.') + 1);
            req->respond(R"({"code":200,"log":)" + list + R"(],"echoCalls":)" +
                         std::to_string(calls_[prefix + "echo"]) + R"(,"failCalls":)" +
                         std::to_string(calls_[prefix + "fail"]) + "}");
        });
        // {"ms"}: answers after ms with the order it started and ended in.
        h.on(p + "wait", [this](shd::RequestPtr req) {
            auto body = req->json();
            uint64_t ms = has_member(body, "ms") && body["ms"].IsUint() ? body["ms"].GetUint() : 100;
            uint64_t start = ++sequence_;
            host().after(ms, [this, req, start] {
                req->respond(R"({"code":200,"start":)" + std::to_string(start) + R"(,"end":)" +
                             std::to_string(++sequence_) + "}");
            });
        });
        h.on(p + "fast", [this](shd::RequestPtr req) {
            uint64_t start = ++sequence_;
            req->respond(R"({"code":200,"start":)" + std::to_string(start) + R"(,"end":)" +
                         std::to_string(++sequence_) + "}");
        });
        // {"uid", "settings": {...}}: binds the uid and stores the settings in the real session.
        h.on(p + "login", [this](shd::RequestPtr req) {
            auto body = req->json();
            shd::Session &session = req->session();
            if (session.bind(shd::json_string(body, "uid")) != SHD_OK) return req->fail(R"({"why":"bind"})");
            if (has_member(body, "settings") && body["settings"].IsObject())
                for (const auto &m : body["settings"].GetObject())
                    session.set(std::string(m.name.GetString(), m.name.GetStringLength()), shd::to_json(m.value));
            if (session.push_all() != SHD_OK) return req->fail(R"({"why":"pushAll"})");
            req->respond(R"({"code":200,"sid":)" + std::to_string(session.id()) + R"(,"frontendId":)" +
                         shd::json_quote(session.frontend_id()) + "}");
        });
        h.on(p + "lookup", [this](shd::RequestPtr req) { lookup(std::move(req)); });
        // {"ms"}: keeps the logic thread busy for ms, then answers.
        h.on(p + "busy", [](shd::RequestPtr req) {
            auto body = req->json();
            int64_t ms = has_member(body, "ms") && body["ms"].IsInt() ? body["ms"].GetInt() : 200;
            auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
            while (std::chrono::steady_clock::now() < until) {
            }
            req->respond(R"({"code":200})");
        });
    }

    static std::string describe(shd_status s, const std::vector<shd::SessionPtr> &found) {
        std::string list;
        for (const auto &one : found)
            list +=
                (list.empty() ? "" : ",") +
                (R"({"id":)" + std::to_string(one->id()) + R"(,"frontendId":)" + shd::json_quote(one->frontend_id()) +
                 R"(,"uid":)" + shd::json_quote(one->uid()) + R"(,"settings":)" + shd::to_json(one->settings()) + "}");
        return R"({"status":)" + std::to_string(s) + R"(,"sessions":[)" + list + "]}";
    }

    // {"frontendId", "sid", "uid", "missingSid", "missingUid"}: BackendSessionService lookups one after
    // the other, then a setting pushed from the copy found by sid and that session looked up again.
    void lookup(shd::RequestPtr req) {
        struct State {
            std::unique_ptr<shd::BackendSessionService> sessions;
            std::string frontend, uid, missing_uid, out;
            uint64_t sid = 0, missing_sid = 0;
            shd::SessionPtr first;
            std::vector<std::function<void(std::function<void()>)>> steps;
            size_t next = 0;
        };
        auto st = std::make_shared<State>();
        auto body = req->json();
        auto u64 = [&](const char *k) { return has_member(body, k) && body[k].IsUint64() ? body[k].GetUint64() : 0; };
        st->sessions = std::make_unique<shd::BackendSessionService>(host());
        st->frontend = shd::json_string(body, "frontendId");
        st->uid = shd::json_string(body, "uid");
        st->missing_uid = shd::json_string(body, "missingUid");
        st->sid = u64("sid");
        st->missing_sid = u64("missingSid");
        // The steps live in the state, so they reach it by a plain pointer (a shared one would be a
        // cycle that outlives the request); `run` holds the state until the answer is sent.
        State *state = st.get();
        auto add = [state](const std::string &key, const std::string &json) {
            state->out += (state->out.empty() ? "" : ",") + shd::json_quote(key) + ":" + json;
        };
        auto one = [state, add](const std::string &key, std::string frontend, uint64_t sid, bool keep) {
            state->steps.push_back([state, add, key, frontend, sid, keep](std::function<void()> done) {
                state->sessions->get(frontend, sid, [state, add, key, keep, done](shd_status s, shd::SessionPtr found) {
                    if (keep) state->first = found;
                    add(key, describe(s, found ? std::vector<shd::SessionPtr>{found} : std::vector<shd::SessionPtr>{}));
                    done();
                });
            });
        };
        auto many = [state, add](const std::string &key, std::string uid) {
            state->steps.push_back([state, add, key, uid](std::function<void()> done) {
                state->sessions->get_by_uid(state->frontend, uid,
                                            [add, key, done](shd_status s, std::vector<shd::SessionPtr> found) {
                                                add(key, describe(s, found));
                                                done();
                                            });
            });
        };
        one("bySid", state->frontend, state->sid, true);
        many("byUid", state->uid);
        one("missingSid", state->frontend, state->missing_sid, false);
        many("missingUid", state->missing_uid);
        one("noFrontend", "no-such-frontend", state->sid, false);
        state->steps.push_back([state, add](std::function<void()> done) {
            if (!state->first) return done();
            state->first->set("fromBackend", R"("set on the backend")");
            state->first->push("fromBackend", [add, done](shd_status s) {
                add("pushed", std::to_string(s));
                done();
            });
        });
        one("afterPush", state->frontend, state->sid, false);
        auto run = std::make_shared<std::function<void()>>();
        *run = [st, req, run] {
            if (st->next < st->steps.size()) return st->steps[st->next++]([run] { (*run)(); });
            req->respond(R"({"code":200,)" + st->out + "}");
            *run = nullptr;  // breaks the cycle
        };
        (*run)();
    }

    // Appends "<name>@<server>" to the body's trace; only for tagged test messages.
    void trace(const shd::FilterMsg &msg, const shd::Next &next, const std::string &name) {
        auto body = msg.json();
        if (!has_member(body, "tag")) return;
        if (!has_member(body, "trace") || !body["trace"].IsArray())
            body.AddMember("trace", rapidjson::Value(rapidjson::kArrayType), body.GetAllocator());
        std::string entry = name + "@" + id_;
        body["trace"].PushBack(rapidjson::Value(entry.c_str(), body.GetAllocator()), body.GetAllocator());
        next.set_body(shd::to_json(body));
    }

    void record(const shd::FilterMsg &msg, shd_status err, const std::string &name) {
        std::string tag = tag_of(msg);
        if (!tag.empty()) after_log_[tag].push_back(name + (err == SHD_OK ? ":ok" : ":err"));
    }

    class G1 : public shd::Filter {  // an object with both halves, sync
    public:
        explicit G1(FilterTestApp *app) : app_(app) {}
        void before(shd::FilterMsg &msg, shd::Session &, shd::Next next) override {
            if (has_member(msg.json(), "abortGlobal")) return next.fail(R"({"code":401,"by":"G1"})");
            if (has_member(msg.json(), "deepBody")) {
                // A replacement body nested far deeper than any parser stack: refused, not parsed.
                const bool set = next.set_body(std::string(200000, '[') + std::string(200000, ']'));
                return next.fail(std::string(R"({"code":400,"by":"G1","deepBodySet":)") + (set ? "true" : "false") + "}");
            }
            app_->trace(msg, next, "G1");
            next();
        }
        void after(shd_status err, shd::FilterMsg &msg, shd::Session &, const std::string &, shd::Next next) override {
            app_->record(msg, err, "G1a");
            next();
        }

    private:
        FilterTestApp *app_;
    };

    class L1 : public shd::Filter {
    public:
        explicit L1(FilterTestApp *app) : app_(app) {}
        void before(shd::FilterMsg &msg, shd::Session &, shd::Next next) override {
            if (has_member(msg.json(), "abortLocal")) return next.fail(R"({"code":403,"by":"L1"})");
            app_->trace(msg, next, "L1");
            next();
        }
        void after(shd_status err, shd::FilterMsg &msg, shd::Session &, const std::string &, shd::Next next) override {
            app_->record(msg, err, "L1a");
            next();
        }

    private:
        FilterTestApp *app_;
    };

    void add_order_filters() {
        auto &f = *filters_;
        f.global_filter(std::make_shared<G1>(this));
        // G2 and L2 finish later, on a timer.
        f.global_before([this](shd::FilterMsg &msg, shd::Session &, shd::Next next) {
            auto m = std::make_shared<shd::FilterMsg>(msg);
            host().after(10, [this, m, next] {
                trace(*m, next, "G2");
                next();
            });
        });
        f.global_after(
            [this](shd_status err, shd::FilterMsg &msg, shd::Session &, const std::string &, shd::Next next) {
                record(msg, err, "G2a");
                next();
            });
        f.filter(std::make_shared<L1>(this));
        f.before([this](shd::FilterMsg &msg, shd::Session &, shd::Next next) {
            auto m = std::make_shared<shd::FilterMsg>(msg);
            host().after(10, [this, m, next] {
                trace(*m, next, "L2");
                next();
            });
        });
        f.after([this](shd_status err, shd::FilterMsg &msg, shd::Session &, const std::string &, shd::Next next) {
            record(msg, err, "L2a");
            next();
        });
        // errorHandler: marks handler errors with this server; {"recover": true} turns them into answers.
        f.error_handler(
            [this](shd_status, shd::FilterMsg &msg, const std::string &resp, shd::Session &, shd::Next next) {
                auto r = shd::parse_json_or_empty(resp);
                if (!has_member(r, "why")) return next();
                if (has_member(msg.json(), "recover")) return next.respond(R"({"code":200,"recovered":true})");
                r.AddMember("local", rapidjson::Value(id_.c_str(), r.GetAllocator()), r.GetAllocator());
                next.fail(shd::to_json(r));
            });
        f.global_error_handler(
            [](shd_status, shd::FilterMsg &, const std::string &resp, shd::Session &, shd::Next next) {
                auto r = shd::parse_json_or_empty(resp);
                if (!has_member(r, "why")) return next();
                r.AddMember("global", true, r.GetAllocator());
                next.fail(shd::to_json(r));
            });
    }

    std::string id_;
    uint64_t stop_delay_ = 0;
    uint64_t sequence_ = 0;
    std::map<std::string, uint64_t> calls_;
    std::map<std::string, std::vector<std::string>> after_log_;
    std::unique_ptr<shd::Handlers> handlers_;
    std::unique_ptr<shd::Filters> filters_;
    std::unique_ptr<shd::Crons> crons_;
};

}  // namespace

SHADDOCK_APP(FilterTestApp, "filter_test_app", "1.0.0", "shd.handler/1")
