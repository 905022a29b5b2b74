// A plugin built against the frozen 1.2 SDK headers (tests/abi/sdk-1.2/include) only, loaded by the
// current host. Besides what 1.0 and 1.1 plugins use (see frozen_sdk_plugin.cpp and
// frozen_sdk_1_1_plugin.cpp), it relies on what the 1.2 release froze: it declares that it needs a
// 1.2 host and declares, counts and reads back a counter of the host's built-in shd.metrics/1 table
// through the 1.2 C++ wrapper, so a change to either that breaks 1.2 plugins fails
// abi_frozen_sdk_compat.
//
// Its constructor leaves a marker file (in $SHD_TEST_MARKER_DIR) when the library is loaded.
#define SHADDOCK_MIN_HOST_MINOR 2
#include <shaddock/cpp/metrics.hpp>
#include <shaddock/cpp/plugin.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

namespace {

__attribute__((constructor)) void leave_marker() {
    if (const char *dir = std::getenv("SHD_TEST_MARKER_DIR"))
        std::ofstream(std::string(dir) + "/frozen_sdk_1_2_plugin.loaded");
}

class FrozenSdk12Plugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        host().info("frozen 1.2: configured, built for ABI " + std::to_string(SHD_ABI_MAJOR) + "." +
                    std::to_string(SHD_ABI_MINOR) + ", host has " + std::to_string(host().api()->abi_major) + "." +
                    std::to_string(host().api()->abi_minor));
        shd::Metrics metrics(host());
        shd::Metric ticks = metrics.counter("frozen_sdk_ticks", "ticks of the frozen 1.2 plugin");
        ticks.add(3);
        const std::string snapshot = metrics.snapshot();
        const std::string family = "\"frozen_sdk_ticks\"";
        const size_t at = snapshot.find(family);
        host().info(std::string("frozen 1.2: metrics ") + (metrics.available() ? "available" : "missing") +
                    ", counter " + (at == std::string::npos ? "not in the snapshot" : snapshot.substr(at, 120)));
    }
    void start() override {
        host().info("frozen 1.2: started");
        host().after(10, [this] {
            host().info("frozen 1.2: timer fired");
            host().post([this] {
                host().info("frozen 1.2: posted task ran");
                host().request_stop("frozen 1.2 plugin is done");
            });
        });
    }
    void stop(shd::Done done) override {
        host().info("frozen 1.2: stopped");
        done();
    }
};

}  // namespace

SHADDOCK_PLUGIN(FrozenSdk12Plugin, "frozen_sdk_1_2_plugin", "1.2.0", "", "")
