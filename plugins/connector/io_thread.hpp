// What one I/O thread keeps once for all of its connections, so that a connection does not pay for
// it: a deadline queue (one heap of connection deadlines behind one asio timer, where three asio
// timers per connection cost ~900 bytes each connection) and a mailbox for bytes that other threads
// send (one post per batch per thread; a push to 500 clients used to post 500 times).
//
// An asio service: one per io_context, found with IoThread::of(). Each io_context is run by exactly
// one thread, so everything marked [io] needs no lock.
#pragma once

#include "client_link.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace shd::connector {

using Clock = std::chrono::steady_clock;
using IoExecutor = boost::asio::io_context::executor_type;

class Connection;

// A connection's place in its thread's deadline queue. [io]
struct DeadlineSlot {
    static constexpr uint32_t kNotQueued = UINT32_MAX;
    Clock::time_point due{};
    uint32_t index = kNotQueued;
};

class IoThread final : public boost::asio::execution_context::service {
public:
    using key_type = IoThread;
    static boost::asio::execution_context::id id;

    explicit IoThread(boost::asio::execution_context &context);
    IoThread(const IoThread &) = delete;
    IoThread &operator=(const IoThread &) = delete;

    // The service of the io_context behind `ex` (created on first use).
    static IoThread &of(const IoExecutor &ex);

    // ---- deadlines, [io] ----
    // Makes sure c.on_deadline() runs at `due` or earlier (Clock::time_point::max(): never). A
    // later deadline than the queued one leaves the entry where it is: the connection finds out
    // when it fires and queues itself again, so pushing a deadline back (every heartbeat) is O(1).
    //
    // The queue owns what it holds: a queued connection stays alive until its deadline has run or
    // it was unscheduled, whatever else drops it (an exception on the way included). So the queue
    // never points at a freed connection, by construction; a connection that nothing else holds
    // ends at its deadline (every queued deadline ends in a close or in a later deadline that
    // does). A handle leaving the queue is released in a handler of its own, so that no caller
    // (finish() among them) sees its connection freed under it.
    void schedule(Connection &c, Clock::time_point due);
    void unschedule(Connection &c);
    size_t scheduled() const { return heap_.size(); }

    // ---- the mailbox, [any] ----
    // Queues bytes for c, or with `close_reason` set, bytes (maybe null) and then a close once the
    // queue is flushed. Entries for one connection keep their order.
    // `at_once`: past the buffer scheduler (a response under repliesAtOnce).
    void mail(std::shared_ptr<Connection> c, SharedBytes bytes, std::unique_ptr<std::string> close_reason,
              bool at_once = false);

private:
    struct Letter {
        std::shared_ptr<Connection> to;
        SharedBytes bytes;
        std::unique_ptr<std::string> close_reason;
        bool at_once = false;
    };

    void shutdown() override;

    bool earlier(uint32_t a, uint32_t b) const;
    void place(uint32_t i, std::shared_ptr<Connection> c);
    void sift_up(uint32_t i);
    void sift_down(uint32_t i);
    std::shared_ptr<Connection> remove_at(uint32_t i);
    void release_later(std::shared_ptr<Connection> c);
    void arm();
    void fire();

    void deliver_mail();

    boost::asio::io_context &io_;
    std::vector<std::shared_ptr<Connection>> heap_;  // min-heap on DeadlineSlot::due; owning (see schedule)
    boost::asio::basic_waitable_timer<Clock, boost::asio::wait_traits<Clock>, IoExecutor> timer_;
    Clock::time_point armed_for_ = Clock::time_point::max();

    std::mutex mail_mutex_;
    std::vector<Letter> mail_;      // [any -> io]; a delivery is posted when it stops being empty
    std::vector<Letter> delivery_;  // [io] the batch being delivered (kept for its capacity)
    std::vector<Connection *> touched_;
};

}  // namespace shd::connector
