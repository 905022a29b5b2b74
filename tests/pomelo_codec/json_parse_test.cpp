// parse_json: untrusted JSON text, including number literals far outside the range of double that
// RapidJSON 1.1's full-precision path cannot take (one of them was found by fuzz_handshake); json_valid,
// the same verdict without a document.
#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/document.h>

#include <cppunit/extensions/HelperMacros.h>

#include <cmath>
#include <string>

namespace shd::pomelo {
namespace {

class JsonParseTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JsonParseTest);
    CPPUNIT_TEST(theFuzzerInputReadsAsZero);
    CPPUNIT_TEST(belowTheRangeIsZeroKeepingTheSign);
    CPPUNIT_TEST(aboveTheRangeIsRefused);
    CPPUNIT_TEST(edgesOfTheRangeStayExact);
    CPPUNIT_TEST(stringsAreNotNumbers);
    CPPUNIT_TEST(longLiteralsAtEveryExponent);
    CPPUNIT_TEST(aLongZeroReadsAsZero);
    CPPUNIT_TEST(brokenLongLiteralsAreRefused);
    CPPUNIT_TEST(integersKeepRapidJsonTypes);
    CPPUNIT_TEST(validAgreesWithParse);
    CPPUNIT_TEST_SUITE_END();

public:
    void theFuzzerInputReadsAsZero() {
        const std::string number = "1.5781453118566781453" + std::string(35, '0') + "7120001e-000000000000000353";
        rapidjson::Document d;
        CPPUNIT_ASSERT(parse_json("{\"sys\":[" + number + ",2]}", d));
        CPPUNIT_ASSERT_EQUAL(0.0, d["sys"][0].GetDouble());
        CPPUNIT_ASSERT_EQUAL(2, d["sys"][1].GetInt());
    }

    void belowTheRangeIsZeroKeepingTheSign() {
        rapidjson::Document d;
        CPPUNIT_ASSERT(parse_json("[-1e-400, 0.0000000001e-320, 123456789012345678901234567890e-360]", d));
        CPPUNIT_ASSERT_EQUAL(0.0, d[0].GetDouble());
        CPPUNIT_ASSERT(std::signbit(d[0].GetDouble()));
        CPPUNIT_ASSERT_EQUAL(0.0, d[1].GetDouble());
        CPPUNIT_ASSERT_EQUAL(0.0, d[2].GetDouble());
    }

    // "0." and hundreds of zeros crashed RapidJSON's full-precision path (found by fuzz_master_link).
    void aLongZeroReadsAsZero() {
        for (size_t zeros : {65, 400, 600, 5000}) {
            rapidjson::Document d;
            const std::string z = "0." + std::string(zeros, '0');
            CPPUNIT_ASSERT(parse_json("[" + z + ",-" + z + "e7,1]", d));
            CPPUNIT_ASSERT_EQUAL(0.0, d[0].GetDouble());
            CPPUNIT_ASSERT_EQUAL(0.0, d[1].GetDouble());
            CPPUNIT_ASSERT(std::signbit(d[1].GetDouble()));
            CPPUNIT_ASSERT_EQUAL(1, d[2].GetInt());
        }
    }

    // "0.<zeros>.<zeros>" (found by fuzz_master_link after the fix above: corpus crash-zeros-twice)
    // crashed RapidJSON's own number conversion, which no longer runs; broken literals are refused.
    void brokenLongLiteralsAreRefused() {
        for (size_t a : {10, 104, 400})
            for (size_t b : {0, 10, 1000}) {
                rapidjson::Document d;
                CPPUNIT_ASSERT(!parse_json("0." + std::string(a, '0') + "." + std::string(b, '0'), d));
                CPPUNIT_ASSERT(!parse_json("[" + std::string(a, '1') + "e" + std::string(b, '-') + "]", d));
            }
    }

    // json_valid gives parse_json's verdict (fuzz_handshake checks the same on arbitrary bytes).
    void validAgreesWithParse() {
        const std::string deep = std::string(65, '[') + std::string(65, ']');
        const std::string ok_deep = std::string(64, '[') + std::string(64, ']');
        const std::string cases[] = {
            "", " ", "{}", "[]", "null", "true", "0", "-0", "\"x\"", "{\"a\":[1,2,{\"b\":null}]}",
            "{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\" 1}", "[1] [2]", "\"\\u12\"", "\"\\ud800\"", "nul",
            "01", "1.", ".5", "-", "1e", "1e+", "[1e309]", "[-1e309]", "[1e308]", "[1e-400]",
            std::string(400, '9'), "-" + std::string(400, '9'), std::string(20, '9'), "18446744073709551616",
            "-9223372036854775809", "[0." + std::string(300, '0') + "1e-30]", deep, ok_deep,
            "{\"a\":\"]]]]\"}", std::string("\"a\0b\"", 5), "\"\x01\"", "\"\xff\"", "[1]\n", "\t{} ",
        };
        for (const std::string &text : cases) {
            rapidjson::Document d;
            CPPUNIT_ASSERT_EQUAL_MESSAGE(text.substr(0, 80), parse_json(text, d), json_valid(text));
        }
        CPPUNIT_ASSERT(json_valid(ok_deep) && !json_valid(deep) && json_valid(deep, 65));
        for (int e = -1100; e <= 1100; e += 7) {
            const std::string text = "[1." + std::string(100, '7') + "e" + std::to_string(e) + "]";
            CPPUNIT_ASSERT_EQUAL(e < 309, json_valid(text));
        }
    }

