#include "connection.hpp"

#include <boost/asio/post.hpp>

#include <iterator>

namespace shd::connector {

namespace asio = boost::asio;

Connection::Connection(asio::any_io_executor strand, const ConnectionSettings &settings, TrackerSlot slot,
                       Clock::time_point idle_deadline, std::string remote)
    : strand_(std::move(strand)),
      settings_(settings),
      slot_(std::move(slot)),
      remote_(std::move(remote)),
      idle_timer_(strand_),
      protocol_timer_(strand_),
      flush_timer_(strand_),
      accept_deadline_(idle_deadline),
      last_read_(Clock::now()) {
    shd::stamp(link_);
    link_.link_ctx = this;
    link_.send = &Connection::link_send;
    link_.close = &Connection::link_close;
    link_.set_timeout = &Connection::link_set_timeout;
    link_.deliver = &Connection::link_deliver;
    link_.handshake = &Connection::link_handshake;
    link_.established = &Connection::link_established;
}

Connection::~Connection() {
    // Normally finish() ran on the strand. Only a forced stop (I/O threads stopped with connections
    // still open) gets here with protocol state left; nothing else runs then, so free it here.
    if (pconn_) settings_.protocol->close(settings_.pctx, pconn_);
}

void Connection::start() {
    slot_.attach(shared_from_this());
    // A stop that began between accept and the attach above did not see this connection.
    if (slot_.stopping()) {
        finish("server stopping");
        return;
    }
    arm_idle(accept_deadline_);
    start_transport();
}

bool Connection::open_protocol() {
    if (closed_) return false;
    void *conn = nullptr;
    shd_status s = settings_.protocol->open(settings_.pctx, settings_.setup, &link_, &conn);
    if (s != SHD_OK || !conn) {
        finish("protocol refused the connection");
        return false;
    }
    pconn_ = conn;
    settle();  // in case the protocol queued bytes or closed already
    return !closed_;
}

void Connection::receive(const uint8_t *data, size_t size, bool whole_message) {
    if (closed_ || closing_ || !pconn_) return;  // while closing, input is read and dropped
    last_read_ = Clock::now();
    settings_.protocol->receive(settings_.pctx, pconn_, shd_bytes{data, size}, whole_message ? 1 : 0);
    settle();
}

// ---- link callbacks: called by the protocol during receive/on_timeout/reply, on the strand ----

void SHD_CALL Connection::link_send(void *ctx, shd_bytes data) {
    Connection *c = from(ctx);
    if (c->closed_ || c->overflowed_ || data.size == 0) return;
    c->enqueue(std::make_shared<const std::string>(reinterpret_cast<const char *>(data.data), data.size));
}

void SHD_CALL Connection::link_close(void *ctx, shd_str reason) {
    from(ctx)->begin_close(std::string(to_view(reason)));
}

void SHD_CALL Connection::link_set_timeout(void *ctx, uint64_t ms) {
    from(ctx)->arm_protocol_timer(ms);
}

void SHD_CALL Connection::link_deliver(void *ctx, const shd_inbound_msg_v1 *msg) {
    Connection *c = from(ctx);
    if (c->closed_ || c->closing_ || !msg || c->sid_ == 0) return;  // no session yet: nobody to dispatch for
    c->settings_.events->deliver(c->sid_, *msg);
}

void SHD_CALL Connection::link_handshake(void *ctx, shd_str type, shd_str version, shd_str user,
                                         shd_handshake_reply_fn reply, void *reply_ctx) {
    Connection *c = from(ctx);
    if (c->closed_ || !reply) return;
    c->settings_.events->handshake(c->shared_from_this(), type, version, user, reply, reply_ctx);
}

void SHD_CALL Connection::link_established(void *ctx) {
    Connection *c = from(ctx);
    if (c->closed_ || c->closing_ || c->sid_ != 0) return;
    c->sid_ = c->settings_.next_sid->fetch_add(1);
    // The accept deadline is met. Heartbeats now guard the connection; without them, inactivity does.
    if (c->settings_.heartbeat) {
        ++c->idle_generation_;
        c->idle_timer_.cancel();
    } else {
        c->arm_idle(c->last_read_ + std::chrono::milliseconds(c->settings_.idle_timeout_ms));
    }
    c->settings_.events->established(c->shared_from_this(), c->sid_);
}

// ---- queueing and closing ----

bool Connection::admit(const SharedBytes &bytes) {
    uint64_t size = bytes->size();
    // One message alone may exceed the limit (it is bounded by the package size); a backlog may not.
    if (queued_bytes_ > 0 && queued_bytes_ + size > settings_.send_queue_limit) {
        overflowed_ = true;
        queue_.clear();
        held_.clear();
        if (close_reason_.empty()) close_reason_ = "send queue overflow";
        return false;
    }
    queued_bytes_ += size;
    return true;
}

void Connection::enqueue(SharedBytes bytes) {
    if (admit(bytes)) queue_.push_back(std::move(bytes));
}

// Pomelo's buffer scheduler flushes every session on one global interval; here each connection arms
// its own timer when its first package waits, so an idle connection costs nothing and no package
// waits longer than flushInterval.
void Connection::hold(SharedBytes bytes) {
    if (!admit(bytes)) return;
    held_.push_back(std::move(bytes));
    if (flush_armed_) return;
    flush_armed_ = true;
    flush_timer_.expires_after(std::chrono::milliseconds(settings_.flush_interval_ms));
    flush_timer_.async_wait([self = shared_from_this()](const boost::system::error_code &) {
        self->flush_armed_ = false;
        if (self->closed_) return;
        self->release_held();
        self->settle();
    });
}

void Connection::release_held() {
    if (held_.empty()) return;
    if (queue_.empty()) {
        queue_.swap(held_);
        return;
    }
    queue_.insert(queue_.end(), std::make_move_iterator(held_.begin()), std::make_move_iterator(held_.end()));
    held_.clear();
}

void Connection::begin_close(std::string reason) {
    if (closed_ || closing_) return;
    closing_ = true;
    release_held();  // what the buffer scheduler holds still goes out before the goodbye
    if (close_reason_.empty()) close_reason_ = reason.empty() ? "closed by server" : std::move(reason);
    // Bound the goodbye: a client that does not read must not keep the socket.
    ++idle_generation_;
    idle_timer_.expires_after(kCloseLinger);
    idle_timer_.async_wait([self = shared_from_this(), gen = idle_generation_](const boost::system::error_code &ec) {
        if (ec || gen != self->idle_generation_ || self->closed_) return;
        self->finish(self->close_reason_);
    });
}

void Connection::settle() {
    if (closed_) return;
    if (overflowed_) {
        finish("send queue overflow");
        return;
    }
    if (!writing_ && !queue_.empty()) {
        writing_ = true;
        inflight_.swap(queue_);
        if (settings_.stats) {
            settings_.stats->writes.fetch_add(settings_.can_batch ? 1 : inflight_.size(), std::memory_order_relaxed);
            settings_.stats->packages.fetch_add(inflight_.size(), std::memory_order_relaxed);
        }
        write_inflight();
        return;
    }
    if (closing_ && !writing_ && queue_.empty() && !shutdown_started_) {
        shutdown_started_ = true;
        shutdown_transport();
    }
}

void Connection::on_write_done(bool ok) {
    writing_ = false;
    for (const auto &b : inflight_) queued_bytes_ -= b->size();
    inflight_.clear();
    if (closed_) return;
    if (!ok) {
        finish(closing_ ? close_reason_ : "client closed");
        return;
    }
    settle();
}

void Connection::finish(const std::string &reason) {
    if (closed_) return;
    closed_ = true;
    if (close_reason_.empty()) close_reason_ = reason;
    ++idle_generation_;
    ++protocol_generation_;
    idle_timer_.cancel();
    protocol_timer_.cancel();
    flush_timer_.cancel();
    close_socket();
    queue_.clear();
    held_.clear();
    if (pconn_) {
        void *conn = pconn_;
        pconn_ = nullptr;
        settings_.protocol->close(settings_.pctx, conn);
    }
    if (sid_) settings_.events->closed(sid_, close_reason_);
    log_debug("closed: " + close_reason_);
    // Uncount last: a stop waiting for zero connections then finds every session's close queued.
    slot_.release();
}

// ---- timers ----

void Connection::arm_idle(Clock::time_point deadline) {
    ++idle_generation_;
    idle_timer_.expires_at(deadline);
    idle_timer_.async_wait(
        [self = shared_from_this(), this, gen = idle_generation_](const boost::system::error_code &ec) {
            if (ec || gen != idle_generation_ || closed_ || closing_) return;
            if (sid_ != 0 && !settings_.heartbeat) {
                // Inactivity after the handshake: re-arm from the last read unless the gap is long enough.
                auto due = last_read_ + std::chrono::milliseconds(settings_.idle_timeout_ms);
                if (due > Clock::now()) {
                    arm_idle(due);
                    return;
                }
            }
            finish("idle timeout");
        });
}

void Connection::arm_protocol_timer(uint64_t ms) {
    if (closed_) return;
    ++protocol_generation_;
    if (ms == 0) {
        protocol_timer_.cancel();
        return;
    }
    protocol_timer_.expires_after(std::chrono::milliseconds(ms));
    protocol_timer_.async_wait(
        [self = shared_from_this(), gen = protocol_generation_](const boost::system::error_code &ec) {
            if (ec || gen != self->protocol_generation_ || self->closed_ || !self->pconn_) return;
            self->settings_.protocol->on_timeout(self->settings_.pctx, self->pconn_);
            self->settle();
        });
}

// ---- entry points from other threads ----

void Connection::lock_outbox() {
    while (outbox_lock_.test_and_set(std::memory_order_acquire)) {
    }
}

void Connection::send(SharedBytes bytes) {
    lock_outbox();
    const bool first = outbox_.empty();
    outbox_.push_back(Outgoing{std::move(bytes), false, {}});
    unlock_outbox();
    if (first) asio::post(strand_, [self = shared_from_this()] { self->drain_outbox(); });
}

void Connection::close_after(SharedBytes notice, std::string reason) {
    lock_outbox();
    const bool first = outbox_.empty();
    outbox_.push_back(Outgoing{std::move(notice), true, std::move(reason)});
    unlock_outbox();
    if (first) asio::post(strand_, [self = shared_from_this()] { self->drain_outbox(); });
}

void Connection::drain_outbox() {
    std::vector<Outgoing> batch;
    lock_outbox();
    batch.swap(outbox_);
    unlock_outbox();
    for (Outgoing &out : batch) {
        if (closed_ || closing_) break;  // what follows a close is dropped, as before it
        if (out.close) {
            release_held();  // the kick notice follows what was sent before it
            if (out.bytes) enqueue(std::move(out.bytes));
            begin_close(std::move(out.reason));
        } else if (settings_.flush_interval_ms) {
            hold(std::move(out.bytes));
        } else {
            enqueue(std::move(out.bytes));
        }
    }
    settle();
}

void Connection::answer_handshake(shd_handshake_reply_fn reply, void *reply_ctx, int32_t code, std::string user_json) {
    asio::post(strand_, [self = shared_from_this(), reply, reply_ctx, code, user = std::move(user_json)] {
        if (self->closed_ || !self->pconn_) return;  // reply_ctx died with the protocol state
        reply(reply_ctx, code, to_shd(user));
        self->settle();
    });
}

void Connection::abort_async(const std::string &reason) {
    asio::post(strand_, [self = shared_from_this(), reason] { self->finish(reason); });
}

void Connection::log_debug(const std::string &what) const {
    if (settings_.host) settings_.host->debug("client " + remote_ + ": " + what);
}

}  // namespace shd::connector
