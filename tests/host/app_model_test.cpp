// The app model of the C++ SDK under the real shaddock-host: the built-in settings service shared
// by a plugin and the app, components (start / after_start in order, stop in reverse, asynchronous
// steps, a failing component stopping the startup with its name), and the membership getters on a
// lone server (answered from the configuration, clusterCount expanded).
#include "host_process.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <csignal>
#include <string>

namespace {

using shd::test::HostProcess;
using shd::test::TempAppDir;

const char *kServers = R"({"model": [{"id": "model-server-1", "host": "127.0.0.1", "port": 4100}],
  "connector": [{"id": "connector-server-1", "host": "127.0.0.1", "port": 4200, "clientPort": 3010, "frontend": true},
                {"id": "connector-server-2", "host": "127.0.0.1", "port": "4201", "clientPort": 3011, "frontend": "true"}],
  "area": [{"host": "127.0.0.1", "port": "4300++", "clusterCount": 3, "zone": "north"}]})";

std::string plugins_json(const std::string &app_options, bool with_settings_plugin = true) {
    return std::string(R"({"plugins": [)") + (with_settings_plugin ? R"({"name": "settings_probe"})" : "") +
           R"(], "app": {"name": "model_probe", "options": )" + app_options + "}}";
}

std::vector<std::string> host_args(const TempAppDir &app, const std::string &server_id = "model-server-1") {
    return {shd::test::host_binary(), "--app-dir", app.path(), "--server-id", server_id, "--plugins-dir",
            SHD_TEST_PLUGIN_DIR,      "--apps-dir", SHD_TEST_APP_DIR, "--stop-timeout", "4000"};
}

class AppModelTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AppModelTest);
    CPPUNIT_TEST(settings_are_shared_between_plugin_and_app);
    CPPUNIT_TEST(components_start_in_order_and_stop_in_reverse);
    CPPUNIT_TEST(a_failing_component_stops_the_startup_naming_it);
    CPPUNIT_TEST(a_failing_asynchronous_component_stops_the_server_naming_it);
    CPPUNIT_TEST(a_failing_after_start_stops_every_started_component);
    CPPUNIT_TEST(membership_on_a_lone_server_comes_from_the_configuration);
    CPPUNIT_TEST_SUITE_END();

    static shd::test::Outcome run_and_stop(const TempAppDir &app, const std::string &wait_for,
                                           const std::string &server_id = "model-server-1") {
        HostProcess host(host_args(app, server_id), app.file("out.txt"));
        bool up = host.wait_for_output(wait_for, 10000);
        CPPUNIT_ASSERT_MESSAGE("never saw \"" + wait_for + "\":\n" + host.output(), up);
        host.send(SIGTERM);
        return host.wait(10000);
    }

