// histogram.hpp - a log-bucketed latency histogram (HDR-like): fixed memory, O(1) record, mergeable
// across threads and agents, percentiles within 1/128 (0.8 %) of the true value.
#pragma once

#include <rapidjson/fwd.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace shd::robot {

// Values are unsigned integers (the robot records microseconds). Values below 128 have a bucket each;
// above, every power of two is split into 128 buckets, so a bucket is never wider than 1/128 of its
// lower bound. Values above 2^40 (about 12 days in microseconds) land in the last bucket.
class Histogram {
public:
    static constexpr int kSubBits = 7;
    static constexpr uint64_t kSub = uint64_t(1) << kSubBits;
    static constexpr int kMaxBit = 40;
    static constexpr size_t kBuckets = kSub + (kMaxBit - kSubBits + 1) * kSub;

    void record(uint64_t value);
    void merge(const Histogram &other);
    void clear();

    uint64_t count() const { return count_; }
    uint64_t min() const { return count_ ? min_ : 0; }
    uint64_t max() const { return max_; }
    double mean() const { return count_ ? double(sum_) / double(count_) : 0.0; }
    // The value at quantile q in [0, 1]: the midpoint of the bucket holding the ceil(q*count)-th
    // smallest value, clamped to [min, max]. 0 when empty.
    uint64_t percentile(double q) const;

    // Sparse form for the wire and the JSON report: {"n":..,"min":..,"max":..,"sum":..,"b":[[i,c],..]}.
    std::string to_json() const;
    // Parses to_json() output. False (and *this unchanged) when the text is not that form.
    bool from_json(const std::string &text, std::string *error = nullptr);
    bool from_value(const rapidjson::Value &v, std::string *error = nullptr);

    static size_t bucket_of(uint64_t value);
    static uint64_t bucket_low(size_t index);
    static uint64_t bucket_high(size_t index);  // inclusive

    // Raw access for serialization through a RapidJSON writer.
    const std::array<uint64_t, kBuckets> &buckets() const { return buckets_; }
    uint64_t sum() const { return sum_; }
    // Rebuilds from sparse parts; false when an index is out of range.
    bool assign(uint64_t min, uint64_t max, uint64_t sum, const std::vector<std::pair<size_t, uint64_t>> &parts);

private:
    std::array<uint64_t, kBuckets> buckets_{};
    uint64_t count_ = 0, min_ = UINT64_MAX, max_ = 0, sum_ = 0;
};

}  // namespace shd::robot
