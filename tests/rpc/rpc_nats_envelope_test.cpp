// The signed envelope of the rpc_nats plugin (plugins/rpc_nats/nats_envelope.hpp): what it accepts and
// every way a message from another NATS client is refused.
#include "frame_codec.hpp"
#include "nats_envelope.hpp"
#include "nats_options.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <shaddock/abi.h>
#include <shaddock/cpp/host.hpp>

#include <string>

using namespace shd::rpc;
using namespace shd::rpc::nats;

namespace {

std::string a_request(uint64_t id = 7, std::string_view args = R"(["hi"])") {
    std::string f;
    append_request(f, id, "user", "testRemote", "echo", args);
    return f;
}

std::string sealed(std::string_view secret = "s3cret", std::string_view subject = "shd.rpc.b-1",
                   std::string_view reply = "_INBOX.x.1.7", std::string_view sender = "a-1",
                   const std::string &frame = a_request()) {
    std::string out;
    seal(out, secret, subject, reply, sender, frame);
    return out;
}

}  // namespace

class NatsEnvelopeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(NatsEnvelopeTest);
    CPPUNIT_TEST(round_trip);
    CPPUNIT_TEST(mac_binds_secret_subject_reply_sender_and_frame);
    CPPUNIT_TEST(malformed_payloads_are_refused);
    CPPUNIT_TEST(frame_limits);
    CPPUNIT_TEST(options);
    CPPUNIT_TEST_SUITE_END();

public:
    void round_trip() {
        const std::string payload = sealed();
        CPPUNIT_ASSERT_EQUAL(envelope_overhead(3) + a_request().size(), payload.size());
        Opened o;
        CPPUNIT_ASSERT_EQUAL(std::string(), open(payload, "s3cret", "shd.rpc.b-1", "_INBOX.x.1.7", 1 << 20, o));
        CPPUNIT_ASSERT_EQUAL(std::string("a-1"), std::string(o.sender));
        CPPUNIT_ASSERT_EQUAL(static_cast<uint8_t>(FrameType::request), o.type);
        RequestView v;
        CPPUNIT_ASSERT(parse_request(o.body, v));
        CPPUNIT_ASSERT_EQUAL(uint64_t(7), v.id);
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["hi"])"), std::string(v.args));
    }

    void mac_binds_secret_subject_reply_sender_and_frame() {
        const std::string payload = sealed();
        Opened o;
        auto refused = [&](const std::string &p, std::string_view secret, std::string_view subject,
                           std::string_view reply) {
            return open(p, secret, subject, reply, 1 << 20, o).find("bad MAC") != std::string::npos;
        };
        CPPUNIT_ASSERT(refused(payload, "s3creT", "shd.rpc.b-1", "_INBOX.x.1.7"));
        CPPUNIT_ASSERT(refused(payload, "s3cret", "shd.rpc.b-2", "_INBOX.x.1.7"));     // replayed to another server
        CPPUNIT_ASSERT(refused(payload, "s3cret", "shd.rpc.b-1", "_INBOX.evil.1.7"));  // answer redirected
        std::string other_sender = payload;
        other_sender[2] = 'b';  // "b-1" claims to have sent it
        CPPUNIT_ASSERT(refused(other_sender, "s3cret", "shd.rpc.b-1", "_INBOX.x.1.7"));
        std::string tampered = payload;
        tampered[tampered.size() - 2] ^= 1;  // one bit of the args
        CPPUNIT_ASSERT(refused(tampered, "s3cret", "shd.rpc.b-1", "_INBOX.x.1.7"));
        // Subject and reply are length-prefixed: moving a byte from one to the other changes the MAC.
        const std::string moved = sealed("s3cret", "shd.rpc.b-1_", "INBOX.x.1.7");
        CPPUNIT_ASSERT(refused(moved, "s3cret", "shd.rpc.b-1", "_INBOX.x.1.7"));
        CPPUNIT_ASSERT(open(payload, "", "shd.rpc.b-1", "_INBOX.x.1.7", 1 << 20, o).find("no cluster secret") !=
                       std::string::npos);
    }

    void malformed_payloads_are_refused() {
        Opened o;
        auto why = [&](const std::string &p) { return open(p, "s3cret", "shd.rpc.b-1", "_INBOX.x.1.7", 1 << 20, o); };
        CPPUNIT_ASSERT(!why("").empty());
        CPPUNIT_ASSERT(!why(std::string(1, '\1')).empty());
        std::string v2 = sealed();
        v2[0] = 2;
        CPPUNIT_ASSERT(why(v2).find("version 2") != std::string::npos);
        std::string no_sender = sealed();
        no_sender[1] = 0;
        CPPUNIT_ASSERT(why(no_sender).find("no sender") != std::string::npos);
        std::string long_sender = sealed();
        long_sender[1] = static_cast<char>(200);  // runs past the payload
        CPPUNIT_ASSERT(!why(long_sender).empty());
        const std::string good = sealed();
        CPPUNIT_ASSERT(why(good.substr(0, good.size() - 1)).find("does not fit") != std::string::npos);
        CPPUNIT_ASSERT(why(good + "x").find("does not fit") != std::string::npos);
    }

    void frame_limits() {
        const std::string big = a_request(1, "[\"" + std::string(3000, 'x') + "\"]");
        const std::string payload = sealed("s3cret", "shd.rpc.b-1", "_INBOX.x.1.7", "a-1", big);
        Opened o;
        CPPUNIT_ASSERT(open(payload, "s3cret", "shd.rpc.b-1", "_INBOX.x.1.7", 1024, o).find("maxFrameSize 1024") !=
                       std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string(), open(payload, "s3cret", "shd.rpc.b-1", "_INBOX.x.1.7", big.size(), o));
    }

    void options() {
        RpcNatsOptions o = parse_rpc_nats_options(
            R"({"url": "nats://10.0.0.1:4222", "token": "t", "timeout": 100, "ioThreads": 4, "failMode": "failover"})");
        CPPUNIT_ASSERT_EQUAL(std::string("nats://10.0.0.1:4222"), o.nats.url);
        CPPUNIT_ASSERT(o.nats.has_credentials());
        CPPUNIT_ASSERT_EQUAL(uint32_t(100), o.rpc.timeout_ms);
        CPPUNIT_ASSERT(o.rpc.failover);
        CPPUNIT_ASSERT(!parse_rpc_nats_options("{}").nats.has_credentials());
        auto fails = [](const char *json, const char *says) {
            try {
                parse_rpc_nats_options(json);
            } catch (const shd::Error &e) {
                return std::string(e.what()).find(says) != std::string::npos;
            }
            return false;
        };
        CPPUNIT_ASSERT(fails(R"({"token": "t", "user": "u", "password": "p"})", "not both"));
        CPPUNIT_ASSERT(fails(R"({"user": "u"})", "option password"));
        CPPUNIT_ASSERT(fails(R"({"subjectPrefix": "a.*"})", "option subjectPrefix"));
        CPPUNIT_ASSERT(fails(R"({"subjectPrefix": "a..b"})", "option subjectPrefix"));
        CPPUNIT_ASSERT(fails(R"({"urll": "x"})", "urll"));
        CPPUNIT_ASSERT_EQUAL(std::string("nats://***@h:1,nats://k:2"), redact_url("nats://u:p@h:1,nats://k:2"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(NatsEnvelopeTest);
