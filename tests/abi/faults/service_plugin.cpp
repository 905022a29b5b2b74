// Faults about services, chosen at build time:
//   SHD_FAULT_PROVIDES / SHD_FAULT_REQUIRES  the manifest's provided and required service ids;
//   SHD_FAULT_REGISTERS                       the id configure() registers ("" for none).
// Built as: needs_missing_service (requires an id nobody provides), cycle_a / cycle_b (each requires
// what the other provides), undeclared_service (registers an id its manifest does not list).
#include <shaddock/cpp/plugin.hpp>

#include <string>

namespace {

struct Vtable {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
};

class ServicePlugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        vtable_ = Vtable{sizeof(Vtable), SHD_ABI_MAJOR, SHD_ABI_MINOR};
        std::string id = SHD_FAULT_REGISTERS;
        if (!id.empty()) host().provide(id, &vtable_, this);
    }

private:
    Vtable vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(ServicePlugin, SHD_TEST_PLUGIN_NAME, "1.0.0", SHD_FAULT_PROVIDES, SHD_FAULT_REQUIRES)
