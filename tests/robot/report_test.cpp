// Reports and the figures behind them: the JSON report's fields and numbers, the HTML page, the
// snapshot wire form, the rate controller's steps, and the agent protocol's strict decoding.
#include "report.hpp"
#include "agent_wire.hpp"
#include "rate_controller.hpp"

#include <rapidjson/document.h>

#include <cppunit/extensions/HelperMacros.h>

using namespace shd::robot;

namespace {

Snapshot second_with(uint64_t ok, uint64_t latency_us, uint64_t pushes, uint64_t push_us, uint64_t users) {
    Snapshot s;
    s.requests_ok = ok;
    for (uint64_t i = 0; i < ok; ++i) s.request_us.record(latency_us + i % 10);
    s.pushes = pushes;
    s.pushes_by_route["onSay"] = pushes;
    for (uint64_t i = 0; i < pushes; ++i) s.push_us.record(push_us);
    s.users_connected = users;
    s.rate_senders = 1;
    return s;
}

// Rates 10, 20, 40, ... per sender; a step breaks when its push p99 passes 100 ms.
RateSpec doubling_spec(unsigned step_seconds, unsigned retries) {
    RateSpec spec;
    spec.start = 10;
    spec.factor = 2;
    spec.step_seconds = step_seconds;
    spec.stop_push_p99_ms = 100;
    spec.retries = retries;
    return spec;
}

}  // namespace

class ReportTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ReportTest);
    CPPUNIT_TEST(json_report_holds_every_figure);
    CPPUNIT_TEST(html_report_is_self_contained);
    CPPUNIT_TEST(snapshot_wire_round_trip);
    CPPUNIT_TEST(rate_controller_steps_until_p99_breaks);
    CPPUNIT_TEST(rate_controller_retries_a_broken_level);
    CPPUNIT_TEST(agent_messages_decode_strictly);
    CPPUNIT_TEST_SUITE_END();

