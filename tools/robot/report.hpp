// report.hpp - the figures of a whole run (one process, or merged from agents) and their three
// renderings: text for stdout, JSON for scripts, a self-contained HTML page with charts.
#pragma once

#include "rate_controller.hpp"
#include "snapshot.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace shd::robot {

// One second of the run, reduced to what a timeline needs.
struct TimelinePoint {
    unsigned second = 0;  // 1 = the first second of the run
    uint64_t users = 0;
    uint64_t requests_ok = 0, requests_failed = 0, notifies = 0, pushes = 0, errors = 0;
    uint64_t connects_ok = 0, connects_failed = 0;
    uint64_t request_p50_us = 0, request_p99_us = 0, request_max_us = 0;
    uint64_t push_p50_us = 0, push_p99_us = 0;
};

TimelinePoint timeline_point(unsigned second, const Snapshot &s);

struct CpuTimes {
    double user_seconds = 0, system_seconds = 0;
};
// This process's CPU time so far (getrusage).
CpuTimes process_cpu();

struct AgentSummary {
    std::string address;
    uint64_t first_index = 0, users = 0;
    Snapshot total;
    CpuTimes cpu;
    std::string error;  // empty when the agent finished normally
};

struct Report {
    // What ran.
    std::string name, file, transport, host;
    uint16_t port = 0;
    uint64_t users = 0;
    unsigned threads = 0;
    double duration_seconds = 0;  // asked for
    double elapsed_seconds = 0;   // measured
    // What happened.
    Snapshot total;
    uint64_t peak_users = 0;
    std::vector<TimelinePoint> timeline;
    CpuTimes cpu;  // of the robot: this process plus every agent
    bool has_rate = false;
    std::vector<RateStepResult> rate_steps;
    double max_sustained_deliveries = 0, max_sustained_rate = 0;
    std::string stopped_by;  // "duration", "scripts done", a stopWhen key, "interrupted"
    std::vector<AgentSummary> agents;

    // Appends one merged second to the timeline and the totals.
    void add_second(const Snapshot &second);
    // 0: no failures; 3: the run completed with failures (connects, requests, waits).
    int exit_code() const { return total.error_count() ? 3 : 0; }
};

std::string report_json(const Report &r);
std::string report_text(const Report &r);
std::string report_html(const Report &r);
// The live one-line status: "[  12s] users 100/100  req/s 4512  push/s 0  p50 1.20 ms  p99 3.41 ms  err 0".
std::string progress_line(const TimelinePoint &p, uint64_t users_target);

}  // namespace shd::robot
