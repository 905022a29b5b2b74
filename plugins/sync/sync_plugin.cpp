// The `sync` plugin: pomelo-sync's write-behind persistence ("shd.sync/1",
// sdk/include/shaddock/ext/sync.h). The app registers named statements (writers) and queues writes
// merged by (key, id); a thread of the plugin writes them to SQLite or PostgreSQL (Poco::Data) every
// interval, on flush and sync, and on stop, whose completion waits until everything is written.
// Completions and refused writes come back on the logic thread. docs/persistence.md is the guide.
#include "sync_database.hpp"
#include "sync_options.hpp"
#include "sync_statement.hpp"
#include "sync_worker.hpp"
#include "write_queue.hpp"

#include <shaddock/ext/sync.h>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace {

using namespace shd::sync;
using shd::to_shd;
using shd::to_view;

class SyncPlugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        shd::ServerInfo me = host().server();
        options_ = parse_sync_options(host().options_json(), me.app_dir, me.env,
                                      [](const char *name) -> const char * { return std::getenv(name); });
        if (options_.dialect == Dialect::sqlite) {
            std::error_code ec;
            std::filesystem::create_directories(std::filesystem::path(options_.sqlite_file).parent_path(), ec);
            if (ec)
                throw shd::Error(SHD_ERR_INVALID, "option file: cannot create the folder of " + options_.sqlite_file +
                                                      ": " + ec.message());
        }
        queue_ = std::make_unique<WriteQueue>(options_.max_queue);
        db_ = std::make_unique<SyncDatabase>(options_.dialect, options_.connection(), options_.pg_password,
                                             options_.connect_timeout_s);
        shd::stamp(vtable_);
        vtable_.add_writer = shd::guard<&SyncPlugin::add_writer>;
        vtable_.exec = shd::guard<&SyncPlugin::exec>;
        vtable_.flush = shd::guard<&SyncPlugin::flush>;
        vtable_.sync = shd::guard<&SyncPlugin::sync>;
        vtable_.is_done = shd::guard<&SyncPlugin::is_done, 1>;
        vtable_.set_error_handler = shd::guard<&SyncPlugin::set_error_handler>;
        vtable_.stats = shd::guard<&SyncPlugin::stats>;
        host().provide(SHD_SYNC_SERVICE_ID, &vtable_, this);
    }

    void start() override {
        shd::Host h = host();
        worker_ = std::make_unique<SyncWorker>(
            *queue_, *db_, options_.worker, [this](Report r) { deliver_later(std::move(r)); },
            [h](int level, const std::string &line) { h.log(level, line); });
        worker_->start();
        host().info("writing to " + options_.describe() + " every " + std::to_string(options_.worker.interval_ms) +
                    " ms (at most " + std::to_string(options_.max_queue) + " queued writes)");
    }

    void stop(shd::Done done) override {
        if (!worker_) {  // start did not get as far as the thread: nothing was written, nothing is queued
            done();
            return;
        }
        stop_done_ = done;
        QueueFigures f = queue_->figures();
        host().info("stopping: writing the " + std::to_string(f.queued + f.writing) +
                    " queued write(s) first (the stop completes once they are in the database)");
        worker_->stop();
    }

