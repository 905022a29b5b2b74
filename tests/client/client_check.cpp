// client_check: drives libshaddock-client against a live server and asserts what comes back. The
// Node tests in this folder start the servers (Shaddock's echo app, a Pomelo 2.2.7 app, a hostile
// fake) and run one scenario per call; a scenario prints "PASS <name>" or a FAIL line and exits 1.
//
//   client_check <scenario> --port N [--host H] [--transport tcp|tls|ws|wss] [--ca FILE] [--clients N]
//
// Interactive scenarios (server_gone, reconnect, heartbeat) print a line and wait for "go" on
// stdin while the driver does something to the server.
#include <shaddock/client.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace shd::client;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void fail(int line, const std::string &what) {
    std::fprintf(stderr, "FAIL (client_check.cpp:%d): %s\n", line, what.c_str());
    std::fflush(stderr);
    std::_Exit(1);
}
#define CHECK(cond, what)                                                           \
    do {                                                                            \
        if (!(cond)) fail(__LINE__, std::string(#cond) + ": " + std::string(what)); \
    } while (0)

// Normal form of JSON text for comparisons (key order kept, spacing dropped).
std::string norm(std::string_view text) {
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    if (d.HasParseError()) return "<not json: " + std::string(text) + ">";
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    d.Accept(w);
    return b.GetString();
}

// Collects what callbacks report, from any thread, and lets the main thread wait for it.
struct Recorder {
    std::mutex m;
    std::condition_variable cv;
    std::map<std::string, int> counts;
    std::map<std::string, std::vector<std::string>> values;

    void add(const std::string &key, std::string value = {}) {
        std::lock_guard<std::mutex> l(m);
        ++counts[key];
        values[key].push_back(std::move(value));
        cv.notify_all();
    }
    int count(const std::string &key) {
        std::lock_guard<std::mutex> l(m);
        return counts[key];
    }
    std::string last(const std::string &key) {
        std::lock_guard<std::mutex> l(m);
        auto &v = values[key];
        return v.empty() ? std::string() : v.back();
    }
    bool wait(const std::string &key, int n, int ms) {
        std::unique_lock<std::mutex> l(m);
        return cv.wait_for(l, std::chrono::milliseconds(ms), [&] { return counts[key] >= n; });
    }
};

struct Args {
    std::string scenario;
    Options options;
    int clients = 1000;
};

Events recording_events(Recorder &rec) {
    Events ev;
    ev.on_connected = [&rec] { rec.add("connected"); };
    ev.on_disconnected = [&rec](const Error &e) {
        rec.add("disconnected", std::string(error_name(e.code)) + ": " + e.message);
    };
    ev.on_kick = [&rec](std::string_view reason) { rec.add("kick", std::string(reason)); };
    ev.on_error = [&rec](const Error &e) { rec.add("error", std::string(error_name(e.code)) + ": " + e.message); };
    ev.on_reconnecting = [&rec](uint32_t attempt) { rec.add("reconnecting", std::to_string(attempt)); };
    return ev;
}

// A request whose reply the caller waits for: {error name, body}.
struct Result {
    ErrorCode code = ErrorCode::ok;
    std::string message;
    std::string body;
    bool ok() const { return code == ErrorCode::ok; }
};
Result call(Client &c, std::string_view route, std::string_view body, uint32_t timeout_ms = 0) {
    Recorder rec;
    Result r;
    c.request(
        route, body,
        [&](const Error &e, std::string_view b) {
            std::lock_guard<std::mutex> l(rec.m);
            r.code = e.code;
            r.message = e.message;
            r.body = std::string(b);
            ++rec.counts["reply"];
            rec.cv.notify_all();
        },
        timeout_ms);
    CHECK(rec.wait("reply", 1, 15000), "no reply to " + std::string(route));
    return r;
}

void connect_ok(Client &c) {
    Recorder rec;
    c.connect([&](const Error &e) { rec.add("done", e ? std::string(error_name(e.code)) + ": " + e.message : ""); });
    CHECK(rec.wait("done", 1, 15000), "connect() never finished");
    CHECK(rec.last("done").empty(), "connect failed: " + rec.last("done"));
    CHECK(c.state() == Client::State::connected, "state after connect");
}

void wait_line(const std::string &expected) {
    std::string line;
    CHECK(std::getline(std::cin, line) && line == expected, "expected '" + expected + "' on stdin, got '" + line + "'");
}
void say(const std::string &line) {
    std::cout << line << std::endl;
}

// --- scenarios ------------------------------------------------------------------------------

void flows(const Args &a) {
    Loop loop(2);
    Recorder rec;
    auto c = Client::create(loop, a.options, recording_events(rec), 1);
    connect_ok(*c);
    CHECK(rec.count("connected") == 1, "on_connected once");
    CHECK(c->uses_dictionary(), "the server enables the dictionary");
    CHECK(c->uses_protobuf(), "the server enables protobuf");
    CHECK(c->heartbeat_interval_s() == 3, "heartbeat 3 s, got " + std::to_string(c->heartbeat_interval_s()));

    Result r = call(*c, "connector.entryHandler.entry", "{}");
    CHECK(r.ok() && norm(r.body) == R"({"code":200,"msg":"game server is ok."})", r.message + r.body);

    const std::string payload = R"({"a":[1,2.5,{"b":"c\u00e9"}],"s":"x\"y"})";
    r = call(*c, "connector.entryHandler.echo", payload);
    CHECK(r.ok() && norm(r.body) == norm(payload), r.body);

    // Notify: the server pushes its body back on onNote.
    c->on("onNote", [&](std::string_view body) { rec.add("onNote", std::string(body)); });
    c->notify("connector.entryHandler.note", R"({"n":1})");
    CHECK(rec.wait("onNote", 1, 5000), "no onNote push after the notify");
    CHECK(norm(rec.last("onNote")) == R"({"n":1})", rec.last("onNote"));

    // A push on a dictionary route (sent compressed by the server) and one on a route without a handler.
    c->on("onPush", [&](std::string_view body) { rec.add("onPush", std::string(body)); });
    c->on_any([&](std::string_view route, std::string_view body) {
        rec.add("any", std::string(route) + " " + std::string(body));
    });
    r = call(*c, "connector.entryHandler.push", R"({"route":"onPush","msg":{"x":1}})");
    CHECK(r.ok(), r.message);
    CHECK(rec.wait("onPush", 1, 5000) && norm(rec.last("onPush")) == R"({"x":1})", rec.last("onPush"));
    r = call(*c, "connector.entryHandler.push", R"({"route":"onOther","msg":{"y":2}})");
    CHECK(rec.wait("any", 1, 5000) && rec.last("any") == R"(onOther {"y":2})", rec.last("any"));

    // Protobuf both ways, and a protobuf push.
    c->on("onProto", [&](std::string_view body) { rec.add("onProto", std::string(body)); });
    r = call(*c, "connector.entryHandler.proto", R"({"content":"hello","n":5})");
    CHECK(r.ok() && norm(r.body) == R"({"code":200,"content":"hello","n":5,"items":[{"name":"a"},{"name":"b"}]})",
          r.message + r.body);
    CHECK(rec.wait("onProto", 1, 5000) && norm(rec.last("onProto")) == R"({"msg":"hello","nums":[1,2,3]})",
          rec.last("onProto"));
    r = call(*c, "connector.entryHandler.proto", R"({"n":5})");  // "content" is required
    CHECK(r.code == ErrorCode::invalid_argument, "a body the client protos reject: " + r.message);

    r = call(*c, "connector.entryHandler.fail", "{}");
    CHECK(r.ok() && r.body.find("500") != std::string::npos, r.body);
    r = call(*c, "connector.entryHandler.nosuchroute", "{}");
    CHECK(r.ok() && r.body.find("500") != std::string::npos, r.body);

    // Caller mistakes are reported, never sent.
    r = call(*c, "connector.entryHandler.echo", "{not json");
    CHECK(r.code == ErrorCode::invalid_argument, "bad JSON body: " + std::string(error_name(r.code)));
    r = call(*c, "", "{}");
    CHECK(r.code == ErrorCode::invalid_argument, "empty route");
    c->notify("connector.entryHandler.note", "[1,");
    CHECK(rec.wait("error", 1, 5000) && rec.last("error").rfind("invalid_argument", 0) == 0, rec.last("error"));

    // A burst issued on the client's own thread: every reply exactly once, matched to its request.
    constexpr int kBurst = 500;
    std::atomic<int> good{0}, bad{0};
    loop.post(1, [&] {
        for (int i = 0; i < kBurst; ++i) {
            const std::string body = R"({"i":)" + std::to_string(i) + "}";
            c->request("connector.entryHandler.echo", body, [&, body](const Error &e, std::string_view b) {
                if (!e && norm(b) == body) {
                    ++good;
                } else {
                    ++bad;
                }
                rec.add("burst");
            });
        }
    });
    CHECK(rec.wait("burst", kBurst, 15000), "burst replies: " + std::to_string(rec.count("burst")));
    CHECK(good == kBurst && bad == 0, "burst: " + std::to_string(good) + " good, " + std::to_string(bad) + " bad");

    c->disconnect();
    CHECK(rec.wait("disconnected", 1, 5000), "no on_disconnected after disconnect()");
    CHECK(rec.last("disconnected").rfind("disconnected", 0) == 0, rec.last("disconnected"));
    CHECK(c->state() == Client::State::closed, "closed after disconnect()");
    r = call(*c, "connector.entryHandler.entry", "{}");
    CHECK(r.code == ErrorCode::disconnected, "a request after disconnect()");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(rec.count("disconnected") == 1, "on_disconnected exactly once");
}

