// The rpc integration tests' app, written against the "shd.rpc/1" C vtable directly.
//
// Every server of the test cluster runs it. It publishes user.testRemote.{echo, add, sleep, throw, whoami,
// caller} and obeys JSON commands, one per line, on its standard input (the test script writes them
// to the driver server): invoke, call, burst, bench, route, set_route, emit, ping, stop. Results go to
// standard output as lines "@@ {json}"; the host logs to stderr.
//
// Each outgoing call records how often its callback ran and whether it ran inside the call, so the
// script can check the promise of rpc.h: exactly once, never inline.
//
// The command "filters" installs RPC filters and an error handler through the C++ wrapper (shd::Rpc)
// that print one line per run ({"filter": "B1"|"B2"|"A1"|"A2"|"E", ...}), so the script sees their
// order relative to the call's result line; a before filter rejects calls whose first argument is
// "reject". "toobusy" adds the built-in toobusy filter; "busy_call" keeps the logic thread busy, then
// calls. Remote "mark" prints {"event": "marked"} on the server it runs on.
#include <shaddock/ext/rpc.h>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/rpc.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::string_view view(shd_str s) {
    return std::string_view(s.data ? s.data : "", s.size);
}
shd_str str(std::string_view s) {
    return shd_str{s.data(), s.size()};
}

std::string quote(std::string_view s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return std::string(sb.GetString(), sb.GetSize());
}

std::string to_json(const rapidjson::Value &v) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
}

// One result line; a single write() so lines never interleave.
void emit(const std::string &json) {
    std::string line = "@@ " + json + "\n";
    size_t off = 0;
    while (off < line.size()) {
        ssize_t n = ::write(1, line.data() + off, line.size() - off);
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}

class RpcTestApp;

// The user_data of one outgoing call.
struct CallRecord {
    RpcTestApp *app = nullptr;
    std::string tag;
    int fired = 0;
    bool inline_call = false;  // the callback ran inside invoke()/call()
    Clock::time_point started;
    std::function<void(CallRecord &, shd_status, std::string_view)> on_result;
};

class RpcTestApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        auto [rpc, ctx] = host().require<shd_rpc_v1>(SHD_RPC_SERVICE_ID);
        rpc_ = rpc;
        rpc_ctx_ = ctx;
        self_ = host().server().id;
        add("echo", [](RpcTestApp *, shd_str, std::string_view args, const shd_rpc_responder_v1 *r) {
            std::string result = "[null," + std::string(args) + "]";
            r->reply(r->ctx, SHD_OK, str(result));
        });
        add("add", [](RpcTestApp *, shd_str, std::string_view args, const shd_rpc_responder_v1 *r) {
            rapidjson::Document d;
            d.Parse(args.data(), args.size());
            if (d.HasParseError() || !d.IsArray() || d.Size() != 2 || !d[0].IsNumber() || !d[1].IsNumber()) {
                r->reply(r->ctx, SHD_ERR_INVALID, str(quote("add expects two numbers")));
                return;
            }
            std::string result = "[null," + std::to_string(d[0].GetInt64() + d[1].GetInt64()) + "]";
            r->reply(r->ctx, SHD_OK, str(result));
        });
        add("whoami", [](RpcTestApp *app, shd_str, std::string_view, const shd_rpc_responder_v1 *r) {
            std::string result = "[null," + quote(app->self_) + "]";
            r->reply(r->ctx, SHD_OK, str(result));
        });
        add("caller", [](RpcTestApp *, shd_str caller, std::string_view, const shd_rpc_responder_v1 *r) {
            std::string result = "[null," + quote(view(caller)) + "]";
            r->reply(r->ctx, SHD_OK, str(result));
        });
        add("mark", [](RpcTestApp *app, shd_str, std::string_view args, const shd_rpc_responder_v1 *r) {
            emit(R"({"event":"marked","server":)" + quote(app->self_) + R"(,"args":)" + std::string(args) + "}");
            r->reply(r->ctx, SHD_OK, str("[null]"));
        });
        // A C++ remote registered straight on the C table, throwing: the caller must get
        // SHD_ERR_INTERNAL at once, and the call must leave this server's table of incoming calls.
        add("throw", [](RpcTestApp *, shd_str, std::string_view, const shd_rpc_responder_v1 *) {
            throw std::runtime_error("remote boom");
        });
        add("sleep", [](RpcTestApp *app, shd_str, std::string_view args, const shd_rpc_responder_v1 *r) {
            rapidjson::Document d;
            d.Parse(args.data(), args.size());
            uint64_t ms = (d.IsArray() && d.Size() > 0 && d[0].IsUint64()) ? d[0].GetUint64() : 0;
            emit(R"({"event":"sleeping","server":)" + quote(app->self_) + R"(,"ms":)" + std::to_string(ms) + "}");
            std::string result = "[null," + std::to_string(ms) + "," + quote(app->self_) + "]";
            app->host().after(ms, [r, result] { r->reply(r->ctx, SHD_OK, str(result)); });
        });
    }

    void start() override {
        reader_ = std::thread([this] { read_commands(); });
    }

    void start_all() override { emit(R"({"event":"started","server":)" + quote(self_) + "}"); }

    void stop(shd::Done done) override {
        quit_ = true;
        if (reader_.joinable()) reader_.join();
        emit(R"({"event":"stopping","server":)" + quote(self_) + "}");
        done();
    }

    // [logic] The callback of every outgoing call.
    static void SHD_CALL on_result(void *ud, shd_status status, shd_str result) {
        auto *rec = static_cast<CallRecord *>(ud);
        ++rec->fired;
        if (rec->fired > 1) {
            emit(R"({"tag":)" + quote(rec->tag) + R"(,"duplicate":true})");
            return;
        }
        if (rec->app->in_call_) rec->inline_call = true;
        rec->on_result(*rec, status, view(result));
    }

