// A plugin built against the frozen 1.0 SDK headers (tests/abi/sdk-1.0/include) only, loaded by the
// current host: the binary compatibility promise of a minor release. It goes through the whole
// lifecycle and uses host services (a timer, then post) before asking the host to stop.
//
// Its constructor leaves a marker file (in $SHD_TEST_MARKER_DIR) when the library is loaded, which
// shows the marker mechanism works; needs_newer_host.cpp must never leave one.
#include <shaddock/ext/greeting.h>
#include <shaddock/cpp/plugin.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

namespace {

__attribute__((constructor)) void leave_marker() {
    if (const char *dir = std::getenv("SHD_TEST_MARKER_DIR"))
        std::ofstream(std::string(dir) + "/frozen_sdk_plugin.loaded");
}

class FrozenSdkPlugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        host().info("frozen: configured, built for ABI " + std::to_string(SHD_ABI_MAJOR) + "." +
                    std::to_string(SHD_ABI_MINOR) + ", host has " + std::to_string(host().api()->abi_major) + "." +
                    std::to_string(host().api()->abi_minor));
    }
    void start() override {
        host().info("frozen: started");
        host().after(10, [this] {
            host().info("frozen: timer fired");
            host().post([this] {
                host().info("frozen: posted task ran");
                host().request_stop("frozen plugin is done");
            });
        });
    }
    void stop(shd::Done done) override {
        host().info("frozen: stopped");
        done();
    }
};

}  // namespace

SHADDOCK_PLUGIN(FrozenSdkPlugin, "frozen_sdk_plugin", "1.0.0", "", "")
