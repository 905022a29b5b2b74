#include "rpc_transport.hpp"

#include "forward_settings_cache.hpp"
#include "frame_codec.hpp"
#include "peer_auth.hpp"

#include <shaddock/abi.h>
#include <shaddock/pomelo/json_parse.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace shd::rpc {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// Read sizes: an authenticated link reads up to 64 KiB at a time; before that a read never asks for
// more than the largest handshake frame, so an unauthenticated connection holds a buffer of about
// 0.5 KiB, not 64 KiB.
constexpr size_t kReadChunk = size_t(64) * 1024;
constexpr size_t kHandshakeReadChunk = kLengthSize + kMaxHandshakeFrame;

// Marks a descriptor close-on-exec, so processes this one spawns do not inherit it.
void set_cloexec(int fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

class TransportImpl;

// One TCP connection, outbound (we called) or inbound (we accepted). Frames are staged by the logic
// thread (staged_) and committed to the send queue (outbox_, under mu_) by TransportImpl::flush_staged;
// everything else is touched only on the connection's own io_context thread.
class Connection final : public Link, public std::enable_shared_from_this<Connection> {
public:
    Connection(TransportImpl &owner, asio::io_context &io, uint64_t serial, tcp::socket socket);
    Connection(TransportImpl &owner, asio::io_context &io, uint64_t serial, std::string peer_id, std::string host,
               int port);

    uint64_t serial() const override { return serial_; }
    const std::string &peer_id() const override { return peer_id_; }
    Send send_request(uint64_t id, std::string_view ns, std::string_view service, std::string_view method,
                      std::string_view args) override {
        return enqueue(request_frame_size(ns, service, method, args),
                       [&](std::string &out) { append_request(out, id, ns, service, method, args); });
    }
    Send send_response(uint64_t id, int32_t status, std::string_view result) override {
        return enqueue(response_frame_size(result),
                       [&](std::string &out) { append_response(out, id, status, result); });
    }
    Send send_forward(const ForwardView &f) override {
        return enqueue(forward_frame_size(f), [&](std::string &out) {
            ForwardView v = f;
            v.flags = settings_sent_.carry(v.session_id, v.settings) ? kForwardSettingsCached : 0;
            append_forward(out, v);
        });
    }
    std::string close_reason() override {
        std::lock_guard<std::mutex> lock(mu_);
        return close_reason_;
    }
    void close(std::string reason) override {
        asio::post(io_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
            self->do_close(std::move(reason), false);
        });
    }

    // [logic] Moves the staged frames to the send queue and wakes the I/O thread to write them.
    void commit();

    // [io]
    void start_outbound();
    void start_inbound();

private:
    enum class State { connecting, await_challenge, await_welcome, await_hello, ready, closed };

    template <class Append>
    Send enqueue(size_t frame_size, Append &&append);
    void schedule_flush_locked();
    void flush();
    void on_written(const error_code &ec);
    void arm_flush_timer();
    void arm_deadline(const char *what);
    void on_connected(const error_code &ec);
    void read_more();
    void on_read(const error_code &ec, size_t n);
    // Handles one frame; returns an error text that closes the link, or "" to go on.
    std::string handle_frame(uint8_t type, std::string_view body, std::vector<InboundResponse> &responses,
                             std::vector<InboundRequest> &requests);
    std::string handle_forward(std::string_view body, std::vector<InboundRequest> &requests);
    // [io] Answers a request here, before any remote or handler sees it.
    void refuse(uint64_t id, int32_t status, std::string_view message);
    void deliver(std::vector<InboundResponse> &responses, std::vector<InboundRequest> &requests);
    void do_close(std::string reason, bool suspicious);
    std::string where() const;
    // "<what> nested deeper than maxJsonDepth <n>"
    std::string too_deep(const char *what) const;

    TransportImpl &owner_;
    asio::io_context &io_;
    const uint64_t serial_;
    const bool outbound_;
    std::string peer_id_;
    std::string host_;
    int port_ = 0;
    std::string remote_;  // "ip:port" of the other end, for logs

    tcp::socket sock_;
    std::unique_ptr<tcp::resolver> resolver_;
    asio::steady_timer deadline_;
    asio::steady_timer flush_timer_;
    State state_;
    FrameReader reader_;
    std::string my_nonce_, peer_nonce_, secret_;
    std::string writing_;  // the buffer being written; swapped with outbox_

    std::string staged_;                   // [logic] frames not yet committed
    ForwardSettingsCache settings_sent_;   // [logic] outbound: updated as forward frames are staged
    ForwardSettingsCache settings_read_;   // [io] inbound: updated as forward frames are read
    std::atomic<bool> closing_{false};     // closed_, readable without mu_
    std::atomic<size_t> outbox_bytes_{0};  // outbox_.size(), readable without mu_

    std::mutex mu_;
    std::string outbox_;
    std::string close_reason_;
    bool closed_ = false;
    bool can_write_ = false;  // the handshake let frames go out
    bool writing_now_ = false;
    bool flush_posted_ = false;
    bool flush_armed_ = false;
};