private:
    struct Completion {
        shd_sync_done_fn fn;
        void *ud;
    };
    struct Waiter {
        uint64_t seq;
        Completion done;
    };

    static SyncPlugin *self(void *ctx) { return static_cast<SyncPlugin *>(ctx); }

    // [database thread] Hands a report to the logic thread. The worker is joined before the stop
    // completes and the host runs posted tasks until then, so `this` outlives every task.
    void deliver_later(Report r) {
        auto box = std::make_shared<Report>(std::move(r));
        host().post([this, box] { deliver(*box); });
    }

    // [logic]
    void deliver(const Report &r) {
        for (const Report::Refused &x : r.refused) {
            host().error("the database refused a write of " + x.key + " id " + x.id + " (dropped): " + x.message);
            if (error_fn_) error_fn_(error_ud_, to_shd(x.key), to_shd(x.id), SHD_ERR_INVALID, to_shd(x.message));
        }
        for (const Report::Done &d : r.done) {
            auto it = pending_.find(d.ticket);
            if (it == pending_.end()) continue;
            Completion c = it->second;
            pending_.erase(it);
            c.fn(c.ud, d.status, to_shd(d.message));
        }
        while (!waiters_.empty() && waiters_.front().seq < r.watermark) {
            Completion c = waiters_.front().done;
            waiters_.erase(waiters_.begin());
            c.fn(c.ud, SHD_OK, to_shd(""));
        }
        if (r.finished) finish_stop();
    }

    // [logic] The worker has written everything and ended.
    void finish_stop() {
        worker_->join();
        stopped_ = true;
        // Nothing is left to wait for; anything still here would have no write to wait on.
        for (auto &[ticket, c] : pending_) c.fn(c.ud, SHD_ERR_SHUTDOWN, to_shd("the sync plugin stopped"));
        pending_.clear();
        for (Waiter &w : waiters_) w.done.fn(w.done.ud, SHD_OK, to_shd(""));
        waiters_.clear();
        QueueFigures f = queue_->figures();
        host().info("stopped: " + std::to_string(f.written) + " write(s) in the database, " +
                    std::to_string(f.refused) + " refused");
        if (stop_done_) (*stop_done_)();
    }

    // Refuses a completion: later on the logic thread, as the contract says.
    void refuse(shd_sync_done_fn fn, void *ud, shd_status status, std::string why) {
        if (!host().post([fn, ud, status, why] { fn(ud, status, to_shd(why)); })) fn(ud, status, to_shd(why));
    }

    // The write of exec and flush, or the status and reason it is refused with.
    shd_status queue_write(shd_str key, shd_str id, shd_str value_json, std::optional<uint64_t> ticket,
                           std::string &why) {
        if (stopped_) {
            why = "the sync plugin has stopped";
            return SHD_ERR_SHUTDOWN;
        }
        auto found = writers_.find(std::string(to_view(key)));
        if (found == writers_.end()) {
            why = "no writer " + std::string(to_view(key)) + " (add_writer first)";
            return SHD_ERR_NOT_FOUND;
        }
        Write w;
        w.writer = found->second;
        w.id = std::string(to_view(id));
        try {
            w.params = bind_value(*w.writer, to_view(value_json));
        } catch (const shd::Error &e) {
            why = e.what();
            return e.status();
        }
        if (ticket) w.tickets.push_back(*ticket);
        shd_status s = queue_->put(std::move(w));
        if (s == SHD_ERR_BUSY)
            why = "the queue is full (" + std::to_string(options_.max_queue) + " writes: option maxQueue)";
        return s;
    }

    static shd_status add_writer(SyncPlugin *me, shd_str key, shd_str sql, shd_text_fn why, void *why_data) {
        std::string k(to_view(key));
        auto say = [&](const std::string &text) {
            if (why) why(why_data, to_shd(text));
        };
        if (k.empty()) {
            say("the key is empty");
            return SHD_ERR_INVALID;
        }
        if (me->writers_.count(k)) {
            say("a writer " + k + " is already registered");
            return SHD_ERR_EXISTS;
        }
        try {
            me->writers_.emplace(k,
                                 std::make_shared<const Writer>(parse_writer(k, to_view(sql), me->options_.dialect)));
        } catch (const shd::Error &e) {
            say(e.what());
            return e.status();
        }
        return SHD_OK;
    }

    static shd_status exec(SyncPlugin *me, shd_str key, shd_str id, shd_str value_json, shd_text_fn why,
                           void *why_data) {
        std::string reason;
        shd_status s = me->queue_write(key, id, value_json, std::nullopt, reason);
        if (s != SHD_OK && why) why(why_data, to_shd(reason));
        return s;
    }

    static void flush(SyncPlugin *me, shd_str key, shd_str id, shd_str value_json, shd_sync_done_fn done, void *ud) {
        std::string reason;
        uint64_t ticket = ++me->next_ticket_;
        shd_status s = me->queue_write(key, id, value_json, ticket, reason);
        if (s != SHD_OK) {
            if (done) me->refuse(done, ud, s, reason);
            return;
        }
        if (done) me->pending_.emplace(ticket, Completion{done, ud});
        if (me->worker_) me->worker_->wake();  // before start, the first round writes it
    }

    static void sync(SyncPlugin *me, shd_sync_done_fn done, void *ud) {
        if (me->stopped_) {
            if (done) me->refuse(done, ud, SHD_OK, "");  // everything was written at the stop
            return;
        }
        if (done) me->waiters_.push_back(Waiter{me->queue_->last_seq(), Completion{done, ud}});
        if (me->worker_) me->worker_->wake();
    }

    static int32_t is_done(SyncPlugin *me) { return me->queue_->idle() ? 1 : 0; }

    static shd_status set_error_handler(SyncPlugin *me, shd_sync_error_fn fn, void *ud) {
        me->error_fn_ = fn;
        me->error_ud_ = fn ? ud : nullptr;
        return SHD_OK;
    }

    static void stats(SyncPlugin *me, shd_text_fn sink, void *ud) {
        if (!sink) return;
        QueueFigures f = me->queue_->figures();
        bool connected = me->worker_ && me->worker_->connected();
        std::string out = "{\"database\":" + shd::json_quote(me->options_.describe()) +
                          ",\"connected\":" + (connected ? "true" : "false") +
                          ",\"queued\":" + std::to_string(f.queued) + ",\"writing\":" + std::to_string(f.writing) +
                          ",\"accepted\":" + std::to_string(f.accepted) + ",\"merged\":" + std::to_string(f.merged) +
                          ",\"written\":" + std::to_string(f.written) + ",\"refused\":" + std::to_string(f.refused) +
                          ",\"busy\":" + std::to_string(f.busy) +
                          ",\"retries\":" + std::to_string(me->worker_ ? me->worker_->retries() : 0) + "}";
        sink(ud, to_shd(out));
    }

    SyncOptions options_;
    std::unique_ptr<WriteQueue> queue_;
    std::unique_ptr<SyncDatabase> db_;
    std::unique_ptr<SyncWorker> worker_;
    std::unordered_map<std::string, std::shared_ptr<const Writer>> writers_;
    std::map<uint64_t, Completion> pending_;  // flushes by ticket
    std::vector<Waiter> waiters_;             // syncs, in call order (so by seq)
    uint64_t next_ticket_ = 0;
    shd_sync_error_fn error_fn_ = nullptr;
    void *error_ud_ = nullptr;
    std::optional<shd::Done> stop_done_;
    bool stopped_ = false;
    shd_sync_service_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(SyncPlugin, "sync", "0.1.0", SHD_SYNC_SERVICE_ID, "")
