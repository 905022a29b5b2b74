// One client connection's protocol state (Pomelo's hybrid socket): INITED -> WAIT_ACK -> WORKING,
// handshake, heartbeats and timeouts, and message decoding. Every method runs on the connection's
// I/O strand ([io] in shaddock/ext/protocol.h); nothing here is shared between connections.
#pragma once

#include "protocol_setup.hpp"

#include <shaddock/ext/protocol.h>
#include <shaddock/pomelo/handshake.hpp>
#include <shaddock/pomelo/package_stream_parser.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace shd::pomelo {

class ProtocolConnection {
public:
    ProtocolConnection(const ProtocolSetup &setup, const shd_protocol_link_v1 &link);

    void receive(std::string_view bytes, bool whole_message);
    void on_timeout();

private:
    enum class State { inited, wait_ack, working, closed };

    void handle_package(const Package &p);
    void handle_handshake(std::string_view body);
    void finish_handshake(int code, std::string_view user_json);
    void handle_data(std::string_view body);
    void send_package(PackageType type, std::string_view body);
    void close(const char *reason);
    static void SHD_CALL on_handshake_reply(void *ctx, int32_t code, shd_str user_json);

    // An idle connection holds only this object (~100 bytes): the link is the connector's (valid
    // until close), and the handshake request lives only until the app has answered it.
    const ProtocolSetup &setup_;
    const shd_protocol_link_v1 &link_;
    PackageStreamParser parser_;
    State state_ = State::inited;
    std::unique_ptr<HandshakeRequest> handshake_;  // while the app checks the handshake
};

}  // namespace shd::pomelo
