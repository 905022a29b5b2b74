// The checks of `shaddock add` without a cluster (plugins/cluster/server_add): every field validated,
// clusterCount expanded with generated ids and consecutive ports, ids and ports already taken refused,
// and the command line's key=value words.
#include "server_add.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <rapidjson/document.h>

#include <set>
#include <string>
#include <vector>

namespace shd::cluster {
namespace {

const std::vector<KnownServer> kKnown = {
    {"master-server-1", "master", "127.0.0.1", 3005, 0},
    {"connector-server-1", "connector", "127.0.0.1", 4050, 3050},
    {"chat-server-1", "chat", "127.0.0.1", 6050, 0},
    {"cluster-server-chat-0", "chat", "127.0.0.1", 6100, 0},
    {"cluster-server-chat-4", "chat", "127.0.0.1", 6104, 0},
    {"remote-1", "chat", "10.1.2.3", 7000, 0},
};

bool is_local(const std::string &h) {
    return h == "127.0.0.1" || h == "localhost";
}

std::set<int> g_busy;  // ports "another program" listens on
bool in_use(const std::string &, int port) {
    return g_busy.count(port) > 0;
}

std::vector<NewServer> plan(const std::string &json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    return plan_added_servers(d, kKnown, is_local, in_use);
}

// The AddError message of a refused request, or "" when it was accepted.
std::string refusal(const std::string &json) {
    try {
        plan(json);
        return "";
    } catch (const AddError &e) {
        return e.what();
    }
}

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

class ServerAddTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServerAddTest);
    CPPUNIT_TEST(oneServer);
    CPPUNIT_TEST(clusterCountExpands);
    CPPUNIT_TEST(everyFieldIsChecked);
    CPPUNIT_TEST(takenIdsAndPortsAreRefused);
    CPPUNIT_TEST(commandLineWords);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { g_busy.clear(); }

