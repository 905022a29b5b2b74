// Fault: calls a function nothing defines. Linked with -z undefs (not -Wl,--no-undefined, which would
// stop the build), so it fails only when loaded: dlopen with RTLD_NOW must refuse it and name the
// symbol, before any of its code runs.
#include <shaddock/cpp/plugin.hpp>

extern "C" void shd_fault_function_nobody_defines(void);

namespace {

class UndefinedSymbol : public shd::Plugin {
public:
    using shd::Plugin::Plugin;
    void configure() override { shd_fault_function_nobody_defines(); }
};

}  // namespace

SHADDOCK_PLUGIN(UndefinedSymbol, "undefined_symbol", "1.0.0", "", "")
