// The example app: uses the greeter plugin's service, ticks on a timer, and logs every lifecycle step.
// Built with shaddock_add_app() against the SDK headers and the greeter plugin's service header only.
#include <shaddock/cpp/app.hpp>

#include <greeter/greeting.h>

#include <string>

namespace {

class HelloApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        auto [greeting, ctx] = host().require<shd_greeting_v1>(SHD_GREETING_SERVICE_ID);
        greeting_ = greeting;
        greeting_ctx_ = ctx;
        host().info("configure: " + greet("world"));
    }
    void start() override {
        ticker_ = host().every(1000, [this] { host().info("tick " + std::to_string(++ticks_)); });
        host().info("start: server " + host().server().id + " of type " + host().server().type);
    }
    void start_all() override { host().info("start_all: the whole cluster is up"); }
    void stop(shd::Done done) override {
        host().cancel(ticker_);
        host().info("stop: " + std::to_string(ticks_) + " tick(s), " + std::to_string(greeting_->count(greeting_ctx_)) +
                    " greeting(s)");
        done();
    }

private:
    std::string greet(const std::string &name) {
        std::string out;
        greeting_->greet(
            greeting_ctx_, shd::to_shd(name),
            [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data, t.size); }, &out);
        return out;
    }

    const shd_greeting_v1 *greeting_ = nullptr;
    void *greeting_ctx_ = nullptr;
    uint64_t ticker_ = 0;
    uint64_t ticks_ = 0;
};

}  // namespace

SHADDOCK_APP(HelloApp, "hello", "1.0.0", SHD_GREETING_SERVICE_ID)
