#include "frame_link.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace shd::cluster {

namespace asio = boost::asio;

std::string encode_frame(const std::string &payload) {
    std::string out;
    out.reserve(4 + payload.size());
    uint32_t n = static_cast<uint32_t>(payload.size());
    out.push_back(static_cast<char>(n >> 24));
    out.push_back(static_cast<char>(n >> 16));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n));
    out += payload;
    return out;
}

void set_cloexec(int fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

FrameLink::FrameLink(asio::ip::tcp::socket socket, FrameLimits limits)
    : socket_(std::move(socket)), limits_(limits), deadline_(socket_.get_executor()), writes_(limits.max_queued_bytes) {
    if (socket_.is_open()) set_cloexec(socket_.native_handle());
    boost::system::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    // A peer that vanished without a FIN (a host down, a partition) is noticed in about 30 s, so its id
    // does not stay "live" and block the same server's new registration.
    socket_.set_option(asio::socket_base::keep_alive(true), ec);
    if (socket_.is_open()) {
        int idle = 15, interval = 5, count = 3;
        ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
        ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
        ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
    }
    auto ep = socket_.remote_endpoint(ec);
    address_ = ec ? std::string("?") : ep.address().to_string();
    peer_ = ec ? std::string("?") : address_ + ":" + std::to_string(ep.port());
}

void FrameLink::start(OnFrame on_frame, OnClose on_close) {
    on_frame_ = std::move(on_frame);
    on_close_ = std::move(on_close);
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        if (self->limits_.handshake_timeout_ms > 0) {
            self->deadline_.expires_after(std::chrono::milliseconds(self->limits_.handshake_timeout_ms));
            self->deadline_.async_wait([weak = std::weak_ptr<FrameLink>(self)](boost::system::error_code ec) {
                auto s = weak.lock();
                if (ec || !s || s->secured_) return;
                s->fail("no authentication within " + std::to_string(s->limits_.handshake_timeout_ms) + " ms");
            });
        }
        self->read_header();
    });
}

void FrameLink::read_header() {
    if (closed_ || reading_) return;
    reading_ = true;
    asio::async_read(socket_, asio::buffer(header_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
        self->reading_ = false;
        if (ec) return self->fail(ec == asio::error::eof ? "connection closed by peer" : ec.message());
        if (self->closed_) return;
        uint32_t size = (uint32_t(self->header_[0]) << 24) | (uint32_t(self->header_[1]) << 16) |
                        (uint32_t(self->header_[2]) << 8) | uint32_t(self->header_[3]);
        size_t cap = self->secured_ ? self->limits_.max_frame_after_auth : self->limits_.max_frame_before_auth;
        if (size > cap)
            return self->fail("frame of " + std::to_string(size) + " bytes exceeds the limit of " +
                              std::to_string(cap) + (self->secured_ ? "" : " before authentication"));
        self->read_body(size);
    });
}

void FrameLink::read_body(uint32_t size) {
    body_.resize(size);
    reading_ = true;
    asio::async_read(socket_, asio::buffer(body_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
        self->reading_ = false;
        if (ec) return self->fail(ec == asio::error::eof ? "connection closed by peer" : ec.message());
        if (self->closed_) return;
        std::string frame;
        if (self->secured_) {
            if (!self->opener_.open(self->body_, frame)) return self->fail("a sealed frame does not authenticate");
        } else {
            frame = std::move(self->body_);
        }
        // A large frame's buffer is not kept for the life of the link.
        if (self->body_.capacity() > 65536) std::string().swap(self->body_);
        if (!self->secured_) self->waiting_ = true;
        if (self->on_frame_) self->on_frame_(std::move(frame));
        if (!self->waiting_) self->read_header();
    });
}

void FrameLink::resume() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        if (!self->waiting_) return;
        self->waiting_ = false;
        self->read_header();
    });
}

void FrameLink::secure(std::string send_key, std::string recv_key) {
    asio::post(socket_.get_executor(),
               [self = shared_from_this(), s = std::move(send_key), r = std::move(recv_key)]() mutable {
                   if (self->closed_) return;
                   self->sealer_ = FrameSealer(std::move(s));
                   self->opener_ = FrameSealer(std::move(r));
                   self->secured_ = true;
                   self->deadline_.cancel();
                   self->waiting_ = false;
                   self->read_header();
               });
}

void FrameLink::send(std::string payload) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), payload = std::move(payload)]() mutable {
        if (self->closed_) return;
        self->writes_.push(*self, encode_frame(self->secured_ ? self->sealer_.seal(payload) : payload));
    });
}

void FrameLink::close(const std::string &reason) {
    // Frames queued before the close (a refusal, say) still go out first.
    asio::post(socket_.get_executor(), [self = shared_from_this(), reason] { self->writes_.close(*self, reason); });
}

void FrameLink::fail(const std::string &reason) {
    if (closed_) return;
    closed_ = true;
    deadline_.cancel();
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);  // a write in flight completes with an error and sees closed_
    OnClose cb = std::move(on_close_);
    on_frame_ = nullptr;
    if (cb) cb(reason);
}

}  // namespace shd::cluster