public:
    void json_report_holds_every_figure() {
        Report r;
        r.name = "t";
        r.users = 10;
        r.elapsed_seconds = 2;
        r.cpu = {0.5, 0.25};
        Snapshot a = second_with(100, 1000, 0, 0, 10);
        a.connects_ok = 10;
        a.connect_us.record(3000);
        Snapshot b = second_with(300, 2000, 0, 0, 9);
        b.requests_failed = 4;
        b.error("request:timeout", 4);
        r.add_second(a);
        r.add_second(b);
        rapidjson::Document d;
        std::string text = report_json(r);
        d.Parse(text.c_str());
        CPPUNIT_ASSERT_MESSAGE(text, !d.HasParseError());
        CPPUNIT_ASSERT_EQUAL(uint64_t(400), d["requests"]["ok"].GetUint64());
        CPPUNIT_ASSERT_EQUAL(uint64_t(4), d["requests"]["failed"].GetUint64());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(200.0, d["requests"]["perSecond"].GetDouble(), 1e-9);
        auto &lat = d["requests"]["latencyMs"];
        CPPUNIT_ASSERT(lat["p50"].GetDouble() <= lat["p90"].GetDouble());
        CPPUNIT_ASSERT(lat["p90"].GetDouble() <= lat["p99"].GetDouble());
        CPPUNIT_ASSERT(lat["p99"].GetDouble() <= lat["p999"].GetDouble());
        CPPUNIT_ASSERT(lat["p999"].GetDouble() <= lat["max"].GetDouble());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2.0, lat["p50"].GetDouble(), 0.02);  // 3/4 of the samples are ~2 ms
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2.009, lat["max"].GetDouble(), 1e-9);
        CPPUNIT_ASSERT_EQUAL(uint64_t(4), d["errors"]["request:timeout"].GetUint64());
        CPPUNIT_ASSERT_EQUAL(uint64_t(4), d["errorCount"].GetUint64());
        CPPUNIT_ASSERT_EQUAL(3, d["exitCode"].GetInt());
        CPPUNIT_ASSERT_EQUAL(uint64_t(10), d["connects"]["ok"].GetUint64());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(3.0, d["connects"]["latencyMs"]["p50"].GetDouble(), 0.03);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(37.5, d["cpu"]["percent"].GetDouble(), 1e-9);
        CPPUNIT_ASSERT_EQUAL(uint64_t(10), d["peakUsersConnected"].GetUint64());
        CPPUNIT_ASSERT_EQUAL(rapidjson::SizeType(2), d["timeline"].Size());
        CPPUNIT_ASSERT_EQUAL(uint64_t(300), d["timeline"][1]["requestsOk"].GetUint64());
        CPPUNIT_ASSERT_EQUAL(uint64_t(9), d["timeline"][1]["users"].GetUint64());
        CPPUNIT_ASSERT(!d.HasMember("rate"));
        std::string txt = report_text(r);
        CPPUNIT_ASSERT_MESSAGE(txt, txt.find("ok 400  failed 4") != std::string::npos);
    }

    void html_report_is_self_contained() {
        Report r;
        r.name = "<b>x</b>";
        r.elapsed_seconds = 3;
        for (int i = 0; i < 3; ++i) r.add_second(second_with(10 * (i + 1), 500, 5, 700, 3));
        std::string html = report_html(r);
        CPPUNIT_ASSERT(html.rfind("<!DOCTYPE html>", 0) == 0);
        CPPUNIT_ASSERT(html.find("<svg") != std::string::npos);
        CPPUNIT_ASSERT(html.find("<polyline") != std::string::npos);
        CPPUNIT_ASSERT(html.find("Push latency") != std::string::npos);
        CPPUNIT_ASSERT(html.find("<script") == std::string::npos);
        CPPUNIT_ASSERT(html.find("src=") == std::string::npos && html.find("href=") == std::string::npos);
        CPPUNIT_ASSERT(html.find("<b>x</b>") == std::string::npos);  // escaped
        CPPUNIT_ASSERT(html.find("&lt;b&gt;x") != std::string::npos);
    }

    void snapshot_wire_round_trip() {
        Snapshot s = second_with(50, 1234, 7, 999, 4);
        s.requests_failed = 2;
        s.error("request:timeout", 2);
        s.connects_failed = 1;
        s.error("connect:connect_failed");
        std::string line = encode_tick(9, s);
        CPPUNIT_ASSERT(line.back() == '\n');
        WireMessage m;
        std::string err;
        CPPUNIT_ASSERT_MESSAGE(err, decode_message(line.substr(0, line.size() - 1), m, &err));
        CPPUNIT_ASSERT(m.type == WireMessage::Type::tick);
        CPPUNIT_ASSERT_EQUAL(9u, m.second);
        CPPUNIT_ASSERT_EQUAL(s.to_json(), m.stats.to_json());
        // Merging two agents' seconds adds every counter.
        Snapshot sum = s;
        sum.merge(m.stats);
        CPPUNIT_ASSERT_EQUAL(uint64_t(100), sum.requests_ok);
        CPPUNIT_ASSERT_EQUAL(uint64_t(4), sum.errors["request:timeout"]);
        CPPUNIT_ASSERT_EQUAL(uint64_t(14), sum.pushes_by_route["onSay"]);
        CPPUNIT_ASSERT_EQUAL(uint64_t(100), sum.request_us.count());
        CPPUNIT_ASSERT_EQUAL(uint64_t(8), sum.users_connected);
    }

    void rate_controller_steps_until_p99_breaks() {
        RateController c(doubling_spec(2, 0));
        CPPUNIT_ASSERT_DOUBLES_EQUAL(40.0, c.rate_at(2), 1e-9);
        // No sender yet, then a partial first second: neither is measured.
        CPPUNIT_ASSERT(!c.on_second(Snapshot()));
        CPPUNIT_ASSERT(!c.on_second(second_with(0, 0, 1, 1000, 1)));
        // Level 0: 2 s at 1000 pushes/s, p99 20 ms: met.
        CPPUNIT_ASSERT(!c.on_second(second_with(0, 0, 1000, 20000, 1)));
        CPPUNIT_ASSERT(c.on_second(second_with(0, 0, 1000, 20000, 1)));
        CPPUNIT_ASSERT_EQUAL(1u, c.level());
        // Level 1: 2000 pushes/s at 90 ms: met.
        c.on_second(second_with(0, 0, 2000, 90000, 1));
        CPPUNIT_ASSERT(c.on_second(second_with(0, 0, 2000, 90000, 1)));
        // Level 2: one good second and one bad one: the step's p99 is over 100 ms.
        c.on_second(second_with(0, 0, 3000, 50000, 1));
        CPPUNIT_ASSERT(!c.on_second(second_with(0, 0, 3000, 250000, 1)));
        CPPUNIT_ASSERT(c.stopped());
        CPPUNIT_ASSERT_EQUAL(size_t(3), c.steps().size());
        CPPUNIT_ASSERT(!c.steps()[2].met);
        CPPUNIT_ASSERT_EQUAL(std::string("pushP99Ms"), c.steps()[2].broken);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2000.0, c.max_sustained_deliveries(), 1e-9);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(20.0, c.max_sustained_rate(), 1e-9);
        // Nothing changes after the stop.
        CPPUNIT_ASSERT(!c.on_second(second_with(0, 0, 9, 1, 1)));
        CPPUNIT_ASSERT_EQUAL(size_t(3), c.steps().size());

        Report r;
        r.has_rate = true;
        r.rate_steps = c.steps();
        r.max_sustained_deliveries = c.max_sustained_deliveries();
        rapidjson::Document d;
        d.Parse(report_json(r).c_str());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2000.0, d["rate"]["maxSustainedDeliveriesPerSecond"].GetDouble(), 1e-9);
        CPPUNIT_ASSERT_EQUAL(rapidjson::SizeType(3), d["rate"]["steps"].Size());
        CPPUNIT_ASSERT(!d["rate"]["steps"][2]["met"].GetBool());
    }

    void rate_controller_retries_a_broken_level() {
        RateController c(doubling_spec(1, 1));
        c.on_second(second_with(0, 0, 1, 1000, 1));  // the partial first second
        CPPUNIT_ASSERT(c.on_second(second_with(0, 0, 1000, 20000, 1)));
        CPPUNIT_ASSERT_EQUAL(1u, c.level());
        // Level 1 breaks once (a stall): measured again at the same level, and then it holds.
        CPPUNIT_ASSERT(!c.on_second(second_with(0, 0, 2000, 300000, 1)));
        CPPUNIT_ASSERT(!c.stopped());
        CPPUNIT_ASSERT_EQUAL(1u, c.level());
        CPPUNIT_ASSERT(c.on_second(second_with(0, 0, 2000, 30000, 1)));
        CPPUNIT_ASSERT_EQUAL(2u, c.level());
        // Level 2 breaks twice in a row: the run stops; level 1's retry is the best sustained step.
        CPPUNIT_ASSERT(!c.on_second(second_with(0, 0, 4000, 300000, 1)));
        CPPUNIT_ASSERT(!c.stopped());
        CPPUNIT_ASSERT(!c.on_second(second_with(0, 0, 4000, 200000, 1)));
        CPPUNIT_ASSERT(c.stopped());
        CPPUNIT_ASSERT_EQUAL(size_t(5), c.steps().size());
        CPPUNIT_ASSERT_EQUAL(1u, c.steps()[1].level);
        CPPUNIT_ASSERT_EQUAL(1u, c.steps()[2].level);
        CPPUNIT_ASSERT(!c.steps()[1].met);
        CPPUNIT_ASSERT(c.steps()[2].met);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2000.0, c.max_sustained_deliveries(), 1e-9);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(20.0, c.max_sustained_rate(), 1e-9);
    }

    void agent_messages_decode_strictly() {
        WireMessage m;
        std::string err;
        std::string run = encode_run("{\"users\":10}", 5, 5, 10, 123);
        CPPUNIT_ASSERT_MESSAGE(err, decode_message(run.substr(0, run.size() - 1), m, &err));
        CPPUNIT_ASSERT(m.type == WireMessage::Type::run);
        CPPUNIT_ASSERT_EQUAL(uint64_t(5), m.first_index);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"users\":10}"), m.scenario_json);
        CPPUNIT_ASSERT(decode_message("{\"type\":\"level\",\"level\":4}", m, &err) && m.level == 4);
        std::string done = encode_done(Snapshot(), {1.5, 0.5}, 3.0);
        CPPUNIT_ASSERT_MESSAGE(err, decode_message(done.substr(0, done.size() - 1), m, &err));
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.5, m.cpu.user_seconds, 1e-9);
        struct Bad {
            const char *line, *want;
        } bad[] = {
            {"hello", "not a JSON object"},
            {"[1,2]", "not a JSON object"},
            {"{}", "without a \"type\""},
            {"{\"type\":\"dance\"}", "unknown message type \"dance\""},
            {"{\"type\":\"run\",\"scenario\":3}", "\"scenario\" must be an object"},
            {"{\"type\":\"run\",\"scenario\":{},\"firstIndex\":8,\"users\":5,\"totalUsers\":10,\"startAtUs\":1}",
             "firstIndex + users <= totalUsers"},
            {"{\"type\":\"level\",\"level\":-1}", "\"level\" must be an unsigned integer"},
            {"{\"type\":\"tick\",\"second\":1,\"stats\":{}}", "requestsOk must be an unsigned integer"},
            {"{\"type\":\"done\",\"stats\":{}}", "stats:"},
        };
        for (auto &b : bad) {
            CPPUNIT_ASSERT_MESSAGE(b.line, !decode_message(b.line, m, &err));
            CPPUNIT_ASSERT_MESSAGE(std::string(b.line) + " -> " + err, err.find(b.want) != std::string::npos);
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReportTest);