class TransportImpl final : public Transport {
public:
    TransportImpl(TransportConfig config, TransportEvents &events) : config_(std::move(config)), events_(events) {
        int n = config_.io_threads < 1 ? 1 : config_.io_threads;
        for (int i = 0; i < n; ++i) {
            ios_.push_back(std::make_unique<asio::io_context>(1));
            guards_.emplace_back(asio::make_work_guard(*ios_.back()));
        }
        acceptor_ = std::make_unique<tcp::acceptor>(*ios_[0]);
        accept_retry_ = std::make_unique<asio::steady_timer>(*ios_[0]);
    }

    ~TransportImpl() override {
        stop();
        // Handlers still queued hold connections whose sockets belong to these contexts; destroying
        // a context destroys its handlers first. Context 0 goes first: its aborted accept may still
        // hold a fresh socket of another context, and the other contexts hold nothing of context 0.
        acceptor_.reset();
        accept_retry_.reset();
        for (auto &io : ios_) io.reset();
        ios_.clear();
    }

    void start(const std::string &listen_host, int port) override {
        if (port > 0) listen(listen_host, port);
        for (size_t i = 0; i < ios_.size(); ++i) threads_.emplace_back([this, i] { run(*ios_[i]); });
    }

    void set_secret(std::string secret) override {
        std::lock_guard<std::mutex> lock(secret_mu_);
        secret_ = std::move(secret);
    }

    std::shared_ptr<Link> connect(const std::string &peer_id, const std::string &host, int port) override {
        asio::io_context &io = next_io();
        auto c = std::make_shared<Connection>(*this, io, ++next_serial_, peer_id, host, port);
        remember(c);
        asio::post(io, [c] { c->start_outbound(); });
        return c;
    }

    void flush_staged() override {
        std::vector<std::shared_ptr<Connection>> batch;
        batch.swap(staged_);
        for (auto &c : batch) c->commit();
    }

    void stop() override {
        staged_.clear();
        if (stopped_.exchange(true)) return;
        asio::post(*ios_[0], [this] {
            error_code ignored;
            acceptor_->close(ignored);
            accept_retry_->cancel();
        });
        std::vector<std::shared_ptr<Connection>> live;
        {
            std::lock_guard<std::mutex> lock(conns_mu_);
            for (auto &[serial, weak] : conns_)
                if (auto c = weak.lock()) live.push_back(std::move(c));
        }
        for (auto &c : live) c->close("the server is stopping");
        live.clear();
        // Each context runs the closes queued above, then stops.
        for (auto &io : ios_) asio::post(*io, [ctx = io.get()] { ctx->stop(); });
        guards_.clear();
        for (auto &t : threads_)
            if (t.joinable()) t.join();
        threads_.clear();
    }