private:
    using RemoteFn = void (*)(RpcTestApp *, shd_str, std::string_view, const shd_rpc_responder_v1 *);

    void add(const char *method, RemoteFn fn) {
        auto *box = new std::pair<RpcTestApp *, RemoteFn>(this, fn);
        boxes_.emplace_back(box);
        rpc_->add_remote(
            rpc_ctx_, str("user"), str("testRemote"), str(method),
            [](void *ud, shd_str caller, shd_str args, const shd_rpc_responder_v1 *r) {
                auto *b = static_cast<std::pair<RpcTestApp *, RemoteFn> *>(ud);
                b->second(b->first, caller, view(args), r);
            },
            box);
    }

    // [reader thread] Lines from stdin, each handed to the logic thread.
    void read_commands() {
        std::string buf;
        char chunk[4096];
        while (!quit_) {
            pollfd p{0, POLLIN, 0};
            int r = ::poll(&p, 1, 100);
            if (r <= 0) continue;
            ssize_t n = ::read(0, chunk, sizeof chunk);
            if (n <= 0) return;  // EOF: no more commands
            buf.append(chunk, static_cast<size_t>(n));
            size_t nl;
            while ((nl = buf.find('\n')) != std::string::npos) {
                std::string line = buf.substr(0, nl);
                buf.erase(0, nl + 1);
                if (!line.empty()) host().post([this, line] { command(line); });
            }
        }
    }

    CallRecord *record(const std::string &tag, std::function<void(CallRecord &, shd_status, std::string_view)> fn) {
        auto rec = std::make_unique<CallRecord>();
        rec->app = this;
        rec->tag = tag;
        rec->started = Clock::now();
        rec->on_result = std::move(fn);
        records_.push_back(std::move(rec));
        return records_.back().get();
    }

    static std::string get(const rapidjson::Value &cmd, const char *key, const char *fallback = "") {
        auto it = cmd.FindMember(key);
        if (it == cmd.MemberEnd()) return fallback;
        if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
        return to_json(it->value);  // objects and arrays as JSON text
    }

    static uint32_t get_uint(const rapidjson::Value &cmd, const char *key, uint32_t fallback = 0) {
        auto it = cmd.FindMember(key);
        return (it != cmd.MemberEnd() && it->value.IsUint()) ? it->value.GetUint() : fallback;
    }

    // Starts one call described by a command: "server" means invoke (toServer), else call (routed).
    void start_call(const rapidjson::Value &cmd, CallRecord *rec) {
        std::string method = get(cmd, "method", "echo");
        std::string service = get(cmd, "service", "testRemote");
        std::string ns = get(cmd, "ns", "user");
        std::string args = get(cmd, "args", "[]");
        std::string type = get(cmd, "type", "");
        uint32_t timeout = get_uint(cmd, "timeout");
        in_call_ = true;
        if (cmd.HasMember("server")) {
            std::string server = get(cmd, "server");
            rpc_->invoke(rpc_ctx_, str(server), str(type), str(ns), str(service), str(method), str(args), timeout,
                         &RpcTestApp::on_result, rec);
        } else {
            std::string route = get(cmd, "route", "{}");
            rpc_->call(rpc_ctx_, str(type), str(route), str(ns), str(service), str(method), str(args), timeout,
                       &RpcTestApp::on_result, rec);
        }
        in_call_ = false;
    }

    static std::string result_line(const CallRecord &rec, shd_status status, std::string_view result) {
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - rec.started).count();
        // The result is JSON text from the plugin; echo it raw so the script sees exactly what came.
        return R"({"tag":)" + quote(rec.tag) + R"(,"status":)" + std::to_string(status) + R"(,"result":)" +
               (result.empty() ? std::string("null") : std::string(result)) + R"(,"inline":)" +
               (rec.inline_call ? "true" : "false") + R"(,"ms":)" + std::to_string(ms) + "}";
    }

    void command(const std::string &line) {
        rapidjson::Document cmd;
        cmd.Parse(line.c_str());
        if (cmd.HasParseError() || !cmd.IsObject()) {
            emit(R"({"error":"bad command"})");
            return;
        }
        const std::string op = get(cmd, "op");
        const std::string tag = get(cmd, "tag");
        if (op == "invoke" || op == "call") {
            start_call(cmd, record(tag, [](CallRecord &rec, shd_status s, std::string_view r) {
                           emit(result_line(rec, s, r));
                       }));
        } else if (op == "burst") {
            burst(cmd, tag);
        } else if (op == "bench") {
            bench(cmd, tag);
        } else if (op == "route") {
            route_uids(cmd, tag);
        } else if (op == "set_route") {
            set_route(get(cmd, "type"), get(cmd, "mode"));
            emit(R"({"tag":)" + quote(tag) + R"(,"done":true})");
        } else if (op == "emit") {
            host().emit(get(cmd, "name"), get(cmd, "payload", "{}"));
            emit(R"({"tag":)" + quote(tag) + R"(,"done":true})");
        } else if (op == "filters") {
            install_filters();
            emit(R"({"tag":)" + quote(tag) + R"(,"done":true})");
        } else if (op == "toobusy") {
            cpp_rpc().builtin_filter("toobusy", get(cmd, "options", "{}"));
            emit(R"({"tag":)" + quote(tag) + R"(,"done":true})");
        } else if (op == "busy_call") {
            auto until = Clock::now() + std::chrono::milliseconds(get_uint(cmd, "busy", 200));
            while (Clock::now() < until) {
            }
            start_call(cmd, record(tag, [](CallRecord &rec, shd_status s, std::string_view r) {
                           emit(result_line(rec, s, r));
                       }));
        } else if (op == "ping") {
            emit(R"({"tag":)" + quote(tag) + R"(,"pong":true})");
        } else if (op == "stop") {
            host().request_stop("the test asked");
        } else {
            emit(R"({"error":"unknown op"})");
        }
    }

    // `count` calls issued at once; one summary line when every callback has run.
    void burst(const rapidjson::Value &cmd, const std::string &tag) {
        struct Burst {
            std::string tag;
            uint32_t count, finished = 0, ok = 0, inline_calls = 0, mismatched = 0;
            std::vector<int> statuses;
            Clock::time_point started = Clock::now();
        };
        auto b = std::make_shared<Burst>();
        b->tag = tag;
        b->count = get_uint(cmd, "count", 1000);
        b->statuses.assign(11, 0);
        for (uint32_t i = 0; i < b->count; ++i) {
            // Every call carries its index; the echo must bring back the same one.
            rapidjson::Document c;
            c.CopyFrom(cmd, c.GetAllocator());
            std::string args = "[" + std::to_string(i) + "]";
            c.RemoveMember("args");
            c.AddMember("args", rapidjson::Value(args.c_str(), c.GetAllocator()), c.GetAllocator());
            CallRecord *rec = record(tag, [b, i](CallRecord &r, shd_status s, std::string_view res) {
                ++b->finished;
                if (r.inline_call) ++b->inline_calls;
                if (s >= 0 && s <= 10) ++b->statuses[static_cast<size_t>(s)];
                if (s == SHD_OK) {
                    ++b->ok;
                    if (res != "[null,[" + std::to_string(i) + "]]") ++b->mismatched;
                }
                if (b->finished == b->count) {
                    double ms = std::chrono::duration<double, std::milli>(Clock::now() - b->started).count();
                    std::string st;
                    for (size_t k = 0; k < b->statuses.size(); ++k)
                        if (b->statuses[k])
                            st += (st.empty() ? "" : ",") + quote(std::to_string(k)) + ":" +
                                  std::to_string(b->statuses[k]);
                    emit(R"({"tag":)" + quote(b->tag) + R"(,"count":)" + std::to_string(b->count) + R"(,"ok":)" +
                         std::to_string(b->ok) + R"(,"mismatched":)" + std::to_string(b->mismatched) + R"(,"inline":)" +
                         std::to_string(b->inline_calls) + R"(,"statuses":{)" + st + R"(},"ms":)" + std::to_string(ms) +
                         "}");
                }
            });
            start_call(c, rec);
        }
    }

    // Keeps `inflight` echo calls outstanding until `count` have completed; prints rate and latency.
    void bench(const rapidjson::Value &cmd, const std::string &tag) {
        struct Bench {
            RpcTestApp *app;
            std::string tag, server, payload;
            uint32_t count, issued = 0, finished = 0, errors = 0;
            std::vector<double> latencies_us;
            Clock::time_point started;
        };
        auto b = std::make_shared<Bench>();
        b->app = this;
        b->tag = tag;
        b->server = get(cmd, "server");
        b->count = get_uint(cmd, "count", 10000);
        b->payload = "[" + quote(std::string(get_uint(cmd, "bytes", 16), 'x')) + "]";
        b->latencies_us.reserve(b->count);
        uint32_t inflight = std::max<uint32_t>(1, get_uint(cmd, "inflight", 1));
        b->started = Clock::now();
        auto issue = std::make_shared<std::function<void()>>();
        *issue = [b, issue] {
            ++b->issued;
            CallRecord *rec = b->app->record(b->tag, [b, issue](CallRecord &r, shd_status s, std::string_view) {
                b->latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - r.started).count());
                if (s != SHD_OK) ++b->errors;
                if (++b->finished == b->count) {
                    double secs = std::chrono::duration<double>(Clock::now() - b->started).count();
                    auto lat = b->latencies_us;
                    std::sort(lat.begin(), lat.end());
                    auto pct = [&](double q) {
                        return lat[std::min(lat.size() - 1, static_cast<size_t>(q * lat.size()))];
                    };
                    emit(R"({"tag":)" + quote(b->tag) + R"(,"calls":)" + std::to_string(b->count) + R"(,"errors":)" +
                         std::to_string(b->errors) + R"(,"seconds":)" + std::to_string(secs) + R"(,"calls_per_s":)" +
                         std::to_string(b->count / secs) + R"(,"p50_us":)" + std::to_string(pct(0.5)) +
                         R"(,"p99_us":)" + std::to_string(pct(0.99)) + "}");
                    *issue = nullptr;  // break the cycle
                    return;
                }
                if (b->issued < b->count) (*issue)();
            });
            b->app->in_call_ = true;
            b->app->rpc_->invoke(b->app->rpc_ctx_, str(b->server), str(""), str("user"), str("testRemote"), str("echo"),
                                 str(b->payload), 0, &RpcTestApp::on_result, rec);
            b->app->in_call_ = false;
        };
        for (uint32_t i = 0; i < inflight && b->issued < b->count; ++i) (*issue)();
    }

    // Routes whoami by {"uid": u} for each uid; reports the chosen servers in order.
    void route_uids(const rapidjson::Value &cmd, const std::string &tag) {
        const rapidjson::Value &uids = cmd["uids"];
        struct Routes {
            std::string tag;
            std::vector<std::string> servers;
            size_t left;
        };
        auto r = std::make_shared<Routes>();
        r->tag = tag;
        r->servers.resize(uids.Size());
        r->left = uids.Size();
        std::string type = get(cmd, "type");
        for (rapidjson::SizeType i = 0; i < uids.Size(); ++i) {
            std::string route = R"({"uid":)" + to_json(uids[i]) + "}";
            CallRecord *rec = record(tag, [r, i](CallRecord &, shd_status s, std::string_view res) {
                rapidjson::Document d;
                d.Parse(res.data(), res.size());
                r->servers[i] = (s == SHD_OK && d.IsArray() && d.Size() == 2 && d[1].IsString())
                                    ? d[1].GetString()
                                    : "error " + std::to_string(s);
                if (--r->left == 0) {
                    std::string list;
                    for (const auto &sv : r->servers) list += (list.empty() ? "" : ",") + quote(sv);
                    emit(R"({"tag":)" + quote(r->tag) + R"(,"servers":[)" + list + "]}");
                }
            });
            in_call_ = true;
            rpc_->call(rpc_ctx_, str(type), str(route), str("user"), str("testRemote"), str("whoami"), str("[]"), 0,
                       &RpcTestApp::on_result, rec);
            in_call_ = false;
        }
    }

    // Route functions the script can install: "param" (route param's "target"), "last" (last
    // candidate), "bogus" (a server that does not exist), "async" (last candidate, 20 ms later),
    // "fail" (an error), "throw" (throws before choosing), "none" (back to the configured router).
    void set_route(const std::string &type, const std::string &mode) {
        shd_route_fn fn = nullptr;
        if (mode == "param") {
            fn = [](void *, shd_str, shd_str param, const shd_str *, size_t, shd_route_choice_fn choose, void *cctx) {
                rapidjson::Document d;
                d.Parse(param.data, param.size);
                std::string target =
                    (d.IsObject() && d.HasMember("target") && d["target"].IsString()) ? d["target"].GetString() : "";
                choose(cctx, SHD_OK, str(target));
            };
        } else if (mode == "last") {
            fn = [](void *, shd_str, shd_str, const shd_str *c, size_t n, shd_route_choice_fn choose, void *cctx) {
                choose(cctx, SHD_OK, c[n - 1]);
            };
        } else if (mode == "bogus") {
            fn = [](void *, shd_str, shd_str, const shd_str *, size_t, shd_route_choice_fn choose, void *cctx) {
                choose(cctx, SHD_OK, str("no-such-server"));
            };
        } else if (mode == "fail") {
            fn = [](void *, shd_str, shd_str, const shd_str *, size_t, shd_route_choice_fn choose, void *cctx) {
                choose(cctx, SHD_ERR_INVALID, str(""));
            };
        } else if (mode == "throw") {
            fn = [](void *, shd_str, shd_str, const shd_str *, size_t, shd_route_choice_fn, void *) {
                throw std::runtime_error("route boom");
            };
        } else if (mode == "async") {
            fn = [](void *ud, shd_str, shd_str, const shd_str *c, size_t n, shd_route_choice_fn choose, void *cctx) {
                auto *app = static_cast<RpcTestApp *>(ud);
                std::string last(view(c[n - 1]));
                app->host().after(20, [choose, cctx, last] { choose(cctx, SHD_OK, str(last)); });
            };
        }
        rpc_->set_route(rpc_ctx_, str(type), fn, this);
    }

    shd::Rpc &cpp_rpc() {
        if (!cpp_rpc_) cpp_rpc_ = std::make_unique<shd::Rpc>(host());
        return *cpp_rpc_;
    }

    static std::string call_fields(const shd::RpcCall &call) {
        return R"("call":)" + std::to_string(call.id) + R"(,"server":)" + quote(call.server_id) + R"(,"type":)" +
               quote(call.server_type) + R"(,"route":)" + quote(call.route) + R"(,"args":)" +
               (call.args_json.empty() ? std::string("null") : call.args_json);
    }

    // B1 (sync, rejects ["reject", ...]), B2 (finishes 5 ms later), A1, A2 and the error handler E.
    void install_filters() {
        shd::Rpc &rpc = cpp_rpc();
        rpc.before([](const shd::RpcCall &call, shd::RpcNext next) {
            emit(R"({"filter":"B1",)" + call_fields(call) + "}");
            rapidjson::Document a;
            a.Parse(call.args_json.c_str());
            if (a.IsArray() && !a.Empty() && a[0].IsString() && std::string(a[0].GetString()) == "reject")
                return next.fail(SHD_ERR_INVALID, "rejected by B1");
            next();
        });
        rpc.before([this](const shd::RpcCall &call, shd::RpcNext next) {
            emit(R"({"filter":"B2",)" + call_fields(call) + "}");
            host().after(5, [next] { next(); });
        });
        for (const char *name : {"A1", "A2"}) {
            std::string n = name;
            rpc.after([n](const shd::RpcCall &call, shd_status s, const std::string &result, uint64_t elapsed_us) {
                emit(R"({"filter":)" + quote(n) + "," + call_fields(call) + R"(,"status":)" + std::to_string(s) +
                     R"(,"elapsed_us":)" + std::to_string(elapsed_us) + R"(,"result":)" +
                     (result.empty() ? std::string("null") : result) + "}");
            });
        }
        rpc.error_handler([](const shd::RpcCall &call, shd_status s, const std::string &message) {
            emit(R"({"filter":"E",)" + call_fields(call) + R"(,"status":)" + std::to_string(s) + R"(,"message":)" +
                 (message.empty() ? std::string("null") : message) + "}");
        });
    }

    const shd_rpc_v1 *rpc_ = nullptr;
    void *rpc_ctx_ = nullptr;
    std::unique_ptr<shd::Rpc> cpp_rpc_;
    std::string self_;
    bool in_call_ = false;
    std::thread reader_;
    std::atomic<bool> quit_{false};
    std::deque<std::unique_ptr<CallRecord>> records_;  // kept to the end: a late second callback is caught
    std::vector<std::unique_ptr<std::pair<RpcTestApp *, RemoteFn>>> boxes_;
};

}  // namespace

SHADDOCK_APP(RpcTestApp, "rpc_test_app", "1.0.0", SHD_RPC_SERVICE_ID)