void cache(const Args &a) {
    Loop loop(1);
    Options o = a.options;
    o.cache = std::make_shared<ProtocolCache>();
    auto first = Client::create(loop, o);
    connect_ok(*first);
    CHECK(!first->dictionary_from_cache() && !first->protos_from_cache(), "the first handshake learns everything");
    auto second = Client::create(loop, o);
    connect_ok(*second);
    CHECK(second->dictionary_from_cache(), "the server did not omit the dictionary for a client that announced it");
    CHECK(second->protos_from_cache(), "the server did not omit the protos for a client that announced them");
    Result r = call(*second, "connector.entryHandler.proto", R"({"content":"c","n":1})");
    CHECK(r.ok() && norm(r.body) == R"({"code":200,"content":"c","n":1,"items":[{"name":"a"},{"name":"b"}]})", r.body);
    r = call(*second, "connector.entryHandler.entry", "{}");
    CHECK(r.ok() && r.body.find("game server is ok.") != std::string::npos, r.body);
    auto third = Client::create(loop, a.options);  // no shared cache: learns again
    connect_ok(*third);
    CHECK(!third->dictionary_from_cache() && !third->protos_from_cache(), "a client without the cache");
}

void timeout(const Args &a) {
    Loop loop(1);
    auto c = Client::create(loop, a.options);
    connect_ok(*c);
    Recorder rec;
    c->request(
        "connector.entryHandler.later", "{}",
        [&](const Error &e, std::string_view) { rec.add("reply", error_name(e.code)); }, 10);
    CHECK(rec.wait("reply", 1, 5000), "no timeout");
    CHECK(rec.last("reply") == "timeout", rec.last("reply"));
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the late answer arrives and is dropped
    CHECK(rec.count("reply") == 1, "the reply ran " + std::to_string(rec.count("reply")) + " times");
    Result r = call(*c, "connector.entryHandler.later", "{}", 5000);
    CHECK(r.ok() && r.body.find("later") != std::string::npos, r.message + r.body);
    CHECK(c->state() == Client::State::connected, "still connected");
}

