// The master's HTTP admin API and web dashboard, on its admin HTTP port beside /metrics
// (docs/operations.md, "Dashboard and HTTP API"; docs/security.md, "Admin HTTP port"):
//
//   GET  /                   the dashboard page; /dashboard.js and /dashboard.css beside it
//   POST /api/login          {"username","password"} against config/adminUser.json: a session cookie
//   POST /api/logout         ends the session
//   GET  /api/session        who is logged in, the level, the CSRF token for state-changing calls
//   GET  /api/servers        the master and every server: state, pid, CPU, RSS, uptime, summary figures
//   GET  /api/stats          every server's figures: per route, per RPC target, pushes, lag
//   POST /api/command        one admin command ({"cmd":"stop","ids":[...]}), run by MasterRole::admin_command
//
// Logins share the master link's per-address lockout and slowed failure answers (admin_locked,
// admin_failed) and write the same audit lines; commands keep their levels (above 1: only `list`).
// Passwords are checked on a worker thread of its own (PBKDF2 takes a while), never on the logic thread.
// [logic] unless noted.
#pragma once

#include "master_role.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace shd::cluster {

class AdminWeb {
public:
    explicit AdminWeb(MasterRole &master);
    ~AdminWeb();
    AdminWeb(const AdminWeb &) = delete;
    AdminWeb &operator=(const AdminWeb &) = delete;

    // Adds the routes above to the master's table (before the port opens).
    void add_routes();
    // Stops the password worker (jobs still queued are dropped unanswered). [logic] Idempotent.
    void stop();

    // Bounds: a login body, sessions kept, password checks waiting.
    static constexpr size_t kMaxBodyBytes = 16384;
    static constexpr size_t kMaxSessions = 1000;
    // A user's own logins replace only that user's sessions: a read-only user logging in again and
    // again cannot push an administrator's session out.
    static constexpr size_t kMaxSessionsPerUser = 32;
    static constexpr size_t kMaxQueuedChecks = 8;

private:
    using Answer = HttpAnswer;
    using Call = HttpCall;
    using Respond = HttpRespond;

    struct Session {
        std::string secret;  // hex; compared in constant time
        std::string user, csrf;
        int level = 99;
        uint64_t expires_ms = 0;
        uint64_t serial = 0;  // order of creation: the oldest goes first
    };

    void login(const Call &call, const Respond &respond);
    void finish_login(bool ok, const std::string &user, int level, const std::string &address, uint64_t started_ms,
                      const Respond &respond);
    void logout(const Call &call, const Respond &respond);
    void session(const Call &call, const Respond &respond);
    void servers(const Call &call, const Respond &respond);
    void stats(const Call &call, const Respond &respond);
    void command(const Call &call, const Respond &respond);

    // The caller's session, or nullptr with `refusal` filled (401). `changes`: a state-changing call,
    // which must also be a POST from this origin carrying the session's CSRF token (403).
    Session *authenticate(const Call &call, bool changes, Answer &refusal);
    std::string cookie_name() const;
    std::string cookie(const std::string &value, long max_age_s) const;

    // [worker] Runs password checks in order; `job` answers through Host::post.
    void work();
    bool enqueue(std::function<void()> job);  // false: too many waiting

    MasterRole &m_;
    uint64_t next_serial_ = 0;
    std::map<std::string, Session> sessions_;  // by session id (hex)
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;  // [mu_]
    bool stopping_ = false;                   // [mu_]
    std::thread worker_;
};

}  // namespace shd::cluster
