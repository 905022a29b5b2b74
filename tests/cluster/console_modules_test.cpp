// The cluster's console modules without a cluster (plugins/cluster/console_modules.cpp): watchServer's
// summary of a "shd.metrics/1" snapshot (counters and histograms joined by route and by target, one part
// at a time) and monitorLog's choice of lines.
#include "console_modules.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <rapidjson/document.h>

#include <string>

namespace shd::cluster {
namespace {

const char *const kSnapshot = R"([
 {"name":"shaddock_client_request_duration_seconds","kind":"histogram","help":"","label":"route","buckets":[0.01],
  "series":[{"value":"chat.chatHandler.send","counts":[3,1],"sum":0.04,"count":4}]},
 {"name":"shaddock_client_request_errors","kind":"counter","help":"","label":"route",
  "series":[{"value":"chat.chatHandler.send","v":1}]},
 {"name":"shaddock_client_requests","kind":"counter","help":"","label":"route",
  "series":[{"value":"chat.chatHandler.send","v":4},{"value":"gate.gateHandler.queryEntry","v":0}]},
 {"name":"shaddock_connections","kind":"gauge","help":"","label":"","series":[{"value":"","v":7}]},
 {"name":"shaddock_connections_refused","kind":"counter","help":"","label":"reason",
  "series":[{"value":"connect_rate","v":2},{"value":"max_per_ip","v":3}]},
 {"name":"shaddock_handshakes","kind":"counter","help":"","label":"","series":[{"value":"","v":9}]},
 {"name":"shaddock_logic_lag_seconds","kind":"gauge","help":"","label":"","series":[{"value":"","v":0.002}]},
 {"name":"shaddock_rpc_calls","kind":"counter","help":"","label":"target","series":[{"value":"chat","v":10}]},
 {"name":"shaddock_rpc_duration_seconds","kind":"histogram","help":"","label":"target","buckets":[0.01],
  "series":[{"value":"chat","counts":[10,0],"sum":0.05,"count":10}]},
 {"name":"shaddock_rpc_errors","kind":"counter","help":"","label":"target","series":[{"value":"chat","v":2}]},
 {"name":"shaddock_rpc_timeouts","kind":"counter","help":"","label":"target","series":[{"value":"chat","v":1}]}
])";

class ConsoleModulesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ConsoleModulesTest);
    CPPUNIT_TEST(watchSummaryJoinsFamilies);
    CPPUNIT_TEST(watchSummaryOnePart);
    CPPUNIT_TEST(watchSummaryOfNothing);
    CPPUNIT_TEST(lastLinesMatchAndCount);
    CPPUNIT_TEST_SUITE_END();

public:
    void watchSummaryJoinsFamilies() {
        std::string out = ConsoleModules::watch_summary(kSnapshot, "all");
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"connections":{"open":7,"handshakes":9,"refused":5,"rateLimited":0,"sendQueueCutoffs":0},)"
                        R"("handlers":[{"route":"chat.chatHandler.send","count":4,"errors":1,"meanMs":10},)"
                        R"({"route":"gate.gateHandler.queryEntry","count":0,"errors":0,"meanMs":null}],)"
                        R"("rpc":[{"target":"chat","count":10,"errors":2,"timeouts":1,"meanMs":5}],)"
                        R"("pushes":{"sent":0,"dropped":0},"lagSeconds":0.002})"),
            out);
    }

    void watchSummaryOnePart() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"rpc":[{"target":"chat","count":10,"errors":2,"timeouts":1,"meanMs":5}]})"),
                             ConsoleModules::watch_summary(kSnapshot, "rpc"));
    }

    void watchSummaryOfNothing() {
        std::string out = ConsoleModules::watch_summary("[]", "");
        rapidjson::Document d;
        d.Parse(out.c_str());
        CPPUNIT_ASSERT(!d.HasParseError() && d.IsObject());
        CPPUNIT_ASSERT_EQUAL(0.0, d["connections"]["open"].GetDouble());
        CPPUNIT_ASSERT(d["handlers"].IsArray() && d["handlers"].Empty());
        CPPUNIT_ASSERT_THROW(ConsoleModules::watch_summary("{not json", ""), shd::Error);
    }

    void lastLinesMatchAndCount() {
        const std::string text = "a one\nb two\na three\nc \"quoted\"\\\na four\n";
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["a three","a four"])"), ConsoleModules::last_lines(text, 2, "a "));
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["c \"quoted\"\\","a four"])"), ConsoleModules::last_lines(text, 2, ""));
        CPPUNIT_ASSERT_EQUAL(std::string("[]"), ConsoleModules::last_lines(text, 5, "zzz"));
        CPPUNIT_ASSERT_EQUAL(std::string("[]"), ConsoleModules::last_lines("", 5, ""));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConsoleModulesTest);

}  // namespace
}  // namespace shd::cluster
