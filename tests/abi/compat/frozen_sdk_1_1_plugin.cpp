// A plugin built against the frozen 1.1 SDK headers (tests/abi/sdk-1.1/include) only, loaded by the
// current host. Besides the lifecycle and the host services a 1.0 plugin uses (see
// frozen_sdk_plugin.cpp), it relies on what 1.1 added: it declares that it needs a 1.1 host, calls
// shd_host_api.list_servers, and reads and writes the host's built-in shd.settings/1 table through
// the 1.1 C++ wrapper, so a change to either that breaks 1.1 plugins fails abi_frozen_sdk_compat.
//
// Its constructor leaves a marker file (in $SHD_TEST_MARKER_DIR) when the library is loaded.
#define SHADDOCK_MIN_HOST_MINOR 1
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/settings.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

namespace {

__attribute__((constructor)) void leave_marker() {
    if (const char *dir = std::getenv("SHD_TEST_MARKER_DIR"))
        std::ofstream(std::string(dir) + "/frozen_sdk_1_1_plugin.loaded");
}

class FrozenSdk11Plugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        host().info("frozen 1.1: configured, built for ABI " + std::to_string(SHD_ABI_MAJOR) + "." +
                    std::to_string(SHD_ABI_MINOR) + ", host has " + std::to_string(host().api()->abi_major) + "." +
                    std::to_string(host().api()->abi_minor));
        host().info("frozen 1.1: servers " + host().list_servers());
        shd::Settings settings(host());
        settings.set_string("frozenSdk", "1.1");
        host().info("frozen 1.1: setting frozenSdk = " + settings.get("frozenSdk").value_or("(unset)") +
                    ", serverId = " + settings.get_string("serverId").value_or("(unset)"));
    }
    void start() override {
        host().info("frozen 1.1: started");
        host().after(10, [this] {
            host().info("frozen 1.1: timer fired");
            host().post([this] {
                host().info("frozen 1.1: posted task ran");
                host().request_stop("frozen 1.1 plugin is done");
            });
        });
    }
    void stop(shd::Done done) override {
        host().info("frozen 1.1: stopped");
        done();
    }
};

}  // namespace

SHADDOCK_PLUGIN(FrozenSdk11Plugin, "frozen_sdk_1_1_plugin", "1.1.0", "", "")
