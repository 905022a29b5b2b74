/* Fault: the entry reports a descriptor smaller than ABI 1.0's shd_plugin (a corrupt or truncated
 * descriptor). The host must refuse it and never call into it. */
#include "fault_common.h"

SHD_MANIFEST(SHD_KIND_PLUGIN, "short_descriptor", "1.0.0", 0, "", "");

SHD_EXPORT shd_status SHD_CALL shd_plugin_entry_v1(const shd_host_api *host, shd_plugin *out) {
    (void)host;
    shd_plugin p = fault_descriptor("short_descriptor");
    memcpy(out, &p, sizeof p);
    out->struct_size = (uint32_t)offsetof(shd_plugin, on_configure);
    return SHD_OK;
}
