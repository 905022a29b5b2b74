// Test plugin "stop_soon": shows which server, environment and options it was given, then asks the
// host to stop 50 ms after starting. A server that loads it ends by itself with exit 0, so a test can
// tell that the host found this plugin through the config it was meant to read.
#include <shaddock/cpp/plugin.hpp>

#include <string>

namespace {

class StopSoon : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        shd::ServerInfo s = host().server();
        host().info("stop_soon: server " + s.id + " type " + s.type + " env " + s.env + " options " +
                    std::string(host().options_json()));
    }
    void start() override {
        host().after(50, [this] { host().request_stop("stop_soon is done"); });
    }
};

}  // namespace

SHADDOCK_PLUGIN(StopSoon, "stop_soon", "1.0.0", "", "")
