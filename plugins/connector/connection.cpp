#include "connection.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace shd::connector {

namespace asio = boost::asio;

namespace {
// Stream bytes per protocol call (see receive()).
constexpr size_t kReceiveSlice = 4096;
constexpr std::string_view kRateLimitedBody = R"({"code":500,"message":"rate limit"})";
}  // namespace

Connection::Connection(IoExecutor executor, const ConnectionSettings &settings, TrackerSlot slot,
                       Clock::time_point idle_deadline, std::string remote)
    : executor_(std::move(executor)),
      settings_(settings),
      io_(IoThread::of(executor_)),
      slot_(std::move(slot)),
      remote_(std::move(remote)),
      idle_at_(idle_deadline),
      last_read_(Clock::now()),
      tokens_(settings.rate_burst),
      tokens_at_(last_read_) {
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
    // Normally finish() ran on the I/O thread. Only a forced stop (I/O threads stopped with
    // connections still open) or an exception that unwound past the connection gets here with
    // protocol state left; nothing else runs for it then, so free it here. A queued deadline holds
    // the connection (IoThread::schedule), so a connection being destroyed is never queued.
    if (pconn_) settings_.protocol->close(settings_.pctx, pconn_);
}

void Connection::start() {
    slot_.attach(this);
    // A stop that began between accept and the attach above did not see this connection.
    if (slot_.stopping()) {
        finish("server stopping");
        return;
    }
    reschedule();
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
    if (whole_message) {
        settings_.protocol->receive(settings_.pctx, pconn_, shd_bytes{data, size}, 1);
        settle();
        if (!closed_ && !closing_ && inbox_full()) reading_stopped_ = true;
        return;
    }
    const size_t used = feed(data, size);
    if (used < size && !closed_ && !closing_) {
        held_input_ = std::make_unique<std::string>(reinterpret_cast<const char *>(data + used), size - used);
        held_offset_ = 0;
    }
}

// One read may hold thousands of tiny packages: they go to the protocol a slice at a time, so that a
// flood stops within a slice of the pending limit instead of a whole read past it.
size_t Connection::feed(const uint8_t *data, size_t size) {
    size_t used = 0;
    while (used < size) {
        const size_t n = std::min(size - used, kReceiveSlice);
        settings_.protocol->receive(settings_.pctx, pconn_, shd_bytes{data + used, n}, 0);
        settle();
        used += n;
        if (closed_ || closing_) return size;  // the rest is dropped
        if (inbox_full()) {
            reading_stopped_ = true;
            return used;
        }
    }
    return used;
}

size_t Connection::read_allowance(size_t buffer_size) const {
    // Close to the pending limit, read no more than a slice: what a read brings beyond the point
    // where reading stops has to be copied aside until the logic thread catches up.
    if (inbox_pending_.load(std::memory_order_relaxed) >= settings_.max_pending_messages / 2)
        return std::min(buffer_size, kReceiveSlice);
    return buffer_size;
}

// ---- back-pressure ----

bool Connection::inbox_full() {
    const uint32_t limit = settings_.max_pending_messages;
    if (inbox_pending_.load() >= limit) {
        // Announce the wait, then look again: either the logic thread sees the flag when it brings
        // the count down to half (and posts the resume), or this thread sees the count already down.
        inbox_waiting_.store(true);
        if (inbox_pending_.load() > limit / 2) return true;
        if (!inbox_waiting_.exchange(false)) return true;  // the logic thread took it: a resume is posted
    }
    if (settings_.events->inbox_over_budget() && settings_.events->wait_for_room(weak_from_this())) return true;
    return false;
}

void Connection::message_done() {
    const uint32_t left = inbox_pending_.fetch_sub(1) - 1;
    if (left <= settings_.max_pending_messages / 2 && inbox_waiting_.load() && inbox_waiting_.exchange(false))
        room_available();
}

void Connection::room_available() {
    asio::post(executor_, [self = shared_from_this()] { self->resume_reading(); });
}

void Connection::resume_reading() {
    if (closed_ || !reading_stopped_) return;  // a second resume (both limits) finds reading on
    if (closing_) {
        held_input_.reset();  // input after a close is dropped; keep reading for the peer's EOF
    } else if (inbox_full()) {
        return;  // still full: another resume is on its way
    }
    reading_stopped_ = false;
    if (held_input_ && !closing_) {
        last_read_ = Clock::now();
        const auto *rest = reinterpret_cast<const uint8_t *>(held_input_->data()) + held_offset_;
        held_offset_ += feed(rest, held_input_->size() - held_offset_);
        if (closed_ || reading_stopped_) {
            if (closed_ || closing_) held_input_.reset();
            return;
        }
    }
    held_input_.reset();
    resume_transport();
}

