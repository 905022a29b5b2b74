/* Fault: the entry refuses to load, after saying why with report_error. */
#include "fault_common.h"

SHD_MANIFEST(SHD_KIND_PLUGIN, "entry_error", "1.0.0", 0, "", "");

SHD_EXPORT shd_status SHD_CALL shd_plugin_entry_v1(const shd_host_api *host, shd_plugin *out) {
    (void)out;
    host->report_error(host->ctx, SHD_ERR_NOT_FOUND, fault_text("the greeting database is missing"));
    return SHD_ERR_NOT_FOUND;
}
