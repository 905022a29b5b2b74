// The connector's options from config/plugins.json, read once in configure() and immutable after.
// Names follow Pomelo's connectorConfig where Pomelo has the option; every check names the option
// and what was expected.
#pragma once

#include <shaddock/cpp/host.hpp>

#include <cstdint>
#include <string>
#include <vector>

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
    std::vector<std::string> blacklist;  // regular expressions (ECMAScript) matched against peer IPs
    std::vector<std::string> unknown;    // option names the connector does not know (passed through)
};

// Reads and validates the options. Throws shd::Error(SHD_ERR_INVALID, "option <name>: expected ...").
// `server` gives clientPort, host, app_dir and the server entry (for "max-connections").
ConnectorOptions parse_options(std::string_view options_json, const ServerInfo &server);

}  // namespace shd::connector
