// Histogram: percentiles against the exact order statistic of random data, merging, the wire form.
#include "histogram.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using shd::robot::Histogram;

class HistogramTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HistogramTest);
    CPPUNIT_TEST(percentiles_match_exact_within_bucket_error);
    CPPUNIT_TEST(small_values_are_exact);
    CPPUNIT_TEST(merge_equals_recording_everything_in_one);
    CPPUNIT_TEST(json_round_trip_and_rejects_garbage);
    CPPUNIT_TEST(bucket_bounds_cover_every_value);
    CPPUNIT_TEST_SUITE_END();

    static uint64_t exact(std::vector<uint64_t> v, double q) {
        std::sort(v.begin(), v.end());
        size_t rank = std::max<size_t>(1, size_t(std::ceil(q * double(v.size()))));
        return v[rank - 1];
    }

public:
    void percentiles_match_exact_within_bucket_error() {
        std::mt19937_64 rng(42);
        // A latency-like mix: lognormal body plus a few huge outliers.
        std::lognormal_distribution<double> body(7.0, 1.0);
        std::vector<uint64_t> values;
        Histogram h;
        for (int i = 0; i < 200000; ++i) {
            uint64_t v = i % 1000 == 0 ? uint64_t(5e6 + double(rng() % 1000000)) : uint64_t(body(rng));
            values.push_back(v);
            h.record(v);
        }
        CPPUNIT_ASSERT_EQUAL(uint64_t(values.size()), h.count());
        for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
            double want = double(exact(values, q));
            double got = double(h.percentile(q));
            // The bucket of the true value is at most 1/128 of it wide; its midpoint is within half that.
            CPPUNIT_ASSERT_MESSAGE(
                "q=" + std::to_string(q) + " want " + std::to_string(want) + " got " + std::to_string(got),
                std::fabs(got - want) <= want / 128.0 + 1);
        }
        CPPUNIT_ASSERT_EQUAL(*std::max_element(values.begin(), values.end()), h.max());
        CPPUNIT_ASSERT_EQUAL(*std::min_element(values.begin(), values.end()), h.min());
    }

    void small_values_are_exact() {
        Histogram h;
        for (uint64_t v = 0; v < 100; ++v) h.record(v);
        CPPUNIT_ASSERT_EQUAL(uint64_t(49), h.percentile(0.5));
        CPPUNIT_ASSERT_EQUAL(uint64_t(98), h.percentile(0.99));
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), h.percentile(0.0));
        CPPUNIT_ASSERT_DOUBLES_EQUAL(49.5, h.mean(), 1e-9);
        Histogram empty;
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), empty.percentile(0.99));
    }

    void merge_equals_recording_everything_in_one() {
        std::mt19937_64 rng(7);
        Histogram a, b, all;
        for (int i = 0; i < 50000; ++i) {
            uint64_t v = rng() % 10000000;
            (i % 3 ? a : b).record(v);
            all.record(v);
        }
        a.merge(b);
        CPPUNIT_ASSERT_EQUAL(all.count(), a.count());
        CPPUNIT_ASSERT(all.buckets() == a.buckets());
        CPPUNIT_ASSERT_EQUAL(all.min(), a.min());
        CPPUNIT_ASSERT_EQUAL(all.max(), a.max());
        CPPUNIT_ASSERT_EQUAL(all.percentile(0.99), a.percentile(0.99));
    }

    void json_round_trip_and_rejects_garbage() {
        Histogram h;
        for (uint64_t v : {1ull, 150ull, 150ull, 99999ull, 1ull << 45}) h.record(v);
        Histogram back;
        std::string err;
        CPPUNIT_ASSERT_MESSAGE(err, back.from_json(h.to_json(), &err));
        CPPUNIT_ASSERT(h.buckets() == back.buckets());
        CPPUNIT_ASSERT_EQUAL(h.max(), back.max());
        CPPUNIT_ASSERT_EQUAL(h.sum(), back.sum());
        for (const char *bad :
             {"", "[]", "{\"min\":0,\"max\":0,\"sum\":0}", "{\"min\":0,\"max\":0,\"sum\":0,\"b\":[[999999,1]]}",
              "{\"min\":0,\"max\":0,\"sum\":0,\"b\":[[1]]}", "{\"min\":-1,\"max\":0,\"sum\":0,\"b\":[]}",
              "{\"min\":9,\"max\":1,\"sum\":0,\"b\":[[1,1]]}"}) {
            Histogram x;
            x.record(5);
            CPPUNIT_ASSERT_MESSAGE(bad, !x.from_json(bad, &err));
            CPPUNIT_ASSERT_MESSAGE("unchanged after a failed parse", x.count() == 1);
            CPPUNIT_ASSERT(!err.empty());
        }
    }

    void bucket_bounds_cover_every_value() {
        std::mt19937_64 rng(3);
        for (int i = 0; i < 100000; ++i) {
            uint64_t v = rng() >> (rng() % 40 + 24);
            size_t b = Histogram::bucket_of(v);
            CPPUNIT_ASSERT(b < Histogram::kBuckets);
            CPPUNIT_ASSERT(Histogram::bucket_low(b) <= v && v <= Histogram::bucket_high(b));
        }
        CPPUNIT_ASSERT_EQUAL(Histogram::kBuckets - 1, Histogram::bucket_of(UINT64_MAX));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HistogramTest);
