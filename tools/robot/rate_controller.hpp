// rate_controller.hpp - raises the sending rate of the "rate" step step by step and stops when a
// whole step breaks a stopWhen condition (after `retries` further tries of that level). It sees only
// merged per-second figures, so it works the same for one process and for a coordinator with agents
// (which forwards its level to them).
#pragma once

#include "scenario.hpp"
#include "snapshot.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace shd::robot {

struct RateStepResult {
    unsigned level = 0;
    double rate = 0;  // messages per second per sending user
    unsigned seconds = 0;
    uint64_t senders = 0;  // users sending at the end of the step
    uint64_t sent = 0;     // requests ok + failed + notifies in the step
    uint64_t pushes = 0;
    uint64_t request_p99_us = 0, push_p50_us = 0, push_p99_us = 0;
    double error_ratio = 0;
    double deliveries_per_second = 0;  // pushes received per second across all users
    bool met = false;                  // every stopWhen condition held
    std::string broken;                // which condition did not ("pushP99Ms"), when !met
};

class RateController {
public:
    explicit RateController(const RateSpec &spec) : spec_(spec) {}

    // Rate of a level: start * factor^level, at most maxRate.
    double rate_at(unsigned level) const;
    // Feeds one whole second of merged figures. Returns true when the level changed (read level()).
    bool on_second(const Snapshot &second);
    unsigned level() const { return level_; }
    bool stopped() const { return stopped_; }
    const std::vector<RateStepResult> &steps() const { return steps_; }
    // Deliveries per second of the last step that met every condition (0 when none did).
    double max_sustained_deliveries() const;
    double max_sustained_rate() const;

private:
    RateSpec spec_;
    bool started_ = false, stopped_ = false;
    unsigned level_ = 0, seconds_in_step_ = 0;
    unsigned failed_tries_ = 0;  // steps of the current level that broke a condition
    Snapshot step_;
    std::vector<RateStepResult> steps_;
};

}  // namespace shd::robot