    // For connections [any].
    const TransportConfig &config() const { return config_; }
    TransportEvents &events() { return events_; }
    std::string secret() {
        std::lock_guard<std::mutex> lock(secret_mu_);
        return secret_;
    }
    void forget(uint64_t serial) {
        std::lock_guard<std::mutex> lock(conns_mu_);
        conns_.erase(serial);
        unauthenticated_.erase(serial);
    }
    // [io] An inbound connection passed its hello: it no longer counts against maxUnauthenticated.
    void authenticated(uint64_t serial) {
        std::lock_guard<std::mutex> lock(conns_mu_);
        unauthenticated_.erase(serial);
    }
    void log(int level, std::string msg) { events_.on_log(level, std::move(msg)); }
    // [logic] A connection's first staged frame since its last commit.
    void stage(std::shared_ptr<Connection> c) {
        staged_.push_back(std::move(c));
        if (staged_.size() == 1) events_.on_staged();
    }

private:
    asio::io_context &next_io() { return *ios_[next_io_++ % ios_.size()]; }

    void remember(const std::shared_ptr<Connection> &c) {
        std::lock_guard<std::mutex> lock(conns_mu_);
        conns_.emplace(c->serial(), c);
    }

    // A fresh inbound connection counts as unauthenticated until its hello checks out. Past
    // maxUnauthenticated the oldest such connection is closed (not the new one), so a flood of idle
    // connections cannot keep a real server out: it only has to finish its hello, which takes a
    // round trip, before cap newer connections arrive.
    void remember_inbound(const std::shared_ptr<Connection> &c) {
        std::shared_ptr<Connection> evicted;
        {
            std::lock_guard<std::mutex> lock(conns_mu_);
            conns_.emplace(c->serial(), c);
            unauthenticated_.emplace(c->serial(), c);
            if (unauthenticated_.size() > config_.max_unauthenticated) {
                auto oldest = unauthenticated_.begin();  // serials grow: the first is the oldest
                evicted = oldest->second.lock();
                unauthenticated_.erase(oldest);
            }
        }
        if (evicted) {
            if (evicted_count_++ % 100 == 0)  // one warning per 100, not one per connection of a flood
                log(SHD_LOG_WARN, "more than " + std::to_string(config_.max_unauthenticated) +
                                      " unauthenticated connections (maxUnauthenticated): closing the oldest (" +
                                      std::to_string(evicted_count_.load()) + " so far)");
            evicted->close("closed unauthenticated: more than maxUnauthenticated connections in their handshake");
        }
    }

    void run(asio::io_context &io) {
        for (;;) {
            try {
                io.run();
                return;
            } catch (const std::exception &e) {
                log(SHD_LOG_ERROR, std::string("I/O thread caught an exception: ") + e.what());
            } catch (...) {
                log(SHD_LOG_ERROR, "I/O thread caught an unknown exception");
            }
        }
    }

