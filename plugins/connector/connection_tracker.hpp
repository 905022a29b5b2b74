// Counts and finds every open client connection (from accept to close), enforces max-connections,
// and at stop aborts them all and reports when the last one is gone. Thread-safe: connections come
// and go on several I/O threads while the logic thread asks for counts or stops.
#pragma once

#include <shaddock/cpp/metrics.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

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

// Limits per peer address, checked at accept.
struct PeerLimits {
    uint64_t max_connections = 0;  // open connections per IP; 0: unlimited
    double connect_rate = 0;       // new connections per second per IP (token bucket); 0: unlimited
    double connect_burst = 0;
};

// Why acquire() refused a connection.
enum class Refusal { none, stopping, max_connections, max_per_ip, connect_rate };

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

    // Limits per peer address, checked at accept.
    struct PeerLimits {
        uint64_t max_connections = 0;  // open connections per IP; 0: unlimited
        double connect_rate = 0;       // new connections per second per IP (token bucket); 0: unlimited
        double connect_burst = 0;
    };

    // Why acquire() refused a connection.
    enum class Refusal { none, stopping, max_connections, max_per_ip, connect_rate };
    ConnectionTracker *tracker_ = nullptr;
    TrackerSlot *prev_ = nullptr;
    TrackerSlot *next_ = nullptr;
    Closable *owner_ = nullptr;
    void *peer_ = nullptr;  // the tracker's per-IP entry, counted while the slot is
};

class ConnectionTracker {
public:
    // max_connections 0: unlimited.
    explicit ConnectionTracker(uint64_t max_connections, PeerLimits peer_limits = {})
        : max_(max_connections), peer_limits_(peer_limits) {}

    // [any] Counts a new connection from `ip`; an empty slot (and why, in `refused`) when a limit is
    // reached or the server is stopping.
    TrackerSlot acquire(const std::string &ip = {}, Refusal *refused = nullptr);
    // [any] Open connections.
    uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    // Before the first acquire: a gauge that follows count().
    void count_into(Metric gauge) { open_gauge_ = gauge; }
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

    // Per-IP bookkeeping, [mutex_ held]. An entry lives while it has connections or its bucket is
    // not yet full again, so the table holds only recently active addresses.
    struct Peer {
        uint64_t open = 0;
        double tokens = 0;
        std::chrono::steady_clock::time_point refilled{};
    };
    Refusal admit_peer(const std::string &ip, Peer *&peer);
    void forget_idle_peers(std::chrono::steady_clock::time_point now);

    const uint64_t max_;
    const PeerLimits peer_limits_;
    std::unordered_map<std::string, Peer> peers_;
    size_t peers_swept_at_ = 1024;  // table size that triggers the next sweep
    mutable std::mutex mutex_;
    TrackerSlot *head_ = nullptr;  // every counted slot
    std::atomic<uint64_t> count_{0};
    Metric open_gauge_;
    uint64_t peak_ = 0;  // most connections since the last memory release
    std::atomic<bool> stopping_{false};
    std::function<void()> on_empty_;
    bool empty_reported_ = false;
};

}  // namespace shd::connector
