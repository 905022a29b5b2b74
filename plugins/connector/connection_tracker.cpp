#include "connection_tracker.hpp"

#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace shd::connector {

TrackerSlot &TrackerSlot::operator=(TrackerSlot &&o) noexcept {
    if (this != &o) {
        release();
        tracker_ = o.tracker_;
        id_ = o.id_;
        o.tracker_ = nullptr;
    }
    return *this;
}

void TrackerSlot::attach(const std::shared_ptr<Closable> &owner) const {
    if (tracker_) tracker_->attach(id_, owner);
}

bool TrackerSlot::stopping() const {
    return !tracker_ || tracker_->stopping();
}

void TrackerSlot::release() {
    if (!tracker_) return;
    ConnectionTracker *t = tracker_;
    tracker_ = nullptr;
    t->release(id_);
}

TrackerSlot ConnectionTracker::acquire() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_.load()) return {};
    if (max_ && count_.load() >= max_) return {};
    uint64_t id = next_id_++;
    live_.emplace(id, std::weak_ptr<Closable>());
    uint64_t now = count_.fetch_add(1) + 1;
    if (now > peak_) peak_ = now;
    return TrackerSlot(this, id);
}

void ConnectionTracker::attach(uint64_t id, std::weak_ptr<Closable> owner) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(id);
    if (it != live_.end()) it->second = std::move(owner);
}

void ConnectionTracker::release(uint64_t id) {
    std::function<void()> report;
    bool trim = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (live_.erase(id) == 0) return;
        uint64_t now = count_.fetch_sub(1) - 1;
        if (stopping_.load() && live_.empty() && !empty_reported_) {
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
    std::vector<std::shared_ptr<Closable>> open;
    std::function<void()> report;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        on_empty_ = std::move(on_empty);
        for (auto &[id, weak] : live_)
            if (auto c = weak.lock()) open.push_back(std::move(c));
        if (live_.empty() && !empty_reported_) {
            empty_reported_ = true;
            report = std::move(on_empty_);
        }
    }
    // A slot not yet attached (a socket between accept and its first handler) aborts itself when it
    // sees stopping() at its next step.
    for (auto &c : open) c->abort_async(reason);
    if (report) report();
}

}  // namespace shd::connector
