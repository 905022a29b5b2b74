#include "nats_transport.hpp"

#include "frame_codec.hpp"
#include "nats_envelope.hpp"

#include <shaddock/abi.h>
#include <shaddock/cpp/metrics.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace shd::rpc::nats {

namespace {

// Inbound links kept (one per caller's link): the oldest is forgotten past this many. Its answers
// still waiting are then dropped (the caller's calls time out).
constexpr size_t kMaxReplyLinks = 4096;
// Messages reported to the logic thread in one task, at most.
constexpr size_t kMaxBatch = 256;

// A valid single NATS subject token: a server id becomes one.
bool subject_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c == '.' || c == '*' || c == '>' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
    return true;
}

bool parse_u64(std::string_view s, uint64_t &out) {
    if (s.empty() || s.size() > 20) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

std::string status_text(natsStatus s) {
    std::string text = natsStatus_GetText(s);
    const char *last = nats_GetLastError(nullptr);
    if (last && *last && text.find(last) == std::string::npos) text += std::string(" (") + last + ")";
    return text;
}

class NatsTransport;

// An outbound link: the subject of one peer. Requests are staged on the logic thread and published
// together at Transport::flush_staged().
class PeerLink final : public Link, public std::enable_shared_from_this<PeerLink> {
public:
    PeerLink(NatsTransport &owner, uint64_t serial, std::string peer_id, std::string subject, std::string reply_base)
        : owner_(owner),
          serial_(serial),
          peer_id_(std::move(peer_id)),
          subject_(std::move(subject)),
          reply_base_(std::move(reply_base)) {}

    uint64_t serial() const override { return serial_; }
    const std::string &peer_id() const override { return peer_id_; }
    Send send_request(uint64_t id, std::string_view ns, std::string_view service, std::string_view method,
                      std::string_view args) override {
        return stage(request_frame_size(ns, service, method, args), id,
                     [&](std::string &out) { append_request(out, id, ns, service, method, args); });
    }
    Send send_response(uint64_t, int32_t, std::string_view) override { return Send::closed; }
    Send send_forward(const ForwardView &f) override {
        // The settings always travel: NATS may drop a message (a slow consumer), and a receiver's
        // memory of them must never go stale silently.
        return stage(forward_frame_size(f), f.id, [&](std::string &out) {
            ForwardView v = f;
            v.flags = 0;
            append_forward(out, v);
        });
    }
    void close(std::string reason) override { shut(std::move(reason)); }
    std::string close_reason() override {
        std::lock_guard<std::mutex> lock(mu_);
        return reason_;
    }

    // [any] Closes it and reports it once; false when it was closed already.
    bool shut(std::string reason);
    bool closed() const { return closed_.load(); }
    // [logic] Publishes what was staged.
    void commit();
    // [probe thread] A probe when calls are in flight.
    void probe();
    // [NATS thread] An answer arrived.
    void answered() {
        if (outstanding_.load(std::memory_order_relaxed) > 0) outstanding_.fetch_sub(1, std::memory_order_relaxed);
    }

private:
    template <class Encode>
    Send stage(size_t frame_size, uint64_t id, Encode &&encode);

    struct Staged {
        std::string reply, payload;
    };

    NatsTransport &owner_;
    const uint64_t serial_;
    const std::string peer_id_, subject_, reply_base_;  // reply_base_ ends with '.'
    std::vector<Staged> staged_;                        // [logic]
    size_t staged_bytes_ = 0;                           // [logic]
    std::string frame_;                                 // [logic] scratch
    std::atomic<bool> closed_{false};
    std::atomic<int64_t> outstanding_{0};  // requests sent and not answered (probes while > 0)
    std::mutex mu_;
    std::string reason_;
};

// An inbound link: where the answers to one caller's link go (the reply subjects of its requests).
class ReplyLink final : public Link {
public:
    ReplyLink(NatsTransport &owner, uint64_t serial, std::string peer_id, std::string reply_base)
        : owner_(owner), serial_(serial), peer_id_(std::move(peer_id)), reply_base_(std::move(reply_base)) {}

    uint64_t serial() const override { return serial_; }
    const std::string &peer_id() const override { return peer_id_; }
    Send send_request(uint64_t, std::string_view, std::string_view, std::string_view, std::string_view) override {
        return Send::closed;
    }
    Send send_forward(const ForwardView &) override { return Send::closed; }
    // [any] Published at once (the NATS client buffers it, also while it reconnects).
    Send send_response(uint64_t id, int32_t status, std::string_view result) override;
    void close(std::string) override {}
    std::string close_reason() override { return {}; }

private:
    NatsTransport &owner_;
    const uint64_t serial_;
    const std::string peer_id_, reply_base_;
};

class NatsTransport final : public Transport {
public:
    NatsTransport(const shd::Host &host, NatsOptions options, TransportConfig config, TransportEvents &events)
        : options_(std::move(options)), config_(std::move(config)), events_(events) {
        shd::Metrics m(host);
        dropped_ = m.counter("shaddock_rpc_nats_dropped",
                             "messages from NATS dropped: malformed, not signed with the cluster secret, oversized "
                             "or misaddressed");
        disconnects_ = m.counter("shaddock_rpc_nats_disconnects", "connections to NATS lost");
        max_frame_ = config_.max_frame;
    }

    ~NatsTransport() override { stop(); }

    bool addressed() const override { return false; }
    size_t max_frame() const override { return max_frame_; }
    void start(const std::string &, int) override;
    void set_secret(std::string secret) override {
        std::lock_guard<std::mutex> lock(secret_mu_);
        secret_ = std::move(secret);
    }
    std::shared_ptr<Link> connect(const std::string &peer_id, const std::string &, int) override;
    void flush_staged() override {
        std::vector<std::shared_ptr<PeerLink>> batch;
        batch.swap(staged_);
        for (auto &l : batch) l->commit();
    }
    void stop() override;

    // For the links.
    const TransportConfig &config() const { return config_; }
    std::string secret() {
        std::lock_guard<std::mutex> lock(secret_mu_);
        return secret_;
    }
    bool connected() const { return connected_.load(); }
    void stage(std::shared_ptr<PeerLink> link) {
        staged_.push_back(std::move(link));
        if (staged_.size() == 1) events_.on_staged();
    }
    natsStatus publish(const std::string &subject, const std::string &reply, const std::string &payload) {
        if (!nc_) return NATS_CONNECTION_CLOSED;
        if (reply.empty())
            return natsConnection_Publish(nc_, subject.c_str(), payload.data(), static_cast<int>(payload.size()));
        return natsConnection_PublishRequest(nc_, subject.c_str(), reply.c_str(), payload.data(),
                                             static_cast<int>(payload.size()));
    }
    void link_closed(uint64_t serial, std::string reason) {
        {
            std::lock_guard<std::mutex> lock(links_mu_);
            links_.erase(serial);
        }
        if (live_.load()) {
            log(SHD_LOG_DEBUG, "link " + std::to_string(serial) + " closed: " + reason);
            events_.on_link_closed(serial, std::move(reason));
        }
    }
    void log(int level, std::string message) { events_.on_log(level, std::move(message)); }

private:
    // Every NATS callback runs inside one: nothing is reported once stop() has begun, and stop() waits
    // for the callbacks already running.
    class CallbackScope {
    public:
        explicit CallbackScope(NatsTransport &t) : t_(t) { t_.in_callback_.fetch_add(1); }
        ~CallbackScope() { t_.in_callback_.fetch_sub(1); }
        bool live() const { return t_.live_.load(); }

    private:
        NatsTransport &t_;
    };

    // Messages are reported in batches: what arrived while the logic thread was busy goes to it in
    // one task (the batch is handed over once the subscription has nothing more pending).
    static void on_request_msg(natsConnection *, natsSubscription *sub, natsMsg *msg, void *closure) {
        auto *t = static_cast<NatsTransport *>(closure);
        CallbackScope scope(*t);
        if (scope.live()) {
            // Nothing may leave a C library's callback: a failure (memory, OpenSSL) drops this message.
            try {
                t->handle_request(msg);
                if (drained(sub, t->request_batch_.size())) t->report_requests();
            } catch (const std::exception &e) {
                t->drop("a request", e.what());
            } catch (...) {
                t->drop("a request", "unknown exception");
            }
        }
        natsMsg_Destroy(msg);
    }
    static void on_reply_msg(natsConnection *, natsSubscription *sub, natsMsg *msg, void *closure) {
        auto *t = static_cast<NatsTransport *>(closure);
        CallbackScope scope(*t);
        if (scope.live()) {
            try {
                t->handle_reply(msg);
                if (drained(sub, t->reply_batch_.size())) t->report_replies();
            } catch (const std::exception &e) {
                t->drop("a reply", e.what());
            } catch (...) {
                t->drop("a reply", "unknown exception");
            }
        }
        natsMsg_Destroy(msg);
    }
    static bool drained(natsSubscription *sub, size_t batched) {
        int pending = 0;
        return batched >= kMaxBatch || natsSubscription_GetPending(sub, &pending, nullptr) != NATS_OK || pending == 0;
    }
    // [subscription thread] Hands the batch over, one report per run of one link.
    void report_requests() {
        std::vector<InboundRequest> run;
        for (size_t i = 0; i < request_batch_.size(); ++i) {
            run.push_back(std::move(request_batch_[i].second));
            if (i + 1 == request_batch_.size() || request_batch_[i + 1].first != request_batch_[i].first) {
                events_.on_requests(request_batch_[i].first, std::move(run));
                run = {};
            }
        }
        request_batch_.clear();
    }
    void report_replies() {
        std::vector<InboundResponse> run;
        for (size_t i = 0; i < reply_batch_.size(); ++i) {
            run.push_back(std::move(reply_batch_[i].second));
            if (i + 1 == reply_batch_.size() || reply_batch_[i + 1].first != reply_batch_[i].first) {
                events_.on_responses(reply_batch_[i].first, std::move(run));
                run = {};
            }
        }
        reply_batch_.clear();
    }
    static void on_disconnected(natsConnection *, void *closure) {
        auto *t = static_cast<NatsTransport *>(closure);
        CallbackScope scope(*t);
        t->connected_.store(false);
        if (!scope.live()) return;
        t->disconnects_.add();
        t->log(SHD_LOG_WARN, "lost the connection to NATS; calls in flight fail, reconnecting every " +
                                 std::to_string(t->options_.reconnect_wait_ms) + " ms");
        t->close_all("lost the connection to NATS");
    }
    static void on_reconnected(natsConnection *, void *closure) {
        auto *t = static_cast<NatsTransport *>(closure);
        CallbackScope scope(*t);
        t->connected_.store(true);
        if (scope.live()) t->log(SHD_LOG_INFO, "reconnected to NATS");
    }
    static void on_closed(natsConnection *, void *closure) {
        auto *t = static_cast<NatsTransport *>(closure);
        t->connected_.store(false);
        std::lock_guard<std::mutex> lock(t->closed_mu_);
        t->nats_closed_ = true;
        t->closed_cv_.notify_all();
    }
    static void on_error(natsConnection *, natsSubscription *, natsStatus err, void *closure) {
        auto *t = static_cast<NatsTransport *>(closure);
        CallbackScope scope(*t);
        if (!scope.live()) return;
        if (err == NATS_SLOW_CONSUMER) {
            t->dropped_.add();
            if (t->slow_count_++ % 1000 == 0)
                t->log(SHD_LOG_WARN, "NATS slow consumer: messages dropped past maxPendingBytes (" +
                                         std::to_string(t->slow_count_.load()) + " report(s) so far)");
            return;
        }
        t->log(SHD_LOG_WARN, std::string("NATS error: ") + natsStatus_GetText(err));
    }
    static void on_sub_complete(void *closure) {
        auto *t = static_cast<NatsTransport *>(closure);
        std::lock_guard<std::mutex> lock(t->closed_mu_);
        ++t->subs_complete_;
        t->closed_cv_.notify_all();
    }

    void handle_request(natsMsg *msg);
    void handle_reply(natsMsg *msg);
    // A message nobody should have sent: dropped, counted, logged (the first hundred, then every 1000th).
    void drop(const std::string &what, const std::string &why) {
        dropped_.add();
        const uint64_t n = ++drop_count_;
        if (n <= 100 || n % 1000 == 0)
            log(SHD_LOG_WARN, "dropped " + what + ": " + why + " (" + std::to_string(n) + " dropped so far)");
    }
    // [NATS thread] Answers a request without the logic thread (it is refused by the transport).
    void refuse(const std::string &reply_base, std::string_view sender, uint64_t id, int32_t status,
                std::string_view message) {
        reply_link(reply_base, sender)->send_response(id, status, message);
    }
    std::shared_ptr<ReplyLink> reply_link(const std::string &reply_base, std::string_view sender);
    std::shared_ptr<PeerLink> find_link(uint64_t serial) {
        std::lock_guard<std::mutex> lock(links_mu_);
        auto it = links_.find(serial);
        return it == links_.end() ? nullptr : it->second.lock();
    }
    void close_all(const std::string &reason) {
        std::vector<std::shared_ptr<PeerLink>> live;
        {
            std::lock_guard<std::mutex> lock(links_mu_);
            for (auto &[serial, weak] : links_)
                if (auto l = weak.lock()) live.push_back(std::move(l));
        }
        for (auto &l : live) l->shut(reason);
    }
    void probe_loop();
    std::string too_deep(const char *what) const {
        return std::string(what) + " nested deeper than maxJsonDepth " + std::to_string(config_.max_json_depth);
    }

    NatsOptions options_;
    TransportConfig config_;
    TransportEvents &events_;
    shd::Metric dropped_, disconnects_;
    size_t max_frame_;

    natsOptions *opts_ = nullptr;
    natsConnection *nc_ = nullptr;
    natsSubscription *request_sub_ = nullptr, *reply_sub_ = nullptr;
    std::string inbox_;  // "<inbox>." : answers come to <inbox>.<link serial>.<call id>

    std::atomic<bool> live_{false};    // reporting allowed (between start and stop)
    std::atomic<int> in_callback_{0};  // NATS callbacks running
    std::atomic<bool> connected_{false};
    std::atomic<bool> stopped_{false};
    std::atomic<uint64_t> next_serial_{0};
    std::atomic<uint64_t> drop_count_{0}, slow_count_{0};

    std::mutex secret_mu_;
    std::string secret_;

    std::vector<std::shared_ptr<PeerLink>> staged_;  // [logic]
    // [the subscription's thread] Read, not yet reported.
    std::vector<std::pair<std::shared_ptr<Link>, InboundRequest>> request_batch_;
    std::vector<std::pair<uint64_t, InboundResponse>> reply_batch_;

    std::mutex links_mu_;
    std::unordered_map<uint64_t, std::weak_ptr<PeerLink>> links_;
    std::unordered_map<std::string, std::shared_ptr<ReplyLink>> replies_;  // key: reply base '\0' sender
    std::deque<std::string> reply_order_;

    std::mutex closed_mu_;
    std::condition_variable closed_cv_;
    bool nats_closed_ = false;
    int subs_complete_ = 0;

    std::thread prober_;
    std::mutex probe_mu_;
    std::condition_variable probe_cv_;
    bool probe_stop_ = false;
};

// ---------------------------------------------------------------------------------------------
// Links

template <class Encode>
Link::Send PeerLink::stage(size_t frame_size, uint64_t id, Encode &&encode) {
    if (closed_.load()) return Send::closed;
    if (!owner_.connected()) {
        shut("not connected to NATS (reconnecting)");
        return Send::closed;
    }
    const TransportConfig &cfg = owner_.config();
    if (staged_bytes_ + frame_size > cfg.max_queued_bytes) return Send::busy;
    const std::string secret = owner_.secret();
    if (secret.empty()) {
        shut("no cluster secret to sign calls with yet");
        return Send::closed;
    }
    frame_.clear();
    encode(frame_);
    Staged s;
    s.reply = reply_base_ + std::to_string(id);
    seal(s.payload, secret, subject_, s.reply, cfg.self_id, frame_);
    staged_bytes_ += frame_.size();
    staged_.push_back(std::move(s));
    outstanding_.fetch_add(1, std::memory_order_relaxed);
    if (staged_.size() == 1) owner_.stage(shared_from_this());
    return Send::ok;
}

void PeerLink::commit() {
    std::vector<Staged> batch;
    batch.swap(staged_);
    staged_bytes_ = 0;
    if (closed_.load()) return;
    for (const Staged &s : batch) {
        natsStatus st = owner_.publish(subject_, s.reply, s.payload);
        if (st != NATS_OK) {
            shut("cannot publish to NATS: " + status_text(st));
            return;
        }
    }
}

void PeerLink::probe() {
    if (closed_.load() || outstanding_.load(std::memory_order_relaxed) <= 0) return;
    std::string frame;
    frame.push_back(0);
    frame.push_back(0);
    frame.push_back(0);
    frame.push_back(1);
    frame.push_back(static_cast<char>(kProbeFrame));
    std::string payload;
    const std::string reply = reply_base_ + "0";
    seal(payload, owner_.secret(), subject_, reply, owner_.config().self_id, frame);
    owner_.publish(subject_, reply, payload);  // a failure shows as a lost connection
}

bool PeerLink::shut(std::string reason) {
    if (closed_.exchange(true)) return false;
    {
        std::lock_guard<std::mutex> lock(mu_);
        reason_ = reason;
    }
    owner_.link_closed(serial_, std::move(reason));
    return true;
}

Link::Send ReplyLink::send_response(uint64_t id, int32_t status, std::string_view result) {
    std::string frame;
    append_response(frame, id, status, result);
    const std::string subject = reply_base_ + std::to_string(id);
    std::string payload;
    seal(payload, owner_.secret(), subject, {}, owner_.config().self_id, frame);
    natsStatus st = owner_.publish(subject, {}, payload);
    if (st == NATS_OK) return Send::ok;
    owner_.log(SHD_LOG_WARN, "dropped an answer to " + peer_id_ + ": cannot publish to NATS: " + status_text(st));
    return st == NATS_INSUFFICIENT_BUFFER ? Send::busy : Send::closed;
}

// ---------------------------------------------------------------------------------------------
// The transport

void NatsTransport::start(const std::string &, int) {
    if (!subject_token(config_.self_id) || config_.self_id.size() > kMaxSenderSize)
        throw std::runtime_error("server id \"" + config_.self_id +
                                 "\" cannot be a NATS subject token (at most 255 bytes; no '.', '*', '>' or "
                                 "spaces)");
    const std::string where = redact_url(options_.url);
    auto check = [&](natsStatus s, const char *what) {
        if (s != NATS_OK) throw std::runtime_error(std::string(what) + " (NATS at " + where + "): " + status_text(s));
    };
    check(natsOptions_Create(&opts_), "cannot create the NATS options");
    check(natsOptions_SetURL(opts_, options_.url.c_str()), "option url");
    const std::string name = options_.name.empty() ? "shaddock " + config_.self_id : options_.name;
    check(natsOptions_SetName(opts_, name.c_str()), "option name");
    if (!options_.token.empty()) check(natsOptions_SetToken(opts_, options_.token.c_str()), "option token");
    if (!options_.user.empty())
        check(natsOptions_SetUserInfo(opts_, options_.user.c_str(), options_.password.c_str()), "option user");
    check(natsOptions_SetTimeout(opts_, options_.connect_timeout_ms), "option connectTimeout");
    check(natsOptions_SetAllowReconnect(opts_, true), "reconnect");
    check(natsOptions_SetMaxReconnect(opts_, -1), "reconnect");
    check(natsOptions_SetReconnectWait(opts_, options_.reconnect_wait_ms), "option reconnectWait");
    check(natsOptions_SetPingInterval(opts_, options_.ping_interval_ms), "option pingInterval");
    check(natsOptions_SetMaxPingsOut(opts_, 2), "option pingInterval");
    check(natsOptions_SetSendAsap(opts_, true), "send asap");
    check(natsOptions_SetDisconnectedCB(opts_, &on_disconnected, this), "callbacks");
    check(natsOptions_SetReconnectedCB(opts_, &on_reconnected, this), "callbacks");
    check(natsOptions_SetClosedCB(opts_, &on_closed, this), "callbacks");
    check(natsOptions_SetErrorHandler(opts_, &on_error, this), "callbacks");
    live_.store(true);
    check(natsConnection_Connect(&nc_, opts_), "cannot connect");
    connected_.store(true);
    const int64_t payload = natsConnection_GetMaxPayload(nc_);
    const size_t overhead = envelope_overhead(config_.self_id.size());
    if (payload > 0 && static_cast<size_t>(payload) > overhead)
        max_frame_ = std::min(max_frame_, static_cast<size_t>(payload) - overhead);

    natsInbox *inbox = nullptr;
    check(natsInbox_Create(&inbox), "cannot create an inbox");
    inbox_ = std::string(inbox) + ".";
    natsInbox_Destroy(inbox);
    check(natsConnection_Subscribe(&reply_sub_, nc_, (inbox_ + "*.*").c_str(), &on_reply_msg, this),
          "cannot subscribe to the inbox");
    check(natsSubscription_SetPendingLimits(reply_sub_, -1,
                                            static_cast<int>(std::min<int64_t>(options_.max_pending_bytes, INT32_MAX))),
          "option maxPendingBytes");
    const std::string subject = options_.subject_prefix + "." + config_.self_id;
    if (config_.serve) {
        check(natsConnection_Subscribe(&request_sub_, nc_, subject.c_str(), &on_request_msg, this),
              "cannot subscribe to the server's subject");
        check(natsSubscription_SetPendingLimits(
                  request_sub_, -1, static_cast<int>(std::min<int64_t>(options_.max_pending_bytes, INT32_MAX))),
              "option maxPendingBytes");
    }
    // Subscribed at the server before this server says it has started, so the first calls find it.
    check(natsConnection_FlushTimeout(nc_, options_.connect_timeout_ms), "cannot flush the subscriptions");
    log(SHD_LOG_INFO, "connected to NATS at " + where +
                          (config_.serve ? "; serving calls on " + subject : std::string("; calling only")) +
                          " (largest frame " + std::to_string(max_frame_) + " bytes)");
    prober_ = std::thread([this] { probe_loop(); });
}

std::shared_ptr<Link> NatsTransport::connect(const std::string &peer_id, const std::string &, int) {
    const uint64_t serial = ++next_serial_;
    auto link = std::make_shared<PeerLink>(*this, serial, peer_id, options_.subject_prefix + "." + peer_id,
                                           inbox_ + std::to_string(serial) + ".");
    {
        std::lock_guard<std::mutex> lock(links_mu_);
        links_.emplace(serial, link);
    }
    if (!subject_token(peer_id))
        link->shut("server id \"" + peer_id + "\" cannot be a NATS subject token");
    else if (!connected_.load())
        link->shut("not connected to NATS (reconnecting)");
    return link;
}

std::shared_ptr<ReplyLink> NatsTransport::reply_link(const std::string &reply_base, std::string_view sender) {
    std::string key = reply_base;
    key.push_back('\0');
    key.append(sender);
    std::lock_guard<std::mutex> lock(links_mu_);
    auto it = replies_.find(key);
    if (it != replies_.end()) return it->second;
    auto link = std::make_shared<ReplyLink>(*this, ++next_serial_, std::string(sender), reply_base);
    replies_.emplace(key, link);
    reply_order_.push_back(std::move(key));
    if (reply_order_.size() > kMaxReplyLinks) {
        replies_.erase(reply_order_.front());
        reply_order_.pop_front();
    }
    return link;
}

void NatsTransport::handle_request(natsMsg *msg) {
    const std::string_view subject = natsMsg_GetSubject(msg);
    const char *reply_c = natsMsg_GetReply(msg);
    const std::string_view reply = reply_c ? reply_c : "";
    const std::string_view payload(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
    const std::string what = "a message on " + std::string(subject);
    Opened o;
    std::string why = open(payload, secret(), subject, reply, config_.max_frame, o);
    if (!why.empty()) return drop(what, why);
    if (o.type == kProbeFrame) return;  // the caller only wants NATS to know we are here
    const size_t dot = reply.rfind('.');
    if (reply.empty() || dot == std::string_view::npos || dot == 0)
        return drop(what, "its reply subject \"" + std::string(reply) + "\" does not end in a call id");
    const std::string reply_base(reply.substr(0, dot + 1));
    const std::string_view id_text = reply.substr(dot + 1);
    const size_t depth = config_.max_json_depth;
    std::vector<InboundRequest> requests;
    const auto t = static_cast<FrameType>(o.type);
    if (t == FrameType::request) {
        RequestView v;
        if (!parse_request(o.body, v)) return drop(what, "malformed request frame");
        if (id_text != std::to_string(v.id)) return drop(what, "its reply subject does not name its call id");
        if (!shd::pomelo::json_depth_within(v.args, depth)) {
            log(SHD_LOG_WARN, what + ": request " + std::to_string(v.id) + ": " + too_deep("args"));
            return refuse(reply_base, o.sender, v.id, SHD_ERR_INVALID, "\"" + too_deep("args") + "\"");
        }
        InboundRequest &r = requests.emplace_back();
        r.id = v.id;
        r.ns = v.ns;
        r.service = v.service;
        r.method = v.method;
        r.args = v.args;
    } else if (t == FrameType::forward) {
        ForwardView v;
        if (!parse_forward(o.body, v)) return drop(what, "malformed forward frame");
        if (v.flags != 0) return drop(what, "a forward without its settings (never sent over NATS)");
        if (id_text != std::to_string(v.id)) return drop(what, "its reply subject does not name its call id");
        if (!shd::pomelo::json_depth_within(v.body, depth) || !shd::pomelo::json_depth_within(v.settings, depth)) {
            log(SHD_LOG_WARN, what + ": forward " + std::to_string(v.id) + ": " + too_deep("body or settings"));
            return refuse(reply_base, o.sender, v.id, SHD_ERR_INVALID, "\"" + too_deep("body or settings") + "\"");
        }
        requests.push_back(forwarded_request(v));
    } else {
        return drop(what, "unexpected frame type " + std::to_string(o.type));
    }
    request_batch_.emplace_back(reply_link(reply_base, o.sender), std::move(requests.front()));
}

void NatsTransport::handle_reply(natsMsg *msg) {
    const std::string_view subject = natsMsg_GetSubject(msg);
    const std::string what = "an answer on " + std::string(subject);
    // <inbox>.<link serial>.<call id>
    const std::string_view tail = subject.size() > inbox_.size() ? subject.substr(inbox_.size()) : std::string_view();
    const size_t dot = tail.find('.');
    uint64_t serial = 0, id = 0;
    if (dot == std::string_view::npos || !parse_u64(tail.substr(0, dot), serial) ||
        !parse_u64(tail.substr(dot + 1), id))
        return drop(what, "not <inbox>.<link>.<call id>");
    std::shared_ptr<PeerLink> link = find_link(serial);
    if (!link) return;  // a link closed since (or never opened): whatever it answers is late
    if (natsMsg_IsNoResponders(msg)) {
        report_replies();  // the answers read before it are reported before the link's end
        link->shut("refused by NATS: no responders for server " + link->peer_id() +
                   " (it is stopped, or not connected to NATS)");
        return;
    }
    const char *reply_c = natsMsg_GetReply(msg);
    const std::string_view payload(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
    Opened o;
    std::string why = open(payload, secret(), subject, reply_c ? reply_c : "", config_.max_frame, o);
    if (!why.empty()) return drop(what, why);
    if (o.sender != link->peer_id())
        return drop(what, "signed by " + std::string(o.sender) + ", not by " + link->peer_id() + ", the server called");
    ResponseView v;
    if (o.type != static_cast<uint8_t>(FrameType::response) || !parse_response(o.body, v))
        return drop(what, "not a well-formed response frame");
    if (v.id != id) return drop(what, "its call id differs from its subject's");
    link->answered();
    if (!shd::pomelo::json_depth_within(v.result, config_.max_json_depth)) {
        log(SHD_LOG_WARN, what + ": " + too_deep("result"));
        reply_batch_.emplace_back(serial,
                                  InboundResponse{v.id, SHD_ERR_INVALID, "\"" + too_deep("result") + "\"", true});
    } else {
        reply_batch_.emplace_back(serial, InboundResponse{v.id, v.status, std::string(v.result), false});
    }
}

void NatsTransport::probe_loop() {
    std::unique_lock<std::mutex> lock(probe_mu_);
    const auto every = std::chrono::milliseconds(options_.probe_interval_ms);
    while (!probe_cv_.wait_for(lock, every, [this] { return probe_stop_; })) {
        lock.unlock();
        std::vector<std::shared_ptr<PeerLink>> live;
        {
            std::lock_guard<std::mutex> links(links_mu_);
            for (auto &[serial, weak] : links_)
                if (auto l = weak.lock()) live.push_back(std::move(l));
        }
        if (connected_.load())
            for (auto &l : live) l->probe();
        lock.lock();
    }
}

void NatsTransport::stop() {
    staged_.clear();
    if (stopped_.exchange(true)) return;
    live_.store(false);
    while (in_callback_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (prober_.joinable()) {
        {
            std::lock_guard<std::mutex> lock(probe_mu_);
            probe_stop_ = true;
        }
        probe_cv_.notify_all();
        prober_.join();
    }
    close_all("the server is stopping");  // not reported: live_ is false
    const auto wait = std::chrono::seconds(5);
    int subs = 0;
    for (natsSubscription *s : {request_sub_, reply_sub_}) {
        if (!s) continue;
        if (natsSubscription_SetOnCompleteCB(s, &on_sub_complete, this) == NATS_OK &&
            natsSubscription_Unsubscribe(s) == NATS_OK)
            ++subs;
    }
    {
        std::unique_lock<std::mutex> lock(closed_mu_);
        if (!closed_cv_.wait_for(lock, wait, [&] { return subs_complete_ >= subs; }))
            log(SHD_LOG_WARN, "NATS subscriptions did not finish their deliveries within 5 s");
    }
    if (nc_) {
        natsConnection_Close(nc_);
        std::unique_lock<std::mutex> lock(closed_mu_);
        if (!closed_cv_.wait_for(lock, wait, [&] { return nats_closed_; }))
            log(SHD_LOG_WARN, "the NATS connection did not close within 5 s");
    }
    for (natsSubscription *s : {request_sub_, reply_sub_})
        if (s) natsSubscription_Destroy(s);
    request_sub_ = reply_sub_ = nullptr;
    if (nc_) natsConnection_Destroy(nc_);
    nc_ = nullptr;
    if (opts_) natsOptions_Destroy(opts_);
    opts_ = nullptr;
    // The NATS library's own threads (a subscription's dispatcher verified envelopes with OpenSSL,
    // which keeps an error state per thread) may still be running after the destroys above; they free
    // what they hold only when they end. This plugin is the process's one NATS user: wait until the
    // library is down, so that nothing of it is left running (or unfreed) when the process exits.
    const natsStatus down = nats_CloseAndWait(5000);
    if (down != NATS_OK)
        log(SHD_LOG_WARN, std::string("the NATS library did not shut down within 5 s: ") + natsStatus_GetText(down));
}

}  // namespace

std::unique_ptr<Transport> make_nats_transport(const shd::Host &host, NatsOptions options, TransportConfig config,
                                               TransportEvents &events) {
    return std::make_unique<NatsTransport>(host, std::move(options), std::move(config), events);
}

}  // namespace shd::rpc::nats
