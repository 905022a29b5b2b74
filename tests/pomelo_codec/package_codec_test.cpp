// Package layer: encoding, and the one-package-per-frame decoder used for WebSocket frames.
#include "hex.hpp"

#include <shaddock/pomelo/package_codec.hpp>

#include <cppunit/extensions/HelperMacros.h>

namespace shd::pomelo {
namespace {

using test::from_hex;
using test::to_hex;

class PackageCodecTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PackageCodecTest);
    CPPUNIT_TEST(encodesHeaderAndBody);
    CPPUNIT_TEST(encodesEmptyBody);
    CPPUNIT_TEST(refusesBodyBeyond24Bits);
    CPPUNIT_TEST(decodesOneFramePackage);
    CPPUNIT_TEST(rejectsShortFrames);
    CPPUNIT_TEST(rejectsInvalidTypes);
    CPPUNIT_TEST(rejectsBodyAboveLimit);
    CPPUNIT_TEST(rejectsTruncatedBody);
    CPPUNIT_TEST(rejectsTwoPackagesInOneFrame);
    CPPUNIT_TEST_SUITE_END();

public:
    void encodesHeaderAndBody() {
        std::string out = "x";
        CPPUNIT_ASSERT(!encode_package(out, PackageType::kick, R"({"reason":"kick"})"));
        // POMELO.md 1.10: kick {"reason":"kick"}; what was in `out` before stays.
        CPPUNIT_ASSERT_EQUAL(std::string("78") + "050000117b22726561736f6e223a226b69636b227d", to_hex(out));
    }

    void encodesEmptyBody() {
        std::string out;
        CPPUNIT_ASSERT(!encode_package(out, PackageType::heartbeat, {}));
        CPPUNIT_ASSERT_EQUAL(std::string("03000000"), to_hex(out));
        out.clear();
        append_package_header(out, PackageType::data, 0x012345);
        CPPUNIT_ASSERT_EQUAL(std::string("04012345"), to_hex(out));
    }

    void refusesBodyBeyond24Bits() {
        std::string body(kMaxPackageBodySize + 1, 'a');
        std::string out;
        CPPUNIT_ASSERT(encode_package(out, PackageType::data, body) != nullptr);
        CPPUNIT_ASSERT(out.empty());
        body.pop_back();
        CPPUNIT_ASSERT(!encode_package(out, PackageType::data, body));
        CPPUNIT_ASSERT_EQUAL(std::string("04ffffff"), to_hex(out.substr(0, 4)));
    }

    void decodesOneFramePackage() {
        const std::string frame = from_hex("04 00 00 03 61 62 63");
        const auto r = decode_frame_package(frame);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(r.package.type == PackageType::data);
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), std::string(r.package.body));
        CPPUNIT_ASSERT(r.package.body.data() == frame.data() + 4);  // no copy

        const std::string ack_frame = from_hex("02000000");
        const auto ack = decode_frame_package(ack_frame);
        CPPUNIT_ASSERT(ack.ok());
        CPPUNIT_ASSERT(ack.package.type == PackageType::handshake_ack);
        CPPUNIT_ASSERT(ack.package.body.empty());
    }

    void rejectsShortFrames() {
        for (const char *frame : {"", "04", "0400", "040000"}) {
            CPPUNIT_ASSERT_MESSAGE(frame, !decode_frame_package(from_hex(frame)).ok());
        }
    }

    void rejectsInvalidTypes() {
        for (const char *frame : {"00000000", "06000000", "ff000000", "47455420"}) {  // "GET "
            const auto r = decode_frame_package(from_hex(frame));
            CPPUNIT_ASSERT_MESSAGE(frame, !r.ok());
            CPPUNIT_ASSERT_EQUAL(std::string("invalid package type"), std::string(r.error));
        }
    }

    void rejectsBodyAboveLimit() {
        const std::string frame = from_hex("04000005") + "12345";
        CPPUNIT_ASSERT(decode_frame_package(frame, 5).ok());
        const auto r = decode_frame_package(frame, 4);
        CPPUNIT_ASSERT(!r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("package body longer than allowed"), std::string(r.error));
    }

    void rejectsTruncatedBody() {
        const auto r = decode_frame_package(from_hex("04000005") + "1234");
        CPPUNIT_ASSERT(!r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("package body truncated"), std::string(r.error));
        CPPUNIT_ASSERT(!decode_frame_package(from_hex("04ffffff")).ok());
    }

    void rejectsTwoPackagesInOneFrame() {
        const auto r = decode_frame_package(from_hex("03000000 03000000"));
        CPPUNIT_ASSERT(!r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("bytes after the package (one package per frame)"), std::string(r.error));
        CPPUNIT_ASSERT(!decode_frame_package(from_hex("04000001 61 00")).ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PackageCodecTest);

}  // namespace
}  // namespace shd::pomelo
