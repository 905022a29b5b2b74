// Handshake: reading hostile client bodies, and Pomelo's reply shapes.
#include <shaddock/pomelo/handshake.hpp>
#include <shaddock/pomelo/pomelo_protobuf.hpp>
#include <shaddock/pomelo/protos_version.hpp>
#include <shaddock/pomelo/route_dictionary.hpp>

#include <rapidjson/document.h>

#include <cppunit/extensions/HelperMacros.h>

namespace shd::pomelo {
namespace {

class HandshakeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HandshakeTest);
    CPPUNIT_TEST(readsClientFields);
    CPPUNIT_TEST(malformedBodiesAreBadRequests);
    CPPUNIT_TEST(deepNestingIsRejectedNotRecursed);
    CPPUNIT_TEST(repliesLikeTheCapturedServer);
    CPPUNIT_TEST(shrinksReplyWhenVersionsMatch);
    CPPUNIT_TEST(addsUserOnlyWhenTruthy);
    CPPUNIT_TEST(errorReplies);
    CPPUNIT_TEST_SUITE_END();

    RouteDictionary dict_{
        {"connector.entryHandler.entry", "connector.entryHandler.publish", "connector.entryHandler.subscribe"}, {}};
    ProtobufSchema server_, client_;
    std::string protos_version_ = protos_version(client_, server_);

    HandshakeReplyConfig full_config() const {
        HandshakeReplyConfig c;
        c.heartbeat_seconds = 3;
        c.dictionary = &dict_;
        c.server_protos = &server_;
        c.client_protos = &client_;
        c.protos_version = protos_version_;
        return c;
    }

public:
    void readsClientFields() {
        const auto r = parse_handshake_request(
            R"({"sys":{"type":"desktop","version":"0.3.5-release","dictVersion":"dv","protoVersion":"pv","rsa":{}},)"
            R"("user":{"b":1,"2":[true,null]}})");
        CPPUNIT_ASSERT(r.has_sys);
        CPPUNIT_ASSERT_EQUAL(std::string("desktop"), r.type);
        CPPUNIT_ASSERT_EQUAL(std::string("0.3.5-release"), r.version);
        CPPUNIT_ASSERT_EQUAL(std::string("dv"), r.dict_version);
        CPPUNIT_ASSERT_EQUAL(std::string("pv"), r.proto_version);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"2":[true,null],"b":1})"), r.user_json);

        const auto odd = parse_handshake_request(R"({"sys":{"type":5,"dictVersion":["x"]}})");
        CPPUNIT_ASSERT(odd.has_sys);
        CPPUNIT_ASSERT(odd.type.empty());
        CPPUNIT_ASSERT(odd.dict_version.empty());
        CPPUNIT_ASSERT(odd.user_json.empty());
    }

    void malformedBodiesAreBadRequests() {
        for (const char *body : {"", "not json", "{", "{\"sys\":{}", "[1]", "null", "5", "\"sys\"", "{\"user\":{}}",
                                 "{\"sys\":null}", "{\"sys\":0}", "{\"sys\":false}", "{\"sys\":\"\"}", "{\"sys\":{}} x",
                                 "{\"sys\":{},\"sys\":0}", "\xff\xfe{}"}) {
            CPPUNIT_ASSERT_MESSAGE(body, !parse_handshake_request(body).has_sys);
        }
        CPPUNIT_ASSERT(parse_handshake_request(R"({"sys":0,"sys":{}})").has_sys);  // the last key wins
        CPPUNIT_ASSERT(parse_handshake_request(R"( {"sys":"yes"} )").has_sys);
        // Raw control characters inside strings are not JSON (JSON.parse refuses them too).
        const char raw[] = "{\"sys\":{\"type\":\"a\0b\"}}";
        CPPUNIT_ASSERT(!parse_handshake_request(std::string(raw, sizeof raw - 1)).has_sys);
        CPPUNIT_ASSERT(!parse_handshake_request("{\"sys\":{\"type\":\"a\x01\"}}").has_sys);
    }

    void deepNestingIsRejectedNotRecursed() {
        std::string deep = R"({"sys":{},"user":)";
        deep += std::string(200000, '[');
        deep += std::string(200000, ']');
        deep += "}";
        CPPUNIT_ASSERT(!parse_handshake_request(deep).has_sys);
        // Brackets inside strings do not count.
        CPPUNIT_ASSERT(parse_handshake_request(R"({"sys":{"type":")" + std::string(1000, '[') + R"("}})").has_sys);
    }

    void repliesLikeTheCapturedServer() {
        // POMELO.md 1.3, the capture from the test server (three handlers, empty proto files).
        const auto request = parse_handshake_request(R"({"sys":{"type":"js-websocket","version":"0.0.1"},"user":{}})");
        const std::string d = dict_.dict_json();
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"code":200,"sys":{"heartbeat":3,"dict":)") + d + R"(,"routeToCode":)" + d +
                R"(,"codeToRoute":)" + dict_.code_to_route_json() +
                R"(,"dictVersion":"vhs1TJfFaUAZcUaS9t3zTQ==","useDict":true,)"
                R"("protos":{"server":{},"client":{},"version":"xT9OvpsqULwrUv2IpdUD4Q=="},"useProto":true}})",
            handshake_reply(request, full_config()));
    }

    void shrinksReplyWhenVersionsMatch() {
        const auto request = parse_handshake_request(
            R"({"sys":{"dictVersion":"vhs1TJfFaUAZcUaS9t3zTQ==","protoVersion":"xT9OvpsqULwrUv2IpdUD4Q=="}})");
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"code":200,"sys":{"heartbeat":3,"useDict":true,"useProto":true}})"),
                             handshake_reply(request, full_config()));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"code":200,"sys":{}})"), handshake_reply(request, {}));
    }

    void addsUserOnlyWhenTruthy() {
        const auto request = parse_handshake_request(R"({"sys":{}})");
        HandshakeReplyConfig c;
        for (const char *falsy : {"null", "false", "0", "\"\"", "-0.0"}) {
            rapidjson::Document user;
            user.Parse(falsy);
            c.user = &user;
            CPPUNIT_ASSERT_EQUAL(std::string(R"({"code":200,"sys":{}})"), handshake_reply(request, c));
        }
        rapidjson::Document user;
        user.Parse(R"({"uid":"x","10":1.0,"2":[]})");
        c.user = &user;
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"code":200,"sys":{},"user":{"2":[],"10":1,"uid":"x"}})"),
                             handshake_reply(request, c));
    }

    void errorReplies() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"code":500})"), handshake_error_reply(kHandshakeBadRequest));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"code":501})"), handshake_error_reply(kHandshakeOldClient));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HandshakeTest);

}  // namespace
}  // namespace shd::pomelo
