// The outgoing side of the master's links (FrameLink, MqttLink): byte strings written in order, one
// at a time, bounded (past `max_bytes` queued for a peer that does not read, the link fails), and a
// close that lets what was queued before it go out first (waiting at most 2 s for a peer that does not
// read). Everything here runs on the link's socket executor.
//
// `Link` is the owner, a friend: it holds this queue as `writes_` and has `socket_`, `deadline_` (a
// steady_timer), `closed_`, `fail(reason)` (closes once) and shared_from_this().
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace shd::cluster {

template <class Link>
class WriteQueue {
public:
    explicit WriteQueue(size_t max_bytes) : max_bytes_(max_bytes) {}

    // Queues `bytes` (nothing once the link is closed or closing).
    void push(Link &link, std::string bytes) {
        if (link.closed_ || !closing_reason_.empty()) return;
        if (queued_ + bytes.size() > max_bytes_)
            return link.fail("the peer does not read: more than " + std::to_string(max_bytes_) + " bytes queued for it");
        queued_ += bytes.size();
        out_.push_back(std::move(bytes));
        if (out_.size() == 1) write_next(link);
    }

    // Fails the link with `reason` once the queue has drained.
    void close(Link &link, const std::string &reason) {
        if (link.closed_) return;
        if (out_.empty()) return link.fail(reason);
        closing_reason_ = reason.empty() ? "closed" : reason;
        link.deadline_.expires_after(std::chrono::seconds(2));
        link.deadline_.async_wait([weak = std::weak_ptr<Link>(link.shared_from_this()),
                                   why = closing_reason_](boost::system::error_code ec) {
            if (auto s = weak.lock(); s && !ec) s->fail(why);
        });
    }

private:
    void write_next(Link &link) {
        boost::asio::async_write(link.socket_, boost::asio::buffer(out_.front()),
                                 [self = link.shared_from_this()](boost::system::error_code ec, size_t) {
                                     if (self->closed_) return;
                                     if (ec) return self->fail(ec.message());
                                     WriteQueue &q = self->writes_;
                                     q.queued_ -= q.out_.front().size();
                                     q.out_.pop_front();
                                     if (!q.out_.empty())
                                         q.write_next(*self);
                                     else if (!q.closing_reason_.empty())
                                         self->fail(q.closing_reason_);
                                 });
    }

    size_t max_bytes_;
    std::deque<std::string> out_;
    size_t queued_ = 0;
    std::string closing_reason_;  // set: fail with it when the queue drains
};

}  // namespace shd::cluster
