// The connector's options from config/plugins.json, read once in configure() and immutable after.
// Names follow Pomelo's connectorConfig where Pomelo has the option; every check names the option
// and what was expected.
#pragma once

#include <shaddock/cpp/host.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace shd {
class OptionTable;
}

namespace shd::connector {

struct TlsFiles {
    std::string cert;  // PEM certificate chain, absolute path
    std::string key;   // PEM private key, absolute path
    std::string ca;    // optional extra CA certificates (PEM), absolute path; "" for none
};

struct ConnectorOptions {
    std::string host;  // listen address; "" means every interface
    int port = 0;      // 0 binds an ephemeral port (tests)
    bool tls = false;
    TlsFiles tls_files;
    unsigned io_threads = 1;
    uint32_t heartbeat_s = 0;           // 0: no heartbeat (the protocol owns the heartbeat itself)
    uint64_t idle_timeout_ms = 90'000;  // deadline from accept to an established session
    uint64_t max_connections = 0;       // 0: unlimited
    bool no_delay = true;
    bool single_session = false;
    uint64_t max_package_size = 64 * 1024;
    uint64_t send_queue_limit = 1024 * 1024;
    // Push scheduler (Pomelo's pushSchedulerConfig): 0 is "direct" (write at once); otherwise "buffer",
    // which holds responses and pushes per connection and flushes them every flush_interval_ms.
    uint64_t flush_interval_ms = 0;
    // With the buffer scheduler: responses leave at once, taking the held pushes before them along.
    bool replies_at_once = false;
    // Back-pressure and limits (docs/security.md, "Client ports").
    uint64_t handshake_timeout_ms = 10'000;    // accept -> established (TLS, sniffing, Pomelo handshake)
    uint32_t max_pending_messages = 256;       // per connection: notifies not dispatched, requests not answered
    uint64_t max_inbox_bytes = 32u << 20;      // every connection's messages waiting for the logic thread
    double rate = 50'000;                      // rateLimit.rate: messages per second per session; 0: off
    double rate_burst = 50'000;                // rateLimit.burst
    double rate_kick_after = 250'000;          // rateLimit.kickAfter: refusals owed before a kick; 0: never
    uint64_t max_connections_per_ip = 20'000;  // 0: unlimited
    double connect_rate = 1'000;               // connectRate.rate: new connections per second per IP; 0: off
    double connect_burst = 20'000;             // connectRate.burst
    std::vector<std::string> blacklist;        // regular expressions (ECMAScript) matched against peer IPs
    std::vector<std::string> unknown;          // option names the connector does not know (passed through)
};

// The connector's options, declared once: parse_options reads by it and README.md's options table is
// generated from it (tests/connector/options_readme).
const shd::OptionTable &connector_option_table();

// Reads and validates the options. Throws shd::Error(SHD_ERR_INVALID, "option <name>: expected ...").
// `server` gives clientPort, host, app_dir and the server entry (for "max-connections").
ConnectorOptions parse_options(std::string_view options_json, const ServerInfo &server);

}  // namespace shd::connector