    void listen(const std::string &host, int port) {
        const std::string where = host + ":" + std::to_string(port);
        error_code ec;
        tcp::endpoint ep;
        asio::ip::address addr = asio::ip::make_address(host, ec);
        if (!ec) {
            ep = tcp::endpoint(addr, static_cast<unsigned short>(port));
        } else {
            tcp::resolver resolver(*ios_[0]);
            auto results = resolver.resolve(host, std::to_string(port), ec);
            if (ec || results.empty())
                throw std::runtime_error("cannot listen on " + where + ": cannot resolve host \"" + host + "\" (" +
                                         (ec ? ec.message() : std::string("no address")) + ")");
            ep = results.begin()->endpoint();
        }
        // Opened close-on-exec from the start (Asio's open() is not): a process this server spawns
        // must not hold the port.
        int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0) throw std::runtime_error("cannot listen on " + where + ": " + std::strerror(errno));
        acceptor_->assign(ep.protocol(), fd, ec);
        if (ec) ::close(fd);
        if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor_->bind(ep, ec);
        if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
        if (!ec) acceptor_->non_blocking(true, ec);  // accept4 below must never block the I/O thread
        if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
        protocol_ = ep.protocol();
        accept_next();
    }

    // Waits for a connection and takes it with accept4(SOCK_CLOEXEC), so no accepted socket is ever
    // inheritable (Asio's accept has no such flag).
    void accept_next() {
        acceptor_->async_wait(tcp::acceptor::wait_read, [this](error_code ec) {
            if (ec == asio::error::operation_aborted || stopped_) return;
            if (!ec) {
                int fd = ::accept4(acceptor_->native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0) {
                    asio::io_context &io = next_io();
                    tcp::socket socket(io);
                    socket.assign(protocol_, fd, ec);
                    if (ec) {
                        ::close(fd);
                    } else {
                        auto c = std::make_shared<Connection>(*this, io, ++next_serial_, std::move(socket));
                        remember_inbound(c);
                        asio::post(io, [c] { c->start_inbound(); });
                    }
                    accept_next();
                    return;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED || errno == EINTR ||
                    errno == EPROTO) {
                    accept_next();  // the peer left before we took it, or nothing was there after all
                    return;
                }
                ec = error_code(errno, boost::system::system_category());
            }
            // Out of descriptors and the like: wait a little instead of spinning.
            log(SHD_LOG_WARN, "accept failed: " + ec.message());
            accept_retry_->expires_after(std::chrono::milliseconds(100));
            accept_retry_->async_wait([this](const error_code &e) {
                if (!e && !stopped_) accept_next();
            });
        });
    }

    TransportConfig config_;
    TransportEvents &events_;
    std::vector<std::unique_ptr<asio::io_context>> ios_;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
    std::vector<std::thread> threads_;
    std::unique_ptr<tcp::acceptor> acceptor_;
    tcp protocol_ = tcp::v4();
    std::unique_ptr<asio::steady_timer> accept_retry_;
    std::atomic<uint64_t> next_serial_{0};
    std::atomic<size_t> next_io_{0};
    std::atomic<bool> stopped_{false};
    std::mutex secret_mu_;
    std::string secret_;
    std::mutex conns_mu_;
    std::unordered_map<uint64_t, std::weak_ptr<Connection>> conns_;
    std::map<uint64_t, std::weak_ptr<Connection>> unauthenticated_;  // inbound, before the hello; by age
    std::atomic<uint64_t> evicted_count_{0};
    std::vector<std::shared_ptr<Connection>> staged_;  // [logic] connections with staged frames
};

Connection::Connection(TransportImpl &owner, asio::io_context &io, uint64_t serial, tcp::socket socket)
    : owner_(owner),
      io_(io),
      serial_(serial),
      outbound_(false),
      sock_(std::move(socket)),
      deadline_(io),
      flush_timer_(io),
      state_(State::await_hello),
      reader_(std::min(owner.config().max_frame, kMaxHandshakeFrame)) {
    error_code ec;
    auto ep = sock_.remote_endpoint(ec);
    remote_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

Connection::Connection(TransportImpl &owner, asio::io_context &io, uint64_t serial, std::string peer_id,
                       std::string host, int port)
    : owner_(owner),
      io_(io),
      serial_(serial),
      outbound_(true),
      peer_id_(std::move(peer_id)),
      host_(std::move(host)),
      port_(port),
      remote_(host_ + ":" + std::to_string(port)),
      sock_(io),
      deadline_(io),
      flush_timer_(io),
      state_(State::connecting),
      reader_(std::min(owner.config().max_frame, kMaxHandshakeFrame)) {}

std::string Connection::where() const {
    return outbound_ ? "link to " + peer_id_ + " (" + remote_ + ")"
                     : "link from " + remote_ + (peer_id_.empty() ? "" : " (" + peer_id_ + ")");
}

std::string Connection::too_deep(const char *what) const {
    return std::string(what) + " nested deeper than maxJsonDepth " + std::to_string(owner_.config().max_json_depth);
}

template <class Append>
Link::Send Connection::enqueue(size_t frame_size, Append &&append) {
    if (closing_.load(std::memory_order_acquire)) return Send::closed;
    const size_t waiting = staged_.size() + outbox_bytes_.load(std::memory_order_relaxed);
    if (waiting && waiting + frame_size > owner_.config().max_queued_bytes) return Send::busy;
    const bool first = staged_.empty();
    append(staged_);
    if (first) owner_.stage(shared_from_this());
    return Send::ok;
}

void Connection::commit() {
    if (staged_.empty()) return;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!closed_) {  // a closed link's frames are dropped: its close report fails their calls
            if (outbox_.empty())
                outbox_.swap(staged_);
            else
                outbox_ += staged_;
            outbox_bytes_.store(outbox_.size(), std::memory_order_relaxed);
            schedule_flush_locked();
        }
    }
    staged_.clear();
}

