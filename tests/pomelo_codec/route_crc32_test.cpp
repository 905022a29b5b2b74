// crc32 routing as Pomelo's default RPC router computes it.
#include <shaddock/cpp/route_hash.hpp>

#include <cppunit/extensions/HelperMacros.h>

namespace shd::pomelo {
namespace {

class RouteCrc32Test : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RouteCrc32Test);
    CPPUNIT_TEST(standardCrcForAscii);
    CPPUNIT_TEST(lowByteOfUtf16Units);
    CPPUNIT_TEST(indexUsesAbsOfSignedValue);
    CPPUNIT_TEST_SUITE_END();

public:
    void standardCrcForAscii() {
        CPPUNIT_ASSERT_EQUAL(uint32_t{0xCBF43926}, shd::pomelo_crc32("123456789"));
        CPPUNIT_ASSERT_EQUAL(uint32_t{0x414FA339}, shd::pomelo_crc32("The quick brown fox jumps over the lazy dog"));
        CPPUNIT_ASSERT_EQUAL(uint32_t{0}, shd::pomelo_crc32(""));
    }

    void lowByteOfUtf16Units() {
        // U+0100 and U+0000 share their low byte; so do U+4E2D and "-" (0x2D).
        CPPUNIT_ASSERT_EQUAL(shd::pomelo_crc32(std::string_view("\0", 1)), shd::pomelo_crc32("\xC4\x80"));
        CPPUNIT_ASSERT_EQUAL(shd::pomelo_crc32("-"), shd::pomelo_crc32("\xE4\xB8\xAD"));
        // U+1F600 is D83D DE00: low bytes 3D 00, i.e. "=\0".
        CPPUNIT_ASSERT_EQUAL(shd::pomelo_crc32(std::string_view("=\0", 2)), shd::pomelo_crc32("\xF0\x9F\x98\x80"));
        // Invalid UTF-8 is U+FFFD, low byte FF, as Node decodes it.
        CPPUNIT_ASSERT_EQUAL(shd::pomelo_crc32("\xEF\xBF\xBD"), shd::pomelo_crc32("\x80"));
    }

    void indexUsesAbsOfSignedValue() {
        // crc32("123456789") = 0xCBF43926 = -873187034 as int32; |x| % 10 = 4.
        CPPUNIT_ASSERT_EQUAL(size_t{4}, shd::pomelo_route_index("123456789", 10));
        CPPUNIT_ASSERT_EQUAL(size_t{873187034 % 7}, shd::pomelo_route_index("123456789", 7));
        CPPUNIT_ASSERT_EQUAL(size_t{0}, shd::pomelo_route_index("anything", 1));
        CPPUNIT_ASSERT_EQUAL(size_t{0}, shd::pomelo_route_index("anything", 0));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RouteCrc32Test);

}  // namespace
}  // namespace shd::pomelo
