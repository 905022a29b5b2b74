// runner.hpp - the virtual users of one robot process: a client Loop with the scenario's threads,
// users [first, first+count) of the scenario's index space, each running the script. The figures are
// collected per loop thread and taken once per second by the driver (drive()).
#pragma once

#include "scenario.hpp"
#include "snapshot.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace shd::robot {

class Runner {
public:
    // total_users is the scenario's whole user count (${users}); first/count select this process's share.
    Runner(const Scenario &scenario, uint64_t first_index, uint64_t count, uint64_t total_users);
    ~Runner();
    Runner(const Runner &) = delete;
    Runner &operator=(const Runner &) = delete;

    // Starts the ramp: user `i` connects i/rampPerSecond seconds from now.
    void start();
    // The figures since the previous call (all threads merged), with the gauges of now.
    Snapshot take_interval();
    // The rate controller's level for "rate" steps (thread-safe).
    void set_level(unsigned level);
    // True when every user has finished: failed to connect, lost its connection, or ended its script
    // without stayConnected.
    bool all_done() const;
    // Ends every user and joins the loop threads. Figures after this call are not recorded.
    void stop();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// Calls on_second(n, figures of second n) at start + n seconds (n = 1, 2, ...) until the scenario's
// duration has passed, every user is done, `interrupt` becomes true, or on_second returns false.
// Then stops the runner; `rest` receives the figures of the last partial second. Returns why it ended:
// "duration", "all users done", "interrupted" or "stopped".
std::string drive(Runner &runner, double duration_seconds,
                  const std::function<bool(unsigned, const Snapshot &)> &on_second, const std::atomic<bool> &interrupt,
                  Snapshot &rest, double &elapsed_seconds);

}  // namespace shd::robot