void Connection::schedule_flush_locked() {
    if (!can_write_ || writing_now_) return;  // the handshake or the write in progress flushes later
    if (owner_.config().buffer_msg) {
        if (!flush_armed_) {
            flush_armed_ = true;
            asio::post(io_, [self = shared_from_this()] { self->arm_flush_timer(); });
        }
    } else if (!flush_posted_) {
        flush_posted_ = true;
        asio::post(io_, [self = shared_from_this()] { self->flush(); });
    }
}

void Connection::arm_flush_timer() {
    flush_timer_.expires_after(std::chrono::milliseconds(owner_.config().interval_ms));
    flush_timer_.async_wait([self = shared_from_this()](const error_code &ec) {
        if (ec || self->state_ == State::closed) return;
        {
            std::lock_guard<std::mutex> lock(self->mu_);
            self->flush_armed_ = false;
        }
        self->flush();
    });
}

void Connection::flush() {
    std::unique_lock<std::mutex> lock(mu_);
    flush_posted_ = false;
    if (closed_ || !can_write_ || writing_now_ || outbox_.empty()) return;
    writing_.swap(outbox_);  // writing_ was empty; outbox_ keeps its capacity for the next frames
    outbox_bytes_.store(0, std::memory_order_relaxed);
    writing_now_ = true;
    lock.unlock();
    asio::async_write(sock_, asio::buffer(writing_),
                      [self = shared_from_this()](const error_code &ec, size_t) { self->on_written(ec); });
}

void Connection::on_written(const error_code &ec) {
    if (state_ == State::closed) return;
    if (ec) {
        do_close("write failed: " + ec.message(), false);
        return;
    }
    writing_.clear();
    std::unique_lock<std::mutex> lock(mu_);
    writing_now_ = false;
    if (outbox_.empty()) return;
    if (owner_.config().buffer_msg) {
        // Frames queued during the write wait for the next interval, as Pomelo's bufferMsg does.
        if (!flush_armed_) {
            flush_armed_ = true;
            lock.unlock();
            arm_flush_timer();
        }
        return;
    }
    lock.unlock();
    flush();
}

void Connection::arm_deadline(const char *what) {
    deadline_.expires_after(std::chrono::milliseconds(owner_.config().connect_timeout_ms));
    deadline_.async_wait([self = shared_from_this(), what](const error_code &ec) {
        if (ec || self->state_ == State::ready || self->state_ == State::closed) return;
        self->do_close(
            std::string(what) + " within " + std::to_string(self->owner_.config().connect_timeout_ms) + " ms",
            !self->outbound_);
    });
}

