#include "frame_link.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace shd::cluster {

namespace asio = boost::asio;

std::string encode_frame(const std::string &json) {
    std::string out;
    out.reserve(4 + json.size());
    uint32_t n = static_cast<uint32_t>(json.size());
    out.push_back(static_cast<char>(n >> 24));
    out.push_back(static_cast<char>(n >> 16));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n));
    out += json;
    return out;
}

FrameLink::FrameLink(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
    boost::system::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    auto ep = socket_.remote_endpoint(ec);
    peer_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

void FrameLink::start(OnFrame on_frame, OnClose on_close) {
    on_frame_ = std::move(on_frame);
    on_close_ = std::move(on_close);
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->read_header(); });
}

void FrameLink::read_header() {
    asio::async_read(socket_, asio::buffer(header_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
        if (ec) return self->fail(ec == asio::error::eof ? "connection closed by peer" : ec.message());
        uint32_t size = (uint32_t(self->header_[0]) << 24) | (uint32_t(self->header_[1]) << 16) |
                        (uint32_t(self->header_[2]) << 8) | uint32_t(self->header_[3]);
        if (size > kMaxFrame) return self->fail("frame of " + std::to_string(size) + " bytes exceeds the limit");
        self->read_body(size);
    });
}

void FrameLink::read_body(uint32_t size) {
    body_.resize(size);
    asio::async_read(socket_, asio::buffer(body_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
        if (ec) return self->fail(ec.message());
        if (self->closed_) return;
        if (self->on_frame_) self->on_frame_(std::move(self->body_));
        self->read_header();
    });
}

void FrameLink::send(std::string json) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), frame = encode_frame(json)]() mutable {
        if (self->closed_) return;
        self->out_.push_back(std::move(frame));
        if (self->out_.size() == 1) self->write_next();
    });
}

void FrameLink::write_next() {
    asio::async_write(socket_, asio::buffer(out_.front()), [self = shared_from_this()](boost::system::error_code ec, size_t) {
        if (self->closed_) return;
        if (ec) return self->fail(ec.message());
        self->out_.pop_front();
        if (!self->out_.empty()) self->write_next();
        else if (!self->closing_reason_.empty()) self->fail(self->closing_reason_);
    });
}

void FrameLink::close(const std::string &reason) {
    // Frames queued before the close (a refusal, say) still go out first.
    asio::post(socket_.get_executor(), [self = shared_from_this(), reason] {
        if (self->out_.empty()) self->fail(reason);
        else self->closing_reason_ = reason.empty() ? "closed" : reason;
    });
}

void FrameLink::fail(const std::string &reason) {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);  // a write in flight completes with an error and sees closed_
    OnClose cb = std::move(on_close_);
    on_frame_ = nullptr;
    if (cb) cb(reason);
}

}  // namespace shd::cluster
