// Broken plugins, each a tiny real library, loaded by the real shaddock-host in a child process. Each
// must be refused or contained with a message naming the file (or the plugin) and the cause; the host
// must never crash (a signal fails SHD_ASSERT_EXIT) and, where the fault is contained, stop cleanly.
#include "host_process.hpp"

#include <shaddock/abi.h>

#include <cppunit/extensions/HelperMacros.h>

#include <csignal>

namespace {

using shd::test::json_quote;
using shd::test::Outcome;
using shd::test::TempAppDir;

std::string fault(const std::string &name) {
    return std::string(SHD_TEST_FAULT_DIR) + "/" + name + ".so";
}

// Runs the host with the named fault plugins (in this order) as the whole plugins.json.
Outcome run_faults(const std::vector<std::string> &names) {
    TempAppDir app("fault");
    std::string list;
    for (const auto &n : names)
        list += (list.empty() ? "" : ", ") + std::string("{\"name\": ") + json_quote(n) +
                ", \"path\": " + json_quote(fault(n)) + "}";
    app.write("config/servers.json", R"({"faulty": [{"id": "faulty-1"}]})");
    app.write("config/plugins.json", "{\"plugins\": [" + list + "]}");
    return shd::test::run_host(app, {"--env", "development", "--stop-timeout", "3000"});
}

class FaultPluginsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FaultPluginsTest);
    CPPUNIT_TEST(manifest_without_entry_symbol);
    CPPUNIT_TEST(plain_library_without_manifest_or_entry);
    CPPUNIT_TEST(only_an_abi_2_entry);
    CPPUNIT_TEST(manifest_for_abi_2);
    CPPUNIT_TEST(descriptor_smaller_than_1_0);
    CPPUNIT_TEST(entry_returns_an_error);
    CPPUNIT_TEST(constructor_throws);
    CPPUNIT_TEST(configure_throws);
    CPPUNIT_TEST(start_throws);
    CPPUNIT_TEST(stop_throws);
    CPPUNIT_TEST(posted_task_timer_and_event_throw);
    CPPUNIT_TEST(raw_c_configure_throws);
    CPPUNIT_TEST(undefined_symbol);
    CPPUNIT_TEST(required_service_missing);
    CPPUNIT_TEST(dependency_cycle);
    CPPUNIT_TEST(registers_an_undeclared_service);
    CPPUNIT_TEST(service_entries_throw);
    CPPUNIT_TEST(service_entry_runs_out_of_memory);
    CPPUNIT_TEST(raw_task_runs_out_of_memory);
    CPPUNIT_TEST_SUITE_END();

