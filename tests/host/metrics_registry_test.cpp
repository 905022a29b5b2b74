// The host's built-in "shd.metrics/1" (host/src/metrics_registry.cpp) through its C table: what a
// declaration may be, the same handle for the same series, the snapshot JSON byte for byte, and
// updates from several threads at once adding up.
#include "metrics_registry.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace shd::host {
namespace {

shd_str s(const char *text) {
    return shd_str{text, std::char_traits<char>::length(text)};
}

class MetricsRegistryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MetricsRegistryTest);
    CPPUNIT_TEST(declarationsAreChecked);
    CPPUNIT_TEST(sameSeriesSameHandle);
    CPPUNIT_TEST(snapshotIsExact);
    CPPUNIT_TEST(updatesFromThreadsAddUp);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { registry_ = std::make_unique<MetricsRegistry>(log_); }

    shd_status declare(int32_t kind, const char *name, const char *label = "", const char *value = "",
                       std::vector<double> buckets = {}, shd_metric **out = nullptr) {
        shd_metric_desc_v1 d{};
        d.struct_size = sizeof d;
        d.abi_major = SHD_ABI_MAJOR;
        d.abi_minor = SHD_ABI_MINOR;
        d.kind = kind;
        d.name = s(name);
        d.help = s("help text");
        d.label_name = s(label);
        d.label_value = s(value);
        d.buckets = buckets.empty() ? nullptr : buckets.data();
        d.bucket_count = buckets.size();
        shd_metric *m = nullptr;
        shd_status st = vt()->declare(registry_.get(), &d, &m);
        if (out) *out = m;
        CPPUNIT_ASSERT_EQUAL(st == SHD_OK, m != nullptr);
        return st;
    }

    const shd_metrics_v1 *vt() const { return registry_->vtable(); }

    std::string snapshot() {
        std::string out;
        vt()->snapshot(
            registry_.get(), [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data, t.size); }, &out);
        return out;
    }

    void declarationsAreChecked() {
        CPPUNIT_ASSERT_EQUAL(SHD_OK, declare(SHD_METRIC_COUNTER, "ok_name:sub"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_COUNTER, ""));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_COUNTER, "9starts_with_digit"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_COUNTER, "has-dash"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(7, "bad_kind"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_COUNTER, "reserved", "server_id", "x"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_COUNTER, "reserved", "le", "x"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_COUNTER, "reserved", "__x", "x"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_COUNTER, "colon_label", "a:b", "x"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_HISTOGRAM, "no_buckets"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_HISTOGRAM, "unsorted", "", "", {1, 0.5}));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_HISTOGRAM, "repeated", "", "", {1, 1}));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID,
                             declare(SHD_METRIC_HISTOGRAM, "too_many", "", "", std::vector<double>(65, 0.0)));
        // A family keeps its kind, label name and buckets.
        CPPUNIT_ASSERT_EQUAL(SHD_OK, declare(SHD_METRIC_COUNTER, "fam", "route", "a"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_GAUGE, "fam", "route", "b"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_COUNTER, "fam", "other", "b"));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, declare(SHD_METRIC_HISTOGRAM, "h", "", "", {1, 2}));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, declare(SHD_METRIC_HISTOGRAM, "h", "", "", {1, 3}));
        // A too-small descriptor is refused.
        shd_metric_desc_v1 d{};
        d.struct_size = 8;
        shd_metric *m = reinterpret_cast<shd_metric *>(1);
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, vt()->declare(registry_.get(), &d, &m));
        CPPUNIT_ASSERT(m == nullptr);
        // Nothing refused reached the snapshot.
        CPPUNIT_ASSERT(snapshot().find("bad_kind") == std::string::npos);
    }

    void sameSeriesSameHandle() {
        shd_metric *a = nullptr, *b = nullptr, *c = nullptr;
        declare(SHD_METRIC_COUNTER, "c", "route", "x", {}, &a);
        declare(SHD_METRIC_COUNTER, "c", "route", "x", {}, &b);
        declare(SHD_METRIC_COUNTER, "c", "route", "y", {}, &c);
        CPPUNIT_ASSERT(a == b);
        CPPUNIT_ASSERT(a != c);
    }

    void snapshotIsExact() {
        shd_metric *req = nullptr, *req2 = nullptr, *conn = nullptr, *lat = nullptr;
        declare(SHD_METRIC_COUNTER, "t_requests", "route", "b.h.m", {}, &req);
        declare(SHD_METRIC_COUNTER, "t_requests", "route", "a.h.m", {}, &req2);
        declare(SHD_METRIC_GAUGE, "t_connections", "", "", {}, &conn);
        declare(SHD_METRIC_HISTOGRAM, "t_seconds", "", "", {0.1, 1}, &lat);
        vt()->add(registry_.get(), req, 3);
        vt()->add(registry_.get(), req, -5);  // a counter never goes down
        vt()->add(registry_.get(), req2, 1);
        vt()->add(registry_.get(), conn, 5);
        vt()->add(registry_.get(), conn, -2);
        vt()->set(registry_.get(), lat, 9);        // not a gauge: nothing
        vt()->observe(registry_.get(), lat, 0.1);  // le 0.1
        vt()->observe(registry_.get(), lat, 0.5);
        vt()->observe(registry_.get(), lat, 7);  // +Inf
        vt()->observe(registry_.get(), lat, std::numeric_limits<double>::quiet_NaN());
        vt()->observe(registry_.get(), conn, 1);  // not a histogram: nothing
        vt()->add(registry_.get(), nullptr, 1);   // no metric: nothing
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"([{"name":"t_connections","kind":"gauge","help":"help text","label":"","series":[)"
                        R"({"value":"","v":3.0}]},)"
                        R"({"name":"t_requests","kind":"counter","help":"help text","label":"route","series":[)"
                        R"({"value":"a.h.m","v":1},{"value":"b.h.m","v":3}]},)"
                        R"({"name":"t_seconds","kind":"histogram","help":"help text","label":"","buckets":[0.1,1.0],)"
                        R"("series":[{"value":"","counts":[1,1,1],"sum":7.6,"count":3}]}])"),
            snapshot());
        vt()->set(registry_.get(), conn, 0.25);
        CPPUNIT_ASSERT(snapshot().find(R"({"value":"","v":0.25})") != std::string::npos);
    }

    void updatesFromThreadsAddUp() {
        shd_metric *c = nullptr, *h = nullptr, *g = nullptr;
        declare(SHD_METRIC_COUNTER, "threads_total_calls", "", "", {}, &c);
        declare(SHD_METRIC_GAUGE, "threads_gauge", "", "", {}, &g);
        declare(SHD_METRIC_HISTOGRAM, "threads_seconds", "", "", {0.5}, &h);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 20000; ++i) {
                    vt()->add(registry_.get(), c, 1);
                    vt()->add(registry_.get(), g, 1);
                    vt()->observe(registry_.get(), h, 1.0);
                }
            });
        for (auto &t : threads) t.join();
        const std::string snap = snapshot();
        CPPUNIT_ASSERT(snap.find(R"({"value":"","v":80000})") != std::string::npos);
        CPPUNIT_ASSERT(snap.find(R"({"value":"","v":80000.0})") != std::string::npos);
        CPPUNIT_ASSERT(snap.find(R"("counts":[0,80000],"sum":80000.0,"count":80000)") != std::string::npos);
    }

private:
    Logger log_;
    std::unique_ptr<MetricsRegistry> registry_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(MetricsRegistryTest);

}  // namespace
}  // namespace shd::host
