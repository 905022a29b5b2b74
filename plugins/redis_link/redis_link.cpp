#include "redis_link.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>

namespace shd::redis {

namespace {

using Clock = std::chrono::steady_clock;

// An idle connection is PINGed this often.
constexpr uint64_t kIdlePingMs = 1000;

timeval to_timeval(uint64_t ms) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
    return tv;
}

Reply copy_reply(const redisReply *r) {
    Reply out;
    if (!r) return out;
    switch (r->type) {
        case REDIS_REPLY_STATUS: out.type = Reply::Type::status; break;
        case REDIS_REPLY_ERROR: out.type = Reply::Type::error; break;
        case REDIS_REPLY_INTEGER: out.type = Reply::Type::integer; break;
        case REDIS_REPLY_STRING: out.type = Reply::Type::string; break;
        case REDIS_REPLY_ARRAY: out.type = Reply::Type::array; break;
        default: out.type = Reply::Type::nil; break;
    }
    if (r->type == REDIS_REPLY_INTEGER) out.integer = r->integer;
    if (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STRING)
        out.text.assign(r->str, r->len);
    if (r->type == REDIS_REPLY_ARRAY) {
        out.items.reserve(r->elements);
        for (size_t i = 0; i < r->elements; ++i) out.items.push_back(copy_reply(r->element[i]));
    }
    return out;
}

// One command, synchronously, on a fresh connection (AUTH, SELECT). An error reply is returned as
// false with Redis's text in `reason`.
bool simple_command(redisContext *c, const Command &cmd, std::string &reason) {
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    for (const std::string &a : cmd) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    auto *r = static_cast<redisReply *>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (!r) {
        reason = c->errstr;
        return false;
    }
    bool ok = r->type != REDIS_REPLY_ERROR;
    if (!ok) reason.assign(r->str, r->len);
    freeReplyObject(r);
    return ok;
}

}  // namespace

std::vector<Option> connection_options() {
    namespace opt = shd::option;
    return {
        opt::string("host", "127.0.0.1", "Redis server address"),
        opt::integer("port", 6379, 1, 65535, "Redis server port"),
        opt::string("password", "",
                    "Redis password (`requirepass`, or the ACL user's); never logged. Required in production"),
        opt::string("auth_pass", "", "Pomelo's name for `password` (either may be given, not both)"),
        opt::string("user", "", "Redis 6 ACL user name; empty: the default user"),
        opt::integer("db", 0, 0, 1 << 20, "database number (`SELECT`)"),
        opt::integer("connectTimeout", 2000, 10, 600000, "a connection attempt gives up after this").measured_in("ms"),
        opt::integer("commandTimeout", 3000, 10, 600000,
                     "a batch Redis has not answered by then fails (timeout) and the connection is renewed")
            .measured_in("ms"),
        opt::integer("reconnectMin", 100, 1, 600000, "first wait before reconnecting; doubled after each failure")
            .measured_in("ms"),
        opt::integer("reconnectMax", 5000, 1, 3600000, "longest wait between reconnection attempts").measured_in("ms"),
        opt::integer("maxQueue", 100000, 1, 100000000,
                     "commands waiting for Redis at most; more fail at once (busy) instead of using memory"),
    };
}

Settings read_settings(const Options &options, const ServerInfo &server, std::string_view plugin) {
    Settings s;
    s.host = options.string("host");
    s.port = static_cast<int>(options.integer("port"));
    s.password = options.string("password");
    std::string pomelo_password = options.string("auth_pass");
    if (!pomelo_password.empty() && !s.password.empty())
        throw Error(SHD_ERR_INVALID, "option auth_pass: give the Redis password once (password or auth_pass)");
    if (s.password.empty()) s.password = std::move(pomelo_password);
    s.user = options.string("user");
    s.db = static_cast<int>(options.integer("db"));
    s.connect_timeout_ms = static_cast<uint64_t>(options.integer("connectTimeout"));
    s.command_timeout_ms = static_cast<uint64_t>(options.integer("commandTimeout"));
    s.reconnect_min_ms = static_cast<uint64_t>(options.integer("reconnectMin"));
    s.reconnect_max_ms = std::max(s.reconnect_min_ms, static_cast<uint64_t>(options.integer("reconnectMax")));
    s.max_queue = static_cast<size_t>(options.integer("maxQueue"));
    if (!s.user.empty() && s.password.empty())
        throw Error(SHD_ERR_INVALID, "option user: an ACL user needs its password (option password)");
    if (server.env == "production" && s.password.empty())
        throw Error(SHD_ERR_INVALID, "option password: the " + std::string(plugin) +
                                         " plugin refuses to start in production without Redis credentials "
                                         "(set password, or user and password)");
    return s;
}

