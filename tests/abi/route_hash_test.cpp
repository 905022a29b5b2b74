// shaddock/cpp/route_hash.hpp, Pomelo's default route: crc32 over the low byte of each UTF-16 code unit,
// as a signed int32, abs, mod n. The SDK's only test of it (the RPC router and the codec use this header).
#include <shaddock/cpp/route_hash.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <string>

using namespace shd;

class RouteCrc32Test : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RouteCrc32Test);
    CPPUNIT_TEST(check_values);
    CPPUNIT_TEST(ascii_equals_bytes);
    CPPUNIT_TEST(non_ascii_uses_low_byte_of_utf16);
    CPPUNIT_TEST(invalid_utf8_becomes_replacement_character);
    CPPUNIT_TEST(signed_abs_modulo);
    CPPUNIT_TEST_SUITE_END();

public:
    void check_values() {
        CPPUNIT_ASSERT_EQUAL(0xcbf43926u, crc32_bytes("123456789"));
        CPPUNIT_ASSERT_EQUAL(0xcbf43926u, pomelo_crc32("123456789"));
        CPPUNIT_ASSERT_EQUAL(0x352441c2u, pomelo_crc32("abc"));
        CPPUNIT_ASSERT_EQUAL(0x414fa339u, pomelo_crc32("The quick brown fox jumps over the lazy dog"));
        CPPUNIT_ASSERT_EQUAL(0u, pomelo_crc32(""));
        CPPUNIT_ASSERT_EQUAL(int32_t(-1310075493), static_cast<int32_t>(pomelo_crc32("alice*r1")));
    }

    void ascii_equals_bytes() {
        for (std::string s : {"a", "uid-42", "connector-server-1", "The quick brown fox"})
            CPPUNIT_ASSERT_EQUAL(crc32_bytes(s), pomelo_crc32(s));
    }

    void non_ascii_uses_low_byte_of_utf16() {
        // U+00E9 -> 0xE9; U+0100 -> 0x00; U+4E2D -> 0x2D ('-'); U+1F600 -> D83D DE00 -> 0x3D ('='), 0x00.
        CPPUNIT_ASSERT_EQUAL(crc32_bytes("\xE9"), pomelo_crc32("\xC3\xA9"));
        CPPUNIT_ASSERT_EQUAL(crc32_bytes(std::string("\0", 1)), pomelo_crc32("\xC4\x80"));
        CPPUNIT_ASSERT_EQUAL(crc32_bytes("-"), pomelo_crc32("\xE4\xB8\xAD"));
        CPPUNIT_ASSERT_EQUAL(crc32_bytes(std::string("=\0", 2)), pomelo_crc32("\xF0\x9F\x98\x80"));
        CPPUNIT_ASSERT_EQUAL(crc32_bytes("x\xE9y-"), pomelo_crc32("x\xC3\xA9y\xE4\xB8\xAD"));
        CPPUNIT_ASSERT(crc32_bytes("\xC3\xA9") != pomelo_crc32("\xC3\xA9"));
    }

    void invalid_utf8_becomes_replacement_character() {
        // Each maximal invalid subpart is one U+FFFD (low byte 0xFD), as Node decodes.
        CPPUNIT_ASSERT_EQUAL(crc32_bytes("\xFD"), pomelo_crc32("\xFF"));
        CPPUNIT_ASSERT_EQUAL(crc32_bytes("\xFD"), pomelo_crc32("\x80"));           // lone continuation byte
        CPPUNIT_ASSERT_EQUAL(pomelo_crc32("\xEF\xBF\xBD"), pomelo_crc32("\x80"));  // as a real U+FFFD
        CPPUNIT_ASSERT_EQUAL(crc32_bytes("\xFD"
                                         "a"),
                             pomelo_crc32("\xE4\xB8"
                                          "a"));                                          // truncated 3-byte sequence
        CPPUNIT_ASSERT_EQUAL(crc32_bytes("\xFD\xFD"), pomelo_crc32("\xC0\x80"));          // overlong: two subparts
        CPPUNIT_ASSERT_EQUAL(crc32_bytes("\xFD\xFD\xFD"), pomelo_crc32("\xED\xA0\x80"));  // encoded surrogate
    }

    void signed_abs_modulo() {
        // "alice*r1": int32 -1310075493 -> 1310075493, divisible by 3.
        CPPUNIT_ASSERT_EQUAL(size_t(0), pomelo_route_index("alice*r1", 3));
        CPPUNIT_ASSERT_EQUAL(size_t(1310075493u % 7), pomelo_route_index("alice*r1", 7));
        // "abc": 0x352441c2 is positive.
        CPPUNIT_ASSERT_EQUAL(size_t(0x352441c2u % 5), pomelo_route_index("abc", 5));
        // No uid: everything goes to the first server.
        CPPUNIT_ASSERT_EQUAL(size_t(0), pomelo_route_index("", 4));
        // "123456789": 0xcbf43926 is negative as int32.
        int64_t v = static_cast<int32_t>(0xcbf43926u);
        CPPUNIT_ASSERT_EQUAL(size_t((-v) % 10), pomelo_route_index("123456789", 10));
        CPPUNIT_ASSERT_EQUAL(size_t(4), pomelo_route_index("123456789", 10));  // -873187034 -> 873187034
        CPPUNIT_ASSERT_EQUAL(size_t(873187034 % 7), pomelo_route_index("123456789", 7));
        // One server, or none: index 0 (never a division by zero).
        CPPUNIT_ASSERT_EQUAL(size_t(0), pomelo_route_index("anything", 1));
        CPPUNIT_ASSERT_EQUAL(size_t(0), pomelo_route_index("anything", 0));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RouteCrc32Test);
