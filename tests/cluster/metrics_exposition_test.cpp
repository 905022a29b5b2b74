// The master's Prometheus text (plugins/cluster/metrics_exposition.cpp) byte for byte for a small
// snapshot of two servers, escaping, what malformed snapshots lose, and the `list` summary.
#include "metrics_exposition.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <string>

namespace shd::cluster {
namespace {

rapidjson::Document parse(const char *json) {
    rapidjson::Document d;
    d.Parse(json);
    CPPUNIT_ASSERT(!d.HasParseError());
    return d;
}

const char *kConnector =
    R"([{"name":"shaddock_client_requests","kind":"counter","help":"client requests answered, by route",)"
    R"("label":"route","series":[{"value":"chat.chatHandler.send","v":12}]},)"
    R"({"name":"shaddock_connections","kind":"gauge","help":"open","label":"","series":[{"value":"","v":3.0}]},)"
    R"({"name":"shaddock_rpc_duration_seconds","kind":"histogram","help":"RPC latency","label":"target",)"
    R"("buckets":[0.005,0.1,1.0],"series":[{"value":"chat","counts":[2,1,0,1],"sum":3.5,"count":4}]}])";
const char *kChat =
    R"([{"name":"shaddock_client_requests","kind":"counter","help":"ignored: the first server's help wins",)"
    R"("label":"route","series":[{"value":"a\"b\\c\nd","v":1}]},)"
    R"({"name":"shaddock_logic_lag_seconds","kind":"gauge","help":"lag\\ms\nline","label":"",)"
    R"("series":[{"value":"","v":0.012}]}])";

class MetricsExpositionTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MetricsExpositionTest);
    CPPUNIT_TEST(exactText);
    CPPUNIT_TEST(malformedFamiliesAreLeftOut);
    CPPUNIT_TEST(summary);
    CPPUNIT_TEST_SUITE_END();

public:
    void exactText() {
        auto a = parse(kConnector), b = parse(kChat);
        std::string text = prometheus_text({{"connector-1", "connector", &a}, {"chat-1", "chat", &b}});
        const std::string expected =
            "# HELP shaddock_client_requests_total client requests answered, by route\n"
            "# TYPE shaddock_client_requests_total counter\n"
            "shaddock_client_requests_total{server_id=\"connector-1\",server_type=\"connector\","
            "route=\"chat.chatHandler.send\"} 12\n"
            "shaddock_client_requests_total{server_id=\"chat-1\",server_type=\"chat\",route=\"a\\\"b\\\\c\\nd\"} 1\n"
            "# HELP shaddock_connections open\n"
            "# TYPE shaddock_connections gauge\n"
            "shaddock_connections{server_id=\"connector-1\",server_type=\"connector\"} 3\n"
            "# HELP shaddock_logic_lag_seconds lag\\\\ms\\nline\n"
            "# TYPE shaddock_logic_lag_seconds gauge\n"
            "shaddock_logic_lag_seconds{server_id=\"chat-1\",server_type=\"chat\"} 0.012\n"
            "# HELP shaddock_rpc_duration_seconds RPC latency\n"
            "# TYPE shaddock_rpc_duration_seconds histogram\n"
            "shaddock_rpc_duration_seconds_bucket{server_id=\"connector-1\",server_type=\"connector\","
            "target=\"chat\",le=\"0.005\"} 2\n"
            "shaddock_rpc_duration_seconds_bucket{server_id=\"connector-1\",server_type=\"connector\","
            "target=\"chat\",le=\"0.1\"} 3\n"
            "shaddock_rpc_duration_seconds_bucket{server_id=\"connector-1\",server_type=\"connector\","
            "target=\"chat\",le=\"1\"} 3\n"
            "shaddock_rpc_duration_seconds_bucket{server_id=\"connector-1\",server_type=\"connector\","
            "target=\"chat\",le=\"+Inf\"} 4\n"
            "shaddock_rpc_duration_seconds_sum{server_id=\"connector-1\",server_type=\"connector\","
            "target=\"chat\"} 3.5\n"
            "shaddock_rpc_duration_seconds_count{server_id=\"connector-1\",server_type=\"connector\","
            "target=\"chat\"} 4\n";
        CPPUNIT_ASSERT_EQUAL(expected, text);
        CPPUNIT_ASSERT_EQUAL(std::string(), prometheus_text({}));
    }

    void malformedFamiliesAreLeftOut() {
        auto a = parse(R"([{"name":"bad-name","kind":"counter","label":"","series":[{"value":"","v":1}]},)"
                       R"({"name":"x","kind":"summary","label":"","series":[{"value":"","v":1}]},)"
                       R"({"name":"y","kind":"counter","label":"server_id","series":[{"value":"","v":1}]},)"
                       R"({"name":"h","kind":"histogram","label":"","buckets":[1,0.5],"series":[]},)"
                       R"({"name":"g","kind":"gauge","label":"","series":[{"value":"","v":"NaN"},{"value":"","v":2}]},)"
                       R"({"name":"h2","kind":"histogram","label":"","buckets":[1],)"
                       R"("series":[{"value":"","counts":[1],"sum":1,"count":1}]}])");
        // A second server declares g as a histogram, then with a label: its g is left out, the first's stays.
        auto b = parse(R"([{"name":"g","kind":"histogram","label":"","buckets":[1],)"
                       R"("series":[{"value":"","counts":[1,0],"sum":1,"count":1}]},)"
                       R"({"name":"g","kind":"gauge","label":"zone","series":[{"value":"x","v":5}]}])");
        std::string text = prometheus_text({{"s1", "t", &a}, {"s2", "t", &b}});
        CPPUNIT_ASSERT_EQUAL(std::string("# HELP g \n# TYPE g gauge\ng{server_id=\"s1\",server_type=\"t\"} 2\n"
                                         "# HELP h2 \n# TYPE h2 histogram\n"),
                             text);
    }

    void summary() {
        auto a = parse(kConnector);
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"connections":3,"handshakes":0,"requests":12,"requestErrors":0,)"
                        R"("rpcCalls":0,"rpcErrors":0,"rpcTimeouts":0,"pushesSent":0,)"
                        R"("pushesDropped":0,"rateLimited":0,"sendQueueCutoffs":0,"lagMs":0,"cpuMs":0,)"
                        R"("rssBytes":0})"),
            stats_summary(a));
        auto b = parse(kChat);
        CPPUNIT_ASSERT(stats_summary(b).find(R"("lagMs":12,)") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(MetricsExpositionTest);

}  // namespace
}  // namespace shd::cluster
