// One connection to Redis for a Redis plugin (status, global_channel), kept off the logic thread.
//
// A worker thread owns a blocking hiredis connection. The logic thread queues batches of commands
// (run(), [logic]); the worker sends every queued batch in one pipelined write, reads the replies and
// hands each batch's outcome back to the logic thread, where its callback runs exactly once, in
// submission order, never inside run(). A slow or stopped Redis therefore never blocks the logic loop.
//
// Failures, all reported through the callback, never by waiting:
//  - Redis unreachable (down at start, restarting, refusing the credentials): the batch fails at once
//    with SHD_ERR_IO. The worker reconnects in the background with exponential backoff
//    (reconnectMin .. reconnectMax); batches queued after a successful reconnect work again.
//  - The connection breaks during a batch: that batch and the others of its write fail with
//    SHD_ERR_IO (SHD_ERR_TIMEOUT when Redis did not answer within commandTimeout: a hung Redis),
//    the connection is dropped and reconnected.
//  - stop(): the batches still queued or unanswered fail with SHD_ERR_SHUTDOWN.
// A batch is not retried: a command may have run before the connection broke.
//
// Credentials: `password`, or `user` + `password` (a Redis 6 ACL user), sent with AUTH after each
// connect. They are never logged; Redis's refusal is logged with Redis's own words.
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/options.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shd::redis {

// One reply, copied out of hiredis on the worker thread.
struct Reply {
    enum class Type { nil, status, error, integer, string, array };
    Type type = Type::nil;
    std::string text;  // status, error and string replies
    long long integer = 0;
    std::vector<Reply> items;  // array replies

    bool is_error() const { return type == Type::error; }
    // The items of an array reply that are strings (SMEMBERS, SCAN's keys).
    std::vector<std::string> strings() const {
        std::vector<std::string> out;
        for (const Reply &r : items)
            if (r.type == Type::string || r.type == Type::status) out.push_back(r.text);
        return out;
    }
};

using Command = std::vector<std::string>;
// status SHD_OK with one reply per command (a command Redis refused is an error reply), or the
// batch's failure (SHD_ERR_IO, SHD_ERR_TIMEOUT, SHD_ERR_SHUTDOWN) with no replies and a reason.
using BatchCallback = std::function<void(shd_status status, std::vector<Reply> replies, const std::string &reason)>;

struct Settings {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string user;      // empty: the default user (AUTH <password>)
    std::string password;  // empty: no AUTH
    int db = 0;
    uint64_t connect_timeout_ms = 2000;
    uint64_t command_timeout_ms = 3000;
    uint64_t reconnect_min_ms = 100;
    uint64_t reconnect_max_ms = 5000;
    size_t max_queue = 100000;  // commands queued at most; more fails at once with SHD_ERR_BUSY
};

// The connection options every Redis plugin declares (its own options come after them).
std::vector<Option> connection_options();
// Reads them back. Throws shd::Error (SHD_ERR_INVALID) in production when no password is set: a
// production server refuses to start against an unauthenticated Redis (docs/security.md).
Settings read_settings(const Options &options, const ServerInfo &server, std::string_view plugin);

class Link {
public:
    Link(Host host, Settings settings, std::string name);
    ~Link();
    Link(const Link &) = delete;
    Link &operator=(const Link &) = delete;

    // [logic] Starts the worker; it connects at once (a failure is logged, not fatal: it retries).
    void start();
    // [logic] Stops and joins the worker; every batch not yet answered gets SHD_ERR_SHUTDOWN, later
    // on the logic thread if the host still runs tasks, else now.
    void stop();
    // [logic] Queues a batch; cb runs later on the logic thread, exactly once.
    void run(std::vector<Command> commands, BatchCallback cb);
    // [logic] fn runs on the logic thread after each successful connect, the first one included
    // (used to write back state lost when Redis restarted empty).
    void on_connected(std::function<void()> fn) { on_connected_ = std::move(fn); }
    // [any] True while the worker holds an authenticated connection.
    bool connected() const;
    const Settings &settings() const { return settings_; }

private:
    struct Batch {
        std::vector<Command> commands;
        BatchCallback cb;
        shd_status status = SHD_OK;
        std::vector<Reply> replies;
        std::string reason;
    };
    struct Shared;

    void worker();
    bool connect_and_authenticate(std::string &reason);
    void send(std::vector<std::unique_ptr<Batch>> &round);
    void finish(std::vector<std::unique_ptr<Batch>> &round);
    static void deliver(const std::shared_ptr<Shared> &shared);

    Host host_;
    Settings settings_;
    std::string name_;
    std::shared_ptr<Shared> shared_;
    std::function<void()> on_connected_;
    std::thread thread_;
    void *ctx_ = nullptr;  // redisContext*, worker thread only
};

}  // namespace shd::redis
