// A TCP connection carrying length-prefixed JSON frames (4-byte big-endian length, then UTF-8 JSON),
// used between the master and the servers' monitors. I/O runs on the plugin's io_context; received
// frames and the close are handed to callbacks on that I/O thread (callers re-post to logic).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace shd::cluster {

class FrameLink : public std::enable_shared_from_this<FrameLink> {
public:
    using OnFrame = std::function<void(std::string)>;
    using OnClose = std::function<void(std::string reason)>;

    static constexpr size_t kMaxFrame = 1 << 20;  // membership messages are small

    explicit FrameLink(boost::asio::ip::tcp::socket socket);

    // Starts reading; callbacks run on the I/O thread. Call once.
    void start(OnFrame on_frame, OnClose on_close);
    // [any] Queues one frame.
    void send(std::string json);
    // [any] Closes once the queued frames are written; on_close runs once.
    void close(const std::string &reason);
    std::string peer() const { return peer_; }

private:
    void read_header();
    void read_body(uint32_t size);
    void write_next();
    void fail(const std::string &reason);

    boost::asio::ip::tcp::socket socket_;
    std::string peer_;
    unsigned char header_[4]{};
    std::string body_;
    std::deque<std::string> out_;
    OnFrame on_frame_;
    OnClose on_close_;
    bool closed_ = false;
    std::string closing_reason_;  // set: close when the queue drains
};

// The 4-byte header + payload of one frame.
std::string encode_frame(const std::string &json);

}  // namespace shd::cluster
