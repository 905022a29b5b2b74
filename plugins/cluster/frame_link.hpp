// A TCP connection carrying length-prefixed frames (4-byte big-endian length, then the payload),
// used between the master and the servers' monitors and the `shaddock` CLI. I/O runs on the plugin's
// io_context; received frames and the close are handed to callbacks on that I/O thread (callers
// re-post to logic).
//
// Two states. Before authentication the link reads one frame at a time (the next read waits for
// resume() or secure()), frames are capped at `max_frame_before_auth` bytes and an optional deadline
// closes a link that has not authenticated in time. secure() switches both directions to AES-256-GCM
// sealed frames (link_crypto.hpp), raises the cap to `max_frame_after_auth` and reads freely. In both
// states the bytes queued for a peer that does not read are bounded: past `max_queued_bytes` the link
// closes. The socket is close-on-exec.
#pragma once

#include "link_crypto.hpp"
#include "write_queue.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <string>

namespace shd::cluster {

struct FrameLimits {
    size_t max_frame_before_auth = 4096;
    size_t max_frame_after_auth = 1 << 20;
    size_t max_queued_bytes = 16 << 20;
    int handshake_timeout_ms = 0;  // 0: no deadline
};

class FrameLink : public std::enable_shared_from_this<FrameLink> {
public:
    using OnFrame = std::function<void(std::string)>;
    using OnClose = std::function<void(std::string reason)>;

    FrameLink(boost::asio::ip::tcp::socket socket, FrameLimits limits);

    // Starts reading; callbacks run on the I/O thread. Call once.
    void start(OnFrame on_frame, OnClose on_close);
    // [any] Queues one frame (sealed once the link is secure).
    void send(std::string payload);
    // [any] Before authentication: read the next frame.
    void resume();
    // [any] Frames queued after this call are sealed with send_key, frames received are opened with
    // recv_key; the deadline is cancelled and reading goes on freely.
    void secure(std::string send_key, std::string recv_key);
    // [any] Closes once the queued frames are written; on_close runs once.
    void close(const std::string &reason);
    std::string peer() const { return peer_; }
    std::string address() const { return address_; }

private:
    friend class WriteQueue<FrameLink>;
    void read_header();
    void read_body(uint32_t size);
    void fail(const std::string &reason);

    boost::asio::ip::tcp::socket socket_;
    FrameLimits limits_;
    boost::asio::steady_timer deadline_;
    std::string peer_, address_;
    unsigned char header_[4]{};
    std::string body_;
    WriteQueue<FrameLink> writes_;
    FrameSealer sealer_, opener_;
    bool secured_ = false;
    bool reading_ = false;  // a read is in flight
    bool waiting_ = false;  // before auth: a frame was delivered, the next read waits for resume()
    OnFrame on_frame_;
    OnClose on_close_;
    bool closed_ = false;
};

// The 4-byte header + payload of one frame.
std::string encode_frame(const std::string &payload);

// Marks a descriptor close-on-exec (spawned servers must not inherit the master's sockets).
void set_cloexec(int fd);

}  // namespace shd::cluster
