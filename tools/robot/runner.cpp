// runner.cpp - virtual users on the client SDK. The only file of the robot that calls the client.
//
// Each user is pinned to one loop thread; everything a user does (its script, its callbacks, its
// timers) runs on that thread, so a user needs no lock. Figures go to the thread's ThreadStats, whose
// mutex is contended only once a second when the driver takes them.
#include "runner.hpp"

#include "http_fetch.hpp"
#include "rate_controller.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <shaddock/client.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace shd::robot {

namespace {

using shd::client::Client;
using shd::client::Error;

int64_t realtime_us() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

int64_t mono_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The integer after "field": in a JSON text (the first occurrence), or false. A scan, not a parse:
// pushes arrive by the hundred thousand per second and only this one number is wanted.
bool find_timestamp(std::string_view body, const std::string &field, int64_t &out) {
    if (field.empty()) return false;
    std::string key = "\"" + field + "\"";
    size_t at = body.find(key);
    if (at == std::string_view::npos) return false;
    size_t i = at + key.size();
    while (i < body.size() && (body[i] == ' ' || body[i] == ':' || body[i] == '\t')) ++i;
    int64_t v = 0;
    size_t digits = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9' && digits < 18) v = v * 10 + (body[i++] - '0'), ++digits;
    if (!digits) return false;
    out = v;
    return true;
}

// The value at a dotted field path ("a.b.0.c": object keys and array indices), or null.
const rapidjson::Value *field_at(const rapidjson::Value &root, const std::vector<std::string> &path);

// Whether `reply` holds `e.json` at `e.path`, compared as JSON values ("expect", "refusal").
bool holds(const rapidjson::Value &reply, const Expect &e) {
    const rapidjson::Value *v = field_at(reply, e.path);
    rapidjson::Document want;
    want.Parse(e.json.data(), e.json.size());
    return v && *v == want;
}

// The value at a dotted field path ("a.b.0.c": object keys and array indices), or null.
const rapidjson::Value *field_at(const rapidjson::Value &root, const std::vector<std::string> &path) {
    const rapidjson::Value *v = &root;
    for (auto &key : path) {
        if (v->IsObject()) {
            auto it = v->FindMember(rapidjson::StringRef(key.data(), key.size()));
            if (it == v->MemberEnd()) return nullptr;
            v = &it->value;
        } else if (v->IsArray()) {
            char *end = nullptr;
            unsigned long i = std::strtoul(key.c_str(), &end, 10);
            if (key.empty() || *end || i >= v->Size()) return nullptr;
            v = &(*v)[rapidjson::SizeType(i)];
        } else {
            return nullptr;
        }
    }
    return v;
}

std::string to_json_text(const rapidjson::Value &v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

std::string path_text(const std::vector<std::string> &path) {
    std::string s;
    for (auto &k : path) s += (s.empty() ? "" : ".") + k;
    return s;
}

struct ThreadStats {
    std::mutex mu;
    Snapshot s;
};

struct User;
struct LoopRun;

// One sequential executor of a step list: the user's script, or one of the inFlight lanes of a loop.
struct Lane {
    User *user = nullptr;
    const std::vector<Step> *steps = nullptr;
    size_t pc = 0;
    LoopRun *loop = nullptr;         // the loop this lane repeats; null for the script itself
    std::unique_ptr<LoopRun> child;  // the loop this lane is waiting for
    uint64_t wait_token = 0;         // matches the pending waitPush timeout
    bool went_async = false;         // this iteration waited for something (else: yield before repeating)
};

struct LoopRun {
    const Step *step = nullptr;
    std::weak_ptr<Lane> parent;  // weak: the parent owns this run (Lane::child)
    uint64_t started = 0;        // iterations begun, across lanes
    unsigned active = 0;         // lanes still running
    std::vector<std::shared_ptr<Lane>> lanes;
};

}  // namespace

struct Runner::Impl {
    const Scenario &sc;
    uint64_t first, count, total;
    std::unique_ptr<shd::client::Loop> loop;
    std::shared_ptr<shd::client::ProtocolCache> cache = std::make_shared<shd::client::ProtocolCache>();
    std::vector<std::unique_ptr<ThreadStats>> stats;
    std::vector<std::unique_ptr<User>> users;
    std::atomic<bool> stopping{false};
    std::atomic<uint64_t> connected{0}, senders{0}, finished{0};
    std::atomic<unsigned> level{0};
    RateController rate_shape;  // only its rate_at() is used here: the deciding one lives in the driver
    std::map<std::string, std::string, std::less<>> push_fields;  // route -> latency field, from "on" steps
    std::vector<std::string> wait_routes;            // routes of waitPush steps

