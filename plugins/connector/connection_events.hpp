// What a connection tells the logic side. Implemented by LogicBridge; every function is called on
// the connection's I/O thread and must only copy what it needs and post to the logic thread.
#pragma once

#include "client_link.hpp"

#include <shaddock/ext/protocol.h>

#include <cstdint>
#include <memory>
#include <string>

namespace shd::connector {

class ConnectionEvents {
public:
    virtual ~ConnectionEvents() = default;

    // [io] The protocol asks the app to check a client handshake. The answer must come back through
    // link->answer_handshake(reply, reply_ctx, ...).
    virtual void handshake(std::shared_ptr<ClientLink> link, shd_str client_type, shd_str client_version,
                           shd_str user_json, shd_handshake_reply_fn reply, void *reply_ctx) = 0;
    // [io] The handshake completed: session `sid` now exists for this connection.
    virtual void established(std::shared_ptr<ClientLink> link, uint64_t sid) = 0;
    // [io] A decoded request or notify from session `sid` (the message is borrowed).
    virtual void deliver(uint64_t sid, const shd_inbound_msg_v1 &msg) = 0;
    // [io] Session `sid` ended (called once, only for connections that reached established()).
    virtual void closed(uint64_t sid, std::string reason) = 0;
};

}  // namespace shd::connector
