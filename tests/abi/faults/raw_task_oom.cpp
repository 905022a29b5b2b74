// Fault: a task given to the raw C API (no SDK wrapper around it) throws std::bad_alloc. Out of memory
// is fatal: the host's guard logs one line and aborts instead of swallowing it.
#include <shaddock/cpp/plugin.hpp>

#include <new>

namespace {

void SHD_CALL raw_task_out_of_memory(void *, shd_status status) {
    if (status == SHD_OK) throw std::bad_alloc();
}

class RawTaskOom : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void start() override {
        const shd_host_api *api = host().api();
        api->post(api->ctx, raw_task_out_of_memory, nullptr);
        host().after(200, [this] {
            host().info("still running after bad_alloc");  // must never be printed
            host().request_stop("not reached");
        });
    }
};

}  // namespace

SHADDOCK_PLUGIN(RawTaskOom, "raw_task_oom", "1.0.0", "", "")