// What the logic thread and the worker share. Posted delivery tasks hold it too, so it outlives the
// Link if the host runs one late.
struct Link::Shared {
    explicit Shared(Host h) : host(h) {}
    Host host;
    std::mutex mu;
    std::condition_variable wake;
    std::deque<std::unique_ptr<Batch>> queue;  // waiting for the worker
    size_t queued_commands = 0;
    std::vector<std::unique_ptr<Batch>> done;  // answered, waiting for the logic thread
    size_t connects = 0;                       // successful connects not yet announced
    bool stopping = false;
    bool closed = false;  // stop() ran: deliver nothing more
    std::atomic<bool> connected{false};
    std::function<void()> on_connected;
};

Link::Link(Host host, Settings settings, std::string name)
    : host_(host), settings_(std::move(settings)), name_(std::move(name)), shared_(std::make_shared<Shared>(host)) {}

Link::~Link() {
    stop();
}

bool Link::connected() const {
    return shared_->connected.load();
}

void Link::start() {
    if (thread_.joinable()) return;
    shared_->on_connected = on_connected_;
    thread_ = std::thread([this] { worker(); });
}

void Link::stop() {
    {
        std::lock_guard<std::mutex> lock(shared_->mu);
        if (shared_->closed) return;
        shared_->stopping = true;
    }
    shared_->wake.notify_all();
    if (thread_.joinable()) thread_.join();
    if (ctx_) {
        redisFree(static_cast<redisContext *>(ctx_));
        ctx_ = nullptr;
    }
    std::vector<std::unique_ptr<Batch>> left;
    {
        std::lock_guard<std::mutex> lock(shared_->mu);
        shared_->closed = true;
        left = std::move(shared_->done);
        for (auto &b : shared_->queue) {
            b->status = SHD_ERR_SHUTDOWN;
            b->reason = "the " + name_ + " plugin is stopping";
            b->replies.clear();
            left.push_back(std::move(b));
        }
        shared_->queue.clear();
    }
    // Answered batches keep their outcome; the rest are refused. Later when the host still takes
    // tasks, else here (stop is not inside any run()).
    auto batches = std::make_shared<std::vector<std::unique_ptr<Batch>>>(std::move(left));
    auto run_all = [batches] {
        for (auto &b : *batches) {
            try {
                if (b->cb) b->cb(b->status, std::move(b->replies), b->reason);
            } catch (...) {
            }
        }
        batches->clear();
    };
    if (batches->empty() || !host_.post(run_all)) run_all();
}

void Link::run(std::vector<Command> commands, BatchCallback cb) {
    auto b = std::make_unique<Batch>();
    b->commands = std::move(commands);
    b->cb = std::move(cb);
    bool notify = false;
    {
        std::lock_guard<std::mutex> lock(shared_->mu);
        if (shared_->stopping) {
            b->status = SHD_ERR_SHUTDOWN;
            b->reason = "the " + name_ + " plugin is stopping";
        } else if (shared_->queued_commands + b->commands.size() > settings_.max_queue) {
            b->status = SHD_ERR_BUSY;
            b->reason = "more than " + std::to_string(settings_.max_queue) + " commands wait for Redis";
        } else {
            shared_->queued_commands += b->commands.size();
            shared_->queue.push_back(std::move(b));
            notify = true;
        }
    }
    if (notify) {
        shared_->wake.notify_one();
        return;
    }
    // Refused now, answered later (never inside run()).
    std::shared_ptr<Batch> refused(std::move(b));
    if (!host_.post([refused] { refused->cb(refused->status, {}, refused->reason); }))
        refused->cb(SHD_ERR_SHUTDOWN, {}, "the host is stopping");
}

