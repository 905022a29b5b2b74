/*
 * shaddock/ext/protocol.h - service "shd.protocol/1": the client protocol of a connector.
 *
 * The connector plugin owns sockets (raw TCP, WebSocket, TLS); a protocol plugin owns everything
 * about the bytes: framing, the handshake, heartbeats, message encoding, the route dictionary and
 * body codecs. The default provider is the `pomelo_protocol` plugin (Pomelo 2.2.7's protocol byte for
 * byte); a user can replace it with any plugin that provides this id.
 *
 * Threads: [io] calls for one connection are made on the one I/O thread that serves it, never
 * concurrently with each other; different connections may be served by different I/O threads at the
 * same time, so a provider keeps per-connection state in its `conn` object and shared state read-only
 * after start. [any] calls may come from any thread at once.
 */
#ifndef SHADDOCK_EXT_PROTOCOL_H
#define SHADDOCK_EXT_PROTOCOL_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_PROTOCOL_SERVICE_ID "shd.protocol/1"

/* Message kinds delivered inbound. */
#define SHD_MSG_REQUEST 0
#define SHD_MSG_NOTIFY 1

/* Receives encoded bytes during the call that produces them. */
typedef void(SHD_CALL *shd_bytes_fn)(void *user_data, shd_bytes data);

/* One decoded client message, borrowed for the duration of link->deliver. */
typedef struct shd_inbound_msg_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    int32_t kind;      /* SHD_MSG_REQUEST or SHD_MSG_NOTIFY */
    uint32_t id;       /* request id (1..2^31-1); 0 for a notify */
    shd_str route;     /* "serverType.handler.method", dictionary codes already expanded */
    shd_str body_json; /* the body as JSON text (protobuf bodies already decoded) */
} shd_inbound_msg_v1;

/* The outcome of the app's handshake check, given back to the protocol. */
typedef void(SHD_CALL *shd_handshake_reply_fn)(void *reply_ctx, int32_t code, shd_str user_json);

/* What the connector offers the protocol for one connection. Valid until protocol->close(conn). */
typedef struct shd_protocol_link_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    void *link_ctx;
    /* [io] Queues bytes for the client (copied). */
    void(SHD_CALL *send)(void *link_ctx, shd_bytes data);
    /* [io] Closes the connection after the queued bytes are written; reason is logged and given to
     * the session's closed event. protocol->close follows later. */
    void(SHD_CALL *close)(void *link_ctx, shd_str reason);
    /* [io] Arms the connection's single deadline to fire after ms (0 disarms). When it fires,
     * protocol->on_timeout is called on the connection's I/O thread. */
    void(SHD_CALL *set_timeout)(void *link_ctx, uint64_t ms);
    /* [io] A decoded request or notify for the app. The connector answers requests through
     * protocol->encode_response and link->send. */
    void(SHD_CALL *deliver)(void *link_ctx, const shd_inbound_msg_v1 *msg);
    /* [io] The client handshook: sys.type, sys.version and the `user` object (JSON). The connector
     * asks the app (if it registered a handshake check) and calls reply(reply_ctx, code, user_json)
     * exactly once, possibly later but always on this connection's I/O thread, unless the connection
     * closes first (then never: protocol->close frees the state reply_ctx points into).
     * code is 200, 500 or 501; user_json is "" for none. */
    void(SHD_CALL *handshake)(void *link_ctx, shd_str client_type, shd_str client_version, shd_str user_json,
                              shd_handshake_reply_fn reply, void *reply_ctx);
    /* [io] The handshake completed (the ACK arrived): the connection is now working. */
    void(SHD_CALL *established)(void *link_ctx);
} shd_protocol_link_v1;

typedef struct shd_protocol_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* [logic] Before the connector starts: its options as JSON (heartbeat, timeout, useDict,
     * useProtobuf, maxPackageSize, ...) and every handler route of the app (for the dictionary).
     * Called once per connector; a provider serving several connectors keeps one setup per call
     * result in out_setup. */
    shd_status(SHD_CALL *setup)(void *pctx, shd_str connector_options_json, const shd_str *routes, size_t route_count,
                                void **out_setup);
    /* [io] A new connection. The provider may send nothing yet (the client speaks first). */
    shd_status(SHD_CALL *open)(void *pctx, void *setup, const shd_protocol_link_v1 *link, void **out_conn);
    /* [io] Bytes from the client: a chunk of a byte stream (whole_message 0, raw TCP) or one whole
     * message (whole_message 1, WebSocket). */
    void(SHD_CALL *receive)(void *pctx, void *conn, shd_bytes data, int32_t whole_message);
    /* [io] The deadline set with link->set_timeout passed. */
    void(SHD_CALL *on_timeout)(void *pctx, void *conn);
    /* [io] The connection is gone; free its state. No call for conn follows. */
    void(SHD_CALL *close)(void *pctx, void *conn);

    /* [any] Encode a response to request `id`, whose request route decides the body codec.
     * is_error != 0 marks a failed request (Pomelo merges "code":500 into the body). */
    shd_status(SHD_CALL *encode_response)(void *pctx, void *setup, uint32_t id, shd_str request_route,
                                          shd_str body_json, int32_t is_error, shd_bytes_fn sink, void *user_data);
    /* [any] Encode a push once; the bytes can be sent to any number of connections. */
    shd_status(SHD_CALL *encode_push)(void *pctx, void *setup, shd_str route, shd_str body_json, shd_bytes_fn sink,
                                      void *user_data);
    /* [any] Encode a kick notice with a reason (sent before the connection closes). */
    shd_status(SHD_CALL *encode_kick)(void *pctx, void *setup, shd_str reason, shd_bytes_fn sink, void *user_data);
    /* [any] Several encoded packages may be concatenated into one write or WebSocket message. 1 if so. */
    int32_t(SHD_CALL *can_batch)(void *pctx, void *setup);
    /* [logic] Frees a setup after its connector stopped. */
    void(SHD_CALL *teardown)(void *pctx, void *setup);
} shd_protocol_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_PROTOCOL_H */
