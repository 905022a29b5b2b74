/* Fault: a manifest that says "plugin", but no shd_plugin_entry_v1. Refused from the file alone:
 * its constructor aborts the process, so loading it at all would show as a crash. */
#include <shaddock/abi.h>

#include <stdlib.h>

SHD_MANIFEST(SHD_KIND_PLUGIN, "no_entry", "1.0.0", 0, "", "");

__attribute__((constructor)) static void loaded(void) {
    abort();
}
