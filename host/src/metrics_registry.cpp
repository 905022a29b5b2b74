#include "metrics_registry.hpp"

#include <shaddock/cpp/service.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstring>

namespace shd::host {

namespace {

std::string text(shd_str s) {
    return s.data ? std::string(s.data, s.size) : std::string();
}

shd_status metrics_declare(MetricsRegistry *self, const shd_metric_desc_v1 *desc, shd_metric **out) {
    if (out) *out = nullptr;
    if (!desc || !out || desc->struct_size < sizeof(shd_metric_desc_v1)) return SHD_ERR_INVALID;
    *out = self->declare(*desc);
    return *out ? SHD_OK : SHD_ERR_INVALID;
}

void metrics_add(MetricsRegistry *, shd_metric *m, int64_t delta) {
    MetricsRegistry::add(m, delta);
}
void metrics_set(MetricsRegistry *, shd_metric *m, double value) {
    MetricsRegistry::set(m, value);
}
void metrics_observe(MetricsRegistry *, shd_metric *m, double value) {
    MetricsRegistry::observe(m, value);
}

void metrics_snapshot(MetricsRegistry *self, shd_text_fn sink, void *ud) {
    if (!sink) return;
    std::string json = self->snapshot_json();
    sink(ud, shd_str{json.data(), json.size()});
}

const char *kind_name(int32_t kind) {
    switch (kind) {
        case SHD_METRIC_COUNTER: return "counter";
        case SHD_METRIC_GAUGE: return "gauge";
        default: return "histogram";
    }
}

bool name_char(char c, bool first, bool colon) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    return alpha || (!first && c >= '0' && c <= '9');
}

}  // namespace

bool valid_metric_name(std::string_view name) {
    if (name.empty() || name.size() > 200) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, true)) return false;
    return true;
}

bool valid_label_name(std::string_view name) {
    if (name.empty() || name.size() > 100) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, false)) return false;
    return true;
}

MetricsRegistry::MetricsRegistry(Logger &log) : log_(log) {
    vtable_.struct_size = sizeof(vtable_);
    vtable_.abi_major = SHD_ABI_MAJOR;
    vtable_.abi_minor = SHD_ABI_MINOR;
    vtable_.declare = shd::guard<&metrics_declare>;
    vtable_.add = shd::guard<&metrics_add>;
    vtable_.set = shd::guard<&metrics_set>;
    vtable_.observe = shd::guard<&metrics_observe>;
    vtable_.snapshot = shd::guard<&metrics_snapshot>;
}

shd_metric *MetricsRegistry::declare(const shd_metric_desc_v1 &d) {
    const std::string name = text(d.name), label = text(d.label_name);
    if (!valid_metric_name(name)) return nullptr;
    if (d.kind != SHD_METRIC_COUNTER && d.kind != SHD_METRIC_GAUGE && d.kind != SHD_METRIC_HISTOGRAM) return nullptr;
    if (!label.empty() && (!valid_label_name(label) || label == "server_id" || label == "server_type" ||
                           label == "le" || label.rfind("__", 0) == 0))
        return nullptr;
    std::vector<double> bounds;
    if (d.kind == SHD_METRIC_HISTOGRAM) {
        if (!d.buckets || d.bucket_count == 0 || d.bucket_count > 64) return nullptr;
        for (size_t i = 0; i < d.bucket_count; ++i) {
            if (!std::isfinite(d.buckets[i]) || (i > 0 && d.buckets[i] <= d.buckets[i - 1])) return nullptr;
            bounds.push_back(d.buckets[i]);
        }
    }
    auto found = families_.find(name);
    if (found != families_.end()) {
        const Family &f = found->second;
        if (f.kind != d.kind || f.label != label || f.bounds != bounds) return nullptr;
    }
    Family &f = families_[name];
    if (found == families_.end()) {
        f.kind = d.kind;
        f.help = text(d.help);
        f.label = label;
        f.bounds = std::move(bounds);
    }
    auto &slot = f.series[label.empty() ? std::string() : text(d.label_value)];
    if (!slot) {
        slot = std::make_unique<shd_metric>();
        slot->kind = d.kind;
        if (d.kind == SHD_METRIC_HISTOGRAM) {
            slot->bounds = &f.bounds;  // a map node: stable while the registry lives
            slot->bucket_hits = std::make_unique<std::atomic<uint64_t>[]>(f.bounds.size() + 1);
            for (size_t i = 0; i <= f.bounds.size(); ++i) slot->bucket_hits[i].store(0);
        }
    }
    return slot.get();
}

