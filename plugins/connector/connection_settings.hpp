// What every connection reads: set up once in the connector's start() and read-only while
// connections exist. Owned by the plugin, which outlives every connection.
#pragma once

#include "connection_events.hpp"
#include "connector_metrics.hpp"
#include "protocol_encoder.hpp"

#include <shaddock/ext/protocol.h>
#include <shaddock/cpp/host.hpp>

#include <atomic>
#include <cstdint>

namespace shd::connector {

// Totals over every connection, for the stop log line: how many packages left in how many writes
// (a write: one gathered TCP write, or one WebSocket message when the protocol batches).
struct SendStats {
    std::atomic<uint64_t> writes{0};
    std::atomic<uint64_t> packages{0};
};

struct ConnectionSettings {
    const shd_protocol_v1 *protocol = nullptr;
    void *pctx = nullptr;
    void *setup = nullptr;
    ConnectionEvents *events = nullptr;
    const Host *host = nullptr;         // for logging from I/O threads
    uint64_t idle_timeout_ms = 90'000;  // accept -> established, then inactivity when no heartbeat
    bool heartbeat = false;             // the protocol runs heartbeats: no inactivity timer after the ACK
    uint64_t send_queue_limit = 1 << 20;
    uint64_t max_package_size = 64 * 1024;
    bool can_batch = false;  // several packages may share one write / WebSocket message
    // The push scheduler: 0 writes responses and pushes at once ("direct"); otherwise they wait up to
    // this many milliseconds and leave together ("buffer").
    uint64_t flush_interval_ms = 0;
    // With flush_interval_ms: a response is written at once, after the packages held before it.
    bool replies_at_once = false;
    SendStats *stats = nullptr;
    std::atomic<uint64_t> *next_sid = nullptr;

    // Back-pressure and limits (docs/security.md, "Client ports").
    uint64_t handshake_timeout_ms = 10'000;  // accept -> established; at most idle_timeout_ms
    // Messages of one connection not yet handled by the logic thread (notifies not dispatched,
    // requests not answered): at this many the connection stops reading until half are handled.
    uint32_t max_pending_messages = 256;
    // The per-session token bucket (messages per second, up to burst tokens); rate 0: off. Refusals
    // take tokens below zero; at -kick_after the client is kicked (kick_after 0: never).
    double rate = 0;
    double rate_burst = 0;
    double rate_kick_after = 0;
    const ProtocolEncoder *encoder = nullptr;  // [any] refusals and kicks encoded on the I/O thread
    const ConnectorMetrics *metrics = nullptr;  // [any] null in unit tests
};

}  // namespace shd::connector