    Impl(const Scenario &s, uint64_t f, uint64_t c, uint64_t t)
        : sc(s), first(f), count(c), total(t), rate_shape(s.rate) {}

    std::map<std::string, std::vector<const Step *>, std::less<>> push_saves;  // route -> "on" steps with "save"
    HttpPool http{4};

    void connect(User &u);
    void open_client(User &u, const std::string &host, uint16_t port, std::function<void(bool)> done);
    void send_http(User &u, const Step &st, const std::shared_ptr<Lane> &lane);
    void connect_step(User &u, const Step &st, const std::shared_ptr<Lane> &lane);
    // Applies the step's "save" to the user's variables and checks its "expect": the failed
    // expectation ("code") or "" (also "" when the body is not JSON and nothing is asked of it).
    // With `refused` (a request's reply): a reply meeting the step's "refusal" sets it and is taken
    // no further.
    std::string take_reply(User &u, const Step &st, std::string_view body, bool *refused = nullptr);
    void advance(const std::shared_ptr<Lane> &lane);
    void finish_lane(const std::shared_ptr<Lane> &lane);
    void start_loop(const std::shared_ptr<Lane> &lane, const Step &st);
    void start_rate(User &u, const Step &st);
    void rate_tick(User &u, const Step &st, int64_t last_us, double credit);
    void send_request(User &u, const Step &st, const std::shared_ptr<Lane> &lane);
    void on_push(User &u, std::string_view route, std::string_view body);
    void user_finished(User &u);
    void ramp(unsigned thread, uint64_t next, int64_t t0);
    void collect_routes(const std::vector<Step> &steps);
};

namespace {

struct User {
    Runner::Impl *run = nullptr;
    uint64_t index = 0;
    unsigned thread = 0;
    std::string uid;
    std::mt19937_64 rng;
    uint64_t seq = 0;
    uint64_t client_gen = 0;  // which client's events still count (a "connect" step replaces the client)
    std::map<std::string, std::string, std::less<>> vars;  // saved / set variables: name -> JSON text
    std::shared_ptr<Client> client;
    bool connected = false, finished = false, in_rate = false;
    std::shared_ptr<Lane> root;
    std::map<std::string, std::deque<std::weak_ptr<Lane>>, std::less<>> waiters;
    // Pushes on waitPush routes that no waitPush has consumed yet: a push that arrives before the reply
    // of the request that caused it must still satisfy the waitPush that follows that request.
    std::map<std::string, uint64_t, std::less<>> unclaimed;
    ThreadStats *stats = nullptr;

