// The sync plugin's queue of writes, shared by the logic thread (put, idle, stats) and the database
// thread (take, finished, give_back). Writes merge by (key, id): a queued write takes the newer
// value, so only the latest value of an object reaches the database. Thread-safe (one mutex).
#pragma once

#include "sync_statement.hpp"

#include <shaddock/abi.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace shd::sync {

struct Write {
    std::shared_ptr<const Writer> writer;
    std::string id;
    Params params;
    // The first change of this (key, id) not yet in the database: a merge keeps it, so the queue
    // stays ordered by it and "everything queued before change N is written" can be told (watermark).
    uint64_t seq = 0;
    std::vector<uint64_t> tickets;  // flushes waiting for this write
};

struct QueueFigures {
    size_t queued = 0, writing = 0;
    uint64_t accepted = 0, merged = 0, written = 0, refused = 0, busy = 0;
};

class WriteQueue {
public:
    explicit WriteQueue(size_t max_writes) : max_(max_writes) {}

    // [logic] Queues w, or merges it into the queued write of the same (key, id). SHD_ERR_BUSY when
    // queued plus being written reach the bound and nothing of this (key, id) is queued.
    shd_status put(Write w);
    // [logic] The number of the last change put (a sync waits for the watermark to pass it).
    uint64_t last_seq() const;
    // [any] Nothing queued, nothing being written.
    bool idle() const;
    QueueFigures figures() const;

    // [database] Moves up to `max` writes, oldest first, to "being written".
    std::vector<Write> take(size_t max);
    // [database] The writes taken last are done: `written` in the database, `refused` dropped.
    void finished(size_t written, size_t refused);
    // [database] The writes taken last could not be written (the database is unreachable): queued
    // again in front, each merged with a newer value of its (key, id) put meanwhile.
    void give_back(std::vector<Write> writes);
    // [any] Every change numbered below it is in the database (or was refused).
    uint64_t watermark() const;

private:
    static std::string index_key(const Write &w) { return w.writer->key + '\0' + w.id; }

    mutable std::mutex mu_;
    size_t max_;
    std::list<Write> queued_;  // ordered by seq
    std::unordered_map<std::string, std::list<Write>::iterator> index_;
    size_t writing_ = 0;
    uint64_t writing_min_seq_ = 0;
    uint64_t next_seq_ = 1;
    QueueFigures figures_;
};

}  // namespace shd::sync