public:
    void settings_are_shared_between_plugin_and_app() {
        TempAppDir app("settings");
        app.write("config/servers.json", kServers);
        app.write("config/plugins.json", plugins_json("{}"));
        auto out = run_and_stop(app, "model_probe: membership");
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_IN_ORDER(out.output, {
            "settings_probe: invalid values refused: yes",
            "model_probe: app sees fromPlugin=\"plugin \\\"value\\\" \xc3\xa9\"",
            "model_probe: app sees defaults serverId=model-server-1 serverType=model env=development stopTimeout=4000",
            "settings_probe: plugin sees fromApp={\"answer\":42,\"list\":[1,2]} appFeature=enabled appOther=disabled "
            "fromPlugin=plugin \"value\" \xc3\xa9",
            "settings_probe: remove works: yes all={",
        });
        // The defaults the host sets, seen through all(): curServer is this server's entry.
        SHD_ASSERT_CONTAINS(out.output, "\"curServer\":{\"id\":\"model-server-1\"");
        SHD_ASSERT_NOT_CONTAINS(out.output, "\"fromPlugin\":");
    }

    void components_start_in_order_and_stop_in_reverse() {
        TempAppDir app("components");
        app.write("config/servers.json", kServers);
        app.write("config/plugins.json", plugins_json(R"({"components": ["alpha", "beta", "gamma"], "async": ["beta"]})"));
        auto out = run_and_stop(app, "model_probe: membership");
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_IN_ORDER(out.output, {
            "model_probe: duplicate component added: no",
            "component alpha start", "component beta start", "component gamma start",
            "component alpha after_start", "component beta after_start", "component gamma after_start",
            "model_probe: app start", "model_probe: membership",
            "stopping: SIGTERM", "model_probe: app stop",
            "component gamma stop force=0", "component beta stop force=0", "component alpha stop force=0",
            "server stopped cleanly",
        });
        CPPUNIT_ASSERT_EQUAL(size_t(1), shd::test::count_of(out.output, "component alpha start"));
        CPPUNIT_ASSERT_EQUAL(size_t(1), shd::test::count_of(out.output, "model_probe: app start"));
    }

    void a_failing_component_stops_the_startup_naming_it() {
        TempAppDir app("component-fails");
        app.write("config/servers.json", kServers);
        app.write("config/plugins.json",
                  plugins_json(R"({"components": ["alpha", "beta", "gamma"], "fail": "beta", "failIn": "start"})"));
        auto out = shd::test::run_host(app, {"--server-id", "model-server-1", "--plugins-dir", SHD_TEST_PLUGIN_DIR,
                                             "--apps-dir", SHD_TEST_APP_DIR});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output, "app \"model_probe\"");
        SHD_ASSERT_CONTAINS(out.output, "failed in start");
        SHD_ASSERT_CONTAINS(out.output, "component \"beta\" failed in start: beta refuses on purpose");
        SHD_ASSERT_IN_ORDER(out.output, {"component alpha start", "component beta start", "component alpha stop force=1",
                                         "server stopped after a failed startup"});
        SHD_ASSERT_NOT_CONTAINS(out.output, "component gamma start");
        SHD_ASSERT_NOT_CONTAINS(out.output, "component beta stop");
        SHD_ASSERT_NOT_CONTAINS(out.output, "model_probe: app start");
    }

    void a_failing_asynchronous_component_stops_the_server_naming_it() {
        TempAppDir app("component-fails-later");
        app.write("config/servers.json", kServers);
        app.write("config/plugins.json", plugins_json(R"({"components": ["alpha", "beta", "gamma"], "async": ["beta"],
                                                        "fail": "beta", "failIn": "start"})"));
        auto out = shd::test::run_host(app, {"--server-id", "model-server-1", "--plugins-dir", SHD_TEST_PLUGIN_DIR,
                                             "--apps-dir", SHD_TEST_APP_DIR});
        CPPUNIT_ASSERT_MESSAGE(out.describe() + "\n" + out.output, out.signal == 0 && !out.timed_out);
        SHD_ASSERT_IN_ORDER(out.output, {"component alpha start", "component beta start",
                                         "component \"beta\" failed in start: beta refuses on purpose",
                                         "component alpha stop force=1", "stopping: model_probe: component \"beta\""});
        SHD_ASSERT_NOT_CONTAINS(out.output, "component gamma start");
        SHD_ASSERT_NOT_CONTAINS(out.output, "model_probe: app start");
        SHD_ASSERT_NOT_CONTAINS(out.output, "model_probe: membership");
    }

    void a_failing_after_start_stops_every_started_component() {
        TempAppDir app("after-start-fails");
        app.write("config/servers.json", kServers);
        app.write("config/plugins.json",
                  plugins_json(R"({"components": ["alpha", "beta"], "fail": "alpha", "failIn": "after_start"})"));
        auto out = shd::test::run_host(app, {"--server-id", "model-server-1", "--plugins-dir", SHD_TEST_PLUGIN_DIR,
                                             "--apps-dir", SHD_TEST_APP_DIR});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output, "component \"alpha\" failed in after_start: alpha refuses on purpose");
        SHD_ASSERT_IN_ORDER(out.output, {"component beta start", "component alpha after_start",
                                         "component beta stop force=1", "component alpha stop force=1"});
    }

    void membership_on_a_lone_server_comes_from_the_configuration() {
        TempAppDir app("membership");
        app.write("config/servers.json", kServers);
        app.write("config/plugins.json", plugins_json("{}", false));
        auto out = run_and_stop(app, "model_probe: membership", "connector-server-2");
        SHD_ASSERT_EXIT(out, 0);
        std::string expected =
            R"(membership {"live":false,"servers":[)"
            R"({"id":"model-server-1","serverType":"model","host":"127.0.0.1","port":4100,"clientPort":0,"frontend":false},)"
            R"({"id":"connector-server-1","serverType":"connector","host":"127.0.0.1","port":4200,"clientPort":3010,"frontend":true},)"
            R"({"id":"connector-server-2","serverType":"connector","host":"127.0.0.1","port":4201,"clientPort":3011,"frontend":true},)"
            R"({"id":"cluster-server-area-0","serverType":"area","host":"127.0.0.1","port":4300,"clientPort":0,"frontend":false},)"
            R"({"id":"cluster-server-area-1","serverType":"area","host":"127.0.0.1","port":4301,"clientPort":0,"frontend":false},)"
            R"({"id":"cluster-server-area-2","serverType":"area","host":"127.0.0.1","port":4302,"clientPort":0,"frontend":false}],)"
            R"("byType":{"model":["model-server-1"],"connector":["connector-server-1","connector-server-2"],)"
            R"("area":["cluster-server-area-0","cluster-server-area-1","cluster-server-area-2"]},)"
            R"("idsOfMyType":2,"meFound":true,"unknownFound":false,"master":"","current":"connector-server-2",)"
            R"("currentType":"connector","frontend":true,"backend":false,"allStarted":true})";
        SHD_ASSERT_CONTAINS(out.output, expected);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AppModelTest);

}  // namespace
