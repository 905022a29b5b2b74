// shd::Options read by a declared table (shaddock/cpp/options.hpp): each type, ranges, nested names,
// unknown keys, defaults, and the README table generated from the declaration.
#include <shaddock/cpp/options.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <functional>
#include <string>

namespace {

namespace opt = shd::option;

const shd::OptionTable &table() {
    static const shd::OptionTable t(
        "the test plugin",
        {opt::boolean("useDict", false, "route dictionary"), opt::integer("ioThreads", 1, 1, 64, "I/O threads"),
         opt::integer("maxPackageSize", 65536, 16, 16777215, "largest body")
             .expecting("a byte count")
             .measured_in("bytes"),
         opt::number("ratio", 0.5, 0, 1, "a fraction"),
         opt::seconds("heartbeat", 0, 86400, "seconds between heartbeats"),
         opt::string("host", "", "address").showing_default("every interface"),
         opt::string("scheduler", "direct", "push scheduler").one_of({"direct", "buffer"}),
         opt::strings("blacklist", "regular expressions"),
         opt::object("ssl",
                     {opt::string("cert", "", "certificate").require(), opt::string("ca", "", "extra chain"),
                      opt::ignored("type")},
                     "TLS"),
         opt::false_or_object(
             "rateLimit",
             {opt::number("rate", 100, 0.001, 1e9, "per second"), opt::number("burst", 200, 1, 1e9, "saved")},
             "token bucket; `false`: off"),
         opt::array("filters", "built-in filters"),
         opt::map("peers", "static peers").showing_default("the servers of the configuration")});
    return t;
}

std::string error_of(const std::function<void()> &f, shd_status *status = nullptr) {
    try {
        f();
    } catch (const shd::Error &e) {
        if (status) *status = e.status();
        return e.what();
    }
    return "";
}

std::string error_of(const char *json) {
    return error_of([json] { shd::Options o(json, table()); });
}

}  // namespace

class OptionsTableTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(OptionsTableTest);
    CPPUNIT_TEST(absent_options_read_as_their_defaults);
    CPPUNIT_TEST(each_type_reads_its_value);
    CPPUNIT_TEST(wrong_types_and_ranges_name_the_option);
    CPPUNIT_TEST(nested_keys_are_named_with_their_path);
    CPPUNIT_TEST(unknown_keys_name_the_owner_and_the_key);
    CPPUNIT_TEST(kept_unknown_keys_are_listed);
    CPPUNIT_TEST(a_value_held_elsewhere_is_read_by_its_table);
    CPPUNIT_TEST(reading_an_undeclared_name_is_a_programming_error);
    CPPUNIT_TEST(numbers_are_written_as_a_reader_would);
    CPPUNIT_TEST(markdown_table_lists_every_option);
    CPPUNIT_TEST(untyped_readers_still_work);
    CPPUNIT_TEST_SUITE_END();