    void integersKeepRapidJsonTypes() {
        rapidjson::Document d;
        CPPUNIT_ASSERT(parse_json("[0,-0,2147483647,-2147483648,4294967295,-2147483649,18446744073709551615,"
                                  "18446744073709551616,1.5,1e2]",
                                  d));
        CPPUNIT_ASSERT(d[0].IsInt() && d[0].IsUint() && d[0].GetInt() == 0);
        CPPUNIT_ASSERT(d[1].IsInt() && d[1].GetInt() == 0);
        CPPUNIT_ASSERT(d[2].IsInt() && d[2].GetInt() == 2147483647);
        CPPUNIT_ASSERT(d[3].IsInt() && d[3].GetInt() == -2147483647 - 1);
        CPPUNIT_ASSERT(d[4].IsUint() && !d[4].IsInt() && d[4].GetUint() == 4294967295u);
        CPPUNIT_ASSERT(d[5].IsInt64() && !d[5].IsInt() && d[5].GetInt64() == -2147483649LL);
        CPPUNIT_ASSERT(d[6].IsUint64() && !d[6].IsInt64() && d[6].GetUint64() == 18446744073709551615ULL);
        CPPUNIT_ASSERT(d[7].IsDouble() && d[7].GetDouble() == 18446744073709551616.0);
        CPPUNIT_ASSERT(d[8].IsDouble() && d[8].GetDouble() == 1.5);
        CPPUNIT_ASSERT(d[9].IsDouble() && d[9].GetDouble() == 100.0);
    }

    void aboveTheRangeIsRefused() {
        rapidjson::Document d;
        CPPUNIT_ASSERT(!parse_json("[1e309]", d));
        CPPUNIT_ASSERT(!parse_json("{\"a\":" + std::string(400, '9') + "}", d));
        CPPUNIT_ASSERT(!parse_json("[-0.00001e314]", d));
    }

    void edgesOfTheRangeStayExact() {
        rapidjson::Document d;
        CPPUNIT_ASSERT(parse_json("[5e-324, 2.4703282292062328e-324, 1.7976931348623157e308, 123e-2]", d));
        CPPUNIT_ASSERT_EQUAL(4.9406564584124654e-324, d[0].GetDouble());  // the smallest double
        CPPUNIT_ASSERT_EQUAL(4.9406564584124654e-324, d[1].GetDouble());  // rounds up to it
        CPPUNIT_ASSERT_EQUAL(1.7976931348623157e308, d[2].GetDouble());
        CPPUNIT_ASSERT_EQUAL(1.23, d[3].GetDouble());
    }

    void stringsAreNotNumbers() {
        rapidjson::Document d;
        CPPUNIT_ASSERT(parse_json("{\"a\":\"1e-999 \\\" 1e999\",\"b\":-1e-999}", d));
        CPPUNIT_ASSERT_EQUAL(std::string("1e-999 \" 1e999"), std::string(d["a"].GetString()));
        CPPUNIT_ASSERT_EQUAL(0.0, d["b"].GetDouble());
    }

    // Long literals with every exponent around the edges of the range: none may crash (the build's
    // sanitizers and fuzz_smoke watch the same code), and each answer is either a value or a refusal.
    void longLiteralsAtEveryExponent() {
        for (int digits : {1, 19, 20, 100, 781}) {
            const std::string mantissa = "1." + std::string(static_cast<size_t>(digits), '7');
            for (int e = -1100; e <= 1100; ++e) {
                rapidjson::Document d;
                const bool ok = parse_json("[" + mantissa + "e" + std::to_string(e) + "]", d);
                CPPUNIT_ASSERT_EQUAL(e < 309, ok);
                if (ok && e <= -325) CPPUNIT_ASSERT_EQUAL(0.0, d[0].GetDouble());
            }
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonParseTest);

}  // namespace
}  // namespace shd::pomelo
