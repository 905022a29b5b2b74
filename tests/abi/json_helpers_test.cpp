// The JSON helpers of the C++ SDK (shaddock/cpp/json.hpp) that apps call on hot paths.
#include <shaddock/cpp/json.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

using shd::json_path_string;

class JsonHelpersTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JsonHelpersTest);
    CPPUNIT_TEST(finds_a_session_setting);
    CPPUNIT_TEST(ignores_keys_off_the_path);
    CPPUNIT_TEST(absent_or_not_a_string_gives_the_fallback);
    CPPUNIT_TEST(bad_json_gives_the_fallback);
    CPPUNIT_TEST(agrees_with_the_document_reading);
    CPPUNIT_TEST(quoting_matches_rapidjson_writer);
    CPPUNIT_TEST(a_string_array_is_its_items_quoted);
    CPPUNIT_TEST_SUITE_END();

public:
    void finds_a_session_setting() {
        const std::string session =
            R"({"id":7,"frontendId":"connector-server-1","uid":"alice","settings":{"rid":"room \"1\"","n":3}})";
        CPPUNIT_ASSERT_EQUAL(std::string("room \"1\""), json_path_string(session, {"settings", "rid"}));
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), json_path_string(session, {"uid"}));
        CPPUNIT_ASSERT_EQUAL(std::string("connector-server-1"), json_path_string(session, {"frontendId"}));
        // Escapes are decoded, as a document would.
        CPPUNIT_ASSERT_EQUAL(std::string("\xC3\xA9\n"), json_path_string(R"({"a":{"b":"\u00e9\n"}})", {"a", "b"}));
        // Deeper paths.
        CPPUNIT_ASSERT_EQUAL(std::string("x"), json_path_string(R"({"a":{"b":{"c":"x"}}})", {"a", "b", "c"}));
    }

    void ignores_keys_off_the_path() {
        // The same key names elsewhere: inside another object, inside an array, at another depth.
        const std::string text = R"({"other":{"settings":{"rid":"wrong"}},"list":[{"rid":"no"},"rid"],"rid":"top",)"
                                 R"("settings":{"deep":{"rid":"deeper"},"rid":"right"}})";
        CPPUNIT_ASSERT_EQUAL(std::string("right"), json_path_string(text, {"settings", "rid"}));
        CPPUNIT_ASSERT_EQUAL(std::string("top"), json_path_string(text, {"rid"}));
        // Leaving the object on the path before finding the key: nothing, even if a later object has it.
        CPPUNIT_ASSERT_EQUAL(std::string("-"),
                             json_path_string(R"({"settings":{"x":1},"s2":{"rid":"r"}})", {"settings", "rid"}, "-"));
    }

    void absent_or_not_a_string_gives_the_fallback() {
        CPPUNIT_ASSERT_EQUAL(std::string("fb"), json_path_string(R"({"settings":{}})", {"settings", "rid"}, "fb"));
        CPPUNIT_ASSERT_EQUAL(std::string("fb"),
                             json_path_string(R"({"settings":{"rid":5}})", {"settings", "rid"}, "fb"));
        CPPUNIT_ASSERT_EQUAL(std::string("fb"),
                             json_path_string(R"({"settings":{"rid":{"a":"b"}}})", {"settings", "rid"}, "fb"));
        CPPUNIT_ASSERT_EQUAL(std::string("fb"), json_path_string(R"({"settings":"rid"})", {"settings", "rid"}, "fb"));
        CPPUNIT_ASSERT_EQUAL(std::string("fb"), json_path_string(R"(["settings"])", {"settings"}, "fb"));
        CPPUNIT_ASSERT_EQUAL(std::string("fb"), json_path_string(R"("settings")", {"settings"}, "fb"));
        CPPUNIT_ASSERT_EQUAL(std::string("fb"), json_path_string(R"({"a":"b"})", {}, "fb"));
        CPPUNIT_ASSERT_EQUAL(std::string(), json_path_string(R"({})", {"a"}));
    }

    void bad_json_gives_the_fallback() {
        for (const char *bad : {"", "{", "{\"settings\":{\"rid\":", "{\"settings\":{\"rid\":\"unterminated", "nonsense",
                                "{\"settings\" \"rid\"}"})
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("fb"), json_path_string(bad, {"settings", "rid"}, "fb"));
        // A value found before the text goes bad counts: the reader stops at it.
        CPPUNIT_ASSERT_EQUAL(std::string("r"),
                             json_path_string(R"({"settings":{"rid":"r"} garbage)", {"settings", "rid"}));
    }

    void agrees_with_the_document_reading() {
        const char *texts[] = {
            R"({"settings":{"rid":"a"}})",
            R"({"settings":{"x":[1,{"rid":"b"}],"rid":"c"}})",
            R"({"uid":"u","settings":{"rid":""}})",
            R"({"settings":null})",
            R"({"settings":{"rid":"first","rid":"second"}})",
        };
        for (const char *t : texts) {
            rapidjson::Document d = shd::parse_json_or_empty(t);
            std::string expect = d.HasMember("settings") ? shd::json_string(d["settings"], "rid", "none") : "none";
            CPPUNIT_ASSERT_EQUAL_MESSAGE(t, expect, json_path_string(t, {"settings", "rid"}, "none"));
        }
    }

    void quoting_matches_rapidjson_writer() {
        auto writer_quote = [](std::string_view v) {
            rapidjson::StringBuffer buf;
            rapidjson::Writer<rapidjson::StringBuffer> w(buf);
            w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
            return std::string(buf.GetString(), buf.GetSize());
        };
        std::string every_byte;
        for (int c = 0; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
        for (std::string v :
             {std::string(), std::string("plain"), std::string("a\"b\\c/d"), std::string("\x01\x1f\x7f"),
              std::string("h\xC3\xA9llo \xE4\xB8\xAD"), std::string("nul\0in", 6), every_byte}) {
            CPPUNIT_ASSERT_EQUAL(writer_quote(v), shd::json_quote(v));
            std::string appended = "[1,";
            shd::json_quote_append(appended, v);
            CPPUNIT_ASSERT_EQUAL("[1," + writer_quote(v), appended);
        }
        // The result parses back to the same bytes.
        rapidjson::Document d;
        std::string quoted = shd::json_quote(every_byte);
        d.Parse(quoted.c_str(), quoted.size());
        CPPUNIT_ASSERT(!d.HasParseError() && d.IsString());
        CPPUNIT_ASSERT_EQUAL(every_byte, std::string(d.GetString(), d.GetStringLength()));
    }

    void a_string_array_is_its_items_quoted() {
        CPPUNIT_ASSERT_EQUAL(std::string("[]"), shd::json_string_array({}));
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["a"])"), shd::json_string_array({"a"}));
        const std::vector<std::string> items = {"u1", "", "a\"b", std::string("nul\0in", 6)};
        const std::string text = shd::json_string_array(items);
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["u1","","a\"b","nul\u0000in"])"), text);
        rapidjson::Document d;
        d.Parse(text.c_str(), text.size());
        CPPUNIT_ASSERT(!d.HasParseError() && d.IsArray() && d.Size() == items.size());
        for (rapidjson::SizeType i = 0; i < d.Size(); ++i)
            CPPUNIT_ASSERT_EQUAL(items[i], std::string(d[i].GetString(), d[i].GetStringLength()));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonHelpersTest);
