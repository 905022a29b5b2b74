// The pure parts of RPC filters: the built-ins' options (and the plugin's "filters" option), the
// elapsed-time format of rpcLog (the lag meter behind toobusy is the SDK's: tests/abi/lag_meter_test.cpp), and the parsing of backend session lookups
// (shd::BackendSessionService) from the sys sessionRemote's answers.
#include "rpc_filters.hpp"
#include "rpc_options.hpp"

#include <shaddock/cpp/handler.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

using namespace shd::rpc;

namespace {

rapidjson::Document parse(const char *json) {
    rapidjson::Document d;
    d.Parse(json);
    return d;
}

// The message of the shd::Error fn throws, with its status; "" when it throws nothing.
template <class Fn>
std::string error_of(Fn fn, shd_status *status = nullptr) {
    try {
        fn();
    } catch (const shd::Error &e) {
        if (status) *status = e.status();
        return e.what();
    }
    return "";
}

}  // namespace

class RpcFiltersTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RpcFiltersTest);
    CPPUNIT_TEST(builtin_defaults_and_options);
    CPPUNIT_TEST(builtin_errors_name_the_option);
    CPPUNIT_TEST(plugin_option_lists_filters_in_order);
    CPPUNIT_TEST(elapsed_time_format);
    CPPUNIT_TEST(lookup_of_one_session);
    CPPUNIT_TEST(lookup_of_sessions_by_uid);
    CPPUNIT_TEST(lookup_not_found_and_errors);
    CPPUNIT_TEST_SUITE_END();