void Connection::start_outbound() {
    if (state_ == State::closed) return;
    arm_deadline("no authenticated connection");
    my_nonce_ = make_nonce();
    auto on_connect = [self = shared_from_this()](const error_code &ec, auto &&...) { self->on_connected(ec); };
    error_code ec;
    asio::ip::address addr = asio::ip::make_address(host_, ec);
    if (!ec) {
        sock_.async_connect(tcp::endpoint(addr, static_cast<unsigned short>(port_)), on_connect);
        return;
    }
    resolver_ = std::make_unique<tcp::resolver>(io_);
    resolver_->async_resolve(
        host_, std::to_string(port_),
        [self = shared_from_this(), on_connect](const error_code &rec, const tcp::resolver::results_type &results) {
            if (self->state_ == State::closed) return;
            if (rec) {
                self->do_close("cannot resolve " + self->host_ + ": " + rec.message(), false);
                return;
            }
            asio::async_connect(self->sock_, results, on_connect);
        });
}

void Connection::on_connected(const error_code &ec) {
    if (state_ == State::closed) return;
    if (ec) {
        do_close("cannot connect to " + remote_ + ": " + ec.message(), false);
        return;
    }
    error_code ignored;
    set_cloexec(sock_.native_handle());  // Asio opens it without the flag
    sock_.set_option(tcp::no_delay(true), ignored);
    sock_.set_option(asio::socket_base::keep_alive(true), ignored);
    state_ = State::await_challenge;
    read_more();
}

void Connection::start_inbound() {
    if (state_ == State::closed) return;
    error_code ignored;
    sock_.set_option(tcp::no_delay(true), ignored);
    sock_.set_option(asio::socket_base::keep_alive(true), ignored);
    arm_deadline("no valid hello");
    my_nonce_ = make_nonce();
    {
        std::lock_guard<std::mutex> lock(mu_);
        append_challenge(outbox_, my_nonce_, owner_.config().self_id);
        can_write_ = true;
    }
    flush();
    read_more();
}

void Connection::read_more() {
    size_t space = 0;
    const size_t before = reader_.capacity();
    char *p = reader_.prepare(state_ == State::ready ? kReadChunk : kHandshakeReadChunk, space);
    if (before >= (size_t(1) << 20) && reader_.capacity() < before)
        owner_.log(SHD_LOG_DEBUG, where() + ": read buffer back to " + std::to_string(reader_.capacity()) +
                                      " bytes from " + std::to_string(before) + " after a large frame");
    sock_.async_read_some(asio::buffer(p, space),
                          [self = shared_from_this()](const error_code &ec, size_t n) { self->on_read(ec, n); });
}

void Connection::on_read(const error_code &ec, size_t n) {
    if (state_ == State::closed) return;
    if (ec) {
        do_close(ec == asio::error::eof ? std::string("closed by the peer") : "read failed: " + ec.message(), false);
        return;
    }
    reader_.commit(n);
    std::vector<InboundResponse> responses;
    std::vector<InboundRequest> requests;
    for (;;) {
        uint8_t type = 0;
        std::string_view body;
        FrameReader::Result r = reader_.next(type, body);
        if (r == FrameReader::Result::need_more) break;
        std::string error;
        if (r == FrameReader::Result::bad_length) {
            error = "bad frame length " + std::to_string(reader_.bad_length_value()) +
                    (state_ == State::ready ? " (maxFrameSize is " + std::to_string(owner_.config().max_frame) + ")"
                                            : std::string(" before authentication"));
        } else {
            error = handle_frame(type, body, responses, requests);
        }
        if (!error.empty()) {
            deliver(responses, requests);  // what arrived intact before the bad frame still counts
            do_close(error, true);
            return;
        }
    }
    deliver(responses, requests);
    if (state_ != State::closed) read_more();
}

