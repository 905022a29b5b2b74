// Fault: a plugin whose service entries throw (test.throwing/1, throwing_service.hpp), published through
// shd::guard like every real service table. The caller (service_caller.cpp) must get SHD_ERR_INTERNAL,
// each callback exactly once, the log must name this module and the entry, and the server must keep
// serving.
#include "throwing_service.hpp"

#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <new>
#include <stdexcept>

namespace {

using DoneFn = void(SHD_CALL *)(void *, shd_status, shd_str);

class ThrowingService : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        shd::stamp(vtable_);
        vtable_.status_entry = shd::guard<&ThrowingService::status_entry>;
        vtable_.flag_entry = shd::guard<&ThrowingService::flag_entry, 0>;
        vtable_.async_entry = shd::guard<&ThrowingService::async_entry>;
        host().provide(SHD_TEST_THROWING_SERVICE_ID, &vtable_, this);
    }

private:
    static void misbehave(int32_t behaviour) {
        if (behaviour == SHD_TEST_THROW) throw std::runtime_error("status boom");
        if (behaviour == SHD_TEST_THROW_INT) throw 42;
        if (behaviour == SHD_TEST_OUT_OF_MEMORY) throw std::bad_alloc();
    }

    static shd_status status_entry(ThrowingService *, int32_t behaviour) {
        misbehave(behaviour);
        return SHD_OK;
    }

    static int32_t flag_entry(ThrowingService *, int32_t behaviour) {
        misbehave(behaviour);
        return 1;
    }

    static void async_entry(ThrowingService *self, int32_t behaviour, DoneFn done, void *ud) {
        switch (behaviour) {
            case SHD_TEST_COMPLETE_THROW:
                done(ud, SHD_OK, shd::to_shd("\"completed\""));
                throw std::runtime_error("boom after completing");
            case SHD_TEST_KEEP_THROW:
                self->host().after(20, [done, ud] { done(ud, SHD_OK, shd::to_shd("\"late\"")); });
                throw std::runtime_error("boom after keeping the callback");
            case SHD_TEST_RETURN: self->host().post([done, ud] { done(ud, SHD_OK, shd::to_shd("\"fine\"")); }); return;
            default: misbehave(behaviour);
        }
    }

    shd_test_throwing_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(ThrowingService, "throwing_service", "1.0.0", SHD_TEST_THROWING_SERVICE_ID, "")
