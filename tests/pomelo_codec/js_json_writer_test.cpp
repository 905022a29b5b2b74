// JSON.stringify compatibility of the writer (the broad tables are in the interop vectors).
#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/kick_body.hpp>

#include <rapidjson/document.h>

#include <cppunit/extensions/HelperMacros.h>

#include <cmath>
#include <limits>

namespace shd::pomelo {
namespace {

std::string number(double v) {
    std::string out;
    append_js_number(out, v);
    return out;
}

std::string string(std::string_view s) {
    std::string out;
    append_js_string(out, s);
    return out;
}

std::string stringify(const char *json) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseFullPrecisionFlag>(json);
    CPPUNIT_ASSERT_MESSAGE(json, !d.HasParseError());
    std::string out;
    CPPUNIT_ASSERT(append_js_json(out, d));
    return out;
}

class JsJsonWriterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JsJsonWriterTest);
    CPPUNIT_TEST(numbersLikeNumberToString);
    CPPUNIT_TEST(stringsEscapedLikeJson);
    CPPUNIT_TEST(invalidUtf8BecomesReplacement);
    CPPUNIT_TEST(objectKeysInJsOrder);
    CPPUNIT_TEST(depthIsLimited);
    CPPUNIT_TEST(kickBodies);
    CPPUNIT_TEST_SUITE_END();

public:
    void numbersLikeNumberToString() {
        CPPUNIT_ASSERT_EQUAL(std::string("0"), number(-0.0));
        CPPUNIT_ASSERT_EQUAL(std::string("1"), number(1.0));
        CPPUNIT_ASSERT_EQUAL(std::string("0.1"), number(0.1));
        CPPUNIT_ASSERT_EQUAL(std::string("0.30000000000000004"), number(0.1 + 0.2));
        CPPUNIT_ASSERT_EQUAL(std::string("100000000000000000000"), number(1e20));
        CPPUNIT_ASSERT_EQUAL(std::string("1e+21"), number(1e21));
        CPPUNIT_ASSERT_EQUAL(std::string("0.000001"), number(1e-6));
        CPPUNIT_ASSERT_EQUAL(std::string("1e-7"), number(1e-7));
        CPPUNIT_ASSERT_EQUAL(std::string("-1.5e-7"), number(-1.5e-7));
        CPPUNIT_ASSERT_EQUAL(std::string("5e-324"), number(5e-324));
        CPPUNIT_ASSERT_EQUAL(std::string("1.7976931348623157e+308"), number(1.7976931348623157e308));
        CPPUNIT_ASSERT_EQUAL(std::string("null"), number(std::numeric_limits<double>::infinity()));
        CPPUNIT_ASSERT_EQUAL(std::string("null"), number(std::nan("")));
        CPPUNIT_ASSERT_EQUAL(std::string("[1,-1,18446744073709552000,9007199254740992,-9223372036854776000]"),
                             stringify("[1.0,-1,18446744073709551615,9007199254740993,-9223372036854775808]"));
    }

    void stringsEscapedLikeJson() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"("a\"b\\c/d")"), string(R"(a"b\c/d)"));
        CPPUNIT_ASSERT_EQUAL(std::string(R"("\b\f\n\r\t\u0000\u0001\u001f)") + "\x7f\"",
                             string(std::string_view("\b\f\n\r\t\0\x01\x1f\x7f", 9)));
        CPPUNIT_ASSERT_EQUAL(std::string("\"\xE2\x80\xA8 \xF0\x9F\x98\x80 \xC3\xA9\""),
                             string("\xE2\x80\xA8 \xF0\x9F\x98\x80 \xC3\xA9"));
    }

    void invalidUtf8BecomesReplacement() {
        CPPUNIT_ASSERT_EQUAL(std::string("\"a\xEF\xBF\xBD"
                                         "b\""),
                             string("a\xff"
                                    "b"));
        // A UTF-8 encoded surrogate: three maximal invalid subparts, three replacements.
        CPPUNIT_ASSERT_EQUAL(std::string("\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""), string("\xed\xa0\x80"));
        // A truncated sequence is one replacement.
        CPPUNIT_ASSERT_EQUAL(std::string("\"\xEF\xBF\xBD!\""), string("\xf0\x9f\x98!"));
    }

    void objectKeysInJsOrder() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"1":1,"2":2,"10":3,"b":4,"a":5,"01":6,"-1":7})"),
                             stringify(R"({"b":4,"10":3,"a":5,"2":2,"01":6,"1":1,"-1":7})"));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"a":3,"b":2})"), stringify(R"({"a":1,"b":2,"a":3})"));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"4294967294":1,"4294967295":2})"),
                             stringify(R"({"4294967295":2,"4294967294":1})"));
    }

    void depthIsLimited() {
        rapidjson::Document d;
        d.Parse("[[[[1]]]]");
        std::string out;
        CPPUNIT_ASSERT(append_js_json(out, d, 4));
        out.clear();
        CPPUNIT_ASSERT(!append_js_json(out, d, 3));
    }

    void kickBodies() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"reason":"attack"})"), kick_body("attack"));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"reason":"say \"bye\"\n"})"), kick_body("say \"bye\"\n"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsJsonWriterTest);

}  // namespace
}  // namespace shd::pomelo
