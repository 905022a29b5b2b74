// Which transport a new connection speaks, from its first bytes (Pomelo's hybrid switcher): an HTTP
// method starts a WebSocket upgrade, anything else is the raw Pomelo package stream (whose first
// byte is a package type, 0x01 for a handshake, so the decision is usually made on one byte).
#pragma once

#include <string_view>

namespace shd::connector {

enum class Transport { undecided, websocket, raw };

// undecided while the bytes so far are a proper prefix of an HTTP method.
inline Transport sniff_transport(std::string_view first) {
    static constexpr std::string_view methods[] = {"GET ", "POST ", "PUT ", "DELETE ", "HEAD "};
    bool maybe = false;
    for (std::string_view m : methods) {
        if (first.size() >= m.size()) {
            if (first.substr(0, m.size()) == m) return Transport::websocket;
        } else if (m.substr(0, first.size()) == first) {
            maybe = true;
        }
    }
    return maybe ? Transport::undecided : Transport::raw;
}

}  // namespace shd::connector
