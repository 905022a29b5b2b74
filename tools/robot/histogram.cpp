// histogram.cpp - see histogram.hpp for the bucket layout.
#include "histogram.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>

namespace shd::robot {

size_t Histogram::bucket_of(uint64_t value) {
    if (value < kSub) return size_t(value);
    int msb = 63 - __builtin_clzll(value);
    if (msb > kMaxBit) return kBuckets - 1;
    int shift = msb - kSubBits;
    return size_t(kSub + uint64_t(shift) * kSub + ((value >> shift) - kSub));
}

uint64_t Histogram::bucket_low(size_t index) {
    if (index < kSub) return index;
    uint64_t shift = (index - kSub) / kSub;
    uint64_t sub = (index - kSub) % kSub;
    return (kSub + sub) << shift;
}

uint64_t Histogram::bucket_high(size_t index) {
    if (index < kSub) return index;
    uint64_t shift = (index - kSub) / kSub;
    return bucket_low(index) + (uint64_t(1) << shift) - 1;
}

void Histogram::record(uint64_t value) {
    ++buckets_[bucket_of(value)];
    ++count_;
    sum_ += value;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram &other) {
    if (!other.count_) return;
    for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

void Histogram::clear() {
    *this = Histogram();
}

uint64_t Histogram::percentile(double q) const {
    if (!count_) return 0;
    q = std::clamp(q, 0.0, 1.0);
    uint64_t rank = std::max<uint64_t>(1, uint64_t(std::ceil(q * double(count_))));
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
        seen += buckets_[i];
        if (seen >= rank) {
            uint64_t low = bucket_low(i), high = bucket_high(i);
            return std::clamp(low + (high - low) / 2, min_, max_);
        }
    }
    return max_;
}

std::string Histogram::to_json() const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("n"), w.Uint64(count_);
    w.Key("min"), w.Uint64(min());
    w.Key("max"), w.Uint64(max_);
    w.Key("sum"), w.Uint64(sum_);
    w.Key("b"), w.StartArray();
    for (size_t i = 0; i < kBuckets; ++i) {
        if (!buckets_[i]) continue;
        w.StartArray(), w.Uint64(i), w.Uint64(buckets_[i]), w.EndArray();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
}

bool Histogram::assign(uint64_t min, uint64_t max, uint64_t sum,
                       const std::vector<std::pair<size_t, uint64_t>> &parts) {
    Histogram h;
    for (auto &[index, n] : parts) {
        if (index >= kBuckets) return false;
        h.buckets_[index] += n;
        h.count_ += n;
    }
    if (h.count_) {
        // min/max must lie inside the buckets they claim to come from, or percentiles would lie.
        if (min > max) return false;
        h.min_ = min, h.max_ = max, h.sum_ = sum;
    }
    *this = h;
    return true;
}

bool Histogram::from_json(const std::string &text, std::string *error) {
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    if (d.HasParseError()) {
        if (error) *error = "histogram: not JSON";
        return false;
    }
    return from_value(d, error);
}

bool Histogram::from_value(const rapidjson::Value &d, std::string *error) {
    auto fail = [&](const char *why) {
        if (error) *error = why;
        return false;
    };
    if (!d.IsObject()) return fail("histogram: not a JSON object");
    for (const char *k : {"min", "max", "sum"})
        if (!d.HasMember(k) || !d[k].IsUint64()) return fail("histogram: min/max/sum must be unsigned integers");
    if (!d.HasMember("b") || !d["b"].IsArray()) return fail("histogram: \"b\" must be an array");
    std::vector<std::pair<size_t, uint64_t>> parts;
    for (auto &p : d["b"].GetArray()) {
        if (!p.IsArray() || p.Size() != 2 || !p[0].IsUint64() || !p[1].IsUint64())
            return fail("histogram: each bucket must be [index, count]");
        parts.emplace_back(size_t(p[0].GetUint64()), p[1].GetUint64());
    }
    if (!assign(d["min"].GetUint64(), d["max"].GetUint64(), d["sum"].GetUint64(), parts))
        return fail("histogram: bucket index out of range or min > max");
    return true;
}

}  // namespace shd::robot
