// The current host against plugins built with other SDK versions: a plugin built with the frozen
// headers of each released minor (1.0, 1.1, 1.2) runs through its whole lifecycle, every minor up to the
// current one has such a plugin, and a plugin that needs a newer host minor is refused from its
// manifest, before any of its code runs.
#include "host_process.hpp"

#include <shaddock/abi.h>

#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <set>

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
    CPPUNIT_TEST(plugin_built_with_frozen_1_1_headers_runs_its_lifecycle);
    CPPUNIT_TEST(plugin_built_with_frozen_1_2_headers_runs_its_lifecycle);
    CPPUNIT_TEST(every_released_minor_has_a_frozen_sdk_plugin);
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

    void plugin_built_with_frozen_1_1_headers_runs_its_lifecycle() {
        TempAppDir app("frozen11");
        Outcome out = run_plugin(app, SHD_TEST_FROZEN_SDK_1_1_PLUGIN);
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_IN_ORDER(
            out.output, {
                            "loaded plugin \"under_test\"",
                            "frozen 1.1: configured, built for ABI 1.1, host has 1." + std::to_string(SHD_ABI_MINOR),
                            // shd_host_api.list_servers (appended in 1.1) answers with servers.json.
                            "frozen 1.1: servers [",
                            "\"id\":\"compat-1\"",
                            // The host's shd.settings/1 table, through the 1.1 C++ wrapper.
                            "frozen 1.1: setting frozenSdk = \"1.1\", serverId = compat-1",
                            "configure plugin under_test: ok",
                            "frozen 1.1: started",
                            "start plugin under_test: ok",
                            "frozen 1.1: timer fired",
                            "frozen 1.1: posted task ran",
                            "stopping: under_test: frozen 1.1 plugin is done",
                            "frozen 1.1: stopped",
                            "server stopped cleanly",
                        });
        CPPUNIT_ASSERT(app.exists("frozen_sdk_1_1_plugin.loaded"));
    }

    void plugin_built_with_frozen_1_2_headers_runs_its_lifecycle() {
        TempAppDir app("frozen12");
        Outcome out = run_plugin(app, SHD_TEST_FROZEN_SDK_1_2_PLUGIN);
        SHD_ASSERT_EXIT(out, 0);
        SHD_ASSERT_IN_ORDER(
            out.output, {
                            "loaded plugin \"under_test\"",
                            "frozen 1.2: configured, built for ABI 1.2, host has 1." + std::to_string(SHD_ABI_MINOR),
                            // The host's shd.metrics/1 table (frozen in 1.2), through the 1.2 wrapper: the
                            // counter is declared and its 3 is in the snapshot.
                            "frozen 1.2: metrics available, counter \"frozen_sdk_ticks\"",
                            "3",
                            "configure plugin under_test: ok",
                            "frozen 1.2: started",
                            "start plugin under_test: ok",
                            "frozen 1.2: timer fired",
                            "frozen 1.2: posted task ran",
                            "stopping: under_test: frozen 1.2 plugin is done",
                            "frozen 1.2: stopped",
                            "server stopped cleanly",
                        });
        CPPUNIT_ASSERT(app.exists("frozen_sdk_1_2_plugin.loaded"));
    }

    // The plugins above, by the minor of the frozen headers each is built from. Raising SHD_ABI_MINOR
    // in abi.h without adding tests/abi/sdk-1.<n> and its plugin here fails (docs/abi.md, release
    // step 4); abi_release_steps checks the files.
    void every_released_minor_has_a_frozen_sdk_plugin() {
        const std::set<int> covered = {0, 1, 2};
        for (int minor = 0; minor <= SHD_ABI_MINOR; ++minor)
            CPPUNIT_ASSERT_MESSAGE("no plugin built from the frozen ABI 1." + std::to_string(minor) +
                                       " headers (tests/abi/sdk-1." + std::to_string(minor) + ") in this test",
                                   covered.count(minor) == 1);
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