bool Connection::take_token(const shd_inbound_msg_v1 &msg) {
    const Clock::time_point now = last_read_;  // messages are delivered only while receiving
    const double elapsed = std::chrono::duration<double>(now - tokens_at_).count();
    tokens_at_ = now;
    tokens_ = std::min(settings_.rate_burst, tokens_ + elapsed * settings_.rate);
    const bool granted = tokens_ >= 1;
    // A refusal also takes a token: refusals are a debt that the refill pays back, and a client that
    // keeps sending past the limit runs into the kick.
    tokens_ -= 1;
    if (granted) return true;
    if (settings_.metrics) settings_.metrics->rate_limited.add();
    if (settings_.rate_kick_after > 0 && tokens_ < -settings_.rate_kick_after) {
        if (settings_.host) settings_.host->warn("client " + remote_ + ": kicked: over rateLimit");
        SharedBytes notice = settings_.encoder ? settings_.encoder->kick("rate limit") : nullptr;
        if (notice) enqueue(std::move(notice));
        begin_close("rate limit");
        return false;
    }
    if (msg.kind == SHD_MSG_REQUEST && settings_.encoder) {
        // Pomelo's answer to a request that failed before its handler: code 500.
        SharedBytes answer = settings_.encoder->response(msg.id, to_view(msg.route), kRateLimitedBody, true);
        if (answer) enqueue(std::move(answer));
    }
    return false;  // a notify is dropped
}

// ---- link callbacks: called by the protocol during receive/on_timeout/reply, on the I/O thread ----

void SHD_CALL Connection::link_send(void *ctx, shd_bytes data) {
    Connection *c = from(ctx);
    if (c->closed_ || c->overflowed_ || data.size == 0) return;
    c->enqueue(std::make_shared<const std::string>(reinterpret_cast<const char *>(data.data), data.size));
}

void SHD_CALL Connection::link_close(void *ctx, shd_str reason) {
    from(ctx)->begin_close(std::string(to_view(reason)));
}

void SHD_CALL Connection::link_set_timeout(void *ctx, uint64_t ms) {
    Connection *c = from(ctx);
    if (c->closed_) return;
    c->protocol_at_ = ms ? Clock::now() + std::chrono::milliseconds(ms) : kNever;
    c->reschedule();
}

void SHD_CALL Connection::link_deliver(void *ctx, const shd_inbound_msg_v1 *msg) {
    Connection *c = from(ctx);
    if (c->closed_ || c->closing_ || !msg || c->sid_ == 0) return;  // no session yet: nobody to dispatch for
    if (c->settings_.rate > 0 && !c->take_token(*msg)) return;
    c->inbox_pending_.fetch_add(1);
    c->settings_.events->deliver(c->sid_, *msg, c->shared_from_this());
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
    if (c->settings_.metrics) c->settings_.metrics->handshakes.add();
    // The accept deadline is met. Heartbeats now guard the connection; without them, inactivity does.
    c->set_idle(c->settings_.heartbeat ? kNever
                                       : c->last_read_ + std::chrono::milliseconds(c->settings_.idle_timeout_ms));
    c->settings_.events->established(c->shared_from_this(), c->sid_);
}

// ---- queueing and closing ----

bool Connection::admit(const SharedBytes &bytes) {
    uint64_t size = bytes->size();
    // One message alone may exceed the limit (it is bounded by the package size); a backlog may not.
    if (queued_bytes_ > 0 && queued_bytes_ + size > settings_.send_queue_limit) {
        if (!overflowed_ && settings_.metrics) settings_.metrics->cutoffs.add();
        overflowed_ = true;
        drop_unwritten();
        if (close_reason_.empty()) close_reason_ = "send queue overflow";
        return false;
    }
    queued_bytes_ += size;
    return true;
}

void Connection::enqueue(SharedBytes bytes) {
    if (!admit(bytes)) return;
    if (released_ == pending_.size()) {
        pending_.push_back(std::move(bytes));
    } else {
        // Ahead of what the buffer scheduler holds, as the scheduler only delays what it was given.
        pending_.insert(pending_.begin() + released_, std::move(bytes));
    }
    ++released_;
}

// Pomelo's buffer scheduler flushes every session on one global interval; here each connection sets
// its own flush deadline when its first package waits, so an idle connection costs nothing and no
// package waits longer than flushInterval.
void Connection::hold(SharedBytes bytes) {
    if (!admit(bytes)) return;
    pending_.push_back(std::move(bytes));
    if (flush_at_ != kNever) return;
    flush_at_ = Clock::now() + std::chrono::milliseconds(settings_.flush_interval_ms);
    reschedule();
}

void Connection::drop_unwritten() {
    for (size_t i = inflight_; i < pending_.size(); ++i) queued_bytes_ -= pending_[i]->size();
    pending_.resize(inflight_);
    released_ = inflight_;
}

