// Message layer: the worked examples of POMELO.md 1.10 and hostile input.
#include "hex.hpp"

#include <shaddock/pomelo/message_codec.hpp>
#include <shaddock/pomelo/package_codec.hpp>

#include <cppunit/extensions/HelperMacros.h>

namespace shd::pomelo {
namespace {

using test::from_hex;
using test::to_hex;

std::string encode(const Message &m) {
    std::string out;
    const char *error = encode_data_package(out, m);
    CPPUNIT_ASSERT_MESSAGE(error ? error : "", error == nullptr);
    return to_hex(out);
}

std::string decode_error(const std::string &hex) {
    const auto r = decode_message(from_hex(hex));
    return r.error ? r.error : "ok";
}

class MessageCodecTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MessageCodecTest);
    CPPUNIT_TEST(encodesDocExamples);
    CPPUNIT_TEST(decodesRequest);
    CPPUNIT_TEST(decodesCompressedPushAndGzipBit);
    CPPUNIT_TEST(idBoundaries);
    CPPUNIT_TEST(rejectsOverlongIds);
    CPPUNIT_TEST(rejectsIdsOutOfRange);
    CPPUNIT_TEST(rejectsTruncatedInput);
    CPPUNIT_TEST(rejectsUnknownTypes);
    CPPUNIT_TEST(refusesToEncodeBadMessages);
    CPPUNIT_TEST(sizeMatchesEncoding);
    CPPUNIT_TEST_SUITE_END();

public:
    void encodesDocExamples() {
        Message m;
        m.type = MessageType::request;
        m.id = 1;
        m.route = "chat.chatHandler.send";
        m.body = R"({"a":1})";
        CPPUNIT_ASSERT_EQUAL(std::string("0400001f000115") + to_hex("chat.chatHandler.send") + to_hex(R"({"a":1})"),
                             encode(m));
        m.route_compressed = true;
        m.route_code = 3;
        CPPUNIT_ASSERT_EQUAL(std::string("0400000b010100037b2261223a317d"), encode(m));

        Message response;
        response.type = MessageType::response;
        response.id = 1;
        response.body = R"({"code":200})";
        CPPUNIT_ASSERT_EQUAL(std::string("0400000e04017b22636f6465223a3230307d"), encode(response));
        response.gzip = true;
        CPPUNIT_ASSERT_EQUAL(std::string("14"), encode(response).substr(8, 2));

        Message push;
        push.type = MessageType::push;
        push.route = "onChat";
        push.body = R"({"msg":"hi"})";
        CPPUNIT_ASSERT_EQUAL(std::string("04000014") + "0606" + to_hex("onChat") + to_hex(R"({"msg":"hi"})"),
                             encode(push));
        push.route_compressed = true;
        push.route_code = 0x0102;
        push.body = "{}";
        CPPUNIT_ASSERT_EQUAL(std::string("04000005070102") + "7b7d", encode(push));
    }

