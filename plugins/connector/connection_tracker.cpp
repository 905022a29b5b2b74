#include "connection_tracker.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace shd::connector {

TrackerSlot::TrackerSlot(TrackerSlot &&o) noexcept {
    *this = std::move(o);
}

TrackerSlot &TrackerSlot::operator=(TrackerSlot &&o) noexcept {
    if (this == &o) return *this;
    release();
    if (!o.tracker_) return *this;
    std::lock_guard<std::mutex> lock(o.tracker_->mutex_);
    tracker_ = o.tracker_;
    owner_ = o.owner_;
    prev_ = o.prev_;
    next_ = o.next_;
    if (prev_) prev_->next_ = this; else tracker_->head_ = this;
    if (next_) next_->prev_ = this;
    o.tracker_ = nullptr;
    o.prev_ = o.next_ = nullptr;
    o.owner_ = nullptr;
    return *this;
}

void TrackerSlot::attach(Closable *owner) {
    if (!tracker_) return;
    std::lock_guard<std::mutex> lock(tracker_->mutex_);
    owner_ = owner;
}

bool TrackerSlot::stopping() const {
    return !tracker_ || tracker_->stopping();
}

void TrackerSlot::release() {
    if (tracker_) tracker_->release(*this);
}

void ConnectionTracker::link(TrackerSlot &s) {
    s.tracker_ = this;
    s.prev_ = nullptr;
    s.next_ = head_;
    if (head_) head_->prev_ = &s;
    head_ = &s;
}

void ConnectionTracker::unlink(TrackerSlot &s) {
    if (s.prev_) s.prev_->next_ = s.next_; else head_ = s.next_;
    if (s.next_) s.next_->prev_ = s.prev_;
    s.tracker_ = nullptr;
    s.prev_ = s.next_ = nullptr;
    s.owner_ = nullptr;
}

TrackerSlot ConnectionTracker::acquire() {
    TrackerSlot slot;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_.load()) return {};
        if (max_ && count_.load() >= max_) return {};
        link(slot);
        uint64_t now = count_.fetch_add(1) + 1;
        if (now > peak_) peak_ = now;
    }
    return slot;  // if this moves, the move relinks under the lock, which is free again here
}

void ConnectionTracker::release(TrackerSlot &s) {
    std::function<void()> report;
    bool trim = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (s.tracker_ != this) return;
        unlink(s);
        uint64_t now = count_.fetch_sub(1) - 1;
        if (stopping_.load() && head_ == nullptr && !empty_reported_) {
            empty_reported_ = true;
            report = std::move(on_empty_);
        }
        // After a burst of connections has gone, give the freed memory back to the system.
        if (peak_ >= now + kTrimAfterClosed && now <= peak_ / 4) {
            peak_ = now;
            trim = true;
        }
    }
    if (trim) release_free_memory();
    if (report) report();
}

void ConnectionTracker::release_free_memory() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

void ConnectionTracker::stop_all(const std::string &reason, std::function<void()> on_empty) {
    std::function<void()> report;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        on_empty_ = std::move(on_empty);
        // A slot not yet attached (a socket between accept and its first handler) aborts itself when
        // it sees stopping() at its next step.
        for (TrackerSlot *s = head_; s; s = s->next_)
            if (s->owner_) s->owner_->abort_async(reason);
        if (head_ == nullptr && !empty_reported_) {
            empty_reported_ = true;
            report = std::move(on_empty_);
        }
    }
    if (report) report();
}

}  // namespace shd::connector
