// The sync plugin's database thread: every `interval` (or at once when woken by a flush, a sync or
// the stop) it writes the queue to the database in batches of one transaction each. A database that
// cannot be reached keeps the writes queued and is tried again with a doubling backoff; a write the
// database refuses is dropped and reported. What it did is handed to `report`, on this thread.
#pragma once

#include "sync_database.hpp"
#include "write_queue.hpp"

#include <shaddock/abi.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shd::sync {

struct WorkerConfig {
    uint64_t interval_ms = 60000;
    size_t batch = 500;
    uint64_t retry_min_ms = 200, retry_max_ms = 10000;
    std::vector<std::string> init_sql;
};

// What one round of writing did, for the logic thread.
struct Report {
    struct Done {
        uint64_t ticket;
        shd_status status;
        std::string message;
    };
    struct Refused {
        std::string key, id, message;
    };
    std::vector<Done> done;        // flushes whose write is in (or refused)
    std::vector<Refused> refused;  // writes the database refused, dropped
    uint64_t watermark = 0;        // WriteQueue::watermark() after the round
    bool finished = false;         // the thread has ended (after stop(), once the queue was empty)
};

class SyncWorker {
public:
    using ReportFn = std::function<void(Report)>;                       // [database thread]
    using LogFn = std::function<void(int level, const std::string &)>;  // [database thread]

    SyncWorker(WriteQueue &queue, SyncDatabase &db, WorkerConfig config, ReportFn report, LogFn log);
    ~SyncWorker();

    void start();
    // Writes now instead of at the next interval (a backoff still runs its course).
    void wake();
    // Writes everything, then ends the thread, reporting `finished`. Writes keep being retried until
    // then: the host's stop deadline is the bound.
    void stop();
    void join();

    bool connected() const;
    uint64_t retries() const;

private:
    void run();
    bool round();    // false: the database was unreachable
    bool connect();  // connects when not connected; false (logged, reported) when unreachable
    bool unreachable(const std::string &message);  // logs and reports a failed attempt; false

    WriteQueue &queue_;
    SyncDatabase &db_;
    WorkerConfig config_;
    ReportFn report_;
    LogFn log_;
    std::thread thread_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool wake_ = false, stop_ = false;
    bool connected_ = false;
    uint64_t retries_ = 0;
    uint64_t failures_in_row_ = 0;
};

}  // namespace shd::sync
