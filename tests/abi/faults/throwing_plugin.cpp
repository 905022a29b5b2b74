// Faults: a C++ plugin whose constructor, configure, start or stop throws, chosen at build time with
// SHD_FAULT_THROW_IN (1 constructor, 2 configure, 3 start, 4 stop). The SDK wrapper must turn each
// exception into an error the host reports with the phase and the message; nothing unwinds into the
// host. The plugin stops the server itself once started, so a run never needs a signal.
#include <shaddock/cpp/plugin.hpp>

#include <stdexcept>

#ifndef SHD_FAULT_THROW_IN
#error "define SHD_FAULT_THROW_IN"
#endif

namespace {

class Throwing : public shd::Plugin {
public:
    explicit Throwing(shd::Host host) : shd::Plugin(host) {
        if (SHD_FAULT_THROW_IN == 1) throw std::runtime_error("constructor boom");
    }
    void configure() override {
        if (SHD_FAULT_THROW_IN == 2) throw std::runtime_error("configure boom");
    }
    void start() override {
        if (SHD_FAULT_THROW_IN == 3) throw std::runtime_error("start boom");
        host().after(20, [this] { host().request_stop("fault plugin asks to stop"); });
    }
    void stop(shd::Done done) override {
        if (SHD_FAULT_THROW_IN == 4) throw std::runtime_error("stop boom");
        done();
    }
};

}  // namespace

SHADDOCK_PLUGIN(Throwing, SHD_TEST_PLUGIN_NAME, "1.0.0", "", "")