// Connects and authenticates; false with the reason when Redis cannot be used.
bool Link::connect_and_authenticate(std::string &reason) {
    timeval tv = to_timeval(settings_.connect_timeout_ms);
    redisContext *c = redisConnectWithTimeout(settings_.host.c_str(), settings_.port, tv);
    if (!c || c->err) {
        reason = c ? c->errstr : "cannot allocate a connection";
        if (c) redisFree(c);
        return false;
    }
    timeval ctv = to_timeval(settings_.command_timeout_ms);
    redisSetTimeout(c, ctv);
    redisEnableKeepAlive(c);
    if (!settings_.password.empty()) {
        Command auth = settings_.user.empty() ? Command{"AUTH", settings_.password}
                                              : Command{"AUTH", settings_.user, settings_.password};
        if (!simple_command(c, auth, reason)) {
            reason = "authentication refused: " + reason;
            redisFree(c);
            return false;
        }
    }
    if (settings_.db != 0 && !simple_command(c, {"SELECT", std::to_string(settings_.db)}, reason)) {
        reason = "SELECT " + std::to_string(settings_.db) + " refused: " + reason;
        redisFree(c);
        return false;
    }
    if (!simple_command(c, {"PING"}, reason)) {
        redisFree(c);
        return false;
    }
    ctx_ = c;
    return true;
}

void Link::worker() {
    const std::string where = settings_.host + ":" + std::to_string(settings_.port);
    uint64_t backoff = settings_.reconnect_min_ms;
    Clock::time_point next_attempt = Clock::now();
    bool ever_connected = false, outage_logged = false;
    for (;;) {
        std::vector<std::unique_ptr<Batch>> round;
        bool idle = false;
        {
            std::unique_lock<std::mutex> lock(shared_->mu);
            auto ready = [&] { return shared_->stopping || !shared_->queue.empty(); };
            bool woken = ctx_ ? shared_->wake.wait_for(lock, std::chrono::milliseconds(kIdlePingMs), ready)
                              : shared_->wake.wait_until(lock, next_attempt, ready);
            if (shared_->stopping) return;
            idle = !woken;
        }
        if (ctx_ && idle) {
            // An idle connection is checked, so a Redis that restarted is found (and the state it lost
            // written back through on_connected) before the next call needs it.
            std::string reason;
            if (simple_command(static_cast<redisContext *>(ctx_), {"PING"}, reason)) continue;
            host_.warn("redis " + where + " (" + name_ + "): connection lost while idle (" + reason +
                       "); reconnecting");
            redisFree(static_cast<redisContext *>(ctx_));
            ctx_ = nullptr;
            shared_->connected = false;
            next_attempt = Clock::now();
            backoff = settings_.reconnect_min_ms;
        }
        if (!ctx_ && Clock::now() >= next_attempt) {
            std::string reason;
            if (connect_and_authenticate(reason)) {
                host_.info("redis " + where + (ever_connected ? ": reconnected" : ": connected") + " (" + name_ + ")");
                ever_connected = true;
                outage_logged = false;
                backoff = settings_.reconnect_min_ms;
                shared_->connected = true;
                bool first;
                {
                    std::lock_guard<std::mutex> lock(shared_->mu);
                    first = shared_->done.empty() && shared_->connects == 0;
                    ++shared_->connects;
                }
                if (first && !host_.post([s = shared_] { deliver(s); })) return;
            } else {
                if (!outage_logged)
                    host_.warn("redis " + where + " unavailable (" + name_ + "): " + reason + "; retrying every " +
                               std::to_string(settings_.reconnect_min_ms) + ".." +
                               std::to_string(settings_.reconnect_max_ms) + " ms, calls fail meanwhile");
                outage_logged = true;
                next_attempt = Clock::now() + std::chrono::milliseconds(backoff);
                backoff = std::min(settings_.reconnect_max_ms, backoff * 2);
            }
        }
        {
            std::lock_guard<std::mutex> lock(shared_->mu);
            // One round: every batch queued now, so one write carries them all.
            while (!shared_->queue.empty()) {
                shared_->queued_commands -= shared_->queue.front()->commands.size();
                round.push_back(std::move(shared_->queue.front()));
                shared_->queue.pop_front();
            }
        }
        if (round.empty()) continue;
        if (!ctx_) {
            for (auto &b : round) {
                b->status = SHD_ERR_IO;
                b->reason = "redis " + where + " unavailable";
            }
        } else {
            send(round);
            if (!ctx_) {
                // The connection broke: try again soon, then back off.
                next_attempt = Clock::now() + std::chrono::milliseconds(settings_.reconnect_min_ms);
                backoff = settings_.reconnect_min_ms;
            }
        }
        finish(round);
    }
}

