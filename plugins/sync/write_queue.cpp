#include "write_queue.hpp"

#include <algorithm>

namespace shd::sync {

shd_status WriteQueue::put(Write w) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string key = index_key(w);
    auto found = index_.find(key);
    if (found != index_.end()) {
        Write &queued = *found->second;
        queued.params = std::move(w.params);  // the last value wins; the first change's seq stays
        queued.tickets.insert(queued.tickets.end(), w.tickets.begin(), w.tickets.end());
        ++next_seq_;
        ++figures_.accepted;
        ++figures_.merged;
        return SHD_OK;
    }
    if (queued_.size() + writing_ >= max_) {
        ++figures_.busy;
        return SHD_ERR_BUSY;
    }
    w.seq = next_seq_++;
    queued_.push_back(std::move(w));
    index_.emplace(std::move(key), std::prev(queued_.end()));
    ++figures_.accepted;
    return SHD_OK;
}

uint64_t WriteQueue::last_seq() const {
    std::lock_guard<std::mutex> lock(mu_);
    return next_seq_ - 1;
}

bool WriteQueue::idle() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queued_.empty() && writing_ == 0;
}

QueueFigures WriteQueue::figures() const {
    std::lock_guard<std::mutex> lock(mu_);
    QueueFigures f = figures_;
    f.queued = queued_.size();
    f.writing = writing_;
    return f;
}

std::vector<Write> WriteQueue::take(size_t max) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Write> out;
    out.reserve(std::min(max, queued_.size()));
    while (!queued_.empty() && out.size() < max) {
        index_.erase(index_key(queued_.front()));
        out.push_back(std::move(queued_.front()));
        queued_.pop_front();
    }
    writing_ = out.size();
    writing_min_seq_ = out.empty() ? 0 : out.front().seq;
    return out;
}

void WriteQueue::finished(size_t written, size_t refused) {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = 0;
    figures_.written += written;
    figures_.refused += refused;
}

void WriteQueue::give_back(std::vector<Write> writes) {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = 0;
    // Back to front, each to the front of the queue: the old order is kept, and the queue stays
    // ordered by seq (every write taken is older than every write still queued).
    for (auto it = writes.rbegin(); it != writes.rend(); ++it) {
        Write &old = *it;
        std::string key = index_key(old);
        auto found = index_.find(key);
        if (found != index_.end()) {  // a newer value was put meanwhile: it wins, with the older seq
            Write &newer = *found->second;
            newer.seq = std::min(newer.seq, old.seq);
            newer.tickets.insert(newer.tickets.begin(), old.tickets.begin(), old.tickets.end());
            queued_.splice(queued_.begin(), queued_, found->second);
            continue;
        }
        queued_.push_front(std::move(old));
        index_.emplace(std::move(key), queued_.begin());
    }
}

uint64_t WriteQueue::watermark() const {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t mark = next_seq_;
    if (!queued_.empty()) mark = std::min(mark, queued_.front().seq);
    if (writing_) mark = std::min(mark, writing_min_seq_);
    return mark;
}

}  // namespace shd::sync
