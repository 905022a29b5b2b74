// The host's built-in "shd.metrics/1" service (shaddock/ext/metrics.h): the figures of this server
// process, declared by any module, updated lock-free from any thread, read as one JSON snapshot.
// Metrics live as long as the registry (the ServerRuntime), which outlives every module.
#pragma once

#include "log.hpp"

#include <shaddock/ext/metrics.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// One series (the C ABI's opaque handle). [any] for the atomics; the rest is fixed at declaration.
struct shd_metric {
    int32_t kind = 0;
    std::atomic<int64_t> value{0};                         // counters
    std::atomic<uint64_t> gauge_bits{0};                   // gauges: a double's bits (0.0), CAS-updated
    const std::vector<double> *bounds = nullptr;           // histograms: the family's bucket bounds
    std::unique_ptr<std::atomic<uint64_t>[]> bucket_hits;  // histograms: bounds->size() + 1 (+Inf)
    std::atomic<uint64_t> sum_bits{0};                     // the sum of observed values, a double's bits (CAS-updated)
};

namespace shd::host {

class MetricsRegistry {
public:
    explicit MetricsRegistry(Logger &log);

    // [logic] nullptr when refused (see shd_metrics_v1.declare).
    shd_metric *declare(const shd_metric_desc_v1 &desc);
    static void add(shd_metric *m, int64_t delta);
    static void set(shd_metric *m, double value);
    static void observe(shd_metric *m, double value);
    // [logic] The snapshot JSON of shd_metrics_v1.snapshot.
    std::string snapshot_json() const;

    const shd_metrics_v1 *vtable() const { return &vtable_; }

    // Where the table's entries report a failure (shaddock/cpp/service.hpp asks for host().error()).
    struct Reporter {
        Logger &log;
        void error(std::string_view message) const { log.write(Level::error, "host", message); }
    };
    Reporter host() const { return Reporter{log_}; }

private:
    struct Family {
        int32_t kind = 0;
        std::string help, label;
        std::vector<double> bounds;
        std::map<std::string, std::unique_ptr<shd_metric>> series;  // by label value
    };

    Logger &log_;
    std::map<std::string, Family> families_;  // [logic]
    shd_metrics_v1 vtable_{};
};

// Prometheus' rules: a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*, a label name [a-zA-Z_][a-zA-Z0-9_]*.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

}  // namespace shd::host
