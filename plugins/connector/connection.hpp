// One client connection after the transport is known (raw TCP or WebSocket, either maybe over TLS):
// the protocol's link, the send queue, the deadlines and the close sequence. The socket work is left
// to a transport subclass (raw_connection.cpp, ws_connection.cpp).
//
// Threads: everything except the ClientLink/Closable entry points runs on the connection's strand
// (the executor of its socket). Those entry points only post onto it.
//
// Reentrancy: protocol calls (receive, on_timeout, a handshake reply) may call back into the link
// (send, close, set_timeout, deliver, ...). Link callbacks only record what to do; settle(), run
// after every protocol call returns, starts writes and closes. So protocol->close is never called
// from inside another protocol call.
#pragma once

#include "client_link.hpp"
#include "connection_events.hpp"
#include "connection_settings.hpp"
#include "connection_tracker.hpp"

#include <shaddock/ext/protocol.h>
#include <shaddock/cpp/host.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shd::connector {

using Clock = std::chrono::steady_clock;

class Connection : public ClientLink, public Closable, public std::enable_shared_from_this<Connection> {
public:
    Connection(boost::asio::any_io_executor strand, const ConnectionSettings &settings, TrackerSlot slot,
               Clock::time_point idle_deadline, std::string remote);
    ~Connection() override;

    // [strand] Opens the protocol state and lets the transport start (reading, or first its upgrade).
    void start();

    // ClientLink / Closable, [any].
    void send(SharedBytes bytes) override;
    void close_after(SharedBytes notice, std::string reason) override;
    void answer_handshake(shd_handshake_reply_fn reply, void *reply_ctx, int32_t code, std::string user_json) override;
    const std::string &remote_address() const override { return remote_; }
    void abort_async(const std::string &reason) override;

protected:
    // ---- for transports, [strand] ----
    // Begins the transport: reading for raw TCP, the HTTP upgrade for WebSocket. Once it is ready
    // to carry packages it calls open_protocol().
    virtual void start_transport() = 0;
    // Writes inflight_ (non-empty); calls on_write_done when finished.
    virtual void write_inflight() = 0;
    // The queue is flushed and a close was asked for: end politely (FIN, WebSocket close frame).
    // The transport calls finish() when the peer is gone; the linger deadline bounds the wait.
    virtual void shutdown_transport() = 0;
    // Closes the socket at once; pending operations complete with errors.
    virtual void close_socket() = 0;

    // Opens the protocol's per-connection state; false (connection finished) if it refused.
    bool open_protocol();
    // Hands client bytes to the protocol (discarded while closing) and settles.
    void receive(const uint8_t *data, size_t size, bool whole_message);
    void on_write_done(bool ok);
    // Ends the connection: protocol state freed, session closed with the first reason given.
    void finish(const std::string &reason);
    // Starts writes and closes recorded during a protocol call.
    void settle();

    bool closed() const { return closed_; }
    bool closing() const { return closing_; }
    const ConnectionSettings &settings() const { return settings_; }
    void log_debug(const std::string &what) const;

    boost::asio::any_io_executor strand_;
    std::vector<SharedBytes> inflight_;  // being written; kept alive until the write completes

private:
    static Connection *from(void *link_ctx) { return static_cast<Connection *>(link_ctx); }
    static void SHD_CALL link_send(void *ctx, shd_bytes data);
    static void SHD_CALL link_close(void *ctx, shd_str reason);
    static void SHD_CALL link_set_timeout(void *ctx, uint64_t ms);
    static void SHD_CALL link_deliver(void *ctx, const shd_inbound_msg_v1 *msg);
    static void SHD_CALL link_handshake(void *ctx, shd_str type, shd_str version, shd_str user,
                                        shd_handshake_reply_fn reply, void *reply_ctx);
    static void SHD_CALL link_established(void *ctx);

    // [strand] Moves what other threads sent to the write path (or the buffer scheduler), in order,
    // and carries out a close_after found among them.
    void drain_outbox();
    void lock_outbox();
    void unlock_outbox() { outbox_lock_.clear(std::memory_order_release); }

    // Admits bytes against sendQueueLimit: false (and the connection marked overflowed) past it.
    bool admit(const SharedBytes &bytes);
    void enqueue(SharedBytes bytes);
    // The buffer scheduler: holds bytes until the flush timer, which it arms on the first one.
    void hold(SharedBytes bytes);
    // Moves what the buffer scheduler holds to the write queue, in order.
    void release_held();
    void begin_close(std::string reason);
    void arm_idle(Clock::time_point deadline);
    void arm_protocol_timer(uint64_t ms);

    const ConnectionSettings &settings_;
    TrackerSlot slot_;
    std::string remote_;
    shd_protocol_link_v1 link_{};
    void *pconn_ = nullptr;

    boost::asio::steady_timer idle_timer_;      // accept deadline, inactivity, then close linger
    boost::asio::steady_timer protocol_timer_;  // link->set_timeout
    boost::asio::steady_timer flush_timer_;     // the buffer scheduler's flush
    uint64_t idle_generation_ = 0;
    uint64_t protocol_generation_ = 0;
    Clock::time_point accept_deadline_;
    Clock::time_point last_read_;

    // Sends and close_after from other threads (the logic thread's answers and pushes): one post to
    // the strand per batch, not per message, so a busy connection's answers also share writes.
    struct Outgoing {
        SharedBytes bytes;
        bool close = false;  // close_after: bytes (maybe null) is the goodbye notice
        std::string reason;
    };
    std::atomic_flag outbox_lock_ = ATOMIC_FLAG_INIT;  // held for a push or a swap only
    std::vector<Outgoing> outbox_;

    std::vector<SharedBytes> queue_;  // waiting for the next write
    std::vector<SharedBytes> held_;   // the buffer scheduler's: waiting for the flush timer
    uint64_t queued_bytes_ = 0;       // held_, queue_ and inflight_
    bool flush_armed_ = false;
    bool writing_ = false;
    bool closing_ = false;  // flush, then shut down
    bool shutdown_started_ = false;
    bool overflowed_ = false;  // the send queue limit was passed during a protocol call
    bool closed_ = false;
    std::string close_reason_;
    uint64_t sid_ = 0;  // non-zero once established
};

// The time a close may take to flush and say goodbye before the socket is simply closed.
constexpr std::chrono::milliseconds kCloseLinger{2000};

}  // namespace shd::connector
