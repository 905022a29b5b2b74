// The real shaddock-host binary runs the example app through its whole lifecycle and stops cleanly
// on SIGINT; a plugin that never finishes stopping cannot hold the process past --stop-timeout.
#include "host_process.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

std::string read_text(const std::string &path) {
    std::ifstream in(path);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

class LifecycleTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LifecycleTest);
    CPPUNIT_TEST(example_app_runs_every_phase_in_order_and_stops_on_sigint);
    CPPUNIT_TEST(sigterm_stops_cleanly_too);
    CPPUNIT_TEST(stop_that_never_completes_ends_at_the_deadline);
    CPPUNIT_TEST(only_a_second_signal_cuts_a_stop_short);
    CPPUNIT_TEST_SUITE_END();

public:
    void example_app_runs_every_phase_in_order_and_stops_on_sigint() {
        shd::test::TempAppDir app("lifecycle");
        for (const char *file : {"servers.json", "plugins.json"})
            app.write(std::string("config/") + file, read_text(std::string(SHD_TEST_HELLO_CONFIG_DIR) + "/" + file));

        shd::test::HostProcess host(
            {shd::test::host_binary(), "--app-dir", app.path(), "--env", "development", "--plugins-dir",
             SHD_TEST_EXAMPLE_PLUGIN_DIR, "--apps-dir", SHD_TEST_EXAMPLE_APP_DIR},
            app.file("host-output.txt"));
        bool ticked = host.wait_for_output("hello: tick 1", 5000);
        CPPUNIT_ASSERT_MESSAGE("the app never ticked:\n" + host.output(), ticked);
        host.send(SIGINT);
        shd::test::Outcome out = host.wait(10000);
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_IN_ORDER(out.output, {
                                            "starting server hello-server-1",
                                            "loaded plugin \"greeter\"",
                                            "loaded app \"hello\"",
                                            "greeter: configured with greeting \"Hello\"",
                                            "configure plugin greeter: ok",
                                            "hello: configure: Hello, world!",
                                            "configure app hello: ok",
                                            "greeter: started",
                                            "start plugin greeter: ok",
                                            "hello: start: server hello-server-1 of type hello",
                                            "start app hello: ok",
                                            "is running with 1 plugin(s) and an app",
                                            "hello: start_all: the whole cluster is up",
                                            "hello: tick 1",
                                            "stopping: SIGINT",
                                            "hello: stop: ",
                                            "greeter: stopped after 1 greeting(s)",
                                            "server stopped cleanly",
                                        });
        // Each phase happens once.
        CPPUNIT_ASSERT_EQUAL(size_t(1), shd::test::count_of(out.output, "start_all: the whole cluster is up"));
        CPPUNIT_ASSERT_EQUAL(size_t(1), shd::test::count_of(out.output, "hello: stop: "));
        // The console and the server's log file carry the same lines.
        SHD_ASSERT_CONTAINS(read_text(app.file("logs/hello-server-1.log")), "server stopped cleanly");
    }

    void sigterm_stops_cleanly_too() {
        shd::test::TempAppDir app("sigterm");
        app.write("config/servers.json", R"({"hello": [{"id": "hello-server-1"}]})");
        app.write("config/plugins.json", R"({"plugins": ["greeter"]})");
        shd::test::HostProcess host({shd::test::host_binary(), "--app-dir", app.path(), "--env", "development",
                                     "--plugins-dir", SHD_TEST_EXAMPLE_PLUGIN_DIR},
                                    app.file("host-output.txt"));
        CPPUNIT_ASSERT_MESSAGE(host.output(), host.wait_for_output("is running with 1 plugin(s)", 5000));
        host.send(SIGTERM);
        shd::test::Outcome out = host.wait(10000);
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_IN_ORDER(out.output,
                            {"stopping: SIGTERM", "greeter: stopped after 0 greeting(s)", "server stopped cleanly"});
    }

    void stop_that_never_completes_ends_at_the_deadline() {
        shd::test::TempAppDir app("stuck");
        app.write("config/servers.json", R"({"stuck": [{"id": "stuck-1"}]})");
        app.write("config/plugins.json", R"({"plugins": ["never_stops"]})");
        shd::test::Outcome out = shd::test::run_host(
            app, {"--env", "development", "--plugins-dir", SHD_TEST_PLUGIN_DIR, "--stop-timeout", "300"}, 10000);
        SHD_ASSERT_EXIT(out, 3);
        SHD_ASSERT_IN_ORDER(out.output, {"never_stops: on_stop returns without calling done",
                                         "stop deadline of 300 ms passed with modules still stopping (plugin "
                                         "\"never_stops\""});
        SHD_ASSERT_CONTAINS(out.output, "has not reported its stop done); exiting now");
        SHD_ASSERT_NOT_CONTAINS(out.output, "server stopped cleanly");
    }

    // A stop begun for another reason (here the plugin asks for it; `shaddock kill` has the master
    // ask while it also sends SIGTERM) goes on through the first signal; the second exits at once.
    void only_a_second_signal_cuts_a_stop_short() {
        shd::test::TempAppDir app("signals");
        app.write("config/servers.json", R"({"stuck": [{"id": "stuck-1"}]})");
        app.write("config/plugins.json", R"({"plugins": ["never_stops"]})");
        shd::test::HostProcess host({shd::test::host_binary(), "--app-dir", app.path(), "--env", "development",
                                     "--plugins-dir", SHD_TEST_PLUGIN_DIR, "--stop-timeout", "60000"},
                                    app.file("host-output.txt"));
        CPPUNIT_ASSERT_MESSAGE(host.output(),
                               host.wait_for_output("never_stops: on_stop returns without calling done", 5000));
        host.send(SIGTERM);
        CPPUNIT_ASSERT_MESSAGE(host.output(), host.wait_for_output("SIGTERM while stopping: the stop goes on", 5000));
        host.send(SIGTERM);
        shd::test::Outcome out = host.wait(10000);
        SHD_ASSERT_EXIT(out, 130);
        SHD_ASSERT_IN_ORDER(out.output, {"stopping: never_stops: never_stops wants the stop sequence to begin",
                                         "SIGTERM while stopping: the stop goes on",
                                         "second SIGTERM while stopping: exiting now"});
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LifecycleTest);

}  // namespace
