// The host's services to plugins (timers, events, post) keep the contract written in abi.h: every
// callback registered with user_data gets exactly one final call, deliveries happen later on the logic
// thread, and work offered after the stop is refused. The test plugin runtime_probe exercises them
// through the raw C ABI inside a real ServerRuntime and logs what it saw; this test holds the
// expected values.
#include "host_process.hpp"
#include "log.hpp"
#include "server_runtime.hpp"

#include <shaddock/abi.h>

#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace {

using Facts = std::map<std::string, std::string>;

Facts parse_facts(const std::string &log) {
    Facts facts;
    std::istringstream in(log);
    std::string line;
    const std::string marker = "probe fact ";
    while (std::getline(in, line)) {
        size_t at = line.find(marker);
        if (at == std::string::npos) continue;
        std::string kv = line.substr(at + marker.size());
        size_t eq = kv.find('=');
        facts[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    return facts;
}

std::string s(long v) {
    return std::to_string(v);
}

class RuntimeServicesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RuntimeServicesTest);
    CPPUNIT_TEST(timers_events_and_posts_keep_the_contract);
    CPPUNIT_TEST_SUITE_END();

public:
    void timers_events_and_posts_keep_the_contract() {
        shd::test::TempAppDir app("runtime");
        app.write("config/servers.json", R"({"probe": [{"id": "probe-1"}]})");
        app.write("config/plugins.json", R"({"plugins": ["runtime_probe"]})");

        shd::host::RuntimeOptions options;
        options.app_dir = app.path();
        options.plugins_dir = SHD_TEST_PLUGIN_DIR;
        options.apps_dir = SHD_TEST_PLUGIN_DIR;
        options.log_dir = app.file("logs");
        options.stop_timeout_ms = 5000;
        options.handle_signals = false;

        shd::host::Logger log;
        int code = -1;
        {
            shd::host::ServerRuntime runtime(options, log);
            // The probe stops the server itself; if it never does, stop it so the failure shows.
            std::atomic<bool> finished{false};
            std::thread guard([&] {
                for (int i = 0; i < 1000 && !finished; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
                if (!finished) runtime.request_stop("test guard: the probe did not finish within 10 s");
            });
            code = runtime.run();
            finished = true;
            guard.join();
        }
        std::string text;
        std::ifstream in(app.file("logs/probe-1.log"));
        std::ostringstream buf;
        buf << in.rdbuf();
        text = buf.str();
        CPPUNIT_ASSERT_EQUAL_MESSAGE("run() exit code\n" + text, shd::host::kExitOk, code);

        const std::string ok = s(SHD_OK), not_found = s(SHD_ERR_NOT_FOUND), cancelled = s(SHD_ERR_CANCELLED),
                          shutdown = s(SHD_ERR_SHUTDOWN);
        const Facts expected = {
            // Starting and cancelling.
            {"start_one_shot", ok},
            {"start_cancelled_one_shot", ok},
            {"cancel_pending_one_shot", ok},
            {"start_interval", ok},
            {"start_pending_at_stop", ok},
            {"start_interval_at_stop", ok},
            {"cancel_unknown_timer", not_found},
            {"cancel_finished_one_shot", not_found},
            {"cancel_interval_in_callback", ok},
            {"cancel_interval_twice", not_found},
            // One-shot: one SHD_OK call and nothing else.
            {"one_shot.ok_calls", "1"},
            {"one_shot.final_calls", "0"},
            // One-shot cancelled before it fired: exactly one final call, SHD_ERR_CANCELLED.
            {"cancelled_one_shot.ok_calls", "0"},
            {"cancelled_one_shot.final_calls", "1"},
            {"cancelled_one_shot.final_status", cancelled},
            // Interval cancelled from its third tick: three ticks, then exactly one final call.
            {"interval.ok_calls", "3"},
            {"interval.final_calls", "1"},
            {"interval.final_status", cancelled},
            // Timers still armed when the host stops: exactly one final SHD_ERR_CANCELLED each.
            {"pending_at_stop.ok_calls", "0"},
            {"pending_at_stop.final_calls", "1"},
            {"pending_at_stop.final_status", cancelled},
            {"interval_at_stop.ticked", "yes"},
            {"interval_at_stop_final_calls_before_stop", "0"},
            {"interval_at_stop.final_calls", "1"},
            {"interval_at_stop.final_status", cancelled},
            // Events: delivered later, not inside emit; an unsubscribed subscriber hears nothing more
            // and is released once; the other is released once, at the stop.
            {"subscribe_a", ok},
            {"subscribe_b", ok},
            {"emit", ok},
            {"deliveries_during_emit", "0"},
            {"unsubscribe_a", ok},
            {"unsubscribe_a_twice", not_found},
            {"a.deliveries", "1"},
            {"a.releases", "1"},
            {"b.deliveries", "2"},
            {"b.payloads", R"(probe.event:{"n":1};probe.event:{"n":2};)"},
            {"releases_of_b_before_stop", "0"},
            {"b.releases", "1"},
            // post() from a thread the plugin created runs the task on the logic thread.
            {"foreign_post.status", ok},
            {"foreign_post.runs", "1"},
            {"foreign_post.on_logic_thread", "yes"},
            // After the stop, work is refused and never runs.
            {"post_after_stop", shutdown},
            {"post_after_stop_from_thread", shutdown},
            {"timer_after_stop", shutdown},
            {"after_stop_runs", "0"},
        };
        Facts actual = parse_facts(text);
        std::string problems;
        for (const auto &[key, value] : expected) {
            auto it = actual.find(key);
            if (it == actual.end())
                problems += "  " + key + ": missing (expected " + value + ")\n";
            else if (it->second != value)
                problems += "  " + key + ": " + it->second + " (expected " + value + ")\n";
        }
        for (const auto &[key, value] : actual)
            if (!expected.count(key)) problems += "  " + key + "=" + value + ": not expected by this test\n";
        CPPUNIT_ASSERT_MESSAGE("the probe saw:\n" + problems + "--- log:\n" + text, problems.empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RuntimeServicesTest);

}  // namespace
