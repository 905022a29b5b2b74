// The example plugin: publishes "shd.example.greeting/1" and greets on a timer when asked to.
// Options (plugins.json): {"greeting": "Hello"}.
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/ext/greeting.h>

#include <string>

namespace {

class Greeter : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        std::string_view opts = host().options_json();
        // A deliberately tiny reader for one option; real plugins use shaddock/cpp/options.hpp.
        auto key = opts.find("\"greeting\"");
        if (key != std::string_view::npos) {
            auto q1 = opts.find('"', opts.find(':', key) + 1);
            auto q2 = opts.find('"', q1 + 1);
            if (q1 == std::string_view::npos || q2 == std::string_view::npos)
                throw shd::Error(SHD_ERR_INVALID, "option greeting: expected a string");
            greeting_ = std::string(opts.substr(q1 + 1, q2 - q1 - 1));
        }
        vtable_.struct_size = sizeof vtable_;
        vtable_.abi_major = SHD_ABI_MAJOR;
        vtable_.abi_minor = SHD_ABI_MINOR;
        vtable_.greet = &Greeter::greet;
        vtable_.count = &Greeter::count;
        host().provide(SHD_GREETING_SERVICE_ID, &vtable_, this);
        host().info("configured with greeting \"" + greeting_ + "\"");
    }
    void start() override { host().info("started"); }
    void stop(shd::Done done) override {
        host().info("stopped after " + std::to_string(count_) + " greeting(s)");
        done();
    }

private:
    static shd_status SHD_CALL greet(void *ctx, shd_str name, shd_text_fn sink, void *ud) {
        auto *self = static_cast<Greeter *>(ctx);
        if (!sink) return SHD_ERR_INVALID;
        std::string text = self->greeting_ + ", " + std::string(shd::to_view(name)) + "!";
        ++self->count_;
        sink(ud, shd::to_shd(text));
        return SHD_OK;
    }
    static uint64_t SHD_CALL count(void *ctx) { return static_cast<Greeter *>(ctx)->count_; }

    std::string greeting_ = "Hello";
    uint64_t count_ = 0;
    shd_greeting_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(Greeter, "greeter", "1.0.0", SHD_GREETING_SERVICE_ID, "")