    TemplateContext context() {
        TemplateContext c;
        c.index = index;
        c.seq = seq;
        c.users = run->total;
        c.thread = thread;
        c.uid = uid;
        c.rng = &rng;
        c.user_vars = &vars;
        return c;
    }
    template <typename F>
    void record(F &&f) {
        if (run->stopping.load(std::memory_order_relaxed)) return;
        std::lock_guard<std::mutex> lock(stats->mu);
        f(stats->s);
    }
};

double delay_ms(const Delay &d, std::mt19937_64 &rng) {
    switch (d.dist) {
        case Delay::Dist::constant: return d.a;
        case Delay::Dist::uniform: return std::uniform_real_distribution<double>(d.a, d.b)(rng);
        case Delay::Dist::exponential: return d.a > 0 ? std::exponential_distribution<double>(1.0 / d.a)(rng) : 0;
    }
    return d.a;
}

}  // namespace

void Runner::Impl::collect_routes(const std::vector<Step> &steps) {
    for (auto &st : steps) {
        if (st.kind == Step::Kind::on) push_fields[st.push_route] = st.latency_field;
        if (st.kind == Step::Kind::on && (!st.saves.empty() || !st.forgets.empty() || !st.assigns.empty()))
            push_saves[st.push_route].push_back(&st);
        if (st.kind == Step::Kind::wait_push) wait_routes.push_back(st.push_route);
        collect_routes(st.steps);
    }
}

// Each thread connects its own users when their time comes: the user with global index g at g/ramp
// seconds after t0. `next` is the local index of the thread's next user.
void Runner::Impl::ramp(unsigned thread, uint64_t next, int64_t t0) {
    if (stopping) return;
    unsigned threads = loop->threads();
    double elapsed = double(mono_us() - t0) / 1e6;
    for (; next < count; next += threads) {
        User &u = *users[next];
        if (sc.ramp_per_second > 0 && double(u.index) / sc.ramp_per_second > elapsed) break;
        connect(u);
    }
    if (next < count) loop->post_after(thread, 5, [this, thread, next, t0] { ramp(thread, next, t0); });
}

void Runner::Impl::user_finished(User &u) {
    if (u.finished) return;
    u.finished = true;
    if (u.connected) {
        u.connected = false;
        connected.fetch_sub(1);
    }
    finished.fetch_add(1);
}

void Runner::Impl::on_push(User &u, std::string_view route, std::string_view body) {
    int64_t now = realtime_us();
    auto f = push_fields.find(route);
    const std::string &field = f != push_fields.end() ? f->second : sc.push_timestamp_field;
    int64_t ts = 0;
    bool timed = find_timestamp(body, field, ts);
    u.record([&](Snapshot &s) {
        ++s.pushes;
        // Route names come from the server: a bounded number of them is kept, the rest pooled.
        auto it = s.pushes_by_route.find(route);
        if (it != s.pushes_by_route.end())
            ++it->second;
        else if (s.pushes_by_route.size() < kMaxPushRoutes)
            s.pushes_by_route.emplace(std::string(route), 1);
        else
            ++s.pushes_by_route["(other routes)"];
        // A sender's clock slightly ahead of ours gives a negative delay: recorded as 0.
        if (timed) s.push_us.record(uint64_t(std::max<int64_t>(0, now - ts)));
    });
    if (auto ps = push_saves.find(route); ps != push_saves.end())
        for (const Step *st : ps->second) take_reply(u, *st, body);
    auto w = u.waiters.find(route);
    if (w != u.waiters.end()) {
        while (!w->second.empty()) {
            std::shared_ptr<Lane> lane = w->second.front().lock();
            w->second.pop_front();
            if (!lane) continue;
            ++lane->wait_token;  // the timeout of this wait is void now
            advance(lane);
            return;
        }
    }
    auto c = u.unclaimed.find(route);
    if (c != u.unclaimed.end()) ++c->second;
}

void Runner::Impl::connect(User &u) {
    User *up = &u;
    open_client(u, sc.host, sc.port, [this, up](bool ok) {
        if (ok) advance(up->root);
    });
}

// Creates the user's client for host:port and connects it; done(false) after a counted failure (the
// user is finished then). The events of an earlier client of the user are ignored from now on.
void Runner::Impl::open_client(User &u, const std::string &host, uint16_t port, std::function<void(bool)> done) {
    if (stopping) return;
    shd::client::Options o;
    shd::client::parse_transport(sc.transport, o.transport);
    o.host = host;
    o.port = port;
    o.ws_path = sc.ws_path;
    o.tls_ca_file = sc.tls_ca_file;
    o.handshake_user = sc.handshake_user;
    o.connect_timeout_ms = sc.connect_timeout_ms;
    o.request_timeout_ms = sc.request_timeout_ms;
    o.cache = cache;
    User *up = &u;
    uint64_t gen = ++u.client_gen;
    shd::client::Events ev;
    ev.on_kick = [up, gen](std::string_view) {
        if (up->client_gen == gen) up->record([](Snapshot &s) { s.error("connection:kicked"); });
    };
    ev.on_disconnected = [this, up, gen](const Error &e) {
        if (stopping || up->finished || up->client_gen != gen) return;
        up->record([&](Snapshot &s) {
            ++s.disconnects;
            s.error(std::string("connection:") + shd::client::error_name(e.code));
        });
        user_finished(*up);
    };
    if (u.client) {
        // The old client goes quietly: its events no longer count (client_gen moved on).
        if (u.connected) {
            u.connected = false;
            connected.fetch_sub(1);
        }
        u.client->disconnect();
    }
    u.client = Client::create(*loop, o, ev, u.thread);
    for (auto &[route, field] : push_fields)
        u.client->on(route, [this, up, r = route](std::string_view body) { on_push(*up, r, body); });
    for (auto &route : wait_routes)
        if (!push_fields.count(route))
            u.client->on(route, [this, up, r = route](std::string_view body) { on_push(*up, r, body); });
    // Pushes on other routes are counted; their bodies are read only for a latency field.
    if (sc.push_timestamp_field.empty())
        u.client->on_any_route([this, up](std::string_view route) { on_push(*up, route, {}); });
    else
        u.client->on_any([this, up](std::string_view route, std::string_view body) { on_push(*up, route, body); });
    int64_t t0 = mono_us();
    u.client->connect([this, up, t0, done = std::move(done)](const Error &e) {
        if (stopping) return;
        if (e) {
            up->record([&](Snapshot &s) {
                ++s.connects_failed;
                s.error(std::string("connect:") + shd::client::error_name(e.code));
            });
            user_finished(*up);
            done(false);
            return;
        }
        uint64_t took = uint64_t(mono_us() - t0);
        up->record([&](Snapshot &s) {
            ++s.connects_ok;
            s.connect_us.record(took);
        });
        up->connected = true;
        connected.fetch_add(1);
        done(true);
    });
}

std::string Runner::Impl::take_reply(User &u, const Step &st, std::string_view body, bool *refused) {
    const bool refusable = refused && !st.refusals.empty();
    if (st.saves.empty() && st.expects.empty() && st.forgets.empty() && st.assigns.empty() && !refusable) return "";
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    if (d.HasParseError()) return st.expects.empty() ? "" : path_text(st.expects[0].path) + "=(not JSON)";
    if (refusable && std::all_of(st.refusals.begin(), st.refusals.end(), [&](const Expect &r) { return holds(d, r); })) {
        *refused = true;
        return "";
    }
    TemplateContext ctx = u.context();
    // A push that does not meet "when" changes nothing.
    for (auto &[path, t] : st.whens) {
        const rapidjson::Value *v = field_at(d, path);
        std::string want_text = t.expand(ctx);
        rapidjson::Document want;
        want.Parse(want_text.data(), want_text.size());
        if (!v || want.HasParseError() || !(*v == want)) return "";
    }
    for (auto &fg : st.forgets) {
        auto have = u.vars.find(fg.var);
        const rapidjson::Value *v = field_at(d, fg.path);
        if (have == u.vars.end() || !v) continue;
        rapidjson::Document mine;
        mine.Parse(have->second.data(), have->second.size());
        bool gone = *v == mine;
        if (v->IsArray())
            for (auto &e : v->GetArray()) gone = gone || e == mine;
        if (gone) u.vars.erase(have);
    }
    if (!st.assigns.empty()) {
        std::vector<std::string> values;
        for (auto &[name, t] : st.assigns) values.push_back(t.expand(ctx));
        for (size_t i = 0; i < st.assigns.size(); ++i) u.vars[st.assigns[i].first] = std::move(values[i]);
    }
    for (auto &sv : st.saves)
        if (const rapidjson::Value *v = field_at(d, sv.path)) u.vars[sv.var] = to_json_text(*v);
    for (auto &ex : st.expects) {
        if (!holds(d, ex)) {
            const rapidjson::Value *v = field_at(d, ex.path);
            // The key names what came instead, so a report tells a refusal from a missing field:
            // expect_code=500, expect_code=(none). Long values are cut: keys stay few and short.
            std::string got = v ? to_json_text(*v) : "(none)";
            if (got.size() > 24) got = got.substr(0, 21) + "...";
            return path_text(ex.path) + "=" + got;
        }
    }
    return "";
}

void Runner::Impl::send_http(User &u, const Step &st, const std::shared_ptr<Lane> &lane) {
    TemplateContext ctx = u.context();
    HttpPool::Job job;
    job.host = st.http_host.expand(ctx);
    std::string port = st.http_port.expand(ctx);
    job.path = st.http_path.expand(ctx);
    job.method = st.http_method;
    job.body = st.body.expand(ctx);
    job.timeout_ms = st.timeout_ms ? st.timeout_ms : sc.request_timeout_ms;
    std::string route = "http " + st.http_method + " " + job.path;
    char *end = nullptr;
    unsigned long p = std::strtoul(port.c_str(), &end, 10);
    if (port.empty() || *end || p == 0 || p > 65535) {
        u.record([&](Snapshot &s) {
            ++s.requests_failed;
            ++s.route(route).failed;
            s.error("http:bad_port");
        });
        loop->post(u.thread, [this, lane] { advance(lane); });
        return;
    }
    job.port = uint16_t(p);
    User *up = &u;
    const Step *stp = &st;
    int64_t t0 = mono_us();
    job.done = [this, up, stp, lane, t0, route](HttpAnswer a) {
        uint64_t took = uint64_t(mono_us() - t0);
        // Back on the user's thread: the user's variables and figures are its own.
        loop->post(up->thread, [this, up, stp, lane, took, route, a = std::move(a)] {
            if (stopping) return;
            std::string failed;
            if (a.status == 0)
                failed = "http:" + a.error;
            else if (a.status < 200 || a.status > 299)
                failed = "http:status_" + std::to_string(a.status);
            else if (std::string bad = take_reply(*up, *stp, a.body); !bad.empty())
                failed = "http:expect_" + bad;
            up->record([&](Snapshot &s) {
                RouteFigures &f = s.route(route);
                if (!failed.empty()) {
                    ++s.requests_failed;
                    ++f.failed;
                    s.error(failed);
                } else {
                    ++s.requests_ok;
                    ++f.ok;
                    s.request_us.record(took);
                    f.us.record(took);
                }
            });
            advance(lane);
        });
    };
    http.submit(std::move(job));
}

void Runner::Impl::connect_step(User &u, const Step &st, const std::shared_ptr<Lane> &lane) {
    TemplateContext ctx = u.context();
    std::string host = st.connect_host.expand(ctx), port = st.connect_port.expand(ctx);
    // A port saved from a reply may be a JSON number or a string holding one.
    char *end = nullptr;
    unsigned long p = std::strtoul(port.c_str(), &end, 10);
    if (port.empty() || *end || p == 0 || p > 65535 || host.empty()) {
        u.record([&](Snapshot &s) {
            ++s.connects_failed;
            s.error("connect:bad_address");
        });
        user_finished(u);
        u.client->disconnect();
        return;
    }
    open_client(u, host, uint16_t(p), [this, lane](bool ok) {
        if (ok) advance(lane);
    });
}

void Runner::Impl::send_request(User &u, const Step &st, const std::shared_ptr<Lane> &lane) {
    TemplateContext ctx = u.context();
    ++u.seq;
    std::string route = st.route.expand(ctx), body = st.body.expand(ctx);
    User *up = &u;
    const Step *stp = &st;
    int64_t t0 = mono_us();
    u.client->request(
        route, body,
        [this, up, stp, lane, t0, route](const Error &e, std::string_view reply) {
            uint64_t took = uint64_t(mono_us() - t0);
            bool refused = false;
            std::string bad = e ? std::string() : take_reply(*up, *stp, reply, &refused);
            up->record([&](Snapshot &s) {
                RouteFigures &f = s.route(route);
                if (refused) {  // answered: its latency counts as any answer's
                    ++s.requests_refused;
                    ++f.refused;
                    s.request_us.record(took);
                    f.us.record(took);
                } else if (e) {
                    ++s.requests_failed;
                    ++f.failed;
                    s.error(std::string("request:") + shd::client::error_name(e.code));
                } else if (!bad.empty()) {
                    ++s.requests_failed;
                    ++f.failed;
                    s.error("request:expect_" + bad);
                } else {
                    ++s.requests_ok;
                    ++f.ok;
                    s.request_us.record(took);
                    f.us.record(took);
                }
            });
            if (lane) advance(lane);
        },
        st.timeout_ms);
}

void Runner::Impl::advance(const std::shared_ptr<Lane> &lane) {
    User &u = *lane->user;
    for (;;) {
        if (stopping || !u.connected) return;  // the lane ends with its user
        if (lane->pc >= lane->steps->size()) {
            finish_lane(lane);
            return;
        }
        const Step &st = (*lane->steps)[lane->pc++];
        if (u.index < st.only_lo || u.index > st.only_hi) continue;
        if (!st.if_set.empty() || !st.if_unset.empty()) {
            auto is_set = [&](const std::string &name) {
                auto it = u.vars.find(name);
                return it != u.vars.end() && it->second != "null";
            };
            if (!st.if_set.empty() && !is_set(st.if_set)) continue;
            if (!st.if_unset.empty() && is_set(st.if_unset)) continue;
        }
        switch (st.kind) {
            case Step::Kind::set: {
                TemplateContext ctx = u.context();
                // Values first, then assignments: {"a": "${b}", "b": "${a}"} swaps.
                std::vector<std::string> values;
                for (auto &[name, t] : st.sets) values.push_back(t.expand(ctx));
                for (size_t i = 0; i < st.sets.size(); ++i) u.vars[st.sets[i].first] = std::move(values[i]);
                continue;
            }
            case Step::Kind::http:
                lane->went_async = true;
                send_http(u, st, lane);
                return;
            case Step::Kind::connect:
                lane->went_async = true;
                connect_step(u, st, lane);
                return;
            case Step::Kind::notify: {
                TemplateContext ctx = u.context();
                ++u.seq;
                u.client->notify(st.route.expand(ctx), st.body.expand(ctx));
                u.record([](Snapshot &s) { ++s.notifies; });
                continue;
            }
            case Step::Kind::on: continue;  // handlers were installed at connect time
            case Step::Kind::request:
                lane->went_async = true;
                send_request(u, st, lane);
                return;
            case Step::Kind::sleep: {
                lane->went_async = true;
                double ms = delay_ms(st.delay, u.rng);
                loop->post_after(u.thread, uint32_t(std::lround(ms)), [this, lane] { advance(lane); });
                return;
            }
            case Step::Kind::wait_push: {
                uint64_t &ready = u.unclaimed[st.push_route];
                if (ready > 0) {
                    --ready;
                    continue;
                }
                lane->went_async = true;
                uint64_t token = ++lane->wait_token;
                u.waiters[st.push_route].push_back(lane);
                std::weak_ptr<Lane> weak = lane;
                const Step *stp = &st;
                loop->post_after(u.thread, st.timeout_ms, [this, weak, token, stp] {
                    auto l = weak.lock();
                    if (!l || l->wait_token != token || stopping) return;
                    auto &q = l->user->waiters[stp->push_route];
                    for (auto it = q.begin(); it != q.end(); ++it)
                        if (it->lock() == l) {
                            q.erase(it);
                            break;
                        }
                    l->user->record([](Snapshot &s) { s.error("waitPush:timeout"); });
                    advance(l);
                });
                return;
            }
            case Step::Kind::loop:
                lane->went_async = true;
                start_loop(lane, st);
                return;
            case Step::Kind::rate:
                // A rate step sends until the run ends; the lane stays here.
                start_rate(u, st);
                return;
            case Step::Kind::disconnect:
                user_finished(u);
                u.client->disconnect();
                return;
        }
    }
}

void Runner::Impl::start_loop(const std::shared_ptr<Lane> &lane, const Step &st) {
    auto run = std::make_unique<LoopRun>();
    run->step = &st;
    run->parent = lane;
    unsigned lanes = st.in_flight;
    if (st.count) lanes = unsigned(std::min<uint64_t>(lanes, st.count));
    for (unsigned i = 0; i < lanes; ++i) {
        auto l = std::make_shared<Lane>();
        l->user = lane->user;
        l->steps = &st.steps;
        l->loop = run.get();
        run->lanes.push_back(l);
    }
    run->started = lanes;
    run->active = lanes;
    LoopRun *r = run.get();
    lane->child = std::move(run);
    // Copies: a lane may finish (and the loop with it) while we are still starting the others.
    std::vector<std::shared_ptr<Lane>> start(r->lanes);
    for (auto &l : start) advance(l);
}

void Runner::Impl::finish_lane(const std::shared_ptr<Lane> &lane) {
    User &u = *lane->user;
    LoopRun *run = lane->loop;
    if (!run) {  // the script itself ended
        if (!sc.stay_connected) {
            user_finished(u);
            u.client->disconnect();
        }
        return;
    }
    const Step &st = *run->step;
    if (!stopping && (st.count == 0 || run->started < st.count)) {
        ++run->started;
        lane->pc = 0;
        bool yield = !lane->went_async;
        lane->went_async = false;
        // An iteration that waited for nothing would spin without letting I/O run: repeat it later.
        if (yield)
            loop->post(u.thread, [this, lane] { advance(lane); });
        else
            advance(lane);
        return;
    }
    if (--run->active > 0) return;
    // The last lane: the parent goes on once this call stack (inside a lane of `run`) has unwound,
    // because going on destroys `run` and its lanes.
    std::weak_ptr<Lane> weak = run->parent;
    loop->post(u.thread, [this, weak] {
        std::shared_ptr<Lane> parent = weak.lock();
        if (!parent) return;
        parent->child.reset();
        advance(parent);
    });
}

void Runner::Impl::start_rate(User &u, const Step &st) {
    if (!u.in_rate) {
        u.in_rate = true;
        senders.fetch_add(1);
    }
    rate_tick(u, st, mono_us(), 0.0);
}

void Runner::Impl::rate_tick(User &u, const Step &st, int64_t last_us, double credit) {
    if (stopping || !u.connected) {
        if (u.in_rate) u.in_rate = false, senders.fetch_sub(1);
        return;
    }
    int64_t now = mono_us();
    double rate = rate_shape.rate_at(level.load(std::memory_order_relaxed));
    credit += rate * double(now - last_us) / 1e6;
    // After a stall, catch up at most 100 ms worth: an open-loop sender, not a burst generator.
    credit = std::min(credit, std::max(1.0, rate * 0.1));
    while (credit >= 1.0) {
        credit -= 1.0;
        if (st.rate_notify) {
            TemplateContext ctx = u.context();
            ++u.seq;
            u.client->notify(st.route.expand(ctx), st.body.expand(ctx));
            u.record([](Snapshot &s) { ++s.notifies; });
        } else {
            send_request(u, st, nullptr);
        }
    }
    User *up = &u;
    const Step *stp = &st;
    loop->post_after(u.thread, 2, [this, up, stp, now, credit] { rate_tick(*up, *stp, now, credit); });
}

Runner::Runner(const Scenario &scenario, uint64_t first_index, uint64_t count, uint64_t total_users)
    : impl_(std::make_unique<Impl>(scenario, first_index, count, total_users)) {
    Impl &m = *impl_;
    m.collect_routes(scenario.script);
    m.loop = std::make_unique<shd::client::Loop>(scenario.threads);
    for (unsigned t = 0; t < scenario.threads; ++t) m.stats.push_back(std::make_unique<ThreadStats>());
    m.users.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
        auto u = std::make_unique<User>();
        u->run = &m;
        u->index = first_index + i;
        u->thread = unsigned(i % scenario.threads);
        u->rng.seed(0x5eed0000ull + u->index);
        u->stats = m.stats[u->thread].get();
        TemplateContext ctx = u->context();
        u->uid = scenario.uid.expand(ctx);
        for (auto &route : m.wait_routes) u->unclaimed[route] = 0;
        u->root = std::make_shared<Lane>();
        u->root->user = u.get();
        u->root->steps = &scenario.script;
        m.users.push_back(std::move(u));
    }
}

