#include "connection_tracker.hpp"

#include <algorithm>

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
    peer_ = o.peer_;
    prev_ = o.prev_;
    next_ = o.next_;
    if (prev_)
        prev_->next_ = this;
    else
        tracker_->head_ = this;
    if (next_) next_->prev_ = this;
    o.tracker_ = nullptr;
    o.prev_ = o.next_ = nullptr;
    o.owner_ = nullptr;
    o.peer_ = nullptr;
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
    if (s.prev_)
        s.prev_->next_ = s.next_;
    else
        head_ = s.next_;
    if (s.next_) s.next_->prev_ = s.prev_;
    s.tracker_ = nullptr;
    s.prev_ = s.next_ = nullptr;
    s.owner_ = nullptr;
    if (s.peer_) static_cast<Peer *>(s.peer_)->open--;
    s.peer_ = nullptr;
}

Refusal ConnectionTracker::admit_peer(const std::string &ip, Peer *&peer) {
    peer = nullptr;
    const PeerLimits &limits = peer_limits_;
    if (!limits.max_connections && limits.connect_rate <= 0) return Refusal::none;
    const auto now = std::chrono::steady_clock::now();
    if (peers_.size() >= peers_swept_at_) forget_idle_peers(now);
    auto [it, fresh] = peers_.try_emplace(ip);
    Peer &p = it->second;
    if (limits.connect_rate > 0) {
        if (fresh) {
            p.tokens = limits.connect_burst;
        } else {
            const double elapsed = std::chrono::duration<double>(now - p.refilled).count();
            p.tokens = std::min(limits.connect_burst, p.tokens + elapsed * limits.connect_rate);
        }
        p.refilled = now;
    }
    if (limits.max_connections && p.open >= limits.max_connections) return Refusal::max_per_ip;
    if (limits.connect_rate > 0) {
        if (p.tokens < 1) return Refusal::connect_rate;
        p.tokens -= 1;
    }
    p.open++;
    peer = &p;
    return Refusal::none;
}

// Entries with no connection whose bucket has refilled carry no information: drop them. Sweeps when
// the table has doubled since the last one, so the cost per accept stays constant.
void ConnectionTracker::forget_idle_peers(std::chrono::steady_clock::time_point now) {
    const PeerLimits &limits = peer_limits_;
    for (auto it = peers_.begin(); it != peers_.end();) {
        const Peer &p = it->second;
        const double elapsed = std::chrono::duration<double>(now - p.refilled).count();
        const bool full = limits.connect_rate <= 0 || p.tokens + elapsed * limits.connect_rate >= limits.connect_burst;
        if (p.open == 0 && full)
            it = peers_.erase(it);
        else
            ++it;
    }
    peers_swept_at_ = std::max<size_t>(1024, 2 * peers_.size());
}

TrackerSlot ConnectionTracker::acquire(const std::string &ip, Refusal *refused) {
    TrackerSlot slot;
    Refusal why = Refusal::none;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        Peer *peer = nullptr;
        if (stopping_.load())
            why = Refusal::stopping;
        else if (max_ && count_.load() >= max_)
            why = Refusal::max_connections;
        else
            why = admit_peer(ip, peer);
        if (refused) *refused = why;
        if (why != Refusal::none) return {};
        link(slot);
        slot.peer_ = peer;
        uint64_t now = count_.fetch_add(1) + 1;
        if (now > peak_) peak_ = now;
    }
    open_gauge_.add(1);
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
        open_gauge_.add(-1);
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
