// Templates: every placeholder, bare versus in-string placement, escaping, and the errors.
#include "body_template.hpp"

#include <rapidjson/document.h>

#include <cppunit/extensions/HelperMacros.h>

#include <ctime>
#include <map>
#include <random>

using shd::robot::Template;
using shd::robot::TemplateContext;

class TemplateTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TemplateTest);
    CPPUNIT_TEST(text_placeholders);
    CPPUNIT_TEST(json_bare_and_in_string);
    CPPUNIT_TEST(now_is_the_wall_clock);
    CPPUNIT_TEST(rand_stays_in_range);
    CPPUNIT_TEST(errors_name_the_placeholder);
    CPPUNIT_TEST(user_variables_and_sums);
    CPPUNIT_TEST_SUITE_END();

    static rapidjson::Document parse(const std::string &s) {
        rapidjson::Document d;
        d.Parse(s.c_str());
        return d;
    }

public:
    void text_placeholders() {
        Template t;
        std::string err;
        Template::Vars vars{{"room", "\"lobby\""}, {"n", "7"}};
        CPPUNIT_ASSERT_MESSAGE(
            err, t.compile_text("u${index}-${uid}/${seq}/${users}/${thread}/${room}${n}/$$x/$", vars, &err));
        TemplateContext c;
        c.index = 12, c.seq = 3, c.users = 100, c.thread = 1, c.uid = "bob";
        CPPUNIT_ASSERT_EQUAL(std::string("u12-bob/3/100/1/lobby7/$x/$"), t.expand(c));
        Template plain;
        CPPUNIT_ASSERT(plain.compile_text("connector.entryHandler.echo", vars, &err));
        CPPUNIT_ASSERT(plain.is_constant());
        CPPUNIT_ASSERT(!t.is_constant());
    }

    void json_bare_and_in_string() {
        Template t;
        std::string err;
        auto body = parse(
            R"({"i":"${index}","u":"${uid}","s":"id ${index} of \"${uid}\"","r":"${room}","k":[1,true,null,"${n}"],"x":"plain"})");
        Template::Vars vars{{"room", "\"a\\\"b\""}, {"n", "2.5"}};
        CPPUNIT_ASSERT_MESSAGE(err, t.compile_json(body, vars, &err));
        TemplateContext c;
        c.index = 5, c.uid = "q\"x";
        std::string out = t.expand(c);
        auto d = parse(out);
        CPPUNIT_ASSERT_MESSAGE(out, !d.HasParseError());
        CPPUNIT_ASSERT(d["i"].IsUint64() && d["i"].GetUint64() == 5);
        CPPUNIT_ASSERT_EQUAL(std::string("q\"x"), std::string(d["u"].GetString()));
        CPPUNIT_ASSERT_EQUAL(std::string("id 5 of \"q\"x\""), std::string(d["s"].GetString()));
        CPPUNIT_ASSERT_EQUAL(std::string("a\"b"), std::string(d["r"].GetString()));
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2.5, d["k"][3].GetDouble(), 1e-12);
        CPPUNIT_ASSERT(d["k"][1].IsTrue() && d["k"][2].IsNull());
        CPPUNIT_ASSERT_EQUAL(std::string("plain"), std::string(d["x"].GetString()));
    }

    void now_is_the_wall_clock() {
        Template t;
        std::string err;
        auto body = parse(R"({"ts":"${now_us}","ms":"${now_ms}"})");
        CPPUNIT_ASSERT(t.compile_json(body, {}, &err));
        timespec a;
        clock_gettime(CLOCK_REALTIME, &a);
        auto d = parse(t.expand({}));
        int64_t before = int64_t(a.tv_sec) * 1000000 + a.tv_nsec / 1000;
        int64_t ts = d["ts"].GetInt64();
        CPPUNIT_ASSERT(ts >= before && ts < before + 5000000);
        CPPUNIT_ASSERT(d["ms"].GetInt64() / 1000 == ts / 1000000 || d["ms"].GetInt64() / 1000 == ts / 1000000 + 1);
    }

    void rand_stays_in_range() {
        Template t;
        std::string err;
        CPPUNIT_ASSERT(t.compile_text("${rand:-3:4}", {}, &err));
        std::mt19937_64 rng(1);
        TemplateContext c;
        c.rng = &rng;
        bool seen_lo = false, seen_hi = false;
        for (int i = 0; i < 2000; ++i) {
            int v = std::stoi(t.expand(c));
            CPPUNIT_ASSERT(v >= -3 && v <= 4);
            seen_lo |= v == -3, seen_hi |= v == 4;
        }
        CPPUNIT_ASSERT(seen_lo && seen_hi);
    }

    void errors_name_the_placeholder() {
        Template t;
        std::string err;
        CPPUNIT_ASSERT(!t.compile_text("a${nope}b", {}, &err));
        CPPUNIT_ASSERT_MESSAGE(err, err.find("${nope}") != std::string::npos);
        CPPUNIT_ASSERT(!t.compile_text("${rand:5:1}", {}, &err));
        CPPUNIT_ASSERT_MESSAGE(err, err.find("rand:LO:HI") != std::string::npos);
        CPPUNIT_ASSERT(!t.compile_text("${rand:x:1}", {}, &err));
        CPPUNIT_ASSERT(!t.compile_text("abc ${index", {}, &err));
        CPPUNIT_ASSERT_MESSAGE(err, err.find("unterminated") != std::string::npos);
    }

    // Per-user variables (JSON texts) expand bare, in strings and in text; unset ones are null / "";
    // sums add integers, rand terms, numeric constants and variables.
    void user_variables_and_sums() {
        Template::UserVars names{"host", "port", "x", "gone"};
        Template::Vars vars{{"step", "5"}, {"word", "\"w\""}};
        std::map<std::string, std::string, std::less<>> values{{"host", "\"10.0.0.2\""}, {"port", "3011"}, {"x", "100"}};
        TemplateContext c;
        c.user_vars = &values;
        std::mt19937_64 rng(1);
        c.rng = &rng;
        std::string err;
        Template text;
        CPPUNIT_ASSERT_MESSAGE(err, text.compile_text("${host}:${port}/${gone}", vars, &err, &names));
        CPPUNIT_ASSERT_EQUAL(std::string("10.0.0.2:3011/"), text.expand(c));
        Template json;
        auto body = parse(R"({"h":"${host}","p":"${port}","g":"${gone}","s":"at ${host}","sum":"${x+step+-7}",)"
                          R"("r":"${x+rand:-3:3}","neg":"${gone+-2}"})");
        CPPUNIT_ASSERT_MESSAGE(err, json.compile_json(body, vars, &err, &names));
        for (int i = 0; i < 50; ++i) {
            std::string out = json.expand(c);
            auto d = parse(out);
            CPPUNIT_ASSERT_MESSAGE(out, !d.HasParseError());
            CPPUNIT_ASSERT_EQUAL(std::string("10.0.0.2"), std::string(d["h"].GetString()));
            CPPUNIT_ASSERT_EQUAL(int64_t(3011), d["p"].GetInt64());
            CPPUNIT_ASSERT(d["g"].IsNull());
            CPPUNIT_ASSERT_EQUAL(std::string("at 10.0.0.2"), std::string(d["s"].GetString()));
            CPPUNIT_ASSERT_EQUAL(int64_t(98), d["sum"].GetInt64());
            CPPUNIT_ASSERT(d["r"].GetInt64() >= 97 && d["r"].GetInt64() <= 103);
            CPPUNIT_ASSERT_EQUAL(int64_t(-2), d["neg"].GetInt64());
        }
        values["x"] = "1.5";
        CPPUNIT_ASSERT_EQUAL(std::string("{\"sum\":-0.5}"),
                             [&] {
                                 Template t;
                                 auto b = parse(R"({"sum":"${x+-2}"})");
                                 t.compile_json(b, vars, &err, &names);
                                 return t.expand(c);
                             }());
        // A sum of a string constant, an unknown name, and a variable not declared are errors.
        Template bad;
        CPPUNIT_ASSERT(!bad.compile_text("${x+word}", vars, &err, &names));
        CPPUNIT_ASSERT_MESSAGE(err, err.find("string constant") != std::string::npos);
        CPPUNIT_ASSERT(!bad.compile_text("${x+nope}", vars, &err, &names));
        CPPUNIT_ASSERT(!bad.compile_text("${host}", vars, &err));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TemplateTest);
