// A plugin that needs a host one ABI minor newer than this SDK. The host must refuse it from its
// manifest alone, naming the file and the minor it needs, before running any of its code: its
// constructor would leave a marker file and its entry aborts the process.
#include <shaddock/abi.h>

#define SHADDOCK_MIN_HOST_MINOR (SHD_ABI_MINOR + 1)
#include <shaddock/cpp/plugin.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

namespace {

__attribute__((constructor)) void leave_marker() {
    if (const char *dir = std::getenv("SHD_TEST_MARKER_DIR"))
        std::ofstream(std::string(dir) + "/needs_newer_host.loaded");
}

class NeedsNewerHost : public shd::Plugin {
public:
    explicit NeedsNewerHost(shd::Host host) : shd::Plugin(host) { std::abort(); }
};

}  // namespace

SHADDOCK_PLUGIN(NeedsNewerHost, "needs_newer_host", "1.0.0", "", "")
