#include "sync_worker.hpp"

#include <algorithm>
#include <chrono>

namespace shd::sync {

using Clock = std::chrono::steady_clock;

SyncWorker::SyncWorker(WriteQueue &queue, SyncDatabase &db, WorkerConfig config, ReportFn report, LogFn log)
    : queue_(queue), db_(db), config_(std::move(config)), report_(std::move(report)), log_(std::move(log)) {}

SyncWorker::~SyncWorker() {
    stop();
    join();
}

void SyncWorker::start() {
    thread_ = std::thread([this] { run(); });
}

void SyncWorker::wake() {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
    cv_.notify_one();
}

void SyncWorker::stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_one();
}

void SyncWorker::join() {
    if (thread_.joinable()) thread_.join();
}

bool SyncWorker::connected() const {
    std::lock_guard<std::mutex> lock(mu_);
    return connected_;
}

uint64_t SyncWorker::retries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return retries_;
}

void SyncWorker::run() {
    auto next_round = Clock::now() + std::chrono::milliseconds(config_.interval_ms);
    uint64_t backoff_ms = 0;
    Clock::time_point retry_at{};
    // Connect (and run the init statements) at once, writing nothing: a database that is down shows
    // at start, and the schema is there before the first interval.
    if (!connect()) {
        backoff_ms = config_.retry_min_ms;
        retry_at = Clock::now() + std::chrono::milliseconds(backoff_ms);
    }
    for (;;) {
        bool stopping;
        {
            std::unique_lock<std::mutex> lock(mu_);
            for (;;) {
                auto now = Clock::now();
                if (backoff_ms) {  // the database failed: only the backoff decides when to try again
                    if (now >= retry_at) break;
                    cv_.wait_until(lock, retry_at);
                    continue;
                }
                if (stop_ || wake_ || now >= next_round) break;
                cv_.wait_until(lock, next_round);
            }
            wake_ = false;
            stopping = stop_;
        }
        next_round = Clock::now() + std::chrono::milliseconds(config_.interval_ms);
        if (stopping && queue_.idle()) break;  // nothing to write: the database is not needed
        if (round()) {
            backoff_ms = 0;
            if (stopping && queue_.idle()) break;
        } else {
            backoff_ms = backoff_ms ? std::min(backoff_ms * 2, config_.retry_max_ms) : config_.retry_min_ms;
            retry_at = Clock::now() + std::chrono::milliseconds(backoff_ms);
            std::lock_guard<std::mutex> lock(mu_);
            ++retries_;
        }
    }
    Report last;
    last.watermark = queue_.watermark();
    last.finished = true;
    report_(std::move(last));
}

bool SyncWorker::unreachable(const std::string &message) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        connected_ = false;
    }
    QueueFigures f = queue_.figures();
    // The first failure in a row is a warning; the next ones are repeated at debug level only.
    log_(failures_in_row_++ ? SHD_LOG_DEBUG : SHD_LOG_WARN, "database unreachable (" + message + "); " +
                                                                std::to_string(f.queued) +
                                                                " write(s) kept and retried with backoff");
    Report r;
    r.watermark = queue_.watermark();
    report_(std::move(r));
    return false;
}

bool SyncWorker::connect() {
    if (db_.connected()) return true;
    try {
        db_.connect(config_.init_sql);
    } catch (const Unreachable &e) {
        return unreachable(e.message);
    }
    {
        std::lock_guard<std::mutex> lock(mu_);
        connected_ = true;
    }
    log_(SHD_LOG_INFO, failures_in_row_ ? "database reachable again after " + std::to_string(failures_in_row_) +
                                              " failed attempt(s); writing the queued writes"
                                        : std::string("database connected"));
    failures_in_row_ = 0;
    return true;
}

bool SyncWorker::round() {
    if (!connect()) return false;
    for (;;) {
        std::vector<Write> batch = queue_.take(config_.batch);
        if (batch.empty()) break;
        Report r;
        size_t refused = 0;
        for (;;) {
            std::optional<SyncDatabase::Refusal> refusal;
            try {
                refusal = db_.write(batch);
            } catch (const Unreachable &e) {
                queue_.give_back(std::move(batch));
                // Refusals found before the connection dropped are final: report them.
                if (refused) {
                    queue_.finished(0, refused);
                    r.watermark = queue_.watermark();
                    report_(std::move(r));
                }
                return unreachable(e.message);
            }
            if (!refusal) break;
            // The database refused one write: drop it, report it, write the others again.
            Write bad = std::move(batch[refusal->index]);
            batch.erase(batch.begin() + static_cast<std::ptrdiff_t>(refusal->index));
            ++refused;
            r.refused.push_back({bad.writer->key, bad.id, refusal->message});
            for (uint64_t t : bad.tickets) r.done.push_back({t, SHD_ERR_INVALID, refusal->message});
            if (batch.empty()) break;
        }
        for (const Write &w : batch)
            for (uint64_t t : w.tickets) r.done.push_back({t, SHD_OK, {}});
        queue_.finished(batch.size(), refused);
        r.watermark = queue_.watermark();
        report_(std::move(r));
    }
    Report r;
    r.watermark = queue_.watermark();
    report_(std::move(r));
    return true;
}

}  // namespace shd::sync
