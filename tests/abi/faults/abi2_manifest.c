/* Fault: a manifest that says ABI 2 (and only a shd_plugin_entry_v2). Refused from the manifest,
 * before any code runs: its constructor and entry abort the process. */
#include <shaddock/abi.h>

#include <stdlib.h>

SHD_MANIFEST_ATTRIBUTES const shd_manifest_v1 shd_library_manifest = {SHD_MANIFEST_MAGIC,
                                                                      (uint32_t)sizeof(shd_manifest_v1),
                                                                      2,
                                                                      0,
                                                                      0,
                                                                      SHD_KIND_PLUGIN,
                                                                      0u,
                                                                      "abi2_manifest",
                                                                      "2.0.0",
                                                                      "",
                                                                      ""};

__attribute__((constructor)) static void loaded(void) {
    abort();
}

SHD_EXPORT shd_status SHD_CALL shd_plugin_entry_v2(const void *host, void *out) {
    (void)host;
    (void)out;
    abort();
}