Runner::~Runner() {
    stop();
}

void Runner::start() {
    Impl &m = *impl_;
    int64_t t0 = mono_us();
    for (unsigned t = 0; t < m.loop->threads(); ++t) m.loop->post(t, [&m, t, t0] { m.ramp(t, t, t0); });
}

Snapshot Runner::take_interval() {
    Impl &m = *impl_;
    Snapshot out;
    for (auto &ts : m.stats) {
        std::lock_guard<std::mutex> lock(ts->mu);
        out.merge(ts->s);
        ts->s = Snapshot();
    }
    out.users_connected = m.connected.load();
    out.rate_senders = m.senders.load();
    return out;
}

void Runner::set_level(unsigned level) {
    impl_->level.store(level);
}

bool Runner::all_done() const {
    return impl_->finished.load() >= impl_->count;
}

void Runner::stop() {
    Impl &m = *impl_;
    if (!m.loop) return;
    m.stopping = true;
    // The HTTP threads post to the loop: they end first.
    m.http.stop();
    // Destroying the Loop closes every client, fails pending calls with `cancelled` (ignored now) and
    // joins its threads. Those threads read m.loop (post, post_after) until they are joined, so the
    // pointer is cleared only afterwards (reset() would write it first: a data race).
    delete m.loop.get();
    (void)m.loop.release();
}

std::string drive(Runner &runner, double duration_seconds,
                  const std::function<bool(unsigned, const Snapshot &)> &on_second, const std::atomic<bool> &interrupt,
                  Snapshot &rest, double &elapsed_seconds) {
    using clock = std::chrono::steady_clock;
    auto start = clock::now();
    auto end = start + std::chrono::microseconds(int64_t(duration_seconds * 1e6));
    runner.start();
    std::string why;
    for (unsigned n = 1; why.empty(); ++n) {
        auto due = start + std::chrono::seconds(n);
        // Sleep in small slices so that an interrupt or the end of every user is seen quickly.
        while (why.empty()) {
            auto now = clock::now();
            if (interrupt)
                why = "interrupted";
            else if (now >= end)
                why = "duration";
            else if (runner.all_done())
                why = "all users done";
            else if (now >= due)
                break;
            else
                std::this_thread::sleep_for(std::min<clock::duration>(due - now, std::chrono::milliseconds(20)));
        }
        if (!why.empty()) break;
        if (!on_second(n, runner.take_interval())) why = "stopped";
    }
    rest = runner.take_interval();
    runner.stop();
    elapsed_seconds = std::chrono::duration<double>(clock::now() - start).count();
    return why;
}

}  // namespace shd::robot
