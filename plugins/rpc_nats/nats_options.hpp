// The rpc_nats plugin's options: every option of the rpc plugin (so that switching transports is one
// line in plugins.json), and the NATS connection's own (README.md lists them).
#pragma once

#include "rpc_options.hpp"

#include <shaddock/cpp/options.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shd::rpc::nats {

struct NatsOptions {
    std::string url = "nats://127.0.0.1:4222";  // one URL, or several separated by commas
    std::string token, user, password;
    std::string subject_prefix = "shd.rpc";
    uint32_t reconnect_wait_ms = 500;
    uint32_t ping_interval_ms = 5000;
    uint32_t probe_interval_ms = 1000;
    uint32_t connect_timeout_ms = 5000;  // the rpc option connectTimeout: the first connection to NATS
    int64_t max_pending_bytes = 64 << 20;
    std::string name;  // shown by the NATS server ("shaddock <server id>" by default)

    bool has_credentials() const { return !token.empty() || !user.empty(); }
};

struct RpcNatsOptions {
    RpcOptions rpc;
    NatsOptions nats;
};

// The rpc plugin's table with the NATS options appended; the options that mean nothing over NATS
// say so in their description.
const shd::OptionTable &rpc_nats_option_table();

// Throws shd::Error(SHD_ERR_INVALID, "option <key>: ...") on a wrong or unknown option.
RpcNatsOptions parse_rpc_nats_options(std::string_view json);

// `url` with any user:password@ taken out, for logs.
std::string redact_url(std::string_view url);

}  // namespace shd::rpc::nats
