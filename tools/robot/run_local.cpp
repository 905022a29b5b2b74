// run_local.cpp - `shaddock-robot run` without agents: every user in this process.
#include "cli.hpp"
#include "rate_controller.hpp"
#include "runner.hpp"

namespace shd::robot {

int run_local(const Scenario &s, const RunOptions &o) {
    Report report;
    describe(report, s);
    Progress progress(o);
    RateController controller(s.rate);
    CpuTimes cpu0 = process_cpu();
    Runner runner(s, 0, s.users, s.users);
    Snapshot rest;
    double elapsed = 0;
    std::string why = drive(
        runner, s.duration_seconds,
        [&](unsigned, const Snapshot &second) {
            report.add_second(second);
            progress.show(report.timeline.back(), s.users);
            if (!s.has_rate) return true;
            if (controller.on_second(second)) runner.set_level(controller.level());
            return !controller.stopped();
        },
        g_interrupted, rest, elapsed);
    progress.finish();
    report.add_second(rest);
    report.elapsed_seconds = elapsed;
    report.stopped_by = why == "stopped" && !controller.steps().empty() ? controller.steps().back().broken : why;
    CpuTimes cpu1 = process_cpu();
    report.cpu.user_seconds = cpu1.user_seconds - cpu0.user_seconds;
    report.cpu.system_seconds = cpu1.system_seconds - cpu0.system_seconds;
    if (s.has_rate) {
        report.rate_steps = controller.steps();
        report.max_sustained_deliveries = controller.max_sustained_deliveries();
        report.max_sustained_rate = controller.max_sustained_rate();
    }
    return write_reports(report, o);
}

}  // namespace shd::robot