void kick(const Args &a) {
    Loop loop(1);
    Recorder rec;
    Options o = a.options;
    o.reconnect = true;
    o.reconnect_initial_ms = 100;
    auto c = Client::create(loop, o, recording_events(rec));
    connect_ok(*c);
    c->request(
        "connector.entryHandler.later", "{}",
        [&](const Error &e, std::string_view) { rec.add("pending", error_name(e.code)); }, 10000);
    Result r = call(*c, "connector.entryHandler.kickme", R"({"reason":"bye now"})");
    CHECK(r.ok(), "kickme answered: " + r.message);
    CHECK(rec.wait("kick", 1, 5000), "no on_kick");
    CHECK(norm(rec.last("kick")) == R"({"reason":"bye now"})", rec.last("kick"));
    CHECK(rec.wait("disconnected", 1, 5000), "no on_disconnected after the kick");
    CHECK(rec.last("disconnected").rfind("kicked", 0) == 0, rec.last("disconnected"));
    CHECK(rec.wait("pending", 1, 5000) && rec.last("pending") == "kicked", rec.last("pending"));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(rec.count("reconnecting") == 0, "no reconnect after a kick");
    CHECK(c->state() == Client::State::closed, "closed after a kick");
}

void server_gone(const Args &a) {
    Loop loop(1);
    Recorder rec;
    Options o = a.options;
    o.request_timeout_ms = 60000;
    auto c = Client::create(loop, o, recording_events(rec));
    connect_ok(*c);
    say("connected");
    wait_line("go");  // the server is stopped now: these stay pending
    constexpr int kPending = 5;
    for (int i = 0; i < kPending; ++i) {
        c->request("connector.entryHandler.echo", "{}",
                   [&](const Error &e, std::string_view) { rec.add("reply", error_name(e.code)); });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    say("sent");
    CHECK(rec.wait("reply", kPending, 15000), "pending requests did not fail");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(rec.count("reply") == kPending, "each pending request fails once: " + std::to_string(rec.count("reply")));
    for (const std::string &v : rec.values["reply"]) CHECK(v == "disconnected", v);
    CHECK(rec.count("disconnected") == 1, "on_disconnected once");
}

void reconnect(const Args &a) {
    Loop loop(1);
    Recorder rec;
    Options o = a.options;
    o.reconnect = true;
    o.reconnect_initial_ms = 200;
    o.reconnect_max_ms = 1000;
    o.reconnect_max_attempts = 0;
    auto c = Client::create(loop, o, recording_events(rec));
    connect_ok(*c);
    say("connected");
    CHECK(rec.wait("disconnected", 1, 30000), "the restart was not noticed");
    CHECK(rec.wait("connected", 2, 60000), "no reconnect after the restart");
    CHECK(rec.count("reconnecting") >= 1, "on_reconnecting before reconnecting");
    Result r = call(*c, "connector.entryHandler.entry", "{}");
    CHECK(r.ok() && r.body.find("game server is ok.") != std::string::npos, r.message + r.body);
    say("attempts " + rec.last("reconnecting"));
}

void heartbeat(const Args &a) {
    Loop loop(1);
    Recorder rec;
    auto c = Client::create(loop, a.options, recording_events(rec));
    connect_ok(*c);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (c->heartbeat_rtt_us() < 0 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(c->heartbeat_rtt_us() >= 0, "no heartbeat round trip within 10 s");
    say("connected rtt_us " + std::to_string(c->heartbeat_rtt_us()));
    wait_line("go");  // the server is stopped (SIGSTOP) now
    const auto stopped = Clock::now();
    CHECK(rec.wait("disconnected", 1, 15000), "no heartbeat timeout within 15 s");
    const double s = std::chrono::duration<double>(Clock::now() - stopped).count();
    CHECK(rec.last("disconnected").find("heartbeat timeout") != std::string::npos, rec.last("disconnected"));
    CHECK(s >= 2.5 && s <= 9.0, "timed out after " + std::to_string(s) + " s (heartbeat 3 s: expected 3..6 s)");
    say("timeout after " + std::to_string(s) + " s");
}

long rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

void many(const Args &a) {
    const int n = a.clients;
    Loop loop(1);
    Options o = a.options;
    o.cache = std::make_shared<ProtocolCache>();
    Recorder rec;
    const long rss_before = rss_kib();
    std::vector<std::shared_ptr<Client>> clients;
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        clients.push_back(Client::create(loop, o));
        clients.back()->connect([&](const Error &e) { rec.add(e ? "connect_failed" : "connected", e.message); });
    }
    CHECK(rec.wait("connected", n, 60000) || rec.count("connect_failed") > 0, "connects");
    CHECK(rec.count("connect_failed") == 0, rec.last("connect_failed"));
    const double connect_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const long rss_connected = rss_kib();
    const auto t1 = Clock::now();
    for (int i = 0; i < n; ++i) {
        const std::string body = R"({"i":)" + std::to_string(i) + "}";
        clients[i]->request("connector.entryHandler.echo", body, [&, body](const Error &e, std::string_view b) {
            rec.add(!e && norm(b) == body ? "ok" : "bad", e.message);
        });
    }
    CHECK(rec.wait("ok", n, 60000) || rec.count("bad") > 0, "replies");
    CHECK(rec.count("bad") == 0, rec.last("bad"));
    const double request_s = std::chrono::duration<double>(Clock::now() - t1).count();
    say(std::to_string(n) + " clients on one thread: connected in " + std::to_string(connect_s) + " s, " +
        std::to_string(n) + " requests answered in " + std::to_string(request_s) + " s, ~" +
        std::to_string((rss_connected - rss_before) * 1024 / n) + " bytes RSS per connected client");
}

void cancel(const Args &a) {
    Recorder rec;
    std::shared_ptr<Client> c;
    {
        Loop loop(1);
        c = Client::create(loop, a.options, recording_events(rec));
        connect_ok(*c);
        c->request("connector.entryHandler.later", "{}",
                   [&](const Error &e, std::string_view) { rec.add("reply", error_name(e.code)); });
    }  // the Loop stops with a request pending
    CHECK(rec.count("reply") == 1 && rec.last("reply") == "cancelled", rec.last("reply"));
    Result r;
    c->request("connector.entryHandler.entry", "{}", [&](const Error &e, std::string_view) { r.code = e.code; });
    CHECK(r.code == ErrorCode::cancelled, "a request after the Loop stopped");
}

// Against fake_server.js: each connection's handshake "user" picks what the fake does.
void hostile(const Args &a) {
    struct Case {
        const char *mode;
        ErrorCode connect;       // how connect() ends
        ErrorCode disconnected;  // then, if connected: how the connection ends (ok: stays up)
    };
    const Case cases[] = {
        {"oversized", ErrorCode::protocol, ErrorCode::ok},
        {"badtype", ErrorCode::protocol, ErrorCode::ok},
        {"garbage", ErrorCode::handshake_failed, ErrorCode::ok},
        {"deepjson", ErrorCode::handshake_failed, ErrorCode::ok},
        {"code500", ErrorCode::handshake_failed, ErrorCode::ok},
        {"nosys", ErrorCode::handshake_failed, ErrorCode::ok},
        {"baddict", ErrorCode::handshake_failed, ErrorCode::ok},
        {"missingdict", ErrorCode::handshake_failed, ErrorCode::ok},
        {"badprotos", ErrorCode::handshake_failed, ErrorCode::ok},
        {"badheartbeat", ErrorCode::handshake_failed, ErrorCode::ok},
        {"close", ErrorCode::handshake_failed, ErrorCode::ok},
        {"silent", ErrorCode::timeout, ErrorCode::ok},
        {"baddata", ErrorCode::ok, ErrorCode::protocol},
        {"truncated", ErrorCode::ok, ErrorCode::protocol},
        {"oversized_after", ErrorCode::ok, ErrorCode::protocol},
        {"request_from_server", ErrorCode::ok, ErrorCode::protocol},
    };
    Loop loop(1);
    for (const Case &k : cases) {
        Recorder rec;
        Options o = a.options;
        o.handshake_user = std::string(R"({"mode":")") + k.mode + "\"}";
        o.connect_timeout_ms = 1000;
        auto c = Client::create(loop, o, recording_events(rec));
        c->connect([&](const Error &e) { rec.add("done", error_name(e.code)); });
        CHECK(rec.wait("done", 1, 10000), std::string(k.mode) + ": connect() never finished");
        CHECK(rec.last("done") == error_name(k.connect),
              std::string(k.mode) + ": connect ended with " + rec.last("done") + ", expected " + error_name(k.connect));
        if (k.connect == ErrorCode::ok) {
            CHECK(rec.wait("disconnected", 1, 10000), std::string(k.mode) + ": not disconnected");
            CHECK(rec.last("disconnected").rfind(error_name(k.disconnected), 0) == 0,
                  std::string(k.mode) + ": " + rec.last("disconnected"));
        } else {
            CHECK(rec.count("disconnected") == 0, std::string(k.mode) + ": on_disconnected after a failed connect()");
        }
        CHECK(c->state() == Client::State::closed, std::string(k.mode) + ": state");
        say("ok " + std::string(k.mode) + (rec.count("error") ? " (" + rec.last("error") + ")" : ""));
    }

    // A server that stops reading: the client's queue is bounded by send_buffer_limit; past it calls
    // fail with `busy` and the connection stays up.
    {
        Recorder rec;
        Options o = a.options;
        o.handshake_user = R"({"mode":"noread"})";
        o.send_buffer_limit = 256 * 1024;
        auto c = Client::create(loop, o, recording_events(rec));
        connect_ok(*c);
        const std::string body = "{\"pad\":\"" + std::string(16 * 1024, 'x') + "\"}";
        // 3000 x 16 KiB is 48 MiB: far more than the socket buffers of both ends hold (~10 MiB).
        const int total = 3000;
        for (int i = 0; i < total; ++i)
            c->request(
                "test.handler.req", body,
                [&](const Error &e, std::string_view) {
                    rec.add(std::string("reply ") + error_name(e.code), "");
                    rec.add("reply", error_name(e.code));
                },
                2000);
        c->notify("test.handler.note", body);  // right behind them: the buffer is still full
        CHECK(rec.wait("reply", total, 20000), "replies: " + std::to_string(rec.count("reply")));
        const int busy = rec.count("reply busy"), timed_out = rec.count("reply timeout");
        CHECK(busy + timed_out == total, "every request ended busy or timed out");
        CHECK(busy > 0, "no request failed busy");
        CHECK(timed_out <= 1536, "accepted " + std::to_string(timed_out) + " x 16 KiB: the send buffer is not bounded");
        CHECK(rec.wait("error", 1, 5000) && rec.last("error").find("send buffer full") != std::string::npos,
              "a notify past the limit is reported: " + rec.last("error"));
        CHECK(c->state() == Client::State::connected, "still connected when busy");
        say("ok noread (" + std::to_string(timed_out) + " requests queued, " + std::to_string(busy) + " busy)");
        c->disconnect();
    }

    // The bytes the client writes, checked by the fake with the npm pomelo-protocol and
    // pomelo-protobuf decoders: compressed route, protobuf body, and pushes decoded back.
    Recorder rec;
    Options o = a.options;
    o.handshake_user = R"({"mode":"wire"})";
    auto c = Client::create(loop, o, recording_events(rec));
    connect_ok(*c);
    c->on("test.pushed", [&](std::string_view body) { rec.add("pushed", std::string(body)); });
    c->on("test.badpush", [&](std::string_view body) { rec.add("badpush", std::string(body)); });
    Result r = call(*c, "test.handler.req", R"({"s":"hi","n":7})");
    CHECK(r.ok() && norm(r.body) == R"({"ok":true,"s":"hi","n":7})", r.message + r.body);
    CHECK(rec.wait("pushed", 1, 5000) && norm(rec.last("pushed")) == R"({"t":"pushed"})", rec.last("pushed"));
    // The fake also pushes with an unknown route code and an undecodable protobuf body first: both
    // are reported, neither closes the connection.
    CHECK(rec.wait("error", 2, 5000), "unknown route code / bad protobuf push not reported: " + rec.last("error"));
    r = call(*c, "test.handler.bad", "{}");
    CHECK(r.code == ErrorCode::protocol, std::string("undecodable protobuf response: ") + error_name(r.code));
    CHECK(c->state() == Client::State::connected, "still connected after undecodable bodies");
    r = call(*c, "test.handler.plain", R"({"z":1})");  // not in the dictionary: a string route
    CHECK(r.ok() && norm(r.body) == R"({"ok":true,"route":"test.handler.plain"})", r.message + r.body);
    CHECK(rec.count("badpush") == 0, "the undecodable push reached its handler");
    c->disconnect();

    // A client with on_any_route only: the pushes arrive as routes, their bodies are not decoded (the
    // undecodable one is no error now: nobody reads it); the unknown route code is still reported.
    Recorder routes;
    auto d = Client::create(loop, o, recording_events(routes));
    d->on_any_route([&](std::string_view route) { routes.add("route", std::string(route)); });
    connect_ok(*d);
    r = call(*d, "test.handler.req", R"({"s":"hi","n":7})");
    CHECK(r.ok(), r.message + r.body);
    CHECK(routes.wait("route", 2, 5000), "on_any_route saw " + std::to_string(routes.count("route")) + " pushes");
    std::vector<std::string> seen;
    {
        std::lock_guard<std::mutex> l(routes.m);
        seen = routes.values["route"];
    }
    CHECK(seen == (std::vector<std::string>{"test.badpush", "test.pushed"}), "routes: " + routes.last("route"));
    CHECK(routes.count("error") == 1 && routes.last("error").find("unknown route code") != std::string::npos,
          "errors: " + std::to_string(routes.count("error")) + " " + routes.last("error"));
    d->disconnect();
}

// The lifetime rule (client.hpp): once disconnect() returns, or the Client is destroyed, none of its
// callbacks runs again, and what it still owed (pending replies, callbacks deferred out of a call,
// on_disconnected, a waiting connect's done) ran before. Against fake_server.js "noread", where
// requests stay pending. Each case's Probe lives in a scope that ends right after the call that must
// be final, and every callback writes into it: a late callback is counted in g_late and, under
// AddressSanitizer, is a stack-use-after-scope.
std::atomic<int> g_late{0};

struct Probe {
    std::atomic<bool> closed{false};
    std::atomic<int> disconnected{0}, errors{0}, connected{0};
    std::mutex m;
    std::map<std::string, int> replies;  // by error name
    std::string done;                    // how connect() ended ("" while it has not)
    std::shared_ptr<Client> holder;      // for the case that destroys the client from its own callback

    void late() {
        if (closed) ++g_late;
    }
    Client::Reply reply() {
        return [this](const Error &e, std::string_view) {
            late();
            std::lock_guard<std::mutex> l(m);
            ++replies[error_name(e.code)];
        };
    }
    int count(const char *code) {
        std::lock_guard<std::mutex> l(m);
        return replies[code];
    }
    int total() {
        std::lock_guard<std::mutex> l(m);
        int n = 0;
        for (auto &r : replies) n += r.second;
        return n;
    }
    Events events() {
        Events ev;
        ev.on_connected = [this] { late(), ++connected; };
        ev.on_disconnected = [this](const Error &) { late(), ++disconnected; };
        ev.on_error = [this](const Error &) { late(), ++errors; };
        return ev;
    }
};

// Five requests that stay pending, one request and one notify that fail at once (deferred out of
// the call): seven callbacks owed.
void load_up(Client &c, Probe &p) {
    for (int i = 0; i < 5; ++i) c.request("test.handler.req", "{}", p.reply(), 60000);
    c.request("", "{}", p.reply());             // empty route: invalid_argument, deferred
    c.notify("test.handler.note", "not json");  // on_error, deferred
}

void connect_probe(Client &c) {
    Recorder rec;
    c.connect([&](const Error &e) { rec.add("done", error_name(e.code)); });
    CHECK(rec.wait("done", 1, 15000) && rec.last("done") == "ok", "connect: " + rec.last("done"));
}

void lifetime(const Args &a) {
    Loop loop(2);
    Options o = a.options;
    o.handshake_user = R"({"mode":"noread"})";
    o.connect_timeout_ms = 5000;

    {  // disconnect() from another thread
        Probe p;
        auto c = Client::create(loop, o, p.events(), 1);
        connect_probe(*c);
        load_up(*c, p);
        c->disconnect();
        p.closed = true;
        CHECK(p.total() == 6 && p.count("disconnected") == 5 && p.count("invalid_argument") == 1,
              "replies owed before disconnect() returned: " + std::to_string(p.total()) + " of 6");
        CHECK(p.disconnected == 1, "on_disconnected before disconnect() returned");
        CHECK(p.errors == 1, "the deferred notify error before disconnect() returned");
        CHECK(c->state() == Client::State::closed, "closed when disconnect() returned");
        say("ok disconnect from another thread");
    }
    {  // destroying the Client from another thread
        Probe p;
        auto c = Client::create(loop, o, p.events(), 1);
        connect_probe(*c);
        load_up(*c, p);
        // The two failures deferred out of their calls run on the client's thread as soon as it gets
        // to them, which may be before or after ~Client() reaches it; wait for them, so what this
        // checks does not depend on that race: ~Client() itself fires no event.
        for (int i = 0; i < 500 && (p.errors != 1 || p.count("invalid_argument") != 1); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK(p.errors == 1 && p.count("invalid_argument") == 1, "the deferred failures arrive");
        c.reset();
        p.closed = true;
        CHECK(p.total() == 6 && p.count("cancelled") == 5 && p.count("invalid_argument") == 1,
              "replies owed before ~Client() returned: " + std::to_string(p.total()) + " of 6");
        CHECK(p.disconnected == 0 && p.errors == 1, "Events fired while the Client was destroyed");
        say("ok destroy from another thread");
    }
    {  // a never connected client: the deferred "not connected" replies run inside disconnect()
        Probe p;
        auto c = Client::create(loop, o, p.events(), 0);
        for (int i = 0; i < 3; ++i) c->request("test.handler.req", "{}", p.reply());
        c->disconnect();
        p.closed = true;
        CHECK(p.count("disconnected") == 3,
              "deferred replies before disconnect() returned: " + std::to_string(p.total()));
        say("ok deferred replies of an idle client");
    }
    Recorder rec;  // outlives the cases below: it tells the main thread that the inner checks ran
    {              // disconnect() from inside a callback (on the client's own thread): no deadlock, final too
        Probe p;
        auto c = Client::create(loop, o, p.events(), 0);
        connect_probe(*c);
        load_up(*c, p);
        Client *raw = c.get();
        c->request(
            "test.handler.req", "{}",
            [&p, &rec, raw](const Error &e, std::string_view) {
                p.late();
                CHECK(e.code == ErrorCode::timeout, error_name(e.code));
                raw->disconnect();
                CHECK(p.total() == 6 && p.count("disconnected") == 5,
                      "replies owed before disconnect() returned in a callback: " + std::to_string(p.total()));
                CHECK(p.disconnected == 1 && p.errors == 1, "on_disconnected / on_error before disconnect() returned");
                CHECK(raw->state() == Client::State::closed, "closed");
                p.closed = true;
                rec.add("inner disconnect");
            },
            300);
        CHECK(rec.wait("inner disconnect", 1, 10000), "the callback that disconnects did not run");
        say("ok disconnect from inside a callback");
    }
    {  // the Client destroyed from its own callback: the last reference is dropped there
        Probe p;
        auto c = Client::create(loop, o, p.events(), 0);
        connect_probe(*c);
        load_up(*c, p);
        c->request(
            "test.handler.req", "{}",
            [&p, &rec](const Error &e, std::string_view) {
                p.late();
                CHECK(e.code == ErrorCode::timeout, error_name(e.code));
                p.holder.reset();  // ~Client() inside the client's own callback
                CHECK(p.total() == 6 && p.count("cancelled") == 5,
                      "replies owed before ~Client() returned in a callback: " + std::to_string(p.total()));
                p.closed = true;
                rec.add("inner destroy");
            },
            300);
        // From here on only the client's thread holds it.
        loop.post(0, [&p, c = std::move(c)]() mutable { p.holder = std::move(c); });
        CHECK(rec.wait("inner destroy", 1, 10000), "the callback that destroys the client did not run");
        say("ok destroy from its own callback");
    }
    {  // disconnect() from on_connected: connect()'s done ends before disconnect() returns
        Probe p;
        Client *raw = nullptr;
        Events ev = p.events();
        ev.on_connected = [&p, &rec, &raw] {
            p.late();
            raw->disconnect();
            {
                std::lock_guard<std::mutex> l(p.m);
                CHECK(p.done == "disconnected", "connect()'s done before disconnect() returned: '" + p.done + "'");
            }
            CHECK(p.disconnected == 1, "on_disconnected before disconnect() returned");
            p.closed = true;
            rec.add("inner on_connected");
        };
        auto c = Client::create(loop, o, ev, 1);
        raw = c.get();
        c->connect([&p](const Error &e) {
            p.late();
            std::lock_guard<std::mutex> l(p.m);
            p.done = error_name(e.code);
        });
        CHECK(rec.wait("inner on_connected", 1, 10000), "on_connected did not run");
        c.reset();
        say("ok disconnect from on_connected");
    }
    // Any callback that ran after its client was closed would have counted itself by now.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(g_late == 0, std::to_string(g_late.load()) + " callbacks ran after disconnect() or ~Client() returned");
}

Args parse_args(int argc, char **argv) {
    Args a;
    if (argc < 2) fail(__LINE__, "usage: client_check <scenario> --port N [...]");
    a.scenario = argv[1];
    a.options.request_timeout_ms = 15000;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--host") {
            a.options.host = v;
        } else if (k == "--port") {
            a.options.port = static_cast<uint16_t>(std::stoi(v));
        } else if (k == "--transport") {
            if (!parse_transport(v, a.options.transport)) fail(__LINE__, "bad transport " + v);
        } else if (k == "--ca") {
            a.options.tls_ca_file = v;
            a.options.tls_server_name = "localhost";
        } else if (k == "--clients") {
            a.clients = std::stoi(v);
        } else {
            fail(__LINE__, "unknown option " + k);
        }
    }
    return a;
}

}  // namespace

int main(int argc, char **argv) {
    const Args a = parse_args(argc, argv);
    const std::map<std::string, std::function<void(const Args &)>> scenarios = {
        {"flows", flows},
        {"cache", cache},
        {"timeout", timeout},
        {"kick", kick},
        {"server_gone", server_gone},
        {"reconnect", reconnect},
        {"heartbeat", heartbeat},
        {"many", many},
        {"cancel", cancel},
        {"hostile", hostile},
        {"lifetime", lifetime},
    };
    auto it = scenarios.find(a.scenario);
    if (it == scenarios.end()) fail(__LINE__, "unknown scenario " + a.scenario);
    it->second(a);
    say("PASS " + a.scenario + " " + transport_name(a.options.transport));
    std::fflush(stdout);
    return 0;
}
