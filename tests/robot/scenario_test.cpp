// Scenario files: a full valid scenario, overrides, and error messages that name the file and the
// JSON path of the bad key.
#include "scenario.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <fstream>
#include <string>

using namespace shd::robot;

class ScenarioTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ScenarioTest);
    CPPUNIT_TEST(full_scenario);
    CPPUNIT_TEST(overrides_replace_fields);
    CPPUNIT_TEST(errors_name_file_and_path);
    CPPUNIT_TEST(sample_scenarios_are_valid);
    CPPUNIT_TEST(game_steps_and_variables);
    CPPUNIT_TEST_SUITE_END();

    static std::string error_of(const std::string &text) {
        Scenario s;
        std::string err;
        CPPUNIT_ASSERT_MESSAGE("expected a failure for: " + text, !parse_scenario(text, "x.json", {}, s, &err));
        return err;
    }
    static void expect_error(const std::string &text, const std::string &want) {
        std::string err = error_of(text);
        CPPUNIT_ASSERT_MESSAGE("got: " + err + "\nwanted: " + want, err.find(want) != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("names the file: " + err, err.rfind("x.json:", 0) == 0);
    }

public:
    void full_scenario() {
        const char *text = R"({
          "name": "t", "users": 20, "rampPerSecond": 5, "durationSeconds": 3.5, "threads": 2,
          "uid": "p${index}", "vars": {"room": "r1"}, "pushTimestampField": "sent",
          "server": {"host": "h", "port": 4000, "transport": "ws", "wsPath": "/x", "handshakeUser": {"a": 1},
                     "connectTimeoutMs": 500, "requestTimeoutMs": 700},
          "script": [
            {"request": "c.h.join", "body": {"uid": "${uid}", "rid": "${room}"}, "timeoutMs": 100},
            {"on": "onChat"},
            {"on": "onOther", "latencyField": "t0"},
            {"notify": "c.h.note"},
            {"waitPush": "onChat", "timeoutMs": 50, "onlyUsers": "1-3"},
            {"sleep": {"uniform": [1, 2]}},
            {"sleep": 5},
            {"loop": {"count": 10, "inFlight": 4, "steps": [{"request": "c.h.echo"}, {"sleep": {"exponential": 3}}]}},
            {"rate": {"request": "c.h.say", "body": {"ts": "${now_us}"}, "start": 2, "factor": 2, "stepSeconds": 1,
                      "retries": 2, "stopWhen": {"pushP99Ms": 100}}, "onlyUsers": 0},
            {"disconnect": true}
          ]})";
        Scenario s;
        std::string err;
        CPPUNIT_ASSERT_MESSAGE(err, parse_scenario(text, "t.json", {}, s, &err));
        CPPUNIT_ASSERT_EQUAL(uint64_t(20), s.users);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(5.0, s.ramp_per_second, 0);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(3.5, s.duration_seconds, 0);
        CPPUNIT_ASSERT_EQUAL(2u, s.threads);
        CPPUNIT_ASSERT_EQUAL(std::string("ws"), s.transport);
        CPPUNIT_ASSERT_EQUAL(uint16_t(4000), s.port);
        CPPUNIT_ASSERT_EQUAL(std::string("/x"), s.ws_path);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"a\":1}"), s.handshake_user);
        CPPUNIT_ASSERT_EQUAL(uint32_t(700), s.request_timeout_ms);
        CPPUNIT_ASSERT_EQUAL(size_t(10), s.script.size());
        TemplateContext c;
        c.index = 4;
        c.uid = "p4";
        CPPUNIT_ASSERT_EQUAL(std::string("p4"), s.uid.expand(c));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"uid":"p4","rid":"r1"})"), s.script[0].body.expand(c));
        CPPUNIT_ASSERT_EQUAL(std::string("sent"), s.script[1].latency_field);
        CPPUNIT_ASSERT_EQUAL(std::string("t0"), s.script[2].latency_field);
        CPPUNIT_ASSERT(s.script[4].kind == Step::Kind::wait_push);
        CPPUNIT_ASSERT_EQUAL(uint64_t(1), s.script[4].only_lo);
        CPPUNIT_ASSERT_EQUAL(uint64_t(3), s.script[4].only_hi);
        CPPUNIT_ASSERT(s.script[5].delay.dist == Delay::Dist::uniform);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(5.0, s.script[6].delay.a, 0);
        const Step &loop = s.script[7];
        CPPUNIT_ASSERT_EQUAL(uint64_t(10), loop.count);
        CPPUNIT_ASSERT_EQUAL(4u, loop.in_flight);
        CPPUNIT_ASSERT_EQUAL(size_t(2), loop.steps.size());
        CPPUNIT_ASSERT_EQUAL(std::string("$.script[7].loop.steps[1]"), loop.steps[1].path);
        CPPUNIT_ASSERT(s.has_rate);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(100.0, s.rate.stop_push_p99_ms, 0);
        CPPUNIT_ASSERT_EQUAL(1u, s.rate.step_seconds);
        CPPUNIT_ASSERT_EQUAL(2u, s.rate.retries);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), s.script[8].only_hi);
        CPPUNIT_ASSERT(s.script[9].kind == Step::Kind::disconnect);
    }

    void overrides_replace_fields() {
        Overrides o;
        o.host = "10.0.0.9";
        o.port = 5000;
        o.transport = "tcp";
        o.users = 7;
        o.duration = 2;
        o.threads = 3;
        o.ramp = 0;
        Scenario s;
        std::string err;
        CPPUNIT_ASSERT_MESSAGE(err,
                               parse_scenario(R"({"users": 100, "server": {"transport": "wss"}})", "", o, s, &err));
        CPPUNIT_ASSERT_EQUAL(std::string("10.0.0.9"), s.host);
        CPPUNIT_ASSERT_EQUAL(uint16_t(5000), s.port);
        CPPUNIT_ASSERT_EQUAL(std::string("tcp"), s.transport);
        CPPUNIT_ASSERT_EQUAL(uint64_t(7), s.users);
        CPPUNIT_ASSERT_EQUAL(3u, s.threads);
        // The JSON shipped to agents carries the overrides.
        Scenario again;
        CPPUNIT_ASSERT_MESSAGE(err, parse_scenario(s.json, "", {}, again, &err));
        CPPUNIT_ASSERT_EQUAL(uint64_t(7), again.users);
        CPPUNIT_ASSERT_EQUAL(uint16_t(5000), again.port);
        // An override is validated like the file.
        Overrides bad;
        bad.transport = "udp";
        CPPUNIT_ASSERT(!parse_scenario("{}", "f.json", bad, s, &err));
        CPPUNIT_ASSERT_MESSAGE(err, err.find("$.server.transport") != std::string::npos);
    }

    void errors_name_file_and_path() {
        expect_error("{\"users\": 3,\n \"script\": [}", "x.json:2:");
        expect_error("[1]", "x.json: $: expected a JSON object");
        expect_error(R"({"usres": 3})", "$.usres: unknown key");
        expect_error(R"({"users": 0})", "$.users: expected an integer in [1, 10000000], got 0");
        expect_error(R"({"users": "ten"})", "$.users: expected an integer");
        expect_error(R"({"server": {"port": 70000}})", "$.server.port: expected an integer in [1, 65535], got 70000");
        expect_error(R"({"server": {"transport": "udp"}})",
                     "$.server.transport: expected \"tcp\", \"tls\", \"ws\" or \"wss\", got \"udp\"");
        expect_error(R"({"script": {}})", "$.script: expected an array of steps");
        expect_error(R"({"script": [{"request": "a"}, {"jump": 1}]})", "$.script[1]: expected one of the keys request");
        expect_error(R"({"script": [{"request": "a", "notify": "b"}]})", "$.script[0]: a step has one kind");
        expect_error(R"({"script": [{"request": 5}]})", "$.script[0].request: expected a route string, got 5");
        expect_error(R"({"script": [{"request": "a", "body": {"x": "${who}"}}]})",
                     "$.script[0].body: unknown placeholder ${who}");
        expect_error(R"({"script": [{"request": "a", "body": [1]}]})", "$.script[0].body: expected a JSON object");
        expect_error(R"({"script": [{"request": "a", "tmeoutMs": 1}]})", "$.script[0].tmeoutMs: unknown key");
        expect_error(R"({"script": [{"loop": {"count": 2, "steps": [{"sleep": {"uniform": [5, 1]}}]}}]})",
                     "$.script[0].loop.steps[0].sleep.uniform: expected [MIN, MAX]");
        expect_error(R"({"script": [{"loop": {"count": 2, "inFlight": 0, "steps": [{"sleep": 1}]}}]})",
                     "$.script[0].loop.inFlight: expected an integer in [1, 100000], got 0");
        expect_error(R"({"script": [{"loop": {"count": 2}}]})", "$.script[0].loop.steps: missing");
        expect_error(R"({"script": [{"sleep": -1}]})", "$.script[0].sleep: expected milliseconds >= 0");
        expect_error(R"({"script": [{"sleep": {"gauss": 3}}]})", "$.script[0].sleep.gauss: unknown key");
        expect_error(R"({"script": [{"on": "x", "onlyUsers": "5-1"}]})",
                     "$.script[0].onlyUsers: expected a user index or a range");
        expect_error(R"({"script": [{"rate": {"start": 1}}]})",
                     "$.script[0].rate: expected exactly one of \"request\" or \"notify\"");
        expect_error(R"({"script": [{"rate": {"notify": "a", "factor": 0.5}}]})",
                     "$.script[0].rate.factor: expected a number in [1, 1000], got 0.5");
        expect_error(R"({"script": [{"rate": {"notify": "a", "retries": -1}}]})",
                     "$.script[0].rate.retries: expected an integer in [0, 100]");
        expect_error(R"({"script": [{"rate": {"notify": "a", "stopWhen": {"p99": 1}}}]})",
                     "$.script[0].rate.stopWhen.p99: unknown key");
        expect_error(R"({"script": [{"rate": {"notify": "a"}}, {"rate": {"notify": "b"}}]})",
                     "$.script[1].rate: only one rate step");
        expect_error(R"({"vars": {"a": [1]}})", "$.vars.a: expected a string or a number");
        expect_error(R"({"uid": "${nobody}"})", "$.uid: unknown placeholder ${nobody}");
        expect_error(R"({"script": [{"disconnect": false}]})", "$.script[0].disconnect: expected true");
        Scenario s;
        std::string err;
        CPPUNIT_ASSERT(!load_scenario_file("/nonexistent/dir/none.json", {}, s, &err));
        CPPUNIT_ASSERT_MESSAGE(err, err.find("/nonexistent/dir/none.json: cannot open") == 0);
    }

    void sample_scenarios_are_valid() {
        for (const char *name : {"echo_local.json", "echo_forwarded.json", "broadcast.json", "idle.json",
                                 "../../apps/mmo/robot/walk.json", "../../apps/mmo/robot/fight.json",
                                 "../../apps/mmo/robot/mixed.json"}) {
            std::string file = std::string(SHD_TEST_SCENARIO_DIR) + "/" + name;
            Scenario s;
            std::string err;
            CPPUNIT_ASSERT_MESSAGE(err, load_scenario_file(file, {}, s, &err));
            CPPUNIT_ASSERT(s.port == 3050 || s.port == 3014);
        }
    }

    // http, set, connect, save/forget/when/assign/expect and ifSet/ifUnset; their errors.
    void game_steps_and_variables() {
        const char *text = R"({"server": {"port": 3014}, "script": [
            {"http": {"host": "127.0.0.1", "port": 3001, "path": "/register"}, "body": {"name": "${uid}"},
             "save": {"token": "token", "userId": "uid"}, "expect": {"code": 200}},
            {"request": "gate.q", "body": {"uid": "${userId}"}, "save": {"host": "host", "port": "port"}},
            {"connect": {"host": "${host}", "port": "${port}"}},
            {"request": "c.create", "ifUnset": "player", "save": {"player": "player"}},
            {"on": "onAdd", "save": {"mob": "mob.0.entityId"}},
            {"on": "onRemove", "forget": {"mob": "entities"}},
            {"on": "onAttack", "when": {"target": "${me}"}, "assign": {"dead": 1}, "save": {"me": "x"}},
            {"loop": {"count": 2, "steps": [
              {"set": {"x": "${x+rand:-5:5}"}},
              {"request": "a.attack", "ifSet": "mob", "ifUnset": "dead", "body": {"targetId": "${mob}", "x": "${x}"}}]}}]})";
        Scenario s;
        std::string err;
        CPPUNIT_ASSERT_MESSAGE(err, parse_scenario(text, "x.json", {}, s, &err));
        CPPUNIT_ASSERT(s.script[0].kind == shd::robot::Step::Kind::http);
        CPPUNIT_ASSERT_EQUAL(size_t(2), s.script[0].saves.size());
        CPPUNIT_ASSERT_EQUAL(std::string("200"), s.script[0].expects[0].json);
        CPPUNIT_ASSERT(s.script[2].kind == shd::robot::Step::Kind::connect);
        CPPUNIT_ASSERT_EQUAL(std::string("player"), s.script[3].if_unset);
        CPPUNIT_ASSERT_EQUAL(size_t(3), s.script[4].saves[0].path.size());
        CPPUNIT_ASSERT_EQUAL(size_t(1), s.script[5].forgets.size());
        CPPUNIT_ASSERT_EQUAL(size_t(1), s.script[6].whens.size());
        CPPUNIT_ASSERT(s.script[7].steps[0].kind == shd::robot::Step::Kind::set);
        CPPUNIT_ASSERT_EQUAL(std::string("dead"), s.script[7].steps[1].if_unset);

        expect_error(R"({"script": [{"request": "a", "body": {"x": "${nope}"}}]})", "unknown placeholder ${nope}");
        expect_error(R"({"script": [{"request": "a", "save": {"uid": "x"}}]})", "$.script[0].save.uid: a variable name");
        expect_error(R"({"script": [{"request": "a", "save": {"v": 3}}]})", "$.script[0].save.v: expected a field path");
        expect_error(R"({"script": [{"request": "a", "ifSet": "never"}]})", "$.script[0].ifSet: expected the name");
        expect_error(R"({"script": [{"http": {"path": "x"}}]})", "$.script[0].http.path: expected a path starting with /");
        expect_error(R"({"script": [{"http": {"method": "DELETE"}}]})", "$.script[0].http.method");
        expect_error(R"({"script": [{"connect": {"port": 0}}]})", "$.script[0].connect.port");
        expect_error(R"({"script": [{"set": {}}]})", "$.script[0].set: expected an object");
        expect_error(R"({"script": [{"notify": "a", "save": {"v": "x"}}]})", "$.script[0].save: unknown key");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ScenarioTest);
