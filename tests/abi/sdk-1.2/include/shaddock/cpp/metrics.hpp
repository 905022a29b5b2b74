// shaddock/cpp/metrics.hpp - this server's figures over the host's built-in "shd.metrics/1" service
// (shaddock/ext/metrics.h): counters, gauges and fixed-bucket histograms, sent to the master and
// served as Prometheus text there.
//
//   shd::Metrics metrics(host());
//   shd::Metric sent = metrics.counter("shaddock_pushes_sent", "pushes handed to a connection");
//   shd::Metric took = metrics.histogram("shaddock_request_duration_seconds", "request latency",
//                                        shd::Metrics::latency_buckets(), "route", "chat.chatHandler.send");
//   sent.add();              // [any thread]
//   took.observe(0.0031);    // seconds
//
// A Metric is a small copyable handle; an empty one (a host without the service) does nothing, so
// code never checks. Declaring is [logic]; add/set/observe are [any].
#pragma once

#include <shaddock/ext/metrics.h>
#include <shaddock/cpp/host.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shd {

class Metric {
public:
    Metric() = default;
    Metric(const shd_metrics_v1 *vt, void *ctx, shd_metric *m) : vt_(vt), ctx_(ctx), m_(m) {}

    void add(int64_t delta = 1) const {
        if (m_) vt_->add(ctx_, m_, delta);
    }
    void set(double value) const {
        if (m_) vt_->set(ctx_, m_, value);
    }
    void observe(double value) const {
        if (m_) vt_->observe(ctx_, m_, value);
    }
    explicit operator bool() const { return m_ != nullptr; }

private:
    const shd_metrics_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
    shd_metric *m_ = nullptr;
};

class Metrics {
public:
    // Without the service (a host older than this SDK's metrics) every metric is an empty handle.
    explicit Metrics(const Host &host) {
        auto found = host.find<shd_metrics_v1>(SHD_METRICS_SERVICE_ID);
        vt_ = found.first;
        ctx_ = found.second;
    }
    bool available() const { return vt_ != nullptr; }

    // Throw shd::Error(SHD_ERR_INVALID) for a bad name or a family declared differently before.
    Metric counter(std::string_view name, std::string_view help, std::string_view label_name = {},
                   std::string_view label_value = {}) const {
        return declare(SHD_METRIC_COUNTER, name, help, label_name, label_value, nullptr);
    }
    Metric gauge(std::string_view name, std::string_view help, std::string_view label_name = {},
                 std::string_view label_value = {}) const {
        return declare(SHD_METRIC_GAUGE, name, help, label_name, label_value, nullptr);
    }
    Metric histogram(std::string_view name, std::string_view help, const std::vector<double> &buckets,
                     std::string_view label_name = {}, std::string_view label_value = {}) const {
        return declare(SHD_METRIC_HISTOGRAM, name, help, label_name, label_value, &buckets);
    }

    // [logic] Every family as JSON (the layout is in shaddock/ext/metrics.h); "[]" without the service.
    std::string snapshot() const {
        std::string out = "[]";
        if (vt_)
            vt_->snapshot(
                ctx_, [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data ? t.data : "", t.size); },
                &out);
        return out;
    }

    // Latency buckets in seconds, 0.5 ms to 10 s: the project's request and RPC histograms use these.
    static const std::vector<double> &latency_buckets() {
        static const std::vector<double> b{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,    0.25,  0.5,    1,     2.5,  5,     10};
        return b;
    }

private:
    Metric declare(int32_t kind, std::string_view name, std::string_view help, std::string_view label_name,
                   std::string_view label_value, const std::vector<double> *buckets) const {
        if (!vt_) return {};
        shd_metric_desc_v1 d{};
        stamp(d);
        d.kind = kind;
        d.name = to_shd(name);
        d.help = to_shd(help);
        d.label_name = to_shd(label_name);
        d.label_value = to_shd(label_value);
        if (buckets) {
            d.buckets = buckets->data();
            d.bucket_count = buckets->size();
        }
        shd_metric *m = nullptr;
        shd_status s = vt_->declare(ctx_, &d, &m);
        if (s != SHD_OK || !m)
            throw Error(s == SHD_OK ? SHD_ERR_INTERNAL : s,
                        "metric " + std::string(name) +
                            ": refused (a bad name, label or bucket list, or the family was declared otherwise)");
        return Metric(vt_, ctx_, m);
    }

    const shd_metrics_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
};

}  // namespace shd
