// Merged writes/s of the sync plugin (plugins/sync): the queue and the database thread the plugin
// runs, without a host. Each round queues `execs` writes of a player upsert spread over `ids`
// players (pomelo-sync's exec: merged by id), then wakes the database thread and times until the
// queue is empty: the rows it wrote per second is the figure. exec/s (the logic thread's cost) is
// printed too. One JSON line per database at the end, for bench/sync/run.js.
//
//   shd_sync_bench sqlite <file> [execs ids rounds batch]
//   shd_sync_bench postgresql "<libpq conninfo without the password>" [execs ids rounds batch]
// PostgreSQL's password comes from PGPASSWORD (libpq reads it), never from the command line.
#include "sync_database.hpp"
#include "sync_statement.hpp"
#include "sync_worker.hpp"
#include "write_queue.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>

using namespace shd::sync;
using Clock = std::chrono::steady_clock;

namespace {

const char *kSchema[] = {
    "CREATE TABLE IF NOT EXISTS bench_player (id TEXT PRIMARY KEY, name TEXT NOT NULL, x BIGINT, y BIGINT, n BIGINT)",
    "DELETE FROM bench_player"};
const char *kSave =
    "INSERT INTO bench_player (id, name, x, y, n) VALUES (:id, :name, :x, :y, :n) ON CONFLICT (id) DO UPDATE SET "
    "name = excluded.name, x = excluded.x, y = excluded.y, n = excluded.n";

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 3) {
        std::cerr << "usage: " << argv[0] << " sqlite|postgresql <file|conninfo> [execs ids rounds batch]\n";
        return 2;
    }
    const std::string kind = argv[1];
    const Dialect dialect = kind == "postgresql" ? Dialect::postgresql : Dialect::sqlite;
    const long execs = argc > 3 ? std::atol(argv[3]) : 200000;
    const long ids = argc > 4 ? std::atol(argv[4]) : 10000;
    const int rounds = argc > 5 ? std::atoi(argv[5]) : 3;
    const size_t batch = argc > 6 ? static_cast<size_t>(std::atol(argv[6])) : 500;

    WriteQueue queue(static_cast<size_t>(ids));
    SyncDatabase db(dialect, argv[2], "", 5);
    WorkerConfig config;
    config.interval_ms = 3600000;  // only wake() writes
    config.batch = batch;
    config.init_sql = {kSchema[0], kSchema[1]};
    std::atomic<uint64_t> reports{0};
    SyncWorker worker(
        queue, db, config, [&](Report) { ++reports; },
        [](int level, const std::string &line) {
            if (level >= SHD_LOG_WARN) std::cerr << line << "\n";
        });
    auto writer = std::make_shared<const Writer>(parse_writer("bench.save", kSave, dialect));
    worker.start();
    for (int i = 0; i < 500 && !worker.connected(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!worker.connected()) {
        std::cerr << "cannot reach the database\n";
        return 1;
    }

    std::mt19937_64 rng(42);
    std::uniform_int_distribution<long> pick(0, ids - 1);
    double best_writes = 0, best_execs = 0;
    uint64_t written_total = 0, merged_total = 0;
    for (int round = 0; round < rounds; ++round) {
        uint64_t written_before = queue.figures().written;
        auto t0 = Clock::now();
        for (long n = 0; n < execs; ++n) {
            std::string id = "p" + std::to_string(pick(rng));
            Write w;
            w.writer = writer;
            w.id = id;
            w.params = {Param(id), Param("player " + id), Param(int64_t(n)), Param(int64_t(-n)), Param(int64_t(n))};
            if (queue.put(std::move(w)) != SHD_OK) {
                std::cerr << "busy at " << n << "\n";
                return 1;
            }
        }
        double exec_s = seconds_since(t0);
        size_t queued = queue.figures().queued;
        auto t1 = Clock::now();
        worker.wake();
        while (!queue.idle()) std::this_thread::sleep_for(std::chrono::microseconds(200));
        double write_s = seconds_since(t1);
        // The thread looks once more for writes after its last batch: let it, untimed, so the next
        // round's writes are not taken by this round's pass.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        uint64_t written = queue.figures().written - written_before;
        written_total += written;
        merged_total += static_cast<uint64_t>(execs) - queued;
        best_writes = std::max(best_writes, static_cast<double>(written) / write_s);
        best_execs = std::max(best_execs, static_cast<double>(execs) / exec_s);
        std::printf(
            "%-10s round %d: %ld execs over %ld ids -> %zu writes; exec %.0f/s; written in %.3f s: %.0f "
            "merged writes/s\n",
            kind.c_str(), round + 1, execs, ids, queued, static_cast<double>(execs) / exec_s, write_s,
            static_cast<double>(written) / write_s);
        if (written != queued) {
            std::cerr << "wrote " << written << " of " << queued << " writes\n";
            return 1;
        }
    }
    worker.stop();
    worker.join();
    std::printf(
        "{\"database\":\"%s\",\"execs\":%ld,\"ids\":%ld,\"rounds\":%d,\"batch\":%zu,\"written\":%llu,"
        "\"merged\":%llu,\"writesPerSecond\":%.0f,\"execsPerSecond\":%.0f}\n",
        kind.c_str(), execs, ids, rounds, batch, static_cast<unsigned long long>(written_total),
        static_cast<unsigned long long>(merged_total), best_writes, best_execs);
    return 0;
}
