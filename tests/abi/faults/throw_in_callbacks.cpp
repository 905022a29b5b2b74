// Fault: exceptions thrown from callbacks the host calls later: a posted task and a timer through the
// C++ wrapper, and a posted task and an event handler given to the raw C API (so the host's own guard
// is what contains them). The server must keep running, log the timer's failure, and stop cleanly.
#include <shaddock/cpp/plugin.hpp>

#include <stdexcept>

namespace {

void SHD_CALL raw_task_that_throws(void *, shd_status status) {
    if (status == SHD_OK) throw std::runtime_error("raw task boom");
}

void SHD_CALL raw_event_that_throws(void *, shd_str, shd_str) {
    throw std::runtime_error("raw event boom");
}

class ThrowInCallbacks : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void start() override {
        const shd_host_api *api = host().api();
        host().post([] { throw std::runtime_error("posted task boom"); });
        host().after(5, [] { throw std::runtime_error("timer boom"); });
        api->post(api->ctx, raw_task_that_throws, nullptr);
        uint64_t sub = 0;
        api->subscribe(api->ctx, shd::to_shd("fault.event"), raw_event_that_throws, nullptr, nullptr, &sub);
        host().emit("fault.event", "{}");
        // Runs after everything above: the logic thread survived them all.
        host().after(40, [this] {
            host().info("still running after every throwing callback");
            host().request_stop("fault plugin asks to stop");
        });
    }
};

}  // namespace

SHADDOCK_PLUGIN(ThrowInCallbacks, "throw_in_callbacks", "1.0.0", "", "")
