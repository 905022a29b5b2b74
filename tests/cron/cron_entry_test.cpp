// Reading crons.json (plugins/cron/cron_entry.*): which entries a server keeps, and errors that name
// the file, the entry and the field.
#include "cron_entry.hpp"

#include <shaddock/cpp/host.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <string>

using shd::cron::crons_for_server;

namespace {

std::vector<shd::cron::CronEntry> read(const char *json, const char *type = "chat", const char *id = "chat-server-1") {
    rapidjson::Document doc;
    doc.Parse(json);
    return crons_for_server(doc, "config/crons.json", type, id);
}

std::string error_of(const char *json) {
    try {
        read(json);
    } catch (const shd::Error &e) {
        return e.what();
    }
    return "";
}

}  // namespace

class CronEntryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CronEntryTest);
    CPPUNIT_TEST(keeps_the_entries_of_this_server);
    CPPUNIT_TEST(errors_name_file_entry_and_field);
    CPPUNIT_TEST_SUITE_END();

public:
    void keeps_the_entries_of_this_server() {
        auto crons = read(R"({"chat": [
            {"id": 1, "time": "0 30 10 * * *", "action": "chatCron.send", "serverId": "chat-server-1"},
            {"id": 2, "time": "* * * * * *", "action": "chatCron.tick"},
            {"id": 3, "time": "* * * * * *", "action": "chatCron.tick", "serverId": "chat-server-2"},
            {"id": "daily", "time": "0 0 0 * * *", "action": "chatCron.daily"}],
          "connector": [{"id": 9, "time": "* * * * * *", "action": "x.y"}]})");
        CPPUNIT_ASSERT_EQUAL(size_t(3), crons.size());
        CPPUNIT_ASSERT_EQUAL(std::string("1"), crons[0].id);
        CPPUNIT_ASSERT_EQUAL(std::string("chatCron.send"), crons[0].action);
        CPPUNIT_ASSERT_EQUAL(std::string("2"), crons[1].id);
        CPPUNIT_ASSERT_EQUAL(std::string("\"daily\""), crons[2].id);
        CPPUNIT_ASSERT(crons[2].json.find("\"chatCron.daily\"") != std::string::npos);
        CPPUNIT_ASSERT(read(R"({"connector": []})").empty());
        // The same id on two servers of the type is fine: each keeps its own.
        CPPUNIT_ASSERT_EQUAL(size_t(1), read(R"({"chat": [
            {"id": 1, "time": "* * * * * *", "action": "a.b", "serverId": "chat-server-1"},
            {"id": 1, "time": "* * * * * *", "action": "a.b", "serverId": "chat-server-2"}]})")
                                            .size());
    }

    void errors_name_file_entry_and_field() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("config/crons.json: chat[1].time: \"0 61 * * * *\" is not a cron expression: minute field "
                        "\"61\": 61 is out of range 0-59"),
            error_of(R"({"chat": [{"id": 1, "time": "* * * * * *", "action": "a.b"},
                                  {"id": 2, "time": "0 61 * * * *", "action": "a.b"}]})"));
        // A bad entry for another server of the type is still an error here.
        CPPUNIT_ASSERT_EQUAL(std::string("config/crons.json: chat[0].time: \"* * * *\" is not a cron expression: "
                                         "expected 6 fields (second minute hour dayOfMonth month dayOfWeek), got 4"),
                             error_of(R"({"chat": [{"id": 1, "time": "* * * *", "action": "a.b", "serverId": "x"}]})"));
        CPPUNIT_ASSERT_EQUAL(std::string("config/crons.json: chat[0].time: missing"),
                             error_of(R"({"chat": [{"id": 1, "action": "a.b"}]})"));
        CPPUNIT_ASSERT_EQUAL(std::string("config/crons.json: chat[0].time: expected a cron expression string, got 5"),
                             error_of(R"({"chat": [{"id": 1, "time": 5, "action": "a.b"}]})"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("config/crons.json: chat[0].action: expected \"cronFile.method\", got \"send\""),
            error_of(R"({"chat": [{"id": 1, "time": "* * * * * *", "action": "send"}]})"));
        CPPUNIT_ASSERT_EQUAL(std::string("config/crons.json: chat[0].id: missing"),
                             error_of(R"({"chat": [{"time": "* * * * * *", "action": "a.b"}]})"));
        CPPUNIT_ASSERT_EQUAL(
            std::string(
                "config/crons.json: chat[0].serverid: unknown key; expected one of: id, time, action, serverId"),
            error_of(R"({"chat": [{"id": 1, "time": "* * * * * *", "action": "a.b", "serverid": "x"}]})"));
        CPPUNIT_ASSERT_EQUAL(std::string("config/crons.json: chat[1].id: 1 is already used by chat[0]"),
                             error_of(R"({"chat": [{"id": 1, "time": "* * * * * *", "action": "a.b"},
                                                   {"id": 1, "time": "0 * * * * *", "action": "a.c"}]})"));
        CPPUNIT_ASSERT_EQUAL(std::string("config/crons.json: chat: expected a list of crons, got {}"),
                             error_of(R"({"chat": {}})"));
        CPPUNIT_ASSERT_EQUAL(std::string("config/crons.json: expected an object of server types to lists of crons"),
                             error_of(R"([])"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CronEntryTest);