    void decodesRequest() {
        const std::string bytes = from_hex("00 ac02 05 612e622e63 7b7d");
        const auto r = decode_message(bytes);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(r.message.type == MessageType::request);
        CPPUNIT_ASSERT_EQUAL(uint32_t{300}, r.message.id);
        CPPUNIT_ASSERT(!r.message.route_compressed);
        CPPUNIT_ASSERT_EQUAL(std::string("a.b.c"), std::string(r.message.route));
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), std::string(r.message.body));
        CPPUNIT_ASSERT(r.message.body.data() == bytes.data() + 9);  // a view, not a copy

        const std::string notify = from_hex("02 00");
        const auto empty_route = decode_message(notify);
        CPPUNIT_ASSERT(empty_route.ok());
        CPPUNIT_ASSERT(empty_route.message.route.empty());
        CPPUNIT_ASSERT(empty_route.message.body.empty());
    }

    void decodesCompressedPushAndGzipBit() {
        const auto r = decode_message(from_hex("17 fffe 01"));
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(r.message.type == MessageType::push);
        CPPUNIT_ASSERT(r.message.route_compressed);
        CPPUNIT_ASSERT_EQUAL(uint16_t{0xfffe}, r.message.route_code);
        CPPUNIT_ASSERT(r.message.gzip);
        // Bits 5-7 are ignored as Pomelo ignores them; a response has no route even with bit 0.
        const std::string bytes = from_hex("e5 07 7b7d");  // views point into it
        const auto high = decode_message(bytes);
        CPPUNIT_ASSERT(high.ok());
        CPPUNIT_ASSERT(high.message.type == MessageType::response);
        CPPUNIT_ASSERT_EQUAL(uint32_t{7}, high.message.id);
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), std::string(high.message.body));
    }

    void idBoundaries() {
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), decode_error("04 7f"));
        CPPUNIT_ASSERT_EQUAL(uint32_t{0x7fffffff}, decode_message(from_hex("04 ffffffff07")).message.id);
        CPPUNIT_ASSERT_EQUAL(uint32_t{16384}, decode_message(from_hex("04 808001")).message.id);
        CPPUNIT_ASSERT_EQUAL(uint32_t{1}, decode_message(from_hex("04 8100")).message.id);  // non-minimal is fine
    }

    void rejectsOverlongIds() {
        // A Pomelo connector loops on these; we stop after 5 bytes.
        CPPUNIT_ASSERT_EQUAL(std::string("message id longer than 5 bytes"), decode_error("04 8080808080 01"));
        CPPUNIT_ASSERT_EQUAL(std::string("message id longer than 5 bytes"), decode_error("00 ffffffffffffffffffff"));
    }

    void rejectsIdsOutOfRange() {
        CPPUNIT_ASSERT_EQUAL(std::string("message id out of 1..2^31-1"), decode_error("04 8080808008"));  // 2^31
        CPPUNIT_ASSERT_EQUAL(std::string("message id out of 1..2^31-1"), decode_error("04 ffffffff0f"));
        CPPUNIT_ASSERT_EQUAL(std::string("message id out of 1..2^31-1"), decode_error("00 00 00"));
        CPPUNIT_ASSERT_EQUAL(std::string("message id out of 1..2^31-1"), decode_error("04 8000"));
    }

    void rejectsTruncatedInput() {
        CPPUNIT_ASSERT_EQUAL(std::string("empty message"), decode_error(""));
        CPPUNIT_ASSERT_EQUAL(std::string("message id truncated"), decode_error("00"));
        CPPUNIT_ASSERT_EQUAL(std::string("message id truncated"), decode_error("00 80"));
        CPPUNIT_ASSERT_EQUAL(std::string("route length missing"), decode_error("00 01"));
        CPPUNIT_ASSERT_EQUAL(std::string("route length missing"), decode_error("02"));
        CPPUNIT_ASSERT_EQUAL(std::string("route longer than the message"), decode_error("00 01 05 6162"));
        CPPUNIT_ASSERT_EQUAL(std::string("route longer than the message"), decode_error("06 ff"));
        CPPUNIT_ASSERT_EQUAL(std::string("route code truncated"), decode_error("01 01 00"));
        CPPUNIT_ASSERT_EQUAL(std::string("route code truncated"), decode_error("07"));
    }

    void rejectsUnknownTypes() {
        for (const char *flag : {"08", "09", "0a", "0c", "0e", "0f", "1e"})
            CPPUNIT_ASSERT_EQUAL(std::string("unknown message type"), decode_error(std::string(flag) + "0101"));
    }

    void refusesToEncodeBadMessages() {
        std::string out;
        Message m;
        m.type = MessageType::request;
        m.route = "a";
        m.id = 0;
        CPPUNIT_ASSERT(encode_message(out, m) != nullptr);
        m.id = 0x80000000u;
        CPPUNIT_ASSERT(encode_message(out, m) != nullptr);
        m.id = 1;
        const std::string long_route(256, 'r');
        m.route = long_route;
        CPPUNIT_ASSERT(encode_message(out, m) != nullptr);
        CPPUNIT_ASSERT(out.empty());
        m.route = std::string_view(long_route).substr(1);
        CPPUNIT_ASSERT(encode_message(out, m) == nullptr);

        Message big;
        big.type = MessageType::notify;
        const std::string body(kMaxPackageBodySize, 'b');
        big.body = body;
        CPPUNIT_ASSERT(encode_data_package(out, big) != nullptr);  // flag + route length push it over
        CPPUNIT_ASSERT(encode_message(out, big) == nullptr);       // the message alone is fine
    }

    void sizeMatchesEncoding() {
        Message m;
        for (MessageType t : {MessageType::request, MessageType::notify, MessageType::response, MessageType::push}) {
            for (bool compressed : {false, true}) {
                m.type = t;
                m.id = 16384;
                m.route_compressed = compressed;
                m.route_code = 9;
                m.route = "x.y.z";
                m.body = "body";
                std::string out;
                CPPUNIT_ASSERT(encode_message(out, m) == nullptr);
                CPPUNIT_ASSERT_EQUAL(encoded_message_size(m), out.size());
                const auto back = decode_message(out);
                CPPUNIT_ASSERT(back.ok());
                CPPUNIT_ASSERT(back.message.type == t);
                CPPUNIT_ASSERT_EQUAL(std::string("body"), std::string(back.message.body));
            }
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(MessageCodecTest);

}  // namespace
}  // namespace shd::pomelo
