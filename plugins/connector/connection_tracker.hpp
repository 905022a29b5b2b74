// Counts and finds every open client connection (from accept to close), enforces max-connections,
// and at stop aborts them all and reports when the last one is gone. Thread-safe: connections come
// and go on several I/O threads while the logic thread asks for counts or stops.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace shd::connector {

// Anything holding a client socket that a stop must be able to end.
class Closable {
public:
    virtual ~Closable() = default;
    // [any] Ends the connection now (no flushing); `reason` reaches the session's closed callbacks.
    // Called with the tracker's lock held: it may only post.
    virtual void abort_async(const std::string &reason) = 0;
};

class ConnectionTracker;

// One counted connection, and its node in the tracker's list (intrusive: no allocation per
// connection). Move-only: a moved slot takes the other's place in the list. Releasing it
// (explicitly or by destruction) uncounts it.
class TrackerSlot {
public:
    TrackerSlot() = default;
    TrackerSlot(TrackerSlot &&o) noexcept;
    TrackerSlot &operator=(TrackerSlot &&o) noexcept;
    TrackerSlot(const TrackerSlot &) = delete;
    TrackerSlot &operator=(const TrackerSlot &) = delete;
    ~TrackerSlot() { release(); }

    explicit operator bool() const { return tracker_ != nullptr; }
    bool stopping() const;
    // Registers the object that now owns the connection (for stop_all). The owner holds this slot
    // (or hands it on and attaches the next owner), so it outlives its registration.
    void attach(Closable *owner);
    void release();

private:
    friend class ConnectionTracker;
    ConnectionTracker *tracker_ = nullptr;
    TrackerSlot *prev_ = nullptr;
    TrackerSlot *next_ = nullptr;
    Closable *owner_ = nullptr;
};

class ConnectionTracker {
public:
    // max_connections 0: unlimited.
    explicit ConnectionTracker(uint64_t max_connections) : max_(max_connections) {}

    // [any] Counts a new connection; an empty slot when the limit is reached or the server is stopping.
    TrackerSlot acquire();
    // [any] Open connections.
    uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    bool stopping() const { return stopping_.load(); }

    // [logic] Refuses new connections, aborts the open ones with `reason`, and calls on_empty (once,
    // from whichever thread closes the last connection, possibly inside this call) when none is left.
    void stop_all(const std::string &reason, std::function<void()> on_empty);

private:
    friend class TrackerSlot;
    // [mutex_ held]
    void link(TrackerSlot &s);
    void unlink(TrackerSlot &s);
    void release(TrackerSlot &s);
    // glibc keeps freed memory in its arenas; after a flood of connections has closed, return it.
    static void release_free_memory();
    static constexpr uint64_t kTrimAfterClosed = 1000;

    const uint64_t max_;
    mutable std::mutex mutex_;
    TrackerSlot *head_ = nullptr;  // every counted slot
    std::atomic<uint64_t> count_{0};
    uint64_t peak_ = 0;  // most connections since the last memory release
    std::atomic<bool> stopping_{false};
    std::function<void()> on_empty_;
    bool empty_reported_ = false;
};

}  // namespace shd::connector