// Writes every command of the round, then reads the replies in order. On a broken connection the
// batches not fully answered fail and the connection is dropped.
void Link::send(std::vector<std::unique_ptr<Batch>> &round) {
    auto *c = static_cast<redisContext *>(ctx_);
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    for (auto &b : round)
        for (const Command &cmd : b->commands) {
            argv.clear();
            lens.clear();
            for (const std::string &a : cmd) {
                argv.push_back(a.data());
                lens.push_back(a.size());
            }
            redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data());
        }
    size_t failed_from = round.size();
    std::string reason;
    shd_status status = SHD_OK;
    for (size_t i = 0; i < round.size() && failed_from == round.size(); ++i) {
        Batch &b = *round[i];
        b.replies.reserve(b.commands.size());
        for (size_t k = 0; k < b.commands.size(); ++k) {
            void *raw = nullptr;
            errno = 0;
            if (redisGetReply(c, &raw) != REDIS_OK || !raw) {
                bool timed_out = c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
                status = timed_out ? SHD_ERR_TIMEOUT : SHD_ERR_IO;
                reason = timed_out
                             ? "redis did not answer within " + std::to_string(settings_.command_timeout_ms) + " ms"
                             : std::string("redis connection lost: ") + (c->errstr[0] ? c->errstr : "closed");
                failed_from = i;
                break;
            }
            auto *r = static_cast<redisReply *>(raw);
            b.replies.push_back(copy_reply(r));
            freeReplyObject(r);
        }
    }
    if (failed_from == round.size()) return;
    host_.warn("redis " + settings_.host + ":" + std::to_string(settings_.port) + " (" + name_ + "): " + reason +
               "; reconnecting");
    for (size_t i = failed_from; i < round.size(); ++i) {
        round[i]->status = status;
        round[i]->reason = reason;
        round[i]->replies.clear();
    }
    redisFree(c);
    ctx_ = nullptr;
    shared_->connected = false;
}

void Link::finish(std::vector<std::unique_ptr<Batch>> &round) {
    bool first;
    {
        std::lock_guard<std::mutex> lock(shared_->mu);
        first = shared_->done.empty() && shared_->connects == 0;
        for (auto &b : round) shared_->done.push_back(std::move(b));
    }
    round.clear();
    // One delivery task serves everything answered before it runs. When the host takes no more
    // tasks, stop() delivers what is left.
    if (first) host_.post([s = shared_] { deliver(s); });
}

// [logic] Runs the callbacks of every answered batch, in order, and announces new connections.
void Link::deliver(const std::shared_ptr<Shared> &shared) {
    std::vector<std::unique_ptr<Batch>> done;
    size_t connects;
    {
        std::lock_guard<std::mutex> lock(shared->mu);
        if (shared->closed) return;
        done = std::move(shared->done);
        shared->done.clear();
        connects = shared->connects;
        shared->connects = 0;
    }
    if (connects && shared->on_connected) {
        try {
            shared->on_connected();
        } catch (...) {
        }
    }
    for (auto &b : done) {
        try {
            if (b->cb) b->cb(b->status, std::move(b->replies), b->reason);
        } catch (const std::exception &e) {
            shared->host.error(std::string("redis result callback threw: ") + e.what());
        } catch (...) {
            shared->host.error("redis result callback threw");
        }
    }
}

}  // namespace shd::redis