namespace {

double from_bits(uint64_t bits) {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

uint64_t to_bits(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof d);
    return bits;
}

// Adds to a double kept as bits in an atomic.
void add_double(std::atomic<uint64_t> &bits, double delta) {
    uint64_t old_bits = bits.load(std::memory_order_relaxed);
    while (!bits.compare_exchange_weak(old_bits, to_bits(from_bits(old_bits) + delta), std::memory_order_relaxed)) {
    }
}

}  // namespace

void MetricsRegistry::add(shd_metric *m, int64_t delta) {
    if (!m) return;
    if (m->kind == SHD_METRIC_COUNTER && delta >= 0) m->value.fetch_add(delta, std::memory_order_relaxed);
    if (m->kind == SHD_METRIC_GAUGE) add_double(m->gauge_bits, static_cast<double>(delta));
}

void MetricsRegistry::set(shd_metric *m, double value) {
    if (m && m->kind == SHD_METRIC_GAUGE && std::isfinite(value))
        m->gauge_bits.store(to_bits(value), std::memory_order_relaxed);
}

void MetricsRegistry::observe(shd_metric *m, double value) {
    if (!m || m->kind != SHD_METRIC_HISTOGRAM || !std::isfinite(value)) return;
    const std::vector<double> &b = *m->bounds;
    size_t i = 0;
    while (i < b.size() && value > b[i]) ++i;  // Prometheus buckets are "less than or equal"
    m->bucket_hits[i].fetch_add(1, std::memory_order_relaxed);
    add_double(m->sum_bits, value);
}

std::string MetricsRegistry::snapshot_json() const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartArray();
    for (const auto &[name, f] : families_) {
        w.StartObject();
        w.Key("name");
        w.String(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
        w.Key("kind");
        w.String(kind_name(f.kind));
        w.Key("help");
        w.String(f.help.c_str(), static_cast<rapidjson::SizeType>(f.help.size()));
        w.Key("label");
        w.String(f.label.c_str(), static_cast<rapidjson::SizeType>(f.label.size()));
        if (f.kind == SHD_METRIC_HISTOGRAM) {
            w.Key("buckets");
            w.StartArray();
            for (double b : f.bounds) w.Double(b);
            w.EndArray();
        }
        w.Key("series");
        w.StartArray();
        for (const auto &[value, m] : f.series) {
            w.StartObject();
            w.Key("value");
            w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
            if (f.kind == SHD_METRIC_HISTOGRAM) {
                w.Key("counts");
                w.StartArray();
                uint64_t total = 0;
                for (size_t i = 0; i <= f.bounds.size(); ++i) {
                    const uint64_t n = m->bucket_hits[i].load(std::memory_order_relaxed);
                    total += n;
                    w.Uint64(n);
                }
                w.EndArray();
                w.Key("sum");
                w.Double(from_bits(m->sum_bits.load(std::memory_order_relaxed)));
                // The count is the buckets' total, so a snapshot taken during an observe stays
                // consistent (the sum may lag by that one value).
                w.Key("count");
                w.Uint64(total);
            } else if (f.kind == SHD_METRIC_COUNTER) {
                w.Key("v");
                w.Int64(m->value.load(std::memory_order_relaxed));
            } else {
                w.Key("v");
                w.Double(from_bits(m->gauge_bits.load(std::memory_order_relaxed)));
            }
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace shd::host