void Connection::begin_close(std::string reason) {
    if (closed_ || closing_) return;
    closing_ = true;
    release_held();  // what the buffer scheduler holds still goes out before the goodbye
    flush_at_ = kNever;
    if (close_reason_.empty()) close_reason_ = reason.empty() ? "closed by server" : std::move(reason);
    if (reading_stopped_) room_available();  // read on (and drop) until the peer's goodbye
    // Bound the goodbye: a client that does not read must not keep the socket.
    set_idle(Clock::now() + kCloseLinger);
}

void Connection::settle() {
    if (closed_) return;
    if (overflowed_) {
        finish("send queue overflow");
        return;
    }
    if (inflight_ == 0 && released_ > 0) {
        inflight_ = released_;
        if (settings_.stats) {
            settings_.stats->writes.fetch_add(settings_.can_batch ? 1 : inflight_, std::memory_order_relaxed);
            settings_.stats->packages.fetch_add(inflight_, std::memory_order_relaxed);
        }
        write_inflight();
        return;
    }
    if (closing_ && inflight_ == 0 && released_ == 0 && !shutdown_started_) {
        shutdown_started_ = true;
        shutdown_transport();
    }
}

void Connection::on_write_done(bool ok) {
    for (uint32_t i = 0; i < inflight_; ++i) queued_bytes_ -= pending_[i]->size();
    pending_.erase(pending_.begin(), pending_.begin() + inflight_);
    released_ -= inflight_;
    inflight_ = 0;
    // Most connections are idle most of the time: do not keep a queue's memory between writes.
    if (pending_.empty()) std::vector<SharedBytes>().swap(pending_);
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
    io_.unschedule(*this);
    idle_at_ = protocol_at_ = flush_at_ = kNever;
    close_socket();
    drop_unwritten();
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

// ---- deadlines ----

void Connection::set_idle(Clock::time_point deadline) {
    idle_at_ = deadline;
    reschedule();
}

void Connection::reschedule() {
    if (closed_) return;
    io_.schedule(*this, std::min({idle_at_, protocol_at_, flush_at_}));
}

void Connection::on_deadline(Clock::time_point now) {
    if (closed_) return;  // the deadline queue's handle keeps this alive while it runs
    if (idle_at_ <= now) {
        idle_at_ = kNever;
        if (closing_) return finish(close_reason_);
        if (sid_ != 0 && !settings_.heartbeat) {
            // Inactivity after the handshake: wait on from the last read unless the gap is long enough.
            auto due = last_read_ + std::chrono::milliseconds(settings_.idle_timeout_ms);
            if (due <= now) return finish("idle timeout");
            idle_at_ = due;
        } else {
            return finish(sid_ != 0 ? "idle timeout" : "handshake timeout");
        }
    }
    if (flush_at_ <= now) {
        flush_at_ = kNever;
        release_held();
    }
    if (protocol_at_ <= now) {
        protocol_at_ = kNever;
        if (pconn_) settings_.protocol->on_timeout(settings_.pctx, pconn_);
    }
    settle();
    reschedule();
}

// ---- entry points from other threads ----

void Connection::send(SharedBytes bytes) {
    io_.mail(shared_from_this(), std::move(bytes), nullptr);
}

void Connection::send_reply(SharedBytes bytes) {
    io_.mail(shared_from_this(), std::move(bytes), nullptr, settings_.replies_at_once);
}

void Connection::close_after(SharedBytes notice, std::string reason) {
    io_.mail(shared_from_this(), std::move(notice), std::make_unique<std::string>(std::move(reason)));
}

void Connection::take_letter(SharedBytes bytes, std::unique_ptr<std::string> close_reason, bool at_once) {
    if (closed_ || closing_) return;  // what follows a close is dropped, as before it
    if (close_reason) {
        release_held();  // the kick notice follows what was sent before it
        if (bytes) enqueue(std::move(bytes));
        begin_close(std::move(*close_reason));
    } else if (settings_.flush_interval_ms && !at_once) {
        hold(std::move(bytes));
    } else {
        if (at_once) release_held();  // what was held before the response leaves with it, in order
        enqueue(std::move(bytes));
    }
}

void Connection::answer_handshake(shd_handshake_reply_fn reply, void *reply_ctx, int32_t code, std::string user_json) {
    asio::post(executor_, [self = shared_from_this(), reply, reply_ctx, code, user = std::move(user_json)] {
        if (self->closed_ || !self->pconn_) return;  // reply_ctx died with the protocol state
        reply(reply_ctx, code, to_shd(user));
        self->settle();
    });
}

// Called under the tracker's lock, possibly while the last reference is going away.
void Connection::abort_async(const std::string &reason) {
    auto self = weak_from_this().lock();
    if (!self) return;
    asio::post(executor_, [self = std::move(self), reason] { self->finish(reason); });
}

void Connection::log_debug(const std::string &what) const {
    if (settings_.host) settings_.host->debug("client " + remote_ + ": " + what);
}

}  // namespace shd::connector
