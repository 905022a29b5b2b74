/* Fault: a library built for a future ABI 2: no manifest, only shd_plugin_entry_v2. The host must say
 * "built for ABI 2" without running any of its code: its constructor and entry abort the process. */
#include <shaddock/abi.h>

#include <stdlib.h>

__attribute__((constructor)) static void loaded(void) {
    abort();
}

SHD_EXPORT shd_status SHD_CALL shd_plugin_entry_v2(const void *host, void *out) {
    (void)host;
    (void)out;
    abort();
}
