// One client connection after the transport is known (raw TCP or WebSocket, either maybe over TLS):
// the protocol's link, the send queue, the deadlines and the close sequence. The socket work is left
// to a transport subclass (raw_connection.cpp, ws_connection.cpp).
//
// Threads: everything except the ClientLink/Closable entry points runs on the connection's I/O
// thread (each io_context is run by one thread, so no strand is needed). Those entry points only
// queue work for that thread: bytes through the thread's mailbox (IoThread), the rest as posts.
//
// Reentrancy: protocol calls (receive, on_timeout, a handshake reply) may call back into the link
// (send, close, set_timeout, deliver, ...). Link callbacks only record what to do; settle(), run
// after every protocol call returns, starts writes and closes. So protocol->close is never called
// from inside another protocol call.
//
// Memory: a server holds tens of thousands of these, mostly idle, so an idle connection owns no
// buffer, no timer and no pending write; see docs/bench.md for the measured breakdown.
#pragma once

#include "client_link.hpp"
#include "connection_events.hpp"
#include "connection_settings.hpp"
#include "connection_tracker.hpp"
#include "io_thread.hpp"

#include <shaddock/ext/protocol.h>
#include <shaddock/cpp/host.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shd::connector {

class Connection : public ClientLink,
                   public Closable,
                   public InboxCredit,
                   public std::enable_shared_from_this<Connection> {
public:
    Connection(IoExecutor executor, const ConnectionSettings &settings, TrackerSlot slot,
               Clock::time_point idle_deadline, std::string remote);
    ~Connection() override;

    // [io] Opens the protocol state and lets the transport start (reading, or first its upgrade).
    void start();

    // ClientLink / Closable, [any].
    void send(SharedBytes bytes) override;
    void send_reply(SharedBytes bytes) override;
    void close_after(SharedBytes notice, std::string reason) override;
    void answer_handshake(shd_handshake_reply_fn reply, void *reply_ctx, int32_t code, std::string user_json) override;
    const std::string &remote_address() const override { return remote_; }
    void abort_async(const std::string &reason) override;

    // InboxCredit: back-pressure from the logic thread.
    void message_done() override;
    void room_available() override;

protected:
    // ---- for transports, [io] ----
    // Begins the transport: reading for raw TCP, the HTTP upgrade for WebSocket. Once it is ready
    // to carry packages it calls open_protocol().
    virtual void start_transport() = 0;
    // Writes the packages inflight(0 .. inflight_count()-1); calls on_write_done when finished
    // (possibly before returning).
    virtual void write_inflight() = 0;
    // The queue is flushed and a close was asked for: end politely (FIN, WebSocket close frame).
    // The transport calls finish() when the peer is gone; the linger deadline bounds the wait.
    virtual void shutdown_transport() = 0;
    // Closes the socket at once; pending operations complete with errors.
    virtual void close_socket() = 0;
    // Reads on after back-pressure stopped reading (reading_stopped() was true when the transport's
    // last read completed, so it did not read again).
    virtual void resume_transport() = 0;

    // Opens the protocol's per-connection state; false (connection finished) if it refused.
    bool open_protocol();
    // Hands client bytes to the protocol (discarded while closing) and settles. Afterwards the
    // transport reads again only if reading_stopped() is false; otherwise resume_transport() follows
    // once the logic thread has caught up. Stream bytes go to the protocol in slices: what is left
    // when reading stops is kept and handed over first on resume.
    void receive(const uint8_t *data, size_t size, bool whole_message);
    bool reading_stopped() const { return reading_stopped_; }
    // How many bytes the transport should read next into a buffer of buffer_size (less when
    // reading is about to stop).
    size_t read_allowance(size_t buffer_size) const;
    void on_write_done(bool ok);
    // Ends the connection: protocol state freed, session closed with the first reason given.
    void finish(const std::string &reason);
    // Starts writes and closes recorded during a protocol call.
    void settle();

    // The packages of the write in progress; they stay alive until on_write_done.
    size_t inflight_count() const { return inflight_; }
    const std::string &inflight(size_t i) const { return *pending_[i]; }

    bool closed() const { return closed_; }
    bool closing() const { return closing_; }
    const ConnectionSettings &settings() const { return settings_; }
    void log_debug(const std::string &what) const;

    IoExecutor executor_;

private:
    friend class IoThread;

    static Connection *from(void *link_ctx) { return static_cast<Connection *>(link_ctx); }
    static void SHD_CALL link_send(void *ctx, shd_bytes data);
    static void SHD_CALL link_close(void *ctx, shd_str reason);
    static void SHD_CALL link_set_timeout(void *ctx, uint64_t ms);
    static void SHD_CALL link_deliver(void *ctx, const shd_inbound_msg_v1 *msg);
    static void SHD_CALL link_handshake(void *ctx, shd_str type, shd_str version, shd_str user,
                                        shd_handshake_reply_fn reply, void *reply_ctx);
    static void SHD_CALL link_established(void *ctx);

    // [io] From the thread's mailbox, in the order other threads sent them; settle() follows once
    // per batch.
    void take_letter(SharedBytes bytes, std::unique_ptr<std::string> close_reason, bool at_once);
    // [io] The deadline queue says one of the deadlines below passed.
    void on_deadline(Clock::time_point now);
    // Tells the deadline queue the earliest of the deadlines below.
    void reschedule();

    // The session's token bucket: true if the message may go on; otherwise a request is answered
    // with an error or, past kick_after, the client is kicked.
    bool take_token(const shd_inbound_msg_v1 &msg);
    // True if this connection must stop reading: too many of its messages are not yet handled by
    // the logic thread, or the logic thread's queue is over its byte budget. A resume is then on its way (or, for a
    // connection that closes meanwhile, not needed).
    bool inbox_full();
    void resume_reading();
    // Hands stream bytes to the protocol slice by slice until reading must stop; returns the bytes
    // used (all of them if the connection closed).
    size_t feed(const uint8_t *data, size_t size);

    // Admits bytes against sendQueueLimit: false (and the connection marked overflowed) past it.
    bool admit(const SharedBytes &bytes);
    void enqueue(SharedBytes bytes);
    // The buffer scheduler: holds bytes until the flush deadline, which it sets on the first one.
    void hold(SharedBytes bytes);
    // Lets what the buffer scheduler holds be written, in order.
    void release_held() { released_ = static_cast<uint32_t>(pending_.size()); }
    // Drops everything not being written.
    void drop_unwritten();
    void begin_close(std::string reason);
    void set_idle(Clock::time_point deadline);

    const ConnectionSettings &settings_;
    IoThread &io_;
    TrackerSlot slot_;
    std::string remote_;
    shd_protocol_link_v1 link_{};
    void *pconn_ = nullptr;

    DeadlineSlot deadline_;  // the IoThread's
    static constexpr Clock::time_point kNever = Clock::time_point::max();
    Clock::time_point idle_at_ = kNever;      // accept deadline, inactivity, then close linger
    Clock::time_point protocol_at_ = kNever;  // link->set_timeout
    Clock::time_point flush_at_ = kNever;     // the buffer scheduler's flush
    Clock::time_point last_read_;

    // Every package not yet written, in order: [0, inflight_) is being written, [inflight_,
    // released_) goes with the next write, [released_, end) waits for the buffer scheduler's flush.
    std::vector<SharedBytes> pending_;
    uint32_t inflight_ = 0;
    uint32_t released_ = 0;
    uint64_t queued_bytes_ = 0;  // of pending_
    uint64_t sid_ = 0;           // non-zero once established
    std::string close_reason_;
    bool closing_ = false;  // flush, then shut down
    bool shutdown_started_ = false;
    bool overflowed_ = false;  // the send queue limit was passed during a protocol call
    bool closed_ = false;
    bool mail_touched_ = false;  // [IoThread] in the mailbox batch being delivered

    // Back-pressure. inbox_pending_ counts this connection's messages not yet handled by the logic
    // thread (notifies not dispatched, requests not answered; [io] adds, [logic] subtracts); inbox_waiting_ is set by
    // the I/O thread when it stops reading for them and taken by whichever thread sees the count fall to half.
    std::atomic<uint32_t> inbox_pending_{0};
    std::atomic<bool> inbox_waiting_{false};
    bool reading_stopped_ = false;             // [io]
    std::unique_ptr<std::string> held_input_;  // [io] stream bytes not yet given to the protocol
    size_t held_offset_ = 0;                   // [io] of held_input_, what was given already
    // The rate limit's token bucket, [io].
    double tokens_ = 0;
    Clock::time_point tokens_at_{};
};

// The time a close may take to flush and say goodbye before the socket is simply closed.
constexpr std::chrono::milliseconds kCloseLinger{2000};

}  // namespace shd::connector