public:
    void builtin_defaults_and_options() {
        RpcFilterSpec log = parse_rpc_filter("rpcLog", nullptr, "f");
        CPPUNIT_ASSERT(log.kind == RpcFilterSpec::Kind::rpc_log);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), log.slow_ms);
        RpcFilterSpec busy = parse_rpc_filter("toobusy", nullptr, "f");
        CPPUNIT_ASSERT(busy.kind == RpcFilterSpec::Kind::toobusy);
        CPPUNIT_ASSERT_EQUAL(uint64_t(70), busy.max_lag_ms);  // Pomelo's default
        auto o = parse(R"({"name":"rpcLog","slowMs":250})");
        CPPUNIT_ASSERT_EQUAL(uint64_t(250), parse_rpc_filter("rpcLog", &o, "f").slow_ms);
        o = parse(R"({"maxLag":15})");
        CPPUNIT_ASSERT_EQUAL(uint64_t(15), parse_rpc_filter("toobusy", &o, "f").max_lag_ms);
    }

    void builtin_errors_name_the_option() {
        shd_status status = SHD_OK;
        std::string e = error_of([] { parse_rpc_filter("serial", nullptr, "rpc filter serial"); }, &status);
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, status);
        CPPUNIT_ASSERT_EQUAL(std::string("rpc filter serial: unknown rpc filter \"serial\" (expected \"rpcLog\" or "
                                         "\"toobusy\")"),
                             e);
        auto o = parse(R"({"maxLag":0})");
        e = error_of([&] { parse_rpc_filter("toobusy", &o, "f"); }, &status);
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, status);
        CPPUNIT_ASSERT_EQUAL(std::string("f.maxLag: expected an integer from 1 to 60000, got 0"), e);
        o = parse(R"({"slowMs":"5"})");
        CPPUNIT_ASSERT_EQUAL(std::string("f.slowMs: expected an integer from 0 to 86400000, got \"5\""),
                             error_of([&] { parse_rpc_filter("rpcLog", &o, "f"); }));
        o = parse(R"({"maxlag":5})");
        CPPUNIT_ASSERT_EQUAL(std::string("f.maxlag: unknown option of the toobusy rpc filter; expected one of: maxLag"),
                             error_of([&] { parse_rpc_filter("toobusy", &o, "f"); }));
        o = parse("[1]");
        CPPUNIT_ASSERT_EQUAL(std::string("f: the options of a filter must be a JSON object"),
                             error_of([&] { parse_rpc_filter("toobusy", &o, "f"); }));
    }

    void plugin_option_lists_filters_in_order() {
        RpcOptions o = parse_rpc_options(R"({"filters":[{"name":"toobusy","maxLag":20},"rpcLog"]})");
        CPPUNIT_ASSERT_EQUAL(size_t(2), o.filters.size());
        CPPUNIT_ASSERT(o.filters[0].kind == RpcFilterSpec::Kind::toobusy);
        CPPUNIT_ASSERT_EQUAL(uint64_t(20), o.filters[0].max_lag_ms);
        CPPUNIT_ASSERT(o.filters[1].kind == RpcFilterSpec::Kind::rpc_log);
        CPPUNIT_ASSERT(parse_rpc_options("{}").filters.empty());
        shd_status status = SHD_OK;
        std::string e = error_of([] { parse_rpc_options(R"({"filters":["rpcLog","nope"]})"); }, &status);
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, status);  // a configuration error, whatever the cause
        CPPUNIT_ASSERT(e.rfind("option filters[1]: unknown rpc filter \"nope\"", 0) == 0);
        CPPUNIT_ASSERT_EQUAL(
            std::string("option filters[0]: expected a filter name or an object with a \"name\", got 7"),
            error_of([] { parse_rpc_options(R"({"filters":[7]})"); }));
        CPPUNIT_ASSERT(error_of([] {
                           parse_rpc_options(R"({"filters":"rpcLog"})");
                       }).rfind("option filters: expected an array", 0) == 0);
    }

    void elapsed_time_format() {
        CPPUNIT_ASSERT_EQUAL(std::string("0.000 ms"), format_elapsed(0));
        CPPUNIT_ASSERT_EQUAL(std::string("0.042 ms"), format_elapsed(42));
        CPPUNIT_ASSERT_EQUAL(std::string("1234.567 ms"), format_elapsed(1234567));
    }

    void lookup_of_one_session() {
        std::vector<shd::BackendSessionService::Fields> out;
        shd_status s = shd::BackendSessionService::parse_lookup(
            R"([null,{"id":7,"frontendId":"connector-server-1","uid":"alice","settings":{"rid":"r1","n":[1,2]}}])",
            out);
        CPPUNIT_ASSERT_EQUAL(SHD_OK, s);
        CPPUNIT_ASSERT_EQUAL(size_t(1), out.size());
        CPPUNIT_ASSERT_EQUAL(uint64_t(7), out[0].id);
        CPPUNIT_ASSERT_EQUAL(std::string("connector-server-1"), out[0].frontend_id);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), out[0].uid);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"rid":"r1","n":[1,2]})"), out[0].settings_json);
    }

    void lookup_of_sessions_by_uid() {
        std::vector<shd::BackendSessionService::Fields> out;
        CPPUNIT_ASSERT_EQUAL(SHD_OK, shd::BackendSessionService::parse_lookup(
                                         R"([null,[{"id":1,"frontendId":"c1","uid":"bob","settings":{}},
                                                   {"id":2,"frontendId":"c1","uid":"bob"}]])",
                                         out));
        CPPUNIT_ASSERT_EQUAL(size_t(2), out.size());
        CPPUNIT_ASSERT_EQUAL(uint64_t(2), out[1].id);
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), out[1].settings_json);  // absent settings are empty
    }

    void lookup_not_found_and_errors() {
        using shd::BackendSessionService;
        std::vector<BackendSessionService::Fields> out;
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, BackendSessionService::parse_lookup("[null,null]", out));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, BackendSessionService::parse_lookup("[null,[]]", out));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, BackendSessionService::parse_lookup("[null]", out));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID,
                             BackendSessionService::parse_lookup(R"([{"code":1,"message":"sid expected"}])", out));
        // Malformed answers: an error, never a half-filled list.
        for (const char *bad : {"", "{}", "[]", "[null,5]", R"([null,[{"id":1},{"id":-1}]])", R"([null,{"id":"7"}])",
                                R"([null,{"id":1,"settings":[]}])", R"([{"code":0}])", R"([null,{"id":1})"}) {
            out.clear();
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, SHD_ERR_INTERNAL, BackendSessionService::parse_lookup(bad, out));
            CPPUNIT_ASSERT_MESSAGE(bad, out.empty());
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RpcFiltersTest);
