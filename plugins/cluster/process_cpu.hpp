// The process's CPU time, for the servers' reports (server_stats.hpp) and nodeInfo (console_modules.cpp).
#pragma once

#include <time.h>

namespace shd::cluster {

// This process's CPU time, user and system, every thread: exact (the scheduler's own count), where
// /proc's clock ticks round a quiet server's few milliseconds down to 0.
inline double process_cpu_seconds() {
    timespec ts{};
    if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace shd::cluster
