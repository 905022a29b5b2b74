// The small building blocks: bounded varints and Node-compatible UTF-8 decoding.
#include "hex.hpp"

#include <shaddock/pomelo/utf8_decode.hpp>
#include <shaddock/pomelo/varint.hpp>

#include <cppunit/extensions/HelperMacros.h>

namespace shd::pomelo {
namespace {

using test::from_hex;
using test::to_hex;

class VarintUtf8Test : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VarintUtf8Test);
    CPPUNIT_TEST(varintRoundTrips);
    CPPUNIT_TEST(varintLimits);
    CPPUNIT_TEST(utf16Conversion);
    CPPUNIT_TEST(utf16Ordering);
    CPPUNIT_TEST(validity);
    CPPUNIT_TEST_SUITE_END();

public:
    void varintRoundTrips() {
        const uint64_t values[] = {0, 1, 127, 128, 300, 16384, 0x7fffffff, 0xffffffff, ~uint64_t{0}};
        for (uint64_t v : values) {
            std::string out;
            append_varint(out, v);
            CPPUNIT_ASSERT_EQUAL(varint_size(v), out.size());
            const VarintRead r = read_varint(out + "tail", 10);
            CPPUNIT_ASSERT(r.status == VarintStatus::ok);
            CPPUNIT_ASSERT_EQUAL(v, r.value);
            CPPUNIT_ASSERT_EQUAL(out.size(), r.size);
        }
        std::string out;
        append_varint(out, 300);
        CPPUNIT_ASSERT_EQUAL(std::string("ac02"), to_hex(out));
    }

    void varintLimits() {
        CPPUNIT_ASSERT(read_varint("", 5).status == VarintStatus::truncated);
        CPPUNIT_ASSERT(read_varint(from_hex("8080"), 5).status == VarintStatus::truncated);
        CPPUNIT_ASSERT(read_varint(from_hex("8080808080"), 5).status == VarintStatus::too_long);
        CPPUNIT_ASSERT(read_varint(from_hex("80808080808080808080"), 99).status == VarintStatus::too_long);
        CPPUNIT_ASSERT(read_varint(from_hex("ffffffffffffffffff02"), 10).status == VarintStatus::too_long);
        CPPUNIT_ASSERT(read_varint(from_hex("ffffffff0f"), 5).status == VarintStatus::ok);
    }

    void utf16Conversion() {
        CPPUNIT_ASSERT(utf8_to_utf16("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80") ==
                       std::u16string(u"a\u00e9\u4e2d\U0001F600"));
        // Maximal subparts: E0 80 is two errors (80 is not a valid second byte after E0).
        CPPUNIT_ASSERT(utf8_to_utf16("\xE0\x80\x41") == std::u16string(u"\ufffd\ufffdA"));
        CPPUNIT_ASSERT(utf8_to_utf16("\xE2\x82") == std::u16string(u"\ufffd"));
        CPPUNIT_ASSERT(utf8_to_utf16("\xF4\x90\x80\x80") == std::u16string(u"\ufffd\ufffd\ufffd\ufffd"));
    }

    void utf16Ordering() {
        CPPUNIT_ASSERT(compare_as_utf16("a", "b") < 0);
        CPPUNIT_ASSERT(compare_as_utf16("ab", "a") > 0);
        CPPUNIT_ASSERT(compare_as_utf16("", "") == 0);
        CPPUNIT_ASSERT(compare_as_utf16("B", "a") < 0);
        CPPUNIT_ASSERT(compare_as_utf16("\xF0\x9F\x98\x80", "\xEF\xBD\x9E") < 0);  // D83D < FF5E
        CPPUNIT_ASSERT(compare_as_utf16("\xEF\xBD\x9E", "\xF0\x9F\x98\x80") > 0);
    }

    void validity() {
        CPPUNIT_ASSERT(is_valid_utf8("plain \xC3\xA9 \xEF\xBF\xBD \xF0\x9F\x98\x80"));
        CPPUNIT_ASSERT(!is_valid_utf8("\xC0\xAF"));
        CPPUNIT_ASSERT(!is_valid_utf8("\xED\xA0\x80"));
        CPPUNIT_ASSERT(!is_valid_utf8("\xF0\x9F\x98"));
        CPPUNIT_ASSERT(!is_valid_utf8("\xFF"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(VarintUtf8Test);

}  // namespace
}  // namespace shd::pomelo
