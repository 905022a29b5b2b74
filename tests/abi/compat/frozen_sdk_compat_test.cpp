// The current host against plugins built with other SDK versions: a plugin built with the frozen 1.0
// headers runs through its whole lifecycle, and a plugin that needs a newer host minor is refused
// from its manifest, before any of its code runs.
#include "host_process.hpp"

#include <shaddock/abi.h>

#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>

namespace {

using shd::test::json_quote;
using shd::test::Outcome;
using shd::test::TempAppDir;

Outcome run_plugin(TempAppDir &app, const std::string &library) {
    ::setenv("SHD_TEST_MARKER_DIR", app.path().c_str(), 1);  // read by the plugins' constructors
    app.write("config/servers.json", R"({"compat": [{"id": "compat-1"}]})");
    app.write("config/plugins.json", R"({"plugins": [{"name": "under_test", "path": )" + json_quote(library) + "}]}");
    Outcome out = shd::test::run_host(app, {"--env", "development"});
    ::unsetenv("SHD_TEST_MARKER_DIR");
    return out;
}

class FrozenSdkCompatTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FrozenSdkCompatTest);
    CPPUNIT_TEST(plugin_built_with_frozen_1_0_headers_runs_its_lifecycle);
    CPPUNIT_TEST(plugin_needing_a_newer_minor_is_refused_before_its_code_runs);
    CPPUNIT_TEST_SUITE_END();

public:
    void plugin_built_with_frozen_1_0_headers_runs_its_lifecycle() {
        TempAppDir app("frozen");
        Outcome out = run_plugin(app, SHD_TEST_FROZEN_SDK_PLUGIN);
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_IN_ORDER(out.output,
                            {
                                "loaded plugin \"under_test\"",
                                "frozen: configured, built for ABI 1.0, host has 1." + std::to_string(SHD_ABI_MINOR),
                                "configure plugin under_test: ok",
                                "frozen: started",
                                "start plugin under_test: ok",
                                "frozen: timer fired",
                                "frozen: posted task ran",
                                "stopping: under_test: frozen plugin is done",
                                "frozen: stopped",
                                "server stopped cleanly",
                            });
        // The library really was loaded: the marker check below is able to see a load.
        CPPUNIT_ASSERT(app.exists("frozen_sdk_plugin.loaded"));
    }

    void plugin_needing_a_newer_minor_is_refused_before_its_code_runs() {
        TempAppDir app("newer");
        Outcome out = run_plugin(app, SHD_TEST_NEEDS_NEWER_HOST_PLUGIN);
        SHD_ASSERT_EXIT(out, 2);
        const std::string needed = "1." + std::to_string(SHD_ABI_MINOR + 1);
        SHD_ASSERT_CONTAINS(out.output, std::string(SHD_TEST_NEEDS_NEWER_HOST_PLUGIN) + " needs a host with ABI " +
                                            needed + " or newer; this host has ABI 1." + std::to_string(SHD_ABI_MINOR));
        CPPUNIT_ASSERT_MESSAGE("the refused plugin's constructor ran", !app.exists("needs_newer_host.loaded"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FrozenSdkCompatTest);

}  // namespace