public:
    void manifest_without_entry_symbol() {
        Outcome out = run_faults({"no_entry"});
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(
            out.output,
            fault("no_entry") + " has no entry symbol shd_plugin_entry_v1 (its manifest says it is a plugin)");
    }

    void plain_library_without_manifest_or_entry() {
        Outcome out = run_faults({"plain_library"});
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(
            out.output,
            fault("plain_library") +
                " has no entry symbol shd_plugin_entry_v1 or shd_app_entry_v1: not a Shaddock plugin or app");
    }

    void only_an_abi_2_entry() {
        Outcome out = run_faults({"abi2_entry_only"});
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(
            out.output,
            fault("abi2_entry_only") + " is built for ABI 2 (exports shd_plugin_entry_v2); this host supports ABI 1");
    }

    void manifest_for_abi_2() {
        Outcome out = run_faults({"abi2_manifest"});
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output, fault("abi2_manifest") + " is built for ABI 2; this host supports ABI 1");
    }

    void descriptor_smaller_than_1_0() {
        Outcome out = run_faults({"short_descriptor"});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output, "plugin \"short_descriptor\" (" + fault("short_descriptor") +
                                            "): entry filled 56 bytes of its descriptor; ABI 1.0 needs at least " +
                                            std::to_string(SHD_PLUGIN_V1_0_SIZE));
        SHD_ASSERT_NOT_CONTAINS(out.output, "configure plugin short_descriptor");
    }

    void entry_returns_an_error() {
        Outcome out = run_faults({"entry_error"});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output, "plugin \"entry_error\" (" + fault("entry_error") +
                                            "): entry returned status 5: the greeting database is missing");
    }

    void constructor_throws() {
        Outcome out = run_faults({"throw_in_constructor"});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output, "plugin \"throw_in_constructor\" (" + fault("throw_in_constructor") +
                                            "): entry returned status 3: constructor threw: constructor boom");
    }

    void configure_throws() {
        Outcome out = run_faults({"throw_in_configure"});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output, "plugin \"throw_in_configure\" (" + fault("throw_in_configure") +
                                            ") failed in configure (status 3): configure threw: configure boom");
        SHD_ASSERT_CONTAINS(out.output, "server stopped after a failed startup");
    }

    void start_throws() {
        // A healthy plugin started first must still be stopped when a later one fails to start.
        Outcome out = run_faults({"throw_in_stop", "throw_in_start"});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output, "plugin \"throw_in_start\" (" + fault("throw_in_start") +
                                            ") failed in start (status 3): start threw: start boom");
        SHD_ASSERT_IN_ORDER(out.output, {"start plugin throw_in_stop: ok", "failed in start",
                                         "stopping: startup failed", "server stopped after a failed startup"});
    }

    void stop_throws() {
        Outcome out = run_faults({"throw_in_stop"});
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_IN_ORDER(out.output, {"stopping: throw_in_stop: fault plugin asks to stop",
                                         "plugin \"throw_in_stop\" (" + fault("throw_in_stop") +
                                             ") reported status 3 while stopping: stop threw: stop boom",
                                         "server stopped cleanly"});
    }

    void posted_task_timer_and_event_throw() {
        Outcome out = run_faults({"throw_in_callbacks"});
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_IN_ORDER(
            out.output, {"throw_in_callbacks: timer callback threw: timer boom",
                         "throw_in_callbacks: still running after every throwing callback", "server stopped cleanly"});
    }

    void raw_c_configure_throws() {
        Outcome out = run_faults({"raw_configure_throws"});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output,
                            "plugin \"raw_configure_throws\" (" + fault("raw_configure_throws") +
                                ") failed in configure (status 3): an exception escaped the plugin's configure");
        SHD_ASSERT_CONTAINS(out.output, "server stopped after a failed startup");
    }

    void undefined_symbol() {
        Outcome out = run_faults({"undefined_symbol"});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output,
                            "plugin \"undefined_symbol\" (" + fault("undefined_symbol") + ") cannot be loaded: ");
        SHD_ASSERT_CONTAINS(out.output, "undefined symbol: shd_fault_function_nobody_defines");
        SHD_ASSERT_NOT_CONTAINS(out.output, "configure plugin undefined_symbol");
    }

    void required_service_missing() {
        Outcome out = run_faults({"needs_missing_service"});
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output,
                            "config/plugins.json: \"needs_missing_service\" requires service test.absent/1, "
                            "but no enabled plugin provides it");
    }

    void dependency_cycle() {
        Outcome out = run_faults({"cycle_a", "cycle_b"});
        SHD_ASSERT_EXIT(out, 2);
        SHD_ASSERT_CONTAINS(out.output,
                            "config/plugins.json: dependency cycle between plugins: cycle_a -> cycle_b -> cycle_a");
    }

    void registers_an_undeclared_service() {
        Outcome out = run_faults({"undeclared_service"});
        SHD_ASSERT_EXIT(out, 1);
        SHD_ASSERT_CONTAINS(out.output,
                            "undeclared_service tried to register service test.undeclared/1, which its "
                            "manifest does not list in provides");
        SHD_ASSERT_CONTAINS(
            out.output, "plugin \"undeclared_service\" (" + fault("undeclared_service") +
                            ") failed in configure (status 1): configure: register service test.undeclared/1: invalid");
    }

    // shd::guard (cpp/service.hpp): a throwing entry answers SHD_ERR_INTERNAL (a boolean one 0), its
    // callback runs exactly once and never inside the call, the log names the module and the entry,
    // and the provider keeps serving.
    void service_entries_throw() {
        Outcome out = run_faults({"throwing_service", "service_caller"});
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_CONTAINS(out.output,
                            "throwing_service: service entry ThrowingService::status_entry threw: status boom");
        SHD_ASSERT_CONTAINS(
            out.output,
            "throwing_service: service entry ThrowingService::status_entry threw: a non-standard exception");
        SHD_ASSERT_CONTAINS(out.output,
                            "throwing_service: service entry ThrowingService::async_entry threw: boom after keeping");
        SHD_ASSERT_IN_ORDER(out.output,
                            {"service_caller: status entry, returns: 0", "service_caller: status entry, throws: 3",
                             "service_caller: status entry, throws an int: 3", "service_caller: flag entry, returns: 1",
                             "service_caller: flag entry, throws: 0"});
        SHD_ASSERT_CONTAINS(
            out.output,
            "call \"async, throws before completing\": status 3, ran 1 time(s), message \"internal error\"");
        SHD_ASSERT_CONTAINS(out.output,
                            "call \"async, completes then throws\": status 0, ran 1 time(s), inside the call, "
                            "message \"completed\"");
        SHD_ASSERT_CONTAINS(out.output,
                            "call \"async, keeps the callback then throws\": status 3, ran 1 time(s), "
                            "message \"internal error\"");
        SHD_ASSERT_CONTAINS(out.output, "call \"async, returns\": status 0, ran 1 time(s), message \"fine\"");
        SHD_ASSERT_IN_ORDER(out.output, {"service_caller: still serving: 0", "server stopped cleanly"});
        SHD_ASSERT_CONTAINS(out.output,
                            "service_caller: route a.b.c\\n[2026-01-01 00:00:00.000] [ERROR] faulty-1 host: "
                            "forged\\r\\x1b[2J\n");
        SHD_ASSERT_NOT_CONTAINS(out.output, "\n[2026-01-01 00:00:00.000]");
    }

    // Out of memory in a service entry is fatal: one line, then abort (never a half-kept promise).
    void service_entry_runs_out_of_memory() {
        Outcome out = run_faults({"throwing_service", "service_caller_oom"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out.output, SIGABRT, out.signal);
        SHD_ASSERT_CONTAINS(out.output, "throwing_service: out of memory in a service entry; aborting");
        SHD_ASSERT_NOT_CONTAINS(out.output, "still running after bad_alloc");
    }

    // The host's own guard around raw C callbacks treats bad_alloc the same way.
    void raw_task_runs_out_of_memory() {
        Outcome out = run_faults({"raw_task_oom"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out.output, SIGABRT, out.signal);
        SHD_ASSERT_CONTAINS(out.output, "out of memory in a callback run by the host; aborting");
        SHD_ASSERT_NOT_CONTAINS(out.output, "still running after bad_alloc");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FaultPluginsTest);

}  // namespace