std::string Connection::handle_frame(uint8_t type, std::string_view body, std::vector<InboundResponse> &responses,
                                     std::vector<InboundRequest> &requests) {
    const auto t = static_cast<FrameType>(type);
    switch (state_) {
        case State::ready:
            if (outbound_ && t == FrameType::response) {
                ResponseView v;
                if (!parse_response(body, v)) return "malformed response frame";
                if (!shd::pomelo::json_depth_within(v.result, owner_.config().max_json_depth)) {
                    // The call fails instead; its callback never sees the text.
                    owner_.log(SHD_LOG_WARN,
                               where() + ": response " + std::to_string(v.id) + ": " + too_deep("result"));
                    responses.push_back(InboundResponse{v.id, SHD_ERR_INVALID, "\"" + too_deep("result") + "\"", true});
                    return {};
                }
                responses.push_back(InboundResponse{v.id, v.status, std::string(v.result), false});
                return {};
            }
            if (!outbound_ && t == FrameType::request) {
                RequestView v;
                if (!parse_request(body, v)) return "malformed request frame";
                if (!shd::pomelo::json_depth_within(v.args, owner_.config().max_json_depth)) {
                    // Answered here: no remote, filter or parser ever sees the text.
                    owner_.log(SHD_LOG_WARN, where() + ": request " + std::to_string(v.id) + ": " + too_deep("args"));
                    refuse(v.id, SHD_ERR_INVALID, "\"" + too_deep("args") + "\"");
                    return {};
                }
                InboundRequest &r = requests.emplace_back();
                r.id = v.id;
                r.ns = v.ns;
                r.service = v.service;
                r.method = v.method;
                r.args = v.args;
                return {};
            }
            if (!outbound_ && t == FrameType::forward) return handle_forward(body, requests);
            return "unexpected frame type " + std::to_string(type);
        case State::await_challenge: {
            ChallengeView v;
            if (t != FrameType::challenge || !parse_challenge(body, v)) return "expected a challenge frame";
            if (v.version != kProtocolVersion) return "peer speaks protocol version " + std::to_string(v.version);
            if (v.server_id != peer_id_)
                return "the peer there is \"" + std::string(v.server_id) + "\", not " + peer_id_;
            secret_ = owner_.secret();
            if (secret_.empty()) return "no cluster secret to authenticate with yet";
            peer_nonce_ = std::string(v.nonce);
            std::string hello;
            append_hello(hello, my_nonce_,
                         hello_mac(secret_, peer_nonce_, my_nonce_, owner_.config().self_id, peer_id_),
                         owner_.config().self_id, peer_id_);
            if (hello.size() - kLengthSize > kMaxHandshakeFrame)
                return "the server ids " + owner_.config().self_id + " and " + peer_id_ +
                       " are too long for a hello (frames before authentication are at most " +
                       std::to_string(kMaxHandshakeFrame) + " bytes)";
            {
                // The hello goes out first, then every request queued while connecting: pipelined, since
                // the server reads nothing else before it has checked the hello.
                std::lock_guard<std::mutex> lock(mu_);
                outbox_.insert(0, hello);
                can_write_ = true;
            }
            flush();
            state_ = State::await_welcome;
            return {};
        }
        case State::await_welcome: {
            std::string_view mac;
            if (t != FrameType::welcome || !parse_welcome(body, mac)) return "expected a welcome frame";
            if (!mac_equal(mac, welcome_mac(secret_, peer_nonce_, my_nonce_, owner_.config().self_id, peer_id_)))
                return "the peer failed to prove it knows the cluster secret";
            state_ = State::ready;
            reader_.set_max_frame(owner_.config().max_frame);
            deadline_.cancel();
            return {};
        }
        case State::await_hello: {
            HelloView v;
            if (t != FrameType::hello || !parse_hello(body, v)) return "expected a hello frame";
            if (v.version != kProtocolVersion) return "peer speaks protocol version " + std::to_string(v.version);
            if (v.server_id != owner_.config().self_id)
                return "the peer wanted server \"" + std::string(v.server_id) + "\"";
            std::string secret = owner_.secret();
            if (secret.empty()) return "no cluster secret to check the hello with yet";
            std::string client_id(v.client_id);
            if (!mac_equal(v.mac, hello_mac(secret, my_nonce_, v.nonce, client_id, owner_.config().self_id)))
                return "bad hello: the peer does not know the cluster secret";
            peer_id_ = client_id;
            state_ = State::ready;
            owner_.authenticated(serial_);
            reader_.set_max_frame(owner_.config().max_frame);
            deadline_.cancel();
            {
                std::lock_guard<std::mutex> lock(mu_);
                append_welcome(outbox_, welcome_mac(secret, my_nonce_, v.nonce, client_id, owner_.config().self_id));
            }
            flush();
            return {};
        }
        case State::connecting:
        case State::closed: break;
    }
    return "unexpected frame";
}

