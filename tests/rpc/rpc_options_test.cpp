// The plugin's options, and the server lists the static membership is built from.
#include "rpc_options.hpp"
#include "peer_directory.hpp"

#include <shaddock/cpp/host.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <string>

using namespace shd::rpc;

class RpcOptionsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RpcOptionsTest);
    CPPUNIT_TEST(options_defaults);
    CPPUNIT_TEST(options_errors_name_the_key);
    CPPUNIT_TEST(options_peers_keep_their_order);
    CPPUNIT_TEST(server_list_keeps_rpc_servers_in_order);
    CPPUNIT_TEST_SUITE_END();

public:
    void options_defaults() {
        RpcOptions o = parse_rpc_options("{}");
        CPPUNIT_ASSERT_EQUAL(uint32_t(30000), o.timeout_ms);
        CPPUNIT_ASSERT_EQUAL(size_t(16u << 20), o.max_frame);
        CPPUNIT_ASSERT(!o.buffer_msg);
        CPPUNIT_ASSERT_EQUAL(uint32_t(30), o.interval_ms);
        CPPUNIT_ASSERT_EQUAL(1, o.io_threads);
        CPPUNIT_ASSERT(o.router == RouterKind::crc32);
        CPPUNIT_ASSERT(!o.failover);
        CPPUNIT_ASSERT(!o.peers);
        CPPUNIT_ASSERT_EQUAL(size_t(128), o.max_unauthenticated);
        CPPUNIT_ASSERT_EQUAL(size_t(128), o.max_json_depth);
        o = parse_rpc_options(R"({"maxUnauthenticated": 8, "maxJsonDepth": 16})");
        CPPUNIT_ASSERT_EQUAL(size_t(8), o.max_unauthenticated);
        CPPUNIT_ASSERT_EQUAL(size_t(16), o.max_json_depth);
    }

    void options_errors_name_the_key() {
        auto error_of = [](const char *json) -> std::string {
            try {
                parse_rpc_options(json);
            } catch (const shd::Error &e) {
                return e.what();
            }
            return "";
        };
        CPPUNIT_ASSERT(error_of(R"({"timout": 5})").find("option timout: unknown option") == 0);
        CPPUNIT_ASSERT(error_of(R"({"timeout": "5"})").find("option timeout: expected an integer") == 0);
        CPPUNIT_ASSERT(error_of(R"({"routerType": "fastest"})").find("option routerType") == 0);
        CPPUNIT_ASSERT(error_of(R"({"failMode": "failback"})").find("option failMode") == 0);
        CPPUNIT_ASSERT(error_of(R"({"ioThreads": 0})").find("option ioThreads") == 0);
        CPPUNIT_ASSERT(error_of(R"({"maxUnauthenticated": 0})").find("option maxUnauthenticated") == 0);
        CPPUNIT_ASSERT(error_of(R"({"maxJsonDepth": 5000})").find("option maxJsonDepth") == 0);
        CPPUNIT_ASSERT(
            error_of(R"({"peers": {"a": {"host": "127.0.0.1", "port": 1}}})").find("option peers.a.serverType") == 0);
        CPPUNIT_ASSERT(error_of(R"({"peers": {"a": {"serverType": "t", "host": "h", "port": "x"}}})")
                           .find("option peers.a.port") == 0);
    }

    void options_peers_keep_their_order() {
        RpcOptions o = parse_rpc_options(R"({"failMode": "failover", "routerType": "wrr", "peers": {
            "z-1": {"host": "127.0.0.1", "port": 7001, "serverType": "z", "weight": 3},
            "a-1": {"host": "127.0.0.1", "port": "7002", "serverType": "a"}}})");
        CPPUNIT_ASSERT(o.failover);
        CPPUNIT_ASSERT(o.router == RouterKind::wrr);
        CPPUNIT_ASSERT_EQUAL(size_t(2), o.peers->size());
        CPPUNIT_ASSERT_EQUAL(std::string("z-1"), (*o.peers)[0].id);
        CPPUNIT_ASSERT_EQUAL(3, (*o.peers)[0].weight);
        CPPUNIT_ASSERT_EQUAL(7002, (*o.peers)[1].port);
        CPPUNIT_ASSERT_EQUAL(1, (*o.peers)[1].weight);
    }
    void server_list_keeps_rpc_servers_in_order() {
        auto list = parse_server_list(R"([
            {"id": "master-server-1", "serverType": "master", "host": "127.0.0.1", "port": 3005},
            {"id": "connector-server-1", "serverType": "connector", "host": "127.0.0.1", "port": "4050", "frontend": true},
            {"id": "gate-server-1", "serverType": "gate", "host": "127.0.0.1", "clientPort": 3014},
            {"id": "chat-server-1", "serverType": "chat", "host": "127.0.0.1", "port": 6050, "weight": 2}])");
        CPPUNIT_ASSERT_EQUAL(size_t(2), list.size());
        CPPUNIT_ASSERT_EQUAL(std::string("connector-server-1"), list[0].id);
        CPPUNIT_ASSERT_EQUAL(4050, list[0].port);
        CPPUNIT_ASSERT_EQUAL(std::string("chat"), list[1].type);
        CPPUNIT_ASSERT_EQUAL(2, list[1].weight);
        CPPUNIT_ASSERT(parse_server_list("not json").empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RpcOptionsTest);
