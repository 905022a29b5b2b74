// The rpc plugin's options (its "options" object in config/plugins.json; README.md lists them).
#pragma once

#include "builtin_router.hpp"
#include "peer_directory.hpp"
#include "rpc_filters.hpp"

#include <shaddock/cpp/options.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shd::rpc {

struct RpcOptions {
    uint32_t timeout_ms = 30000;          // per call, Pomelo's default
    uint32_t connect_timeout_ms = 5000;   // TCP connect plus the hello exchange
    size_t max_frame = 16u << 20;         // largest frame accepted or sent
    size_t max_queued_bytes = 64u << 20;  // per connection, not yet written; more is SHD_ERR_BUSY
    bool buffer_msg = false;              // Pomelo's bufferMsg: flush queued frames every interval
    uint32_t interval_ms = 30;
    int io_threads = 1;
    size_t max_unauthenticated = 128;  // inbound connections not yet past the hello
    size_t max_json_depth = 128;       // nesting of args and results received
    RouterKind router = RouterKind::crc32;
    bool failover = false;  // failMode "failover"
    std::string secret;     // used when shd.cluster/1 has none
    std::optional<std::vector<PeerEntry>> peers;
    std::vector<RpcFilterSpec> filters;  // built-in rpc filters, before the app's own
};

// The plugin's options, declared once: parse_rpc_options reads by it and README.md's options table is
// generated from it (tests/rpc/rpc_options_readme).
const shd::OptionTable &rpc_option_table();

// Throws shd::Error(SHD_ERR_INVALID, "option <key>: ...") on a wrong or unknown option.
RpcOptions parse_rpc_options(std::string_view json);
// The same, from options already checked against a table that holds every key of rpc_option_table()
// (rpc_nats's table adds its own keys to them).
RpcOptions read_rpc_options(const shd::Options &opts);

}  // namespace shd::rpc
