// cli.hpp - the modes of shaddock-robot (run locally, run as coordinator, agent) and what they share:
// the run options, the live progress line, writing the reports.
#pragma once

#include "report.hpp"
#include "scenario.hpp"

#include <atomic>
#include <string>
#include <vector>

namespace shd::robot {

// Exit codes (docs/robot.md): 0 the run completed without failures; 1 the robot could not run or
// finish (agent lost, report not written); 2 bad command line or scenario; 3 the run completed but
// connects, requests or waits failed.
enum Exit { kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitErrors = 3 };

struct RunOptions {
    std::string json_file, html_file;
    bool progress = false;  // forced on by --progress
    bool quiet = false;
    std::vector<std::string> agents;  // HOST:PORT of each agent; empty: run here
};

// Set by SIGINT/SIGTERM: the run stops early and still reports.
extern std::atomic<bool> g_interrupted;

class Progress {
public:
    explicit Progress(const RunOptions &o);
    void show(const TimelinePoint &p, uint64_t users_target);
    void finish();

private:
    bool enabled_ = false, tty_ = false, shown_ = false;
};

// Fills the report header from the scenario.
void describe(Report &r, const Scenario &s);
// Prints the text report and writes --json/--html; returns the exit code of the run.
int write_reports(const Report &r, const RunOptions &o);

int run_local(const Scenario &s, const RunOptions &o);
int run_coordinator(const Scenario &s, const RunOptions &o);
int run_agent(const std::string &listen, bool once, bool quiet);

}  // namespace shd::robot
