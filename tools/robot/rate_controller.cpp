// rate_controller.cpp - see rate_controller.hpp.
#include "rate_controller.hpp"

#include <algorithm>
#include <cmath>

namespace shd::robot {

double RateController::rate_at(unsigned level) const {
    return std::min(spec_.max_rate, spec_.start * std::pow(spec_.factor, double(level)));
}

bool RateController::on_second(const Snapshot &second) {
    if (stopped_) return false;
    if (!started_) {
        // The first second with a sender is partial (the sender arrived during it): not measured.
        started_ = second.rate_senders > 0;
        return false;
    }
    step_.merge(second);
    step_.rate_senders = second.rate_senders;
    if (++seconds_in_step_ < spec_.step_seconds) return false;

    RateStepResult r;
    r.level = level_;
    r.rate = rate_at(level_);
    r.seconds = seconds_in_step_;
    r.senders = step_.rate_senders;
    r.sent = step_.requests_ok + step_.requests_failed + step_.notifies;
    r.pushes = step_.pushes;
    r.request_p99_us = step_.request_us.percentile(0.99);
    r.push_p50_us = step_.push_us.percentile(0.50);
    r.push_p99_us = step_.push_us.percentile(0.99);
    uint64_t attempts = step_.requests_ok + step_.requests_failed;
    r.error_ratio = attempts ? double(step_.requests_failed) / double(attempts) : 0.0;
    r.deliveries_per_second = double(step_.pushes) / double(seconds_in_step_);
    r.met = true;
    if (spec_.stop_push_p99_ms > 0 && double(r.push_p99_us) > spec_.stop_push_p99_ms * 1000)
        r.met = false, r.broken = "pushP99Ms";
    if (spec_.stop_request_p99_ms > 0 && double(r.request_p99_us) > spec_.stop_request_p99_ms * 1000)
        r.met = false, r.broken = "requestP99Ms";
    if (spec_.stop_error_ratio > 0 && r.error_ratio > spec_.stop_error_ratio) r.met = false, r.broken = "errorRatio";
    steps_.push_back(r);
    step_ = Snapshot();
    seconds_in_step_ = 0;
    if (!r.met) {
        // The same level again while tries remain; the level does not change.
        if (++failed_tries_ > spec_.retries) stopped_ = true;
        return false;
    }
    failed_tries_ = 0;
    ++level_;
    return true;
}

double RateController::max_sustained_deliveries() const {
    double best = 0;
    for (auto &s : steps_)
        if (s.met) best = s.deliveries_per_second;
    return best;
}

double RateController::max_sustained_rate() const {
    double best = 0;
    for (auto &s : steps_)
        if (s.met) best = s.rate;
    return best;
}

}  // namespace shd::robot
