// This server's report to the master: every `interval` ms, the snapshot of its "shd.metrics/1"
// figures (the cluster plugin's own included: the logic loop's lag, the process's CPU time and
// resident memory). The lag is sampled with shd::LagMeter (toobusy's measure)
// every 50 ms and reported as the largest lag of the interval. [logic]
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/lag_meter.hpp>
#include <shaddock/cpp/metrics.hpp>

#include "process_cpu.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <string>

#include <unistd.h>

namespace shd::cluster {

class ServerStats {
public:
    explicit ServerStats(const Host &host) : host_(host), metrics_(host), meter_(kSampleMs, host.now_ms()) {
        lag_ = metrics_.gauge("shaddock_logic_lag_seconds",
                              "largest lag of the logic loop (how late a 50 ms timer ran) in the last report interval");
        cpu_ = metrics_.gauge("shaddock_process_cpu_seconds",
                              "CPU time this server process used since it started "
                              "(user and system)");
        rss_ = metrics_.gauge("shaddock_process_resident_memory_bytes", "resident memory of this server process");
    }
    ~ServerStats() { stop(); }

    // Starts sampling; every interval_ms (0: never) `report` gets the snapshot JSON.
    void start(uint64_t interval_ms, std::function<void(const std::string &)> report) {
        sampler_ = host_.every(kSampleMs, [this] {
            const uint64_t now = host_.now_ms();
            meter_.tick(now);
            worst_ms_ = std::max(worst_ms_, meter_.lag(now));
        });
        if (interval_ms == 0) return;
        reporter_ = host_.every(interval_ms, [this, report = std::move(report)] {
            publish_lag();
            report(metrics_.snapshot());
        });
    }
    void stop() {
        if (sampler_) host_.cancel(sampler_);
        if (reporter_) host_.cancel(reporter_);
        sampler_ = reporter_ = 0;
    }

    // This process's snapshot now (the master's own figures).
    std::string snapshot() {
        publish_lag();
        return metrics_.snapshot();
    }

private:
    static constexpr uint64_t kSampleMs = 50;

    void publish_lag() {
        lag_.set(static_cast<double>(std::max(worst_ms_, meter_.lag(host_.now_ms()))) / 1000.0);
        worst_ms_ = 0;
        cpu_.set(process_cpu_seconds());
        // /proc/self/statm: the size, then the resident set, in pages.
        std::ifstream in("/proc/self/statm");
        double size_pages = 0, rss_pages = 0;
        const long page = ::sysconf(_SC_PAGESIZE);
        if (in >> size_pages >> rss_pages && page > 0) rss_.set(rss_pages * static_cast<double>(page));
    }

    Host host_;
    Metrics metrics_;
    Metric lag_, cpu_, rss_;
    LagMeter meter_;
    uint64_t worst_ms_ = 0;
    uint64_t sampler_ = 0, reporter_ = 0;
};

}  // namespace shd::cluster
