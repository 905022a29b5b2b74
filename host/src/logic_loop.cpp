#include "logic_loop.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace shd::host {

namespace asio = boost::asio;

struct LogicLoop::Timer {
    Timer(asio::io_context &io, uint64_t id_, uint64_t interval, shd_task_fn f, void *u)
        : timer(io), id(id_), interval_ms(interval), fn(f), ud(u) {}
    asio::steady_timer timer;
    uint64_t id;
    uint64_t interval_ms;
    shd_task_fn fn;
    void *ud;
    bool cancelled = false;
};

LogicLoop::LogicLoop() : guard_(asio::make_work_guard(io_)) {}

LogicLoop::~LogicLoop() = default;

void LogicLoop::run() { io_.run(); }

void LogicLoop::release() { guard_.reset(); }

namespace {

// Out of memory is fatal (docs/abi.md "Errors across the ABI"): a callback that could not allocate may
// have dropped work it owed someone. One fixed line (no allocation), then abort.
[[noreturn]] void out_of_memory() noexcept {
    static const char line[] = "out of memory in a callback run by the host; aborting (out of memory is fatal)\n";
    std::fwrite(line, 1, sizeof line - 1, stderr);
    std::abort();
}

// Calls fn exactly once: with the status the loop chose when it runs, or with SHD_ERR_SHUTDOWN if the
// io_context is destroyed with the task still queued.
struct QueuedTask {
    QueuedTask(shd_task_fn f, void *u, const std::atomic<bool> *d) : fn(f), ud(u), draining(d) {}
    QueuedTask(QueuedTask &&o) noexcept : fn(o.fn), ud(o.ud), draining(o.draining) { o.fn = nullptr; }
    QueuedTask(const QueuedTask &) = delete;
    ~QueuedTask() {
        if (fn) fn(ud, SHD_ERR_SHUTDOWN);
    }
    void operator()() {
        shd_task_fn f = fn;
        fn = nullptr;
        try {
            f(ud, draining->load() ? SHD_ERR_SHUTDOWN : SHD_OK);
        } catch (const std::bad_alloc &) {
            out_of_memory();
        } catch (...) {
            // A C callback must not throw; a broken one is contained here.
        }
    }
    shd_task_fn fn;
    void *ud;
    const std::atomic<bool> *draining;
};
}  // namespace

shd_status LogicLoop::post(shd_task_fn fn, void *user_data) {
    if (!fn) return SHD_ERR_INVALID;
    std::lock_guard<std::mutex> lock(post_mutex_);
    if (draining_.load()) return SHD_ERR_SHUTDOWN;
    asio::post(io_, QueuedTask(fn, user_data, &draining_));
    return SHD_OK;
}

void LogicLoop::arm(const std::shared_ptr<Timer> &t, uint64_t delay_ms) {
    t->timer.expires_after(std::chrono::milliseconds(delay_ms));
    t->timer.async_wait([this, t](const boost::system::error_code &ec) {
        if (ec || t->cancelled) {
            timers_.erase(t->id);
            try {
                t->fn(t->ud, SHD_ERR_CANCELLED);
            } catch (const std::bad_alloc &) {
                out_of_memory();
            } catch (...) {
            }
            return;
        }
        if (!t->interval_ms) {
            // A one-shot timer is finished once it fires: a cancel from inside its callback must find
            // nothing, or the callback would get a second, "final" call.
            timers_.erase(t->id);
            try {
                t->fn(t->ud, SHD_OK);
            } catch (const std::bad_alloc &) {
                out_of_memory();
            } catch (...) {
            }
            return;
        }
        try {
            t->fn(t->ud, SHD_OK);
        } catch (const std::bad_alloc &) {
            out_of_memory();
        } catch (...) {
        }
        if (!t->cancelled) {
            arm(t, t->interval_ms);
        } else {
            timers_.erase(t->id);
            try {
                t->fn(t->ud, SHD_ERR_CANCELLED);
            } catch (const std::bad_alloc &) {
                out_of_memory();
            } catch (...) {
            }
        }
    });
}

shd_status LogicLoop::timer_start(uint64_t delay_ms, uint64_t interval_ms, shd_task_fn fn, void *ud, uint64_t &id) {
    if (!fn) return SHD_ERR_INVALID;
    if (draining_.load()) return SHD_ERR_SHUTDOWN;
    auto t = std::make_shared<Timer>(io_, next_timer_id_++, interval_ms, fn, ud);
    timers_.emplace(t->id, t);
    id = t->id;
    arm(t, delay_ms);
    return SHD_OK;
}

shd_status LogicLoop::timer_cancel(uint64_t id) {
    auto it = timers_.find(id);
    if (it == timers_.end() || it->second->cancelled) return SHD_ERR_NOT_FOUND;
    it->second->cancelled = true;
    it->second->timer.cancel();  // the waiting handler runs later with operation_aborted
    return SHD_OK;
}

shd_status LogicLoop::subscribe(const std::string &name, shd_event_fn fn, shd_release_fn release, void *ud,
                                uint64_t &id) {
    if (!fn || name.empty()) return SHD_ERR_INVALID;
    if (draining_.load()) return SHD_ERR_SHUTDOWN;
    id = next_subscription_id_++;
    subscriptions_.emplace(id, Subscription{name, fn, release, ud});
    return SHD_OK;
}

shd_status LogicLoop::unsubscribe(uint64_t id) {
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return SHD_ERR_NOT_FOUND;
    Subscription s = it->second;
    subscriptions_.erase(it);
    if (s.release) {
        asio::post(io_, [s] {
            try {
                s.release(s.ud);
            } catch (const std::bad_alloc &) {
                out_of_memory();
            } catch (...) {
            }
        });
    }
    return SHD_OK;
}

void LogicLoop::emit(const std::string &name, const std::string &payload) {
    asio::post(io_, [this, name, payload] {
        // Deliver to the subscribers present now; one that unsubscribes during delivery gets nothing more.
        std::vector<uint64_t> ids;
        for (const auto &[id, s] : subscriptions_)
            if (s.name == name) ids.push_back(id);
        for (uint64_t id : ids) {
            auto it = subscriptions_.find(id);
            if (it == subscriptions_.end()) continue;
            try {
                it->second.fn(it->second.ud, shd_str{name.data(), name.size()},
                              shd_str{payload.data(), payload.size()});
            } catch (const std::bad_alloc &) {
                out_of_memory();
            } catch (...) {
            }
        }
    });
}

void LogicLoop::drain() {
    {
        std::lock_guard<std::mutex> lock(post_mutex_);
        draining_ = true;
    }
    for (auto &[id, t] : timers_) {
        t->cancelled = true;
        t->timer.cancel();
    }
    std::vector<uint64_t> subs;
    for (const auto &[id, s] : subscriptions_) subs.push_back(id);
    for (uint64_t id : subs) unsubscribe(id);
}

}  // namespace shd::host
