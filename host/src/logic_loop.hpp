// The server's logic executor: one thread running an io_context, where every plugin and app callback
// runs. Also owns the timers and the event bus of the host API, because both deliver on this thread.
#pragma once

#include <shaddock/abi.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace shd::host {

class LogicLoop {
public:
    LogicLoop();
    ~LogicLoop();
    LogicLoop(const LogicLoop &) = delete;
    LogicLoop &operator=(const LogicLoop &) = delete;

    boost::asio::io_context &io() { return io_; }

    // Runs the loop on the calling thread until release() and no work is left.
    void run();
    // Lets run() return once the queued work is done.
    void release();

    // [any] Queues fn; see shd_host_api.post for the contract.
    shd_status post(shd_task_fn fn, void *user_data);

    // [logic]
    shd_status timer_start(uint64_t delay_ms, uint64_t interval_ms, shd_task_fn fn, void *ud, uint64_t &id);
    shd_status timer_cancel(uint64_t id);

    shd_status subscribe(const std::string &name, shd_event_fn fn, shd_release_fn release, void *ud, uint64_t &id);
    shd_status unsubscribe(uint64_t id);
    void emit(const std::string &name, const std::string &payload);

    // [logic] Stops accepting posts; queued tasks now run with SHD_ERR_SHUTDOWN; every timer gets its
    // final SHD_ERR_CANCELLED and every subscription its release, all on this loop.
    void drain();
    bool draining() const { return draining_.load(); }

    size_t active_timers() const { return timers_.size(); }
    size_t active_subscriptions() const { return subscriptions_.size(); }

private:
    struct Timer;
    struct Subscription {
        std::string name;
        shd_event_fn fn;
        shd_release_fn release;
        void *ud;
    };
    void arm(const std::shared_ptr<Timer> &t, uint64_t delay_ms);

    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::mutex post_mutex_;
    std::atomic<bool> draining_{false};
    uint64_t next_timer_id_ = 1;
    uint64_t next_subscription_id_ = 1;
    std::map<uint64_t, std::shared_ptr<Timer>> timers_;
    std::map<uint64_t, Subscription> subscriptions_;
};

}  // namespace shd::host
