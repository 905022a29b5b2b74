// The connector's options (connector_options.cpp): defaults, the values derived from others
// (idleTimeout from timeout, a token bucket's burst and kickAfter from its rate, the listening
// address), unknown keys passed on, and the errors, which name the option.
#include "connector_options.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>
#include <fstream>
#include <string>

using shd::connector::ConnectorOptions;
using shd::connector::parse_options;

namespace {

shd::ServerInfo server() {
    shd::ServerInfo s;
    s.id = "connector-server-1";
    s.host = "10.0.0.7";
    s.client_port = 3010;
    s.app_dir = std::filesystem::temp_directory_path().string();
    return s;
}

ConnectorOptions parse(const char *json, const shd::ServerInfo &s = server()) {
    return parse_options(json, s);
}

std::string error_of(const char *json, const shd::ServerInfo &s = server()) {
    try {
        parse_options(json, s);
    } catch (const shd::Error &e) {
        return e.what();
    }
    return "";
}

bool starts_with(const std::string &s, const std::string &prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

class ConnectorOptionsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ConnectorOptionsTest);
    CPPUNIT_TEST(defaults);
    CPPUNIT_TEST(address_and_port);
    CPPUNIT_TEST(timeouts);
    CPPUNIT_TEST(token_buckets);
    CPPUNIT_TEST(scheduler_and_limits);
    CPPUNIT_TEST(unknown_keys_are_passed_on);
    CPPUNIT_TEST(tls_files);
    CPPUNIT_TEST(errors_name_the_option);
    CPPUNIT_TEST_SUITE_END();

public:
    void defaults() {
        ConnectorOptions o = parse("{}");
        CPPUNIT_ASSERT_EQUAL(std::string(), o.host);
        CPPUNIT_ASSERT_EQUAL(3010, o.port);
        CPPUNIT_ASSERT(!o.tls);
        CPPUNIT_ASSERT_EQUAL(1u, o.io_threads);
        CPPUNIT_ASSERT_EQUAL(uint32_t(0), o.heartbeat_s);
        CPPUNIT_ASSERT_EQUAL(uint64_t(90'000), o.idle_timeout_ms);
        CPPUNIT_ASSERT_EQUAL(uint64_t(10'000), o.handshake_timeout_ms);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), o.max_connections);
        CPPUNIT_ASSERT(o.no_delay);
        CPPUNIT_ASSERT(!o.single_session);
        CPPUNIT_ASSERT_EQUAL(uint64_t(65536), o.max_package_size);
        CPPUNIT_ASSERT_EQUAL(uint64_t(1 << 20), o.send_queue_limit);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), o.flush_interval_ms);
        CPPUNIT_ASSERT_EQUAL(uint32_t(256), o.max_pending_messages);
        CPPUNIT_ASSERT_EQUAL(uint64_t(32u << 20), o.max_inbox_bytes);
        CPPUNIT_ASSERT_EQUAL(50'000.0, o.rate);
        CPPUNIT_ASSERT_EQUAL(50'000.0, o.rate_burst);
        CPPUNIT_ASSERT_EQUAL(250'000.0, o.rate_kick_after);
        CPPUNIT_ASSERT_EQUAL(uint64_t(20'000), o.max_connections_per_ip);
        CPPUNIT_ASSERT_EQUAL(1'000.0, o.connect_rate);
        CPPUNIT_ASSERT_EQUAL(20'000.0, o.connect_burst);
        CPPUNIT_ASSERT(o.blacklist.empty());
        CPPUNIT_ASSERT(o.unknown.empty());
    }

    void address_and_port() {
        CPPUNIT_ASSERT_EQUAL(std::string("10.0.0.7"), parse(R"({"distinctHost": true})").host);
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), parse(R"({"distinctHost": true, "host": "127.0.0.1"})").host);
        CPPUNIT_ASSERT_EQUAL(0, parse(R"({"port": 0})").port);
        shd::ServerInfo no_port = server();
        no_port.client_port = 0;
        CPPUNIT_ASSERT_EQUAL(4000, parse(R"({"port": 4000})", no_port).port);
        CPPUNIT_ASSERT_EQUAL(std::string("server connector-server-1: the connector needs a clientPort in servers.json "
                                         "(or the option port)"),
                             error_of("{}", no_port));
        // max-connections: the option, else the server's entry (a number or a string, as Pomelo's).
        shd::ServerInfo entry = server();
        entry.json = R"({"id": "connector-server-1", "max-connections": "1000"})";
        CPPUNIT_ASSERT_EQUAL(uint64_t(1000), parse("{}", entry).max_connections);
        CPPUNIT_ASSERT_EQUAL(uint64_t(5), parse(R"({"max-connections": 5})", entry).max_connections);
        entry.json = R"({"max-connections": "many"})";
        CPPUNIT_ASSERT(starts_with(error_of("{}", entry),
                                   "option max-connections (servers.json): expected a "
                                   "connection count, got \"many\""));
    }

    void timeouts() {
        CPPUNIT_ASSERT_EQUAL(uint64_t(30'000), parse(R"({"timeout": 30})").idle_timeout_ms);
        CPPUNIT_ASSERT_EQUAL(uint64_t(5'000), parse(R"({"timeout": 30, "idleTimeout": 5})").idle_timeout_ms);
        CPPUNIT_ASSERT_EQUAL(uint64_t(90'000), parse(R"({"idleTimeout": 0})").idle_timeout_ms);
        CPPUNIT_ASSERT_EQUAL(uint64_t(1'500), parse(R"({"idleTimeout": 1.5})").idle_timeout_ms);
        CPPUNIT_ASSERT_EQUAL(uint32_t(3), parse(R"({"heartbeat": 3})").heartbeat_s);
        CPPUNIT_ASSERT_EQUAL(uint32_t(1), parse(R"({"heartbeat": 0.2})").heartbeat_s);  // never rounded to none
        CPPUNIT_ASSERT_EQUAL(uint64_t(2'500), parse(R"({"handshakeTimeout": 2.5})").handshake_timeout_ms);
    }

    void token_buckets() {
        ConnectorOptions o = parse(R"({"rateLimit": {"rate": 10}})");
        CPPUNIT_ASSERT_EQUAL(10.0, o.rate);
        CPPUNIT_ASSERT_EQUAL(10.0, o.rate_burst);       // one second's worth
        CPPUNIT_ASSERT_EQUAL(50.0, o.rate_kick_after);  // five seconds' worth
        o = parse(R"({"rateLimit": {"rate": 0.5}})");
        CPPUNIT_ASSERT_EQUAL(1.0, o.rate_burst);  // at least one token
        o = parse(R"({"rateLimit": {"burst": 7}})");
        CPPUNIT_ASSERT_EQUAL(50'000.0, o.rate);
        CPPUNIT_ASSERT_EQUAL(7.0, o.rate_burst);
        CPPUNIT_ASSERT_EQUAL(250'000.0, o.rate_kick_after);
        o = parse(R"({"rateLimit": {"rate": 10, "burst": 3, "kickAfter": 0}})");
        CPPUNIT_ASSERT_EQUAL(3.0, o.rate_burst);
        CPPUNIT_ASSERT_EQUAL(0.0, o.rate_kick_after);
        CPPUNIT_ASSERT_EQUAL(0.0, parse(R"({"rateLimit": false})").rate);
        o = parse(R"({"connectRate": {"rate": 5}})");
        CPPUNIT_ASSERT_EQUAL(5.0, o.connect_rate);
        CPPUNIT_ASSERT_EQUAL(5.0, o.connect_burst);
        CPPUNIT_ASSERT_EQUAL(0.0, parse(R"({"connectRate": false})").connect_rate);
    }

    void scheduler_and_limits() {
        CPPUNIT_ASSERT_EQUAL(uint64_t(20), parse(R"({"scheduler": "buffer"})").flush_interval_ms);
        CPPUNIT_ASSERT_EQUAL(uint64_t(5), parse(R"({"scheduler": "buffer", "flushInterval": 5})").flush_interval_ms);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), parse(R"({"scheduler": "direct", "flushInterval": 5})").flush_interval_ms);
        ConnectorOptions o = parse(R"({"ioThreads": 4, "setNoDelay": false, "singleSession": true,
                                       "maxPackageSize": 16, "sendQueueLimit": 1024, "maxPendingMessages": 2,
                                       "maxInboxBytes": 65536, "maxConnectionsPerIp": 0, "blacklist": ["^10\\."],
                                       "useDict": true, "useProtobuf": false})");
        CPPUNIT_ASSERT_EQUAL(4u, o.io_threads);
        CPPUNIT_ASSERT(!o.no_delay);
        CPPUNIT_ASSERT(o.single_session);
        CPPUNIT_ASSERT_EQUAL(uint64_t(16), o.max_package_size);
        CPPUNIT_ASSERT_EQUAL(uint64_t(1024), o.send_queue_limit);
        CPPUNIT_ASSERT_EQUAL(uint32_t(2), o.max_pending_messages);
        CPPUNIT_ASSERT_EQUAL(uint64_t(65536), o.max_inbox_bytes);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), o.max_connections_per_ip);
        CPPUNIT_ASSERT_EQUAL(size_t(1), o.blacklist.size());
        CPPUNIT_ASSERT_EQUAL(std::string("^10\\."), o.blacklist[0]);
    }

    void unknown_keys_are_passed_on() {
        ConnectorOptions o = parse(R"({"heartbeat": 3, "protocolThing": 1, "other": {}})");
        CPPUNIT_ASSERT_EQUAL(size_t(2), o.unknown.size());
        CPPUNIT_ASSERT_EQUAL(std::string("protocolThing"), o.unknown[0]);
        CPPUNIT_ASSERT_EQUAL(std::string("other"), o.unknown[1]);
    }

    void tls_files() {
        const std::string dir = server().app_dir;
        const std::string cert = dir + "/connector_options_test_cert.pem";
        std::ofstream(cert) << "-----BEGIN CERTIFICATE-----\n";
        ConnectorOptions o = parse(R"({"ssl": {"cert": "connector_options_test_cert.pem",
                                               "key": "connector_options_test_cert.pem", "type": "wss"}})");
        CPPUNIT_ASSERT(o.tls);
        CPPUNIT_ASSERT_EQUAL((std::filesystem::path(dir) / "connector_options_test_cert.pem").string(),
                             o.tls_files.cert);
        CPPUNIT_ASSERT_EQUAL(std::string(), o.tls_files.ca);
        CPPUNIT_ASSERT(starts_with(error_of(R"({"ssl": {"cert": "connector_options_test_cert.pem"}})"),
                                   "option ssl.key: expected a PEM file path"));
        CPPUNIT_ASSERT(starts_with(error_of(R"({"ssl": {"cert": "nope.pem", "key": "nope.pem"}})"),
                                   "option ssl.cert: cannot read \""));
        CPPUNIT_ASSERT(starts_with(error_of(R"({"ssl": {"cert": "", "key": "x"}})"),
                                   "option ssl.cert: expected a PEM file path (relative to the app directory), got"));
        CPPUNIT_ASSERT(starts_with(error_of(R"({"ssl": {"cert": "a", "key": "b", "pem": "c"}})"),
                                   "option ssl.pem: unknown key; expected one of: cert, key, ca"));
        std::filesystem::remove(cert);
    }

    void errors_name_the_option() {
        // The texts the integration tests (tests/connector, tests/channel) and docs show.
        CPPUNIT_ASSERT_EQUAL(std::string("option heartbeat: expected a number of seconds from 0 to 86400, got \"3\""),
                             error_of(R"({"heartbeat": "3"})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option ioThreads: expected an integer from 1 to 64, got 0"),
                             error_of(R"({"ioThreads": 0})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option rateLimit.rate: expected a number from 0.001 to 1e9, got -1"),
                             error_of(R"({"rateLimit": {"rate": -1}})"));
        CPPUNIT_ASSERT(starts_with(error_of(R"({"rateLimit": {"rate": 10, "burst": 5, "kickafter": 1}})"),
                                   "option rateLimit.kickafter: unknown key"));
        CPPUNIT_ASSERT(starts_with(error_of(R"({"connectRate": {"rate": 1, "kickAfter": 1}})"),
                                   "option connectRate.kickAfter: unknown key"));
        CPPUNIT_ASSERT(starts_with(error_of(R"({"connectRate": "fast"})"),
                                   "option connectRate: expected false or an "
                                   "object"));
        CPPUNIT_ASSERT(
            starts_with(error_of(R"({"rateLimit": true})"), "option rateLimit: expected false or an object"));
        CPPUNIT_ASSERT(starts_with(error_of(R"({"maxPendingMessages": 1})"),
                                   "option maxPendingMessages: expected a message count from 2 to 1000000, got 1"));
        CPPUNIT_ASSERT_EQUAL(std::string("option handshakeTimeout: expected a number of seconds above 0, got 0"),
                             error_of(R"({"handshakeTimeout": 0})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option scheduler: expected \"direct\" or \"buffer\", got \"fast\""),
                             error_of(R"({"scheduler": "fast"})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option port: expected a port number from 0 to 65535, got 70000"),
                             error_of(R"({"port": 70000})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option maxPackageSize: expected a byte count from 16 to 16777215, got 15"),
                             error_of(R"({"maxPackageSize": 15})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option flushInterval: expected milliseconds from 1 to 60000, got 0"),
                             error_of(R"({"flushInterval": 0})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option useDict: expected true or false, got 1"),
                             error_of(R"({"useDict": 1})"));
        CPPUNIT_ASSERT(starts_with(error_of(R"({"blacklist": ["(unclosed"]})"),
                                   "option blacklist: \"(unclosed\" is not a valid regular expression"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("option blacklist: expected an array of regular expressions (strings), got [1]"),
            error_of(R"({"blacklist": [1]})"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConnectorOptionsTest);
