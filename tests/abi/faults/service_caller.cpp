// Fault: calls the throwing entries of test.throwing/1 (throwing_service.cpp) and prints one line per
// call with what came back: the status, how often the callback ran, whether it ran inside the call.
// Then calls a well-behaved entry again (the provider still serves) and stops the server.
// Built twice: as service_caller, and with SHD_FAULT_OOM as service_caller_oom, whose call throws
// std::bad_alloc in the provider (the process must abort with one log line).
#include "throwing_service.hpp"

#include <shaddock/cpp/plugin.hpp>

#include <memory>
#include <string>
#include <vector>

namespace {

struct Call {
    std::string name;
    int fired = 0;
    bool inside = false;
    shd_status status = -1;
    std::string message;
    bool *in_call = nullptr;
};

class ServiceCaller : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void start() override {
        auto [vt, ctx] = host().require<shd_test_throwing_v1>(SHD_TEST_THROWING_SERVICE_ID);
#ifdef SHD_FAULT_OOM
        vt->status_entry(ctx, SHD_TEST_OUT_OF_MEMORY);
        host().info("still running after bad_alloc");  // must never be printed
        host().request_stop("not reached");
#else
        // A module's text cannot start a log line of its own (the host escapes control bytes).
        host().info("route a.b.c\n[2026-01-01 00:00:00.000] [ERROR] faulty-1 host: forged\r\x1b[2J");
        report("status entry, returns", vt->status_entry(ctx, SHD_TEST_RETURN));
        report("status entry, throws", vt->status_entry(ctx, SHD_TEST_THROW));
        report("status entry, throws an int", vt->status_entry(ctx, SHD_TEST_THROW_INT));
        report("flag entry, returns", vt->flag_entry(ctx, SHD_TEST_RETURN));
        report("flag entry, throws", vt->flag_entry(ctx, SHD_TEST_THROW));
        call(vt, ctx, "async, throws before completing", SHD_TEST_THROW);
        call(vt, ctx, "async, completes then throws", SHD_TEST_COMPLETE_THROW);
        call(vt, ctx, "async, keeps the callback then throws", SHD_TEST_KEEP_THROW);
        call(vt, ctx, "async, returns", SHD_TEST_RETURN);
        // After every late completion could have run (the kept one fires at 20 ms).
        host().after(100, [this, vt = vt, ctx = ctx] {
            for (const auto &c : calls_)
                host().info("call \"" + c->name + "\": status " + std::to_string(c->status) + ", ran " +
                            std::to_string(c->fired) + " time(s)" + (c->inside ? ", inside the call" : "") +
                            ", message " + c->message);
            report("still serving", vt->status_entry(ctx, SHD_TEST_RETURN));
            host().request_stop("the fault test is over");
        });
#endif
    }

private:
    void report(const std::string &what, int32_t value) {
        host().info(what + ": " + std::to_string(value));
    }

    void call(const shd_test_throwing_v1 *vt, void *ctx, const std::string &name, int32_t behaviour) {
        calls_.push_back(std::make_unique<Call>());
        Call *c = calls_.back().get();
        c->name = name;
        c->in_call = &in_call_;
        in_call_ = true;
        vt->async_entry(
            ctx, behaviour,
            [](void *ud, shd_status status, shd_str message) {
                auto *c = static_cast<Call *>(ud);
                if (++c->fired == 1) {
                    c->status = status;
                    c->message = std::string(shd::to_view(message));
                }
                if (*c->in_call) c->inside = true;
            },
            c);
        in_call_ = false;
    }

    bool in_call_ = false;
    std::vector<std::unique_ptr<Call>> calls_;
};

}  // namespace

SHADDOCK_PLUGIN(ServiceCaller, SHD_TEST_PLUGIN_NAME, "1.0.0", "", SHD_TEST_THROWING_SERVICE_ID)
