// Carries connection events from the I/O threads to the logic thread and answers back: handshake
// checks go to the app's check (shd.handler/1), established connections become sessions, client
// messages are dispatched to handlers with a responder that encodes the answer once and posts it to
// the connection, closed connections close their sessions. No JSON is parsed on this path.
#pragma once

#include "connection_events.hpp"
#include "connector_metrics.hpp"
#include "protocol_encoder.hpp"
#include "session_registry.hpp"

#include <shaddock/ext/handler.h>
#include <shaddock/cpp/host.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace shd::connector {

class LogicBridge final : public ConnectionEvents {
public:
    // max_inbox_bytes: the byte budget of client messages waiting for the logic thread.
    LogicBridge(const Host &host, SessionRegistry &sessions, const shd_handler_service_v1 *handlers, void *handlers_ctx,
                uint64_t max_inbox_bytes)
        : host_(host),
          sessions_(sessions),
          handlers_(handlers),
          handlers_ctx_(handlers_ctx),
          max_inbox_bytes_(max_inbox_bytes) {}

    // [logic] Set once the protocol is set up (start), cleared at stop: answers after that are dropped.
    void set_encoder(const ProtocolEncoder *encoder) { encoder_.store(encoder); }
    // [logic] Before the first message: requests are counted and timed by route there.
    void set_metrics(const ConnectorMetrics *metrics) { metrics_ = metrics; }

    // ConnectionEvents, [io]
    void handshake(std::shared_ptr<ClientLink> link, shd_str client_type, shd_str client_version, shd_str user_json,
                   shd_handshake_reply_fn reply, void *reply_ctx) override;
    void established(std::shared_ptr<ClientLink> link, uint64_t sid) override;
    void deliver(uint64_t sid, const shd_inbound_msg_v1 &msg, std::shared_ptr<InboxCredit> credit) override;
    void closed(uint64_t sid, std::string reason) override;
    bool inbox_over_budget() const override { return inbox_bytes_.load(std::memory_order_relaxed) > max_inbox_bytes_; }
    bool wait_for_room(std::weak_ptr<InboxCredit> waiter) override;

    // [any] Bytes of client messages waiting for the logic thread.
    uint64_t inbox_bytes() const { return inbox_bytes_.load(); }

private:
    // A client message on its way to the logic thread, or (task set) another connection event.
    struct Inbound {
        uint64_t sid = 0;
        int32_t kind = 0;
        uint32_t id = 0;
        std::string route;
        std::string body;
        std::function<void()> task;
        std::shared_ptr<InboxCredit> credit;  // client messages: back-pressure (see InboxCredit)
        uint64_t cost = 0;                    // client messages: bytes counted against the budget
        std::chrono::steady_clock::time_point arrived{};  // client messages: when the I/O thread had it
    };
    struct Responder;
    // [io] Queues an event for the logic thread. Events of every connection share one queue, so they
    // keep their order (a session exists before its first message is dispatched), and a busy server
    // wakes the logic thread once per batch instead of once per message.
    void enqueue(Inbound in);
    static void SHD_CALL run_inbox(void *ud, shd_status status);
    static void SHD_CALL respond(void *ctx, shd_status status, shd_str body_json);
    void dispatch(Inbound &in);
    // [logic] After a batch: `freed` bytes have left the queue; wakes the waiting connections once
    // the queue is down to half its budget.
    void release_budget(uint64_t freed);

    Host host_;
    SessionRegistry &sessions_;
    const shd_handler_service_v1 *handlers_;
    void *handlers_ctx_;
    std::atomic<const ProtocolEncoder *> encoder_{nullptr};
    const ConnectorMetrics *metrics_ = nullptr;

    std::mutex inbox_mutex_;
    std::vector<Inbound> inbox_;  // [io -> logic]; a drain is posted when it stops being empty
    std::vector<Inbound> batch_;  // [logic] the batch being dispatched (kept to reuse its capacity)

    const uint64_t max_inbox_bytes_;
    std::atomic<uint64_t> inbox_bytes_{0};  // of the client messages in inbox_ and batch_
    std::mutex waiters_mutex_;
    std::vector<std::weak_ptr<InboxCredit>> waiters_;  // connections stopped for the budget
};

}  // namespace shd::connector
