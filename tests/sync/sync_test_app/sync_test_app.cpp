// The app of the tests in tests/sync: uses "shd.sync/1" through shd::Sync as a game would, and logs
// what it did for sync_test.js to compare with the database. Its options in plugins.json:
//   ticks, tickMs, ids  a write stream: every tickMs, one more n, the player "p<n % ids>" saved with
//                       {id, name, x: n, y: -n, n} (merged by id) and, with events, the row n
//                       appended through a positional writer (never merged: one write per n)
//   events              also the event stream
//   flush               flushes player "flushed" at start and logs when it is in the database
//   bad                 queues a write the database refuses (NULL into a NOT NULL column)
//   fill                queues distinct ids until exec answers busy, then merges into a queued one
//   stopWrite           queues player "at-stop" in the app's own stop (written by the plugin's stop)
//   sync                false: no sync() after the stream (default true)
// After the stream (or the fill) it calls sync() and logs "sync synced".
#include <shaddock/cpp/app.hpp>
#include <shaddock/cpp/options.hpp>
#include <shaddock/cpp/sync.hpp>

#include <map>
#include <memory>
#include <string>

namespace {

const char *kPlayerSql =
    "INSERT INTO player (id, name, x, y, n) VALUES (:id, :name, :x, :y, :n) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, x = excluded.x, y = excluded.y, n = excluded.n";
const char *kEventSql = "INSERT INTO event (n) VALUES (?)";

std::string player_json(const std::string &id, int64_t n, bool null_name = false) {
    return "{\"id\":\"" + id + "\",\"name\":" + (null_name ? std::string("null") : "\"player " + id + "\"") +
           ",\"x\":" + std::to_string(n) + ",\"y\":" + std::to_string(-n) + ",\"n\":" + std::to_string(n) + "}";
}

class SyncTestApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        shd::Options opts(host().options_json());
        opts.reject_unknown({"ticks", "tickMs", "ids", "events", "flush", "bad", "fill", "stopWrite", "sync"});
        ticks_ = opts.get_int("ticks", 0, 0, 10000000);
        tick_ms_ = static_cast<uint64_t>(opts.get_int("tickMs", 5, 1, 60000));
        ids_ = opts.get_int("ids", 10, 1, 1000000);
        events_ = opts.get_bool("events", false);
        flush_ = opts.get_bool("flush", false);
        bad_ = opts.get_bool("bad", false);
        fill_ = opts.get_bool("fill", false);
        stop_write_ = opts.get_bool("stopWrite", false);
        sync_at_end_ = opts.get_bool("sync", true);

        sync_ = std::make_unique<shd::Sync>(host());
        sync_->writer("player.save", kPlayerSql);
        sync_->writer("event.add", kEventSql);
        sync_->on_error([this](std::string_view key, std::string_view id, shd_status status, std::string_view why) {
            host().info("sync refused key=" + std::string(key) + " id=" + std::string(id) +
                        " status=" + std::to_string(status) + " why=" + std::string(why));
        });
    }

    void start() override {
        if (flush_) {
            sync_->flush("player.save", "flushed", player_json("flushed", 7),
                         [this](shd_status s, std::string_view why) {
                             host().info("sync flushed status=" + std::to_string(s) + " " + std::string(why));
                         });
        }
        if (bad_)
            host().info("sync bad exec=" +
                        std::to_string(sync_->exec("player.save", "bad", player_json("bad", 1, true))));
        if (fill_) fill();
        if (ticks_ > 0) timer_ = host().every(tick_ms_, [this] { tick(); });
    }

    void stop(shd::Done done) override {
        if (timer_) host().cancel(timer_);
        if (stop_write_)
            host().info("sync app stop exec=" +
                        std::to_string(sync_->exec("player.save", "at-stop", player_json("at-stop", 42))));
        done();
    }

private:
    void fill() {
        int64_t accepted = 0;
        shd_status s = SHD_OK;
        for (;;) {
            std::string id = "fill-" + std::to_string(accepted);
            if ((s = sync_->exec("player.save", id, player_json(id, accepted))) != SHD_OK) break;
            ++accepted;
        }
        host().info("sync filled accepted=" + std::to_string(accepted) + " then status=" + std::to_string(s));
        // A merge into a queued write is accepted even when the queue is full.
        shd_status merge = sync_->exec("player.save", "fill-0", player_json("fill-0", 1000));
        host().info("sync merge when full status=" + std::to_string(merge) +
                    " isDone=" + std::to_string(sync_->is_done()));
        synced();
    }

    void tick() {
        if (n_ >= ticks_) return;
        ++n_;
        std::string id = "p" + std::to_string(n_ % ids_);
        if (sync_->exec("player.save", id, player_json(id, n_)) == SHD_OK)
            expect_[id] = n_;
        else
            ++busy_;
        if (events_) {
            if (sync_->exec("event.add", "e" + std::to_string(n_), "[" + std::to_string(n_) + "]") == SHD_OK)
                ++accepted_events_;
            else
                ++busy_;
        }
        if (n_ < ticks_) return;
        host().cancel(timer_);
        timer_ = 0;
        std::string expect = "{";
        for (const auto &[id_, n] : expect_)
            expect += (expect.size() > 1 ? ",\"" : "\"") + id_ + "\":" + std::to_string(n);
        host().info("sync stream done ticks=" + std::to_string(n_) + " events=" + std::to_string(accepted_events_) +
                    " busy=" + std::to_string(busy_) + " isDone=" + std::to_string(sync_->is_done()) +
                    " expect=" + expect + "}");
        if (sync_at_end_) synced();
    }

    void synced() {
        sync_->sync([this](shd_status s, std::string_view) {
            host().info("sync synced status=" + std::to_string(s) + " isDone=" + std::to_string(sync_->is_done()) +
                        " stats=" + sync_->stats());
        });
    }

    std::unique_ptr<shd::Sync> sync_;
    int64_t ticks_ = 0, ids_ = 10, n_ = 0, busy_ = 0, accepted_events_ = 0;
    uint64_t tick_ms_ = 5, timer_ = 0;
    bool events_ = false, flush_ = false, bad_ = false, fill_ = false, stop_write_ = false, sync_at_end_ = true;
    std::map<std::string, int64_t> expect_;
};

}  // namespace

SHADDOCK_APP(SyncTestApp, "sync_test_app", "1.0.0", "shd.sync/1")
