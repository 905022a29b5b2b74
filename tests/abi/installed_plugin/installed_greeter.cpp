// A third-party plugin built from the installed SDK: it provides the example greeting service, so the
// example app apps/hello, also built from the installed SDK, can use it. The service's header is the
// example plugin's (plugins/greeter/include/greeter/greeting.h), not the SDK's; see CMakeLists.txt.
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <greeter/greeting.h>

#include <string>

namespace {

class InstalledGreeter : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        vtable_.struct_size = sizeof vtable_;
        vtable_.abi_major = SHD_ABI_MAJOR;
        vtable_.abi_minor = SHD_ABI_MINOR;
        vtable_.greet = shd::guard<&InstalledGreeter::greet>;
        vtable_.count = shd::guard<&InstalledGreeter::count>;
        host().provide(SHD_GREETING_SERVICE_ID, &vtable_, this);
    }

private:
    static shd_status greet(InstalledGreeter *self, shd_str name, shd_text_fn sink, void *ud) {
        if (!sink) return SHD_ERR_INVALID;
        ++self->count_;
        std::string text = "Howdy from the installed SDK, " + std::string(shd::to_view(name)) + "!";
        sink(ud, shd::to_shd(text));
        return SHD_OK;
    }
    static uint64_t count(InstalledGreeter *self) { return self->count_; }

    uint64_t count_ = 0;
    shd_greeting_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(InstalledGreeter, "installed_greeter", "1.0.0", SHD_GREETING_SERVICE_ID, "")
