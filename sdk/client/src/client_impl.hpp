// Client::Impl: one client's protocol state machine. Lives on its ThreadContext's thread: every
// member below the atomics is touched there only; the public Client methods post to it (or run
// inline when already on it, deferring any callback so none runs inside the user's call).
//
// Connection lifecycle: idle -> connecting (wire open, handshake) -> connected -> on loss:
// reconnecting (backoff, new connection, new handshake) or closed. A kick or disconnect() ends in
// closed; so does Loop shutdown, which fails everything with `cancelled`.
//
// Lifetime rule (client.hpp): disconnect() and release() complete every callback the client still
// owes (pending replies, a running connect's done, user callbacks deferred out of a user's call,
// on_disconnected) before they return, so nothing of the old connection runs afterwards. That is
// why user callbacks are never posted bare: defer_callback() queues them in callbacks_, which both
// drain.
#pragma once

#include "loop_impl.hpp"
#include "server_protocol.hpp"
#include "wire.hpp"

#include <shaddock/pomelo/package_stream_parser.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

namespace shd::client {

struct Client::Impl final : public WireListener, public std::enable_shared_from_this<Client::Impl> {
    using Clock = std::chrono::steady_clock;

    Impl(std::shared_ptr<ThreadContext> ctx, Options options, Events events);
    ~Impl() override;

    // Values readable from any thread.
    std::atomic<State> state{State::idle};
    std::atomic<int64_t> rtt_us{-1};
    std::atomic<uint32_t> heartbeat_s{0};
    std::atomic<bool> use_dict{false};
    std::atomic<bool> use_proto{false};
    std::atomic<bool> dict_from_cache{false};
    std::atomic<bool> protos_from_cache{false};

    const std::shared_ptr<ThreadContext> ctx;

    // --- on the client's thread --------------------------------------------------------------
    void attach();  // joins ctx->clients
    void connect(Done done);
    void request(std::string_view route, std::string_view body, Reply reply, uint32_t timeout_ms);
    void notify(std::string_view route, std::string_view body);
    void on(std::string_view route, Push handler);
    void on_any(std::function<void(std::string_view, std::string_view)> handler);
    void on_any_route(std::function<void(std::string_view)> handler);
    void disconnect(ErrorCode pending_code);
    void shutdown();  // the Loop is stopping
    // The Client is gone: no Events or push handlers fire any more (what they captured may be
    // gone too); the connection closes and pending replies run with `cancelled`.
    void release();

    // Runs fn later on this thread (never inside the current call). For the library's own work.
    template <class F>
    void defer(F &&fn);
    // The same for a user callback: queued in callbacks_, so that disconnect() and release() can run
    // what is still queued before they return.
    void defer_callback(std::function<void()> fn);

    // WireListener
    void on_wire_open(const std::string &error) override;
    void on_wire_data(std::string_view bytes) override;
    void on_wire_closed(const std::string &reason) override;
    void on_wire_written(const std::string &error) override;

private:
    enum class Phase { none, opening, handshaking, working };

    struct Pending {
        Reply reply;
        Clock::time_point deadline{};  // also tells a reused id's entry from its old deadline
        std::string proto_route;       // set when the response body is protobuf under this route
    };
    struct Deadline {
        Clock::time_point at;
        uint32_t id;
        bool operator>(const Deadline &o) const { return at > o.at; }
    };

    void start_connection();
    void connect_failed(Error error);
    void connection_lost(Error cause, bool graceful);
    void teardown(bool graceful);
    void schedule_reconnect();
    void fail_pending(ErrorCode code, const std::string &message);

    void handle_package(const pomelo::Package &p);
    void handle_handshake(std::string_view body);
    void handle_data(std::string_view body);
    void protocol_error(const std::string &what);

    // Appends one DATA package for a request (id > 0) or notify; "" or why not.
    std::string append_message(uint32_t id, std::string_view route, std::string_view body);
    // Bytes waiting behind the write in progress reached options_.send_buffer_limit.
    bool send_buffer_full() const { return options_.send_buffer_limit && out_.size() >= options_.send_buffer_limit; }
    void append_control(pomelo::PackageType type, std::string_view body = {});
    void flush();
    // flush() once the work at hand on this thread is done, so that the requests and notifies made
    // during one batch of callbacks share one write.
    void flush_soon();

    void start_heartbeat();
    void arm_heartbeat_send();
    void arm_heartbeat_timeout();
    void arm_request_timer();
    void on_request_timer();
    uint32_t next_request_id();

    void report(ErrorCode code, std::string message);  // Events::on_error
    void run_callbacks();                              // every callback in callbacks_, in order
    void finish_connect(const Error &error);           // connect_done_, if a connect() waits

    Options options_;
    Events events_;
    std::string cache_key_;
    std::shared_ptr<ProtocolCache> cache_;

    Phase phase_ = Phase::none;
    uint64_t generation_ = 0;  // bumped per connection; stale timer firings compare it
    bool user_closed_ = false;
    uint32_t reconnect_attempt_ = 0;
    bool reconnecting_ = false;  // the current connection attempt is a reconnect
    Done connect_done_;

    std::shared_ptr<Wire> wire_;
    std::optional<pomelo::PackageStreamParser> parser_;
    ServerProtocol protocol_;   // what the current connection uses
    ServerProtocol announced_;  // what the handshake announced as cached

    std::string out_;  // packages waiting for the next write
    std::vector<uint32_t> frame_ends_;
    bool writing_ = false;
    bool flush_posted_ = false;

    boost::asio::steady_timer connect_timer_;  // connect deadline, and the reconnect backoff
    boost::asio::steady_timer heartbeat_timer_;
    boost::asio::steady_timer heartbeat_timeout_timer_;
    boost::asio::steady_timer request_timer_;
    Clock::time_point request_timer_at_ = Clock::time_point::max();
    Clock::time_point last_received_{};
    std::optional<Clock::time_point> heartbeat_sent_;

    uint32_t last_id_ = 0;
    std::unordered_map<uint32_t, Pending> pending_;
    std::priority_queue<Deadline, std::vector<Deadline>, std::greater<Deadline>> deadlines_;

    std::deque<std::function<void()>> callbacks_;  // see defer_callback()

    std::map<std::string, Push, std::less<>> handlers_;
    std::function<void(std::string_view, std::string_view)> any_handler_;
    std::function<void(std::string_view)> any_route_handler_;  // route only, body never decoded
};

template <class F>
void Client::Impl::defer(F &&fn) {
    boost::asio::post(ctx->io, [self = shared_from_this(), fn = std::forward<F>(fn)]() mutable { fn(); });
}

}  // namespace shd::client
