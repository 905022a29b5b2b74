// One connector's protocol configuration: timers, the route dictionary and the protobuf schemas.
// Built on the logic thread by setup(); immutable afterwards, so encoders may run on any thread.
#pragma once

#include <shaddock/ext/protocol.h>
#include <shaddock/pomelo/package_codec.hpp>
#include <shaddock/pomelo/pomelo_protobuf.hpp>
#include <shaddock/pomelo/route_dictionary.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shd::pomelo {

struct ProtocolSetup {
    uint32_t heartbeat_s = 0;          // 0: no heartbeats (and no heartbeat timeout)
    uint64_t heartbeat_timeout_ms = 0; // `timeout` if set, else 2 x heartbeat
    uint64_t idle_timeout_ms = 90000;  // until the handshake completes, and without heartbeats
    uint32_t max_package_size = kDefaultMaxPackageBodySize;
    bool use_dict = false;
    bool use_protobuf = false;
    RouteDictionary dictionary;
    ProtobufSchema server_protos;  // bodies sent to clients (responses by request route, pushes)
    ProtobufSchema client_protos;  // bodies received from clients
    std::string protos_version;

    // The body of a response or push for `route`: JSON passed through, or protobuf when a server
    // schema covers the route. Returns "" or an error; appends to out.
    std::string encode_body(std::string &out, std::string_view route, std::string_view json, bool add_error_code) const;
};

}  // namespace shd::pomelo
