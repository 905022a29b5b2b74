// The small lookups of the public header: transport and error names.
#include <shaddock/client.hpp>

namespace shd::client {

bool parse_transport(std::string_view name, Transport &out) {
    static constexpr Transport kAll[] = {Transport::tcp, Transport::tls, Transport::ws, Transport::wss};
    for (Transport t : kAll) {
        if (name == transport_name(t)) {
            out = t;
            return true;
        }
    }
    return false;
}

const char *transport_name(Transport t) {
    switch (t) {
        case Transport::tcp: return "tcp";
        case Transport::tls: return "tls";
        case Transport::ws: return "ws";
        case Transport::wss: return "wss";
    }
    return "unknown";
}

const char *error_name(ErrorCode c) {
    switch (c) {
        case ErrorCode::ok: return "ok";
        case ErrorCode::connect_failed: return "connect_failed";
        case ErrorCode::busy: return "busy";
        case ErrorCode::handshake_failed: return "handshake_failed";
        case ErrorCode::timeout: return "timeout";
        case ErrorCode::disconnected: return "disconnected";
        case ErrorCode::kicked: return "kicked";
        case ErrorCode::protocol: return "protocol";
        case ErrorCode::invalid_argument: return "invalid_argument";
        case ErrorCode::cancelled: return "cancelled";
    }
    return "unknown";
}

}  // namespace shd::client
