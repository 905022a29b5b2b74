#include "io_thread.hpp"

#include "connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>

namespace shd::connector {

namespace asio = boost::asio;

asio::execution_context::id IoThread::id;

IoThread::IoThread(asio::execution_context &context)
    : asio::execution_context::service(context),
      io_(static_cast<asio::io_context &>(context)),
      timer_(io_.get_executor()) {}

IoThread &IoThread::of(const IoExecutor &ex) {
    return asio::use_service<IoThread>(ex.context());
}

// The io_context is going away: its pending handlers (and with them the connections) are destroyed
// after this, so nothing may point at a connection any more. The queue's handles go last, outside
// the queue (a connection's destructor never touches it).
void IoThread::shutdown() {
    std::vector<std::shared_ptr<Connection>> queued;
    queued.swap(heap_);
    for (auto &c : queued) c->deadline_.index = DeadlineSlot::kNotQueued;
    std::vector<Letter> dropped;
    {
        std::lock_guard<std::mutex> lock(mail_mutex_);
        dropped.swap(mail_);
    }
    delivery_.clear();
}

// ---- deadlines ----

bool IoThread::earlier(uint32_t a, uint32_t b) const {
    return heap_[a]->deadline_.due < heap_[b]->deadline_.due;
}

void IoThread::place(uint32_t i, std::shared_ptr<Connection> c) {
    c->deadline_.index = i;
    heap_[i] = std::move(c);
}

void IoThread::sift_up(uint32_t i) {
    std::shared_ptr<Connection> c = std::move(heap_[i]);
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!(c->deadline_.due < heap_[parent]->deadline_.due)) break;
        place(i, std::move(heap_[parent]));
        i = parent;
    }
    place(i, std::move(c));
}

void IoThread::sift_down(uint32_t i) {
    const uint32_t n = static_cast<uint32_t>(heap_.size());
    std::shared_ptr<Connection> c = std::move(heap_[i]);
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && earlier(child + 1, child)) ++child;
        if (!(heap_[child]->deadline_.due < c->deadline_.due)) break;
        place(i, std::move(heap_[child]));
        i = child;
    }
    place(i, std::move(c));
}

std::shared_ptr<Connection> IoThread::remove_at(uint32_t i) {
    std::shared_ptr<Connection> gone = std::move(heap_[i]);
    gone->deadline_.index = DeadlineSlot::kNotQueued;
    std::shared_ptr<Connection> last = std::move(heap_.back());
    heap_.pop_back();
    if (i == heap_.size()) return gone;  // it was the last entry
    const bool up = i > 0 && last->deadline_.due < heap_[(i - 1) / 2]->deadline_.due;
    place(i, std::move(last));
    if (up)
        sift_up(i);
    else
        sift_down(i);
    return gone;
}

// Dropping a handle may free its connection; never do that inside a caller that is using it.
void IoThread::release_later(std::shared_ptr<Connection> c) {
    asio::post(io_, [c = std::move(c)] {});
}

void IoThread::schedule(Connection &c, Clock::time_point due) {
    DeadlineSlot &slot = c.deadline_;
    if (due == Clock::time_point::max()) {
        unschedule(c);
        return;
    }
    if (slot.index == DeadlineSlot::kNotQueued) {
        slot.due = due;
        slot.index = static_cast<uint32_t>(heap_.size());
        heap_.push_back(c.shared_from_this());
        sift_up(slot.index);
    } else if (due < slot.due) {
        slot.due = due;
        sift_up(slot.index);
    } else {
        return;  // fires early; the connection queues itself again then
    }
    if (heap_.front().get() == &c) arm();
}

void IoThread::unschedule(Connection &c) {
    if (c.deadline_.index != DeadlineSlot::kNotQueued) release_later(remove_at(c.deadline_.index));
}

void IoThread::arm() {
    Clock::time_point next = heap_.empty() ? Clock::time_point::max() : heap_.front()->deadline_.due;
    if (next >= armed_for_) return;  // the timer already fires soon enough; fire() re-arms
    armed_for_ = next;
    timer_.expires_at(next);
    timer_.async_wait([this](const boost::system::error_code &ec) {
        if (ec) return;  // cancelled by an earlier arm(), which owns the timer now
        armed_for_ = Clock::time_point::max();
        fire();
    });
}

void IoThread::fire() {
    const Clock::time_point now = Clock::now();
    // One at a time from the top: a connection's handler may queue itself again (later) or leave.
    // The handle taken from the queue keeps the connection alive while its handler runs.
    while (!heap_.empty() && heap_.front()->deadline_.due <= now) {
        std::shared_ptr<Connection> c = remove_at(0);
        c->on_deadline(now);
    }
    arm();
}

// ---- the mailbox ----

void IoThread::mail(std::shared_ptr<Connection> c, SharedBytes bytes, std::unique_ptr<std::string> close_reason,
                    bool at_once) {
    bool first;
    {
        std::lock_guard<std::mutex> lock(mail_mutex_);
        first = mail_.empty();
        mail_.push_back(Letter{std::move(c), std::move(bytes), std::move(close_reason), at_once});
    }
    if (first) asio::post(io_, [this] { deliver_mail(); });
}

void IoThread::deliver_mail() {
    {
        std::lock_guard<std::mutex> lock(mail_mutex_);
        delivery_.swap(mail_);
    }
    // Should a letter throw (out of memory), the rest of the batch is dropped, not left half-moved for
    // the next delivery: the thread's run() goes on after an exception, and a stale batch swapped back
    // into mail_ would stop every later post.
    struct Reset {
        IoThread &t;
        ~Reset() {
            for (Connection *c : t.touched_) c->mail_touched_ = false;
            t.touched_.clear();
            t.delivery_.clear();  // drops the references last: every connection above stayed alive
        }
    } reset{*this};
    for (Letter &l : delivery_) {
        Connection *c = l.to.get();
        if (!c->mail_touched_) {
            c->mail_touched_ = true;
            touched_.push_back(c);
        }
        c->take_letter(std::move(l.bytes), std::move(l.close_reason), l.at_once);
    }
    // Each connection starts its write once, after all of this batch's bytes for it are queued.
    for (Connection *c : touched_) {
        c->mail_touched_ = false;
        c->settle();
    }
    touched_.clear();
    if (delivery_.capacity() > 4096) {
        delivery_.clear();
        std::vector<Letter>().swap(delivery_);
    }
}

}  // namespace shd::connector
