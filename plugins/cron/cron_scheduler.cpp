#include "cron_scheduler.hpp"

#include <shaddock/cpp/handler.hpp>

#include <algorithm>
#include <chrono>
#include <set>

namespace shd::cron {

int64_t wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

shd_status CronScheduler::add_action(std::string_view name, shd_cron_action_fn fn, void *user_data) {
    if (!fn || !valid_action_name(name)) return SHD_ERR_INVALID;
    return actions_.emplace(std::string(name), Action{fn, user_data}).second ? SHD_OK : SHD_ERR_EXISTS;
}

void CronScheduler::add(std::vector<CronEntry> entries) {
    std::set<std::string> ids;
    for (const auto &e : entries) {
        if (jobs_.count(e.id) || !ids.insert(e.id).second)
            throw Error(SHD_ERR_EXISTS, "cron id " + e.id + " is already scheduled");
    }
    for (auto &e : entries) {
        std::string id = e.id;
        Job &job = jobs_.emplace(id, Job{std::move(e), 0, std::nullopt, false}).first->second;
        if (running_) arm(job, static_cast<std::time_t>(wall_ms() / 1000));
    }
}

bool CronScheduler::remove(const std::string &id) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return false;
    if (it->second.timer) host_.cancel(it->second.timer);
    jobs_.erase(it);
    return true;
}

void CronScheduler::start() {
    running_ = true;
    auto now = static_cast<std::time_t>(wall_ms() / 1000);
    for (auto &[id, job] : jobs_) arm(job, now);
}

void CronScheduler::stop() {
    running_ = false;
    for (auto &[id, job] : jobs_) {
        if (job.timer) host_.cancel(job.timer);
        job.timer = 0;
    }
}

// Arms the job for its first matching second after `after`.
void CronScheduler::arm(Job &job, std::time_t after) {
    job.timer = 0;
    job.next = job.entry.expression.next_after(after);
    if (!job.next) {
        host_.warn("cron " + job.entry.id + " (" + job.entry.time + "): no future time matches; it will not run again");
        return;
    }
    int64_t delay = static_cast<int64_t>(*job.next) * 1000 - wall_ms();
    job.timer = host_.after(static_cast<uint64_t>(std::max<int64_t>(delay, 0)),
                            [this, id = job.entry.id, target = *job.next] { due(id, target); });
}

void CronScheduler::due(const std::string &id, std::time_t target) {
    auto it = jobs_.find(id);
    if (it == jobs_.end() || !running_ || it->second.next != target) return;
    int64_t early = static_cast<int64_t>(target) * 1000 - wall_ms();
    if (early > 2) {  // the monotonic timer ran ahead of the wall clock (a clock step): wait the rest
        it->second.timer = host_.after(static_cast<uint64_t>(early), [this, id, target] { due(id, target); });
        return;
    }
    it->second.timer = 0;
    std::string action = it->second.entry.action, json = it->second.entry.json;
    auto found = actions_.find(action);
    if (found == actions_.end()) {
        if (!it->second.warned)
            host_.warn("cron " + id + ": action " + action + " is not registered by the app; skipped");
        it->second.warned = true;
    } else {
        found->second.fn(found->second.user_data, to_shd(json));
    }
    // The action may have removed or replaced this cron; look it up again. A run that came late (a busy
    // logic thread) is followed by the next due second, not by every second it missed.
    it = jobs_.find(id);
    if (it == jobs_.end() || !running_ || it->second.timer) return;
    auto now = static_cast<std::time_t>(wall_ms() / 1000);
    arm(it->second, std::max(target, now - 1));
}

std::string CronScheduler::list_json() const {
    std::string out = "[";
    for (const auto &[id, job] : jobs_) {
        if (out.size() > 1) out += ",";
        out += R"({"id":)" + id + R"(,"time":)" + json_quote(job.entry.time) + R"(,"action":)" +
               json_quote(job.entry.action) + R"(,"next":)" +
               (job.next && running_ ? std::to_string(static_cast<int64_t>(*job.next) * 1000) : std::string("null")) +
               "}";
    }
    return out + "]";
}

std::vector<std::string> CronScheduler::actions_of_crons() const {
    std::set<std::string> out;
    for (const auto &[id, job] : jobs_) out.insert(job.entry.action);
    return {out.begin(), out.end()};
}

}  // namespace shd::cron
