// The figures of GET /api/stats (plugins/cluster/admin_web_figures.cpp) byte for byte for a small
// connector snapshot, and what malformed snapshots lose (a hostile or broken server cannot make the
// master serve broken JSON).
#include "admin_web_figures.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <rapidjson/document.h>

#include <string>

namespace shd::cluster {
namespace {

rapidjson::Document parse(const std::string &json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    CPPUNIT_ASSERT(!d.HasParseError());
    return d;
}

const char *kConnector =
    R"([{"name":"shaddock_client_requests","kind":"counter","label":"route","series":[)"
    R"({"value":"chat.chatHandler.send","v":12},{"value":"connector.entryHandler.enter","v":3}]},)"
    R"({"name":"shaddock_client_request_errors","kind":"counter","label":"route","series":[)"
    R"({"value":"chat.chatHandler.send","v":1}]},)"
    R"({"name":"shaddock_client_request_duration_seconds","kind":"histogram","label":"route",)"
    R"("buckets":[0.001,0.01],"series":[{"value":"chat.chatHandler.send","counts":[10,1,1],"sum":0.75}]},)"
    R"({"name":"shaddock_connections","kind":"gauge","label":"","series":[{"value":"","v":4}]},)"
    R"({"name":"shaddock_pushes_sent","kind":"counter","label":"","series":[{"value":"","v":40}]},)"
    R"({"name":"shaddock_rpc_calls","kind":"counter","label":"target","series":[{"value":"chat","v":15}]},)"
    R"({"name":"shaddock_rpc_timeouts","kind":"counter","label":"target","series":[{"value":"chat","v":2}]},)"
    R"({"name":"shaddock_logic_lag_seconds","kind":"gauge","label":"","series":[{"value":"","v":0.0125}]},)"
    R"({"name":"shaddock_process_cpu_seconds","kind":"gauge","label":"","series":[{"value":"","v":1.5}]},)"
    R"({"name":"shaddock_process_resident_memory_bytes","kind":"gauge","label":"","series":[{"value":"","v":2048000}]}])";

class DashboardFiguresTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DashboardFiguresTest);
    CPPUNIT_TEST(exactJson);
    CPPUNIT_TEST(malformedSnapshots);
    CPPUNIT_TEST_SUITE_END();

public:
    void exactJson() {
        auto d = parse(kConnector);
        const std::string expected =
            R"({"id":"connector-1","serverType":"connector","connections":4,"handshakes":0,"pushesSent":40,)"
            R"("pushesDropped":0,"rateLimited":0,"sendQueueCutoffs":0,"requests":15,"requestErrors":1,"rpcCalls":15,)"
            R"("rpcErrors":0,"rpcTimeouts":2,"lagMs":13,"cpuMs":1500,"rssBytes":2048000,"routes":[)"
            R"({"route":"chat.chatHandler.send","requests":12,"errors":1,"latency":{"bounds":[0.001,0.01],)"
            R"("counts":[10,1,1],"sum":0.75}},{"route":"connector.entryHandler.enter","requests":3,"errors":0}],)"
            R"("rpc":[{"target":"chat","calls":15,"errors":0,"timeouts":2}]})";
        CPPUNIT_ASSERT_EQUAL(expected, server_figures_json({"connector-1", "connector", &d}));
    }

    void malformedSnapshots() {
        // Not an array, an absent snapshot: the server with zeros and no routes.
        const std::string empty =
            R"({"id":"x","serverType":"t","connections":0,"handshakes":0,"pushesSent":0,"pushesDropped":0,)"
            R"("rateLimited":0,"sendQueueCutoffs":0,"requests":0,"requestErrors":0,"rpcCalls":0,"rpcErrors":0,)"
            R"("rpcTimeouts":0,"lagMs":0,"cpuMs":0,"rssBytes":0,"routes":[],"rpc":[]})";
        auto obj = parse(R"({"name":"shaddock_connections"})");
        CPPUNIT_ASSERT_EQUAL(empty, server_figures_json({"x", "t", &obj}));
        CPPUNIT_ASSERT_EQUAL(empty, server_figures_json({"x", "t", nullptr}));
        // Strings for numbers, series that are not objects, a histogram whose counts do not fit its
        // buckets or are negative: left out; a route name with quotes is escaped.
        auto bad = parse(
            R"([{"name":"shaddock_connections","kind":"gauge","series":["x",{"v":"7"},{"v":2}]},)"
            R"({"name":"shaddock_client_requests","kind":"counter","label":"route","series":[{"value":"a\"b","v":1}]},)"
            R"({"name":"shaddock_client_request_duration_seconds","kind":"histogram","label":"route","buckets":[1],)"
            R"("series":[{"value":"a\"b","counts":[1,2,3],"sum":1},{"value":"a\"b","counts":[-1,2],"sum":1}]}])");
        const std::string got = server_figures_json({"x", "t", &bad});
        CPPUNIT_ASSERT(got.find(R"("connections":2,)") != std::string::npos);
        CPPUNIT_ASSERT(got.find(R"("routes":[{"route":"a\"b","requests":1,"errors":0}])") != std::string::npos);
        rapidjson::Document check;
        check.Parse(got.c_str());
        CPPUNIT_ASSERT(!check.HasParseError());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DashboardFiguresTest);

}  // namespace
}  // namespace shd::cluster