    void oneServer() {
        auto out = plan(R"({"serverType":"connector","id":"connector-server-9","host":"127.0.0.1","port":"4059",)"
                        R"("clientPort":"3059","frontend":"true","auto-restart":"true"})");
        CPPUNIT_ASSERT_EQUAL(size_t(1), out.size());
        CPPUNIT_ASSERT_EQUAL(std::string("connector-server-9"), out[0].id);
        CPPUNIT_ASSERT_EQUAL(4059, out[0].port);
        CPPUNIT_ASSERT_EQUAL(3059, out[0].client_port);
        CPPUNIT_ASSERT(out[0].auto_restart);
        // Ports become numbers, booleans booleans: the entry reads like one of servers.json.
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"id":"connector-server-9","serverType":"connector","host":"127.0.0.1",)"
                                         R"("port":4059,"clientPort":3059,"frontend":true,"auto-restart":true})"),
                             out[0].json);
        // JSON numbers and booleans are taken as well as strings.
        auto typed =
            plan(R"({"serverType":"chat","id":"chat-server-7","host":"127.0.0.1","port":6057,"frontend":false})");
        CPPUNIT_ASSERT_EQUAL(6057, typed[0].port);
    }

    void clusterCountExpands() {
        auto out = plan(R"({"serverType":"chat","host":"127.0.0.1","port":"6200++","clusterCount":"3"})");
        CPPUNIT_ASSERT_EQUAL(size_t(3), out.size());
        // Ids continue after the highest cluster-server-chat-<k> in use (4).
        CPPUNIT_ASSERT_EQUAL(std::string("cluster-server-chat-5"), out[0].id);
        CPPUNIT_ASSERT_EQUAL(std::string("cluster-server-chat-7"), out[2].id);
        CPPUNIT_ASSERT_EQUAL(6200, out[0].port);
        CPPUNIT_ASSERT_EQUAL(6202, out[2].port);
        auto fronts = plan(R"({"serverType":"connector","host":"127.0.0.1","port":4300,"clientPort":3300,)"
                           R"("frontend":true,"clusterCount":2})");
        CPPUNIT_ASSERT_EQUAL(std::string("cluster-server-connector-0"), fronts[0].id);
        CPPUNIT_ASSERT_EQUAL(3301, fronts[1].client_port);
        CPPUNIT_ASSERT_EQUAL(4301, fronts[1].port);
        // The generated range must not run into a taken port either.
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","host":"127.0.0.1","port":6048,"clusterCount":3})"),
                                "port 6050 on 127.0.0.1 is taken by server chat-server-1"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","host":"127.0.0.1","port":65535,"clusterCount":2})"),
                                "past 65535"));
    }

    void everyFieldIsChecked() {
        const std::string ok = R"("host":"127.0.0.1","port":6300)";
        CPPUNIT_ASSERT(contains(refusal("{}"), "nothing to add"));
        CPPUNIT_ASSERT(contains(refusal(R"({"id":"x-1",)" + ok + "}"), "serverType: required"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat",)" + ok + "}"), "id: required"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","port":6300})"), "host: required"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","host":"127.0.0.1"})"), "port: required"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"master","id":"m-2",)" + ok + "}"), "one master"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"../etc",)" + ok + "}"), "id=../etc"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"a b",)" + ok + "}"), "only letters"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"-x",)" + ok + "}"), "must not start"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"ch at","id":"c-1",)" + ok + "}"), "serverType=ch at"));
        CPPUNIT_ASSERT(
            contains(refusal(R"({"serverType":"chat","id":"c-1","host":"a;b","port":6300})"), "not an IP address"));
        for (const char *port : {"\"abc\"", "0", "65536", "\"12x\"", "-1", "\"\""})
            CPPUNIT_ASSERT(contains(
                refusal(std::string(R"({"serverType":"chat","id":"c-1","host":"127.0.0.1","port":)") + port + "}"),
                "expected a port"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","frontend":"yes",)" + ok + "}"),
                                "frontend=yes: expected true or false"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","frontend":true,)" + ok + "}"),
                                "frontend=true needs clientPort"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","clusterCount":2,)" + ok + "}"),
                                "id: not with clusterCount"));
        for (const char *n : {"0", "101", "\"x\""})
            CPPUNIT_ASSERT(contains(
                refusal(std::string(R"({"serverType":"chat","clusterCount":)") + n + "," + ok + "}"), "clusterCount="));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","args":"--inspect",)" + ok + "}"),
                                "unknown key \"args\""));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","host":"127.0.0.1","port":[1]})"),
                                "port: expected a string"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","host":"127.0.0.1","port":6300,)"
                                        R"("clientPort":6300})"),
                                "give two ports"));
    }

    void takenIdsAndPortsAreRefused() {
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"chat-server-1","host":"127.0.0.1","port":6300})"),
                                "id=chat-server-1: a server with this id already exists"));
        CPPUNIT_ASSERT(
            contains(refusal(R"({"serverType":"chat","id":"master-server-1","host":"127.0.0.1","port":6300})"),
                     "already exists"));
        // A port of a server of the cluster on the same machine (localhost is 127.0.0.1 here).
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","host":"localhost","port":3050})"),
                                "taken by server connector-server-1"));
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","host":"127.0.0.1","port":3005})"),
                                "taken by server master-server-1"));
        // The same port on another machine is free.
        CPPUNIT_ASSERT(plan(R"({"serverType":"chat","id":"c-1","host":"10.9.9.9","port":6050})").size() == 1);
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","host":"10.1.2.3","port":7000})"),
                                "taken by server remote-1"));
        // A port another program listens on (probed for this machine only).
        g_busy.insert(6400);
        CPPUNIT_ASSERT(contains(refusal(R"({"serverType":"chat","id":"c-1","host":"127.0.0.1","port":6400})"),
                                "in use by another program"));
        CPPUNIT_ASSERT(plan(R"({"serverType":"chat","id":"c-1","host":"10.9.9.9","port":6400})").size() == 1);
    }

    void commandLineWords() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"serverType":"chat","id":"a=b","port":"1"})"),
                             add_fields_json({"serverType=chat", "id=a=b", "port=1"}));
        CPPUNIT_ASSERT_THROW(add_fields_json({"serverType"}), AddError);
        CPPUNIT_ASSERT_THROW(add_fields_json({"=x"}), AddError);
        CPPUNIT_ASSERT_THROW(add_fields_json({"id=a", "id=b"}), AddError);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServerAddTest);

}  // namespace
}  // namespace shd::cluster