std::string Connection::handle_forward(std::string_view body, std::vector<InboundRequest> &requests) {
    ForwardView v;
    if (!parse_forward(body, v)) return "malformed forward frame";
    if (v.flags & kForwardSettingsCached) {
        const std::string *cached = settings_read_.lookup(v.session_id);
        if (!cached) return "forward frame without settings for a session this link never carried";
        v.settings = *cached;
    } else {
        settings_read_.received(v.session_id, v.settings);  // in frame order, as the sender did
    }
    const size_t depth = owner_.config().max_json_depth;
    if (!shd::pomelo::json_depth_within(v.body, depth) || !shd::pomelo::json_depth_within(v.settings, depth)) {
        // As for a request's args: answered here, no handler or parser ever sees the text.
        owner_.log(SHD_LOG_WARN, where() + ": forward " + std::to_string(v.id) + ": " + too_deep("body or settings"));
        refuse(v.id, SHD_ERR_INVALID, "\"" + too_deep("body or settings") + "\"");
        return {};
    }
    requests.push_back(forwarded_request(v));
    return {};
}

void Connection::refuse(uint64_t id, int32_t status, std::string_view message) {
    std::lock_guard<std::mutex> lock(mu_);
    append_response(outbox_, id, status, message);
    outbox_bytes_.store(outbox_.size(), std::memory_order_relaxed);
    schedule_flush_locked();
}

void Connection::deliver(std::vector<InboundResponse> &responses, std::vector<InboundRequest> &requests) {
    if (!responses.empty()) owner_.events().on_responses(serial_, std::move(responses));
    if (!requests.empty()) owner_.events().on_requests(shared_from_this(), std::move(requests));
    responses.clear();
    requests.clear();
}

void Connection::do_close(std::string reason, bool suspicious) {
    if (state_ == State::closed) return;
    const bool was_ready = state_ == State::ready;
    state_ = State::closed;
    {
        std::lock_guard<std::mutex> lock(mu_);
        closed_ = true;
        closing_.store(true, std::memory_order_release);
        close_reason_ = reason;
        std::string().swap(outbox_);
        outbox_bytes_.store(0, std::memory_order_relaxed);
    }
    error_code ignored;
    if (resolver_) resolver_->cancel();
    deadline_.cancel();
    flush_timer_.cancel();
    sock_.shutdown(tcp::socket::shutdown_both, ignored);
    sock_.close(ignored);
    owner_.forget(serial_);
    if (outbound_) {
        owner_.log(SHD_LOG_DEBUG, where() + " closed: " + reason);
        owner_.events().on_link_closed(serial_, std::move(reason));
    } else {
        // A peer that sends garbage or fails authentication is worth a warning; a peer leaving is not.
        owner_.log(suspicious ? SHD_LOG_WARN : SHD_LOG_DEBUG,
                   where() + (was_ready ? " closed: " : " rejected: ") + reason);
    }
}

}  // namespace

std::unique_ptr<Transport> Transport::create(TransportConfig config, TransportEvents &events) {
    return std::make_unique<TransportImpl>(std::move(config), events);
}

}  // namespace shd::rpc
