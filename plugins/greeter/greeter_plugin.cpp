// The example plugin: publishes "shd.example.greeting/1" and greets on a timer when asked to.
// Options (plugins.json): {"greeting": "Hello"}.
#include <shaddock/cpp/options.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <greeter/greeting.h>

#include <string>

namespace {

class Greeter : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        shd::Options opts(host().options_json());
        opts.reject_unknown({"greeting"});
        greeting_ = opts.get_string("greeting", greeting_);
        shd::stamp(vtable_);
        vtable_.greet = shd::guard<&Greeter::greet>;
        vtable_.count = shd::guard<&Greeter::count>;
        host().provide(SHD_GREETING_SERVICE_ID, &vtable_, this);
        host().info("configured with greeting \"" + greeting_ + "\"");
    }
    void start() override { host().info("started"); }
    void stop(shd::Done done) override {
        host().info("stopped after " + std::to_string(count_) + " greeting(s)");
        done();
    }

private:
    // The service's entries; shd::guard makes each a noexcept C function (cpp/service.hpp).
    static shd_status greet(Greeter *self, shd_str name, shd_text_fn sink, void *ud) {
        if (!sink) return SHD_ERR_INVALID;
        std::string text = self->greeting_ + ", " + std::string(shd::to_view(name)) + "!";
        ++self->count_;
        sink(ud, shd::to_shd(text));
        return SHD_OK;
    }
    static uint64_t count(Greeter *self) { return self->count_; }

    std::string greeting_ = "Hello";
    uint64_t count_ = 0;
    shd_greeting_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(Greeter, "greeter", "1.0.0", SHD_GREETING_SERVICE_ID, "")
