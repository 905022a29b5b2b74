// Fault: a plugin written against the raw C ABI (no SDK wrapper) whose on_configure lets a C++
// exception escape. The host must contain it, report the plugin and the phase, and stop cleanly.
#include <shaddock/abi.h>

#include <cstring>
#include <stdexcept>

// C linkage, as a plugin in C or another language would have; hidden by the build like everything else.
extern "C" shd_status SHD_CALL raw_on_configure(void *) {
    throw std::runtime_error("raw configure boom");
}
extern "C" shd_status SHD_CALL raw_on_start(void *) {
    return SHD_OK;
}
extern "C" void SHD_CALL raw_on_stop(void *, shd_task_fn done, void *done_data) {
    done(done_data, SHD_OK);
}
extern "C" void SHD_CALL raw_on_destroy(void *) {}

SHD_MANIFEST(SHD_KIND_PLUGIN, "raw_configure_throws", "1.0.0", 0, "", "");

extern "C" SHD_EXPORT shd_status SHD_CALL shd_plugin_entry_v1(const shd_host_api *, shd_plugin *out) {
    shd_plugin p{};
    p.struct_size = sizeof p;
    p.abi_major = SHD_ABI_MAJOR;
    p.abi_minor = SHD_ABI_MINOR;
    p.name = "raw_configure_throws";
    p.version = "1.0.0";
    p.provides = "";
    p.required = "";
    p.on_configure = raw_on_configure;
    p.on_start = raw_on_start;
    p.on_stop = raw_on_stop;
    p.on_destroy = raw_on_destroy;
    std::memcpy(out, &p, sizeof p);
    return SHD_OK;
}
