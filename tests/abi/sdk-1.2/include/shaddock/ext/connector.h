/*
 * shaddock/ext/connector.h - service "shd.connector/1": the client-facing listener of a frontend.
 * Provided by the `connector` plugin next to "shd.session/1". Other plugins (channels, the push
 * scheduler, monitoring) use it to reach connections with bytes that are already encoded.
 */
#ifndef SHADDOCK_EXT_CONNECTOR_H
#define SHADDOCK_EXT_CONNECTOR_H

#include <shaddock/abi.h>
#include <shaddock/ext/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_CONNECTOR_SERVICE_ID "shd.connector/1"

typedef struct shd_connector_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    /* [any] The port clients connect to (the bound port when clientPort was 0). */
    int32_t(SHD_CALL *port)(void *cctx);
    /* [any] Open client connections, handshaken or not. */
    uint64_t(SHD_CALL *connections)(void *cctx);
    /* [logic] Sends already-encoded protocol bytes (e.g. from shd.protocol/1 encode_push) to the
     * given sessions; the bytes are copied once and shared. Unknown sids are skipped and counted in
     * *out_missed (may be NULL). */
    shd_status(SHD_CALL *send_encoded)(void *cctx, const uint64_t *sids, size_t count, shd_bytes encoded,
                                       size_t *out_missed);
    /* [any] Encodes a push with this connector's protocol setup (dictionary, protobuf), once, for
     * send_encoded. The bytes go to sink during the call. SHD_ERR_INVALID when the protocol refused
     * the body (e.g. a protobuf field missing); SHD_ERR_SHUTDOWN before start or after stop. */
    shd_status(SHD_CALL *encode_push)(void *cctx, shd_str route, shd_str body_json, shd_bytes_fn sink,
                                      void *user_data);
} shd_connector_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_CONNECTOR_H */
