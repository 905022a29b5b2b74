// shaddock/cpp/sync.hpp - write-behind persistence for apps (pomelo-sync), over "shd.sync/1" (the
// `sync` plugin; the contract is in shaddock/ext/sync.h, the guide in docs/persistence.md).
//
//   void configure() override {
//       sync_ = std::make_unique<shd::Sync>(host());
//       sync_->writer("playerSync.updatePlayer", "UPDATE player SET x = :x, y = :y WHERE id = :id");
//       sync_->on_error([this](std::string_view key, std::string_view id, shd_status, std::string_view why) {
//           host().error("lost a write of " + std::string(key) + " " + std::string(id) + ": " + std::string(why));
//       });
//   }
//   void on_move(const Player &p) {
//       // merged by id: only the latest position per player reaches the database, every interval
//       sync_->exec("playerSync.updatePlayer", p.id, p.to_json());
//   }
//
// Keep the Sync object alive as long as the app: it owns the callbacks. Everything runs on the logic
// thread.
#pragma once

#include <shaddock/ext/sync.h>
#include <shaddock/cpp/host.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace shd {

// The end of a flush or a sync: SHD_OK, or the status and the reason.
using SyncDone = std::function<void(shd_status status, std::string_view message)>;
// A write the database refused (dropped): the writer's key, the id, the status and the database's message.
using SyncError =
    std::function<void(std::string_view key, std::string_view id, shd_status status, std::string_view message)>;

class Sync {
public:
    explicit Sync(const Host &host) : host_(host) {
        auto [vt, ctx] = host.require<shd_sync_service_v1>(SHD_SYNC_SERVICE_ID);
        vt_ = vt;
        ctx_ = ctx;
    }
    Sync(const Sync &) = delete;
    Sync &operator=(const Sync &) = delete;
    ~Sync() {
        if (error_) vt_->set_error_handler(ctx_, nullptr, nullptr);
    }

    // Registers the statement of a key: named (":x") or positional ("?") parameters. Throws shd::Error.
    void writer(std::string_view key, std::string_view sql) {
        std::string why;
        shd_status s = vt_->add_writer(ctx_, to_shd(key), to_shd(sql), &Sync::keep_text, &why);
        if (s != SHD_OK)
            throw Error(s, "sync writer " + std::string(key) + ": " + (why.empty() ? status_name(s) : why));
    }

    // Queues a write, merged by (key, id). Returns SHD_OK, SHD_ERR_BUSY (the queue is full: retry
    // later or drop) or SHD_ERR_SHUTDOWN; throws shd::Error for an unknown key or a value that does
    // not fill the statement (a bug in the caller, not a condition to handle).
    shd_status exec(std::string_view key, std::string_view id, std::string_view value_json) {
        std::string why;
        shd_status s = vt_->exec(ctx_, to_shd(key), to_shd(id), to_shd(value_json), &Sync::keep_text, &why);
        if (s == SHD_ERR_INVALID || s == SHD_ERR_NOT_FOUND)
            throw Error(s, "sync exec " + std::string(key) + " " + std::string(id) + ": " + why);
        return s;
    }

    // Queues the write and writes now; done (optional) runs once it is in the database, or fails.
    void flush(std::string_view key, std::string_view id, std::string_view value_json, SyncDone done = {}) {
        vt_->flush(ctx_, to_shd(key), to_shd(id), to_shd(value_json), &Sync::finish, new SyncDone(std::move(done)));
    }

    // Writes everything queued now; done runs once all of it is in the database.
    void sync(SyncDone done = {}) { vt_->sync(ctx_, &Sync::finish, new SyncDone(std::move(done))); }

    // Nothing queued or being written.
    bool is_done() const { return vt_->is_done(ctx_) != 0; }

    // The figures as JSON (see shd_sync_service_v1.stats).
    std::string stats() const {
        std::string out;
        vt_->stats(ctx_, &Sync::keep_text, &out);
        return out;
    }

    // Told of every write the database refused; replaces the previous function.
    void on_error(SyncError fn) {
        error_ = std::make_unique<SyncError>(std::move(fn));
        shd_status s = vt_->set_error_handler(ctx_, &Sync::refused, error_.get());
        if (s != SHD_OK) throw Error(s, std::string("sync on_error: ") + status_name(s));
    }

private:
    static void SHD_CALL keep_text(void *ud, shd_str text) { static_cast<std::string *>(ud)->assign(to_view(text)); }

    static void SHD_CALL finish(void *ud, shd_status status, shd_str message) {
        std::unique_ptr<SyncDone> done(static_cast<SyncDone *>(ud));
        try {
            if (*done) (*done)(status, to_view(message));
        } catch (...) {
            // A completion has nobody to report to; the app's own code should catch.
        }
    }

    static void SHD_CALL refused(void *ud, shd_str key, shd_str id, shd_status status, shd_str message) {
        try {
            (*static_cast<SyncError *>(ud))(to_view(key), to_view(id), status, to_view(message));
        } catch (...) {
        }
    }

    Host host_;
    const shd_sync_service_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
    std::unique_ptr<SyncError> error_;
};

}  // namespace shd