public:
    void absent_options_read_as_their_defaults() {
        shd::Options o("{}", table());
        CPPUNIT_ASSERT(!o.boolean("useDict"));
        CPPUNIT_ASSERT_EQUAL(int64_t(1), o.integer("ioThreads"));
        CPPUNIT_ASSERT_EQUAL(int64_t(65536), o.integer("maxPackageSize"));
        CPPUNIT_ASSERT_EQUAL(0.5, o.number("ratio"));
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), o.milliseconds("heartbeat"));
        CPPUNIT_ASSERT_EQUAL(std::string("direct"), o.string("scheduler"));
        CPPUNIT_ASSERT(o.strings("blacklist").empty());
        CPPUNIT_ASSERT(!o.is_false("rateLimit"));
        shd::Options rate = o.object("rateLimit");  // absent: its own defaults
        CPPUNIT_ASSERT_EQUAL(100.0, rate.number("rate"));
        CPPUNIT_ASSERT_EQUAL(200.0, rate.number("burst"));
        CPPUNIT_ASSERT(!o.has("ssl"));  // a required nested key is required only when its object is there
    }

    void each_type_reads_its_value() {
        shd::Options o(R"({"useDict": true, "ioThreads": 64, "maxPackageSize": 16, "ratio": 1, "heartbeat": 2.5,
                           "host": "127.0.0.1", "scheduler": "buffer", "blacklist": ["^10\\.", "x"],
                           "ssl": {"cert": "c.pem", "type": "wss"}, "rateLimit": {"rate": 10},
                           "filters": ["a", {"name": "b"}], "peers": {"a": {}}})",
                       table());
        CPPUNIT_ASSERT(o.boolean("useDict"));
        CPPUNIT_ASSERT_EQUAL(int64_t(64), o.integer("ioThreads"));
        CPPUNIT_ASSERT_EQUAL(int64_t(16), o.integer("maxPackageSize"));
        CPPUNIT_ASSERT_EQUAL(1.0, o.number("ratio"));  // an integer is a number too
        CPPUNIT_ASSERT_EQUAL(2.5, o.number("heartbeat"));
        CPPUNIT_ASSERT_EQUAL(uint64_t(2500), o.milliseconds("heartbeat"));
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), o.string("host"));
        CPPUNIT_ASSERT_EQUAL(std::string("buffer"), o.string("scheduler"));
        CPPUNIT_ASSERT_EQUAL(size_t(2), o.strings("blacklist").size());
        CPPUNIT_ASSERT_EQUAL(std::string("x"), o.strings("blacklist")[1]);
        CPPUNIT_ASSERT_EQUAL(std::string("c.pem"), o.object("ssl").string("cert"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), o.object("ssl").string("ca"));
        CPPUNIT_ASSERT_EQUAL(10.0, o.object("rateLimit").number("rate"));
        CPPUNIT_ASSERT(o.object("rateLimit").has("rate"));
        CPPUNIT_ASSERT(!o.object("rateLimit").has("burst"));
        CPPUNIT_ASSERT(o.find("filters")->IsArray());
        CPPUNIT_ASSERT(o.find("peers")->IsObject());
        shd::Options off(R"({"rateLimit": false})", table());
        CPPUNIT_ASSERT(off.is_false("rateLimit"));
        CPPUNIT_ASSERT_EQUAL(100.0, off.object("rateLimit").number("rate"));
        // A reader moved elsewhere still reads its own document.
        shd::Options moved(std::move(o));
        CPPUNIT_ASSERT_EQUAL(int64_t(64), moved.integer("ioThreads"));
    }

    void wrong_types_and_ranges_name_the_option() {
        shd_status status = SHD_OK;
        CPPUNIT_ASSERT_EQUAL(std::string("option ioThreads: expected an integer from 1 to 64, got 0"),
                             error_of([] { shd::Options o(R"({"ioThreads": 0})", table()); }, &status));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, status);
        CPPUNIT_ASSERT_EQUAL(std::string("option ioThreads: expected an integer from 1 to 64, got 2.0"),
                             error_of(R"({"ioThreads": 2.0})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option useDict: expected true or false, got \"yes\""),
                             error_of(R"({"useDict": "yes"})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option maxPackageSize: expected a byte count from 16 to 16777215, got 15"),
                             error_of(R"({"maxPackageSize": 15})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option ratio: expected a number from 0 to 1, got 1.5"),
                             error_of(R"({"ratio": 1.5})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option heartbeat: expected a number of seconds from 0 to 86400, got \"3\""),
                             error_of(R"({"heartbeat": "3"})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option heartbeat: expected a number of seconds from 0 to 86400, got -1"),
                             error_of(R"({"heartbeat": -1})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option host: expected a string, got 5"), error_of(R"({"host": 5})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option scheduler: expected \"direct\" or \"buffer\", got \"fast\""),
                             error_of(R"({"scheduler": "fast"})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option blacklist: expected an array of strings, got [\"a\",1]"),
                             error_of(R"({"blacklist": ["a", 1]})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option ssl: expected an object {\"cert\", \"ca\"}, got true"),
                             error_of(R"({"ssl": true})"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("option rateLimit: expected false or an object {\"rate\", \"burst\"}, got true"),
            error_of(R"({"rateLimit": true})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option filters: expected an array, got {}"), error_of(R"({"filters": {}})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option peers: expected an object, got []"), error_of(R"({"peers": []})"));
        // A long value is cut.
        std::string long_value =
            error_of(R"({"host": [1111111111, 2222222222, 3333333333, 4444444444, 5555555555, 6666666666, 7]})");
        CPPUNIT_ASSERT(long_value.size() < 100);
        CPPUNIT_ASSERT(long_value.find("...") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("options: expected a JSON object"), error_of("[1]"));
    }

    void nested_keys_are_named_with_their_path() {
        CPPUNIT_ASSERT_EQUAL(std::string("option rateLimit.rate: expected a number from 0.001 to 1e9, got -1"),
                             error_of(R"({"rateLimit": {"rate": -1}})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option ssl.cert: expected a string, got 1"),
                             error_of(R"({"ssl": {"cert": 1}})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option ssl.cert: expected a string, but it is missing"),
                             error_of(R"({"ssl": {"ca": "ca.pem"}})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option rateLimit.kickafter: unknown key; expected one of: rate, burst"),
                             error_of(R"({"rateLimit": {"rate": 1, "kickafter": 1}})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option rateLimit.rate"),
                             shd::Options("{}", table()).object("rateLimit").name_of("rate"));
    }

    void unknown_keys_name_the_owner_and_the_key() {
        shd_status status = SHD_OK;
        std::string e = error_of([] { shd::Options o(R"({"ioThreads": 0, "hartbeat": 3})", table()); }, &status);
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, status);
        // Reported before the bad value: a typo explains what follows.
        CPPUNIT_ASSERT_EQUAL(std::string("option hartbeat: unknown option of the test plugin; expected one of: "
                                         "useDict, ioThreads, maxPackageSize, ratio, heartbeat, host, scheduler, "
                                         "blacklist, ssl, rateLimit, filters, peers"),
                             e);
        static const shd::OptionTable none("the time filter", {});
        CPPUNIT_ASSERT_EQUAL(std::string("option x: unknown option of the time filter; it takes none"),
                             error_of([] { shd::Options o(R"({"x": 1})", none); }));
    }

    void kept_unknown_keys_are_listed() {
        static const shd::OptionTable keeping("the connector", {opt::integer("port", 0, 0, 65535, "port")},
                                              shd::UnknownOptions::keep);
        shd::Options o(R"({"port": 80, "extra": 1, "other": "x"})", keeping);
        CPPUNIT_ASSERT_EQUAL(int64_t(80), o.integer("port"));
        CPPUNIT_ASSERT_EQUAL(size_t(2), o.unknown().size());
        CPPUNIT_ASSERT_EQUAL(std::string("extra"), o.unknown()[0]);
        CPPUNIT_ASSERT_EQUAL(std::string("other"), o.unknown()[1]);
        CPPUNIT_ASSERT(shd::Options(R"({"ioThreads": 2})", table()).unknown().empty());
    }

    void a_value_held_elsewhere_is_read_by_its_table() {
        static const shd::OptionTable serial("the serial filter",
                                             {opt::ignored("name"), opt::integer("timeout", 3000, 1, 86400000, "ms")});
        rapidjson::Document list;
        list.Parse(R"([{"name": "serial", "timeout": 10}, {"name": "serial", "timeout": "3s"}, 5])");
        CPPUNIT_ASSERT_EQUAL(int64_t(10), shd::Options(&list[0], serial, "option filters[0]").integer("timeout"));
        CPPUNIT_ASSERT_EQUAL(int64_t(3000), shd::Options(nullptr, serial, "option filters[9]").integer("timeout"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("option filters[1].timeout: expected an integer from 1 to 86400000, got \"3s\""),
            error_of([&] { shd::Options o(&list[1], serial, "option filters[1]"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("f: expected an object, got 5"),
                             error_of([&] { shd::Options o(&list[2], serial, "f"); }));
    }

    void reading_an_undeclared_name_is_a_programming_error() {
        shd::Options o("{}", table());
        shd_status status = SHD_OK;
        error_of([&] { o.integer("nope"); }, &status);
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INTERNAL, status);
        status = SHD_OK;
        error_of([&] { o.integer("useDict"); }, &status);  // declared, as another type
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INTERNAL, status);
    }

    void numbers_are_written_as_a_reader_would() {
        CPPUNIT_ASSERT_EQUAL(std::string("0.001"), shd::option::format_number(0.001));
        CPPUNIT_ASSERT_EQUAL(std::string("86400"), shd::option::format_number(86400));
        CPPUNIT_ASSERT_EQUAL(std::string("1e9"), shd::option::format_number(1e9));
        CPPUNIT_ASSERT_EQUAL(std::string("2.5"), shd::option::format_number(2.5));
        CPPUNIT_ASSERT_EQUAL(std::string("1e-7"), shd::option::format_number(1e-7));
        CPPUNIT_ASSERT_EQUAL(std::string("-3"), shd::option::format_number(-3));
    }

    void markdown_table_lists_every_option() {
        std::string md = shd::options_markdown(table());
        auto has = [&](const std::string &row) {
            if (md.find(row + "\n") == std::string::npos) CPPUNIT_FAIL("row missing: " + row + "\nin:\n" + md);
        };
        has("| option | type | default | meaning |");
        has("| `useDict` | boolean | `false` | route dictionary |");
        has("| `ioThreads` | integer, 1-64 | `1` | I/O threads |");
        has("| `maxPackageSize` | integer (bytes), 16-16777215 | `65536` | largest body |");
        has("| `ratio` | number, 0-1 | `0.5` | a fraction |");
        has("| `heartbeat` | number (s), 0-86400 | `0` | seconds between heartbeats |");
        has("| `host` | string | every interface | address |");
        has("| `scheduler` | string: `\"direct\"` or `\"buffer\"` | `\"direct\"` | push scheduler |");
        has("| `blacklist` | array of strings | `[]` | regular expressions |");
        has("| `ssl` | object | none | TLS |");
        has("| `ssl.cert` | string | required | certificate |");
        has("| `ssl.ca` | string | `\"\"` | extra chain |");
        has("| `rateLimit` | `false` or object | `{\"rate\": 100, \"burst\": 200}` | token bucket; `false`: off |");
        has("| `rateLimit.rate` | number, 0.001-1e9 | `100` | per second |");
        has("| `filters` | array | `[]` | built-in filters |");
        has("| `peers` | object | the servers of the configuration | static peers |");
        CPPUNIT_ASSERT(md.find("type") == md.find("| type") + 2);  // ignored keys ("ssl.type") have no row
        CPPUNIT_ASSERT(md.find("ssl.type") == std::string::npos);
        static const shd::OptionTable pipe("x", {opt::string("sep", "|", "a | b")});
        CPPUNIT_ASSERT(shd::options_markdown(pipe).find("| `\"\\|\"` | a \\| b |") != std::string::npos);
    }

    void untyped_readers_still_work() {
        shd::Options o(R"({"heartbeat": 3, "name": "x", "list": ["a"]})");
        CPPUNIT_ASSERT_EQUAL(int64_t(3), o.get_int("heartbeat", 0, 0, 3600));
        CPPUNIT_ASSERT_EQUAL(std::string("x"), o.get_string("name", ""));
        CPPUNIT_ASSERT_EQUAL(size_t(1), o.get_strings("list").size());
        CPPUNIT_ASSERT_EQUAL(std::string("option heartbeat: expected an integer from 4 to 3600, got 3"),
                             error_of([&] { o.get_int("heartbeat", 0, 4, 3600); }));
        CPPUNIT_ASSERT_EQUAL(std::string("option list: unknown option; expected one of: heartbeat, name"),
                             error_of([&] {
                                 o.reject_unknown({"heartbeat", "name"});
                             }));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OptionsTableTest);
