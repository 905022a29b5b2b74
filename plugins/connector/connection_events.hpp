// What a connection tells the logic side. Implemented by LogicBridge; every function is called on
// the connection's I/O thread and must only copy what it needs and post to the logic thread.
#pragma once

#include "client_link.hpp"

#include <shaddock/ext/protocol.h>

#include <cstdint>
#include <memory>
#include <string>

namespace shd::connector {

// Back-pressure: what a connection lends each message it hands to the logic thread. The logic
// thread gives it back once a notify is dispatched or a request answered (or either dropped),
// which may let the connection read again.
class InboxCredit {
public:
    virtual ~InboxCredit() = default;
    // [logic] One message of this connection was handled (a notify dispatched, a request answered).
    virtual void message_done() = 0;
    // [any] The logic thread's queue has room again (after ConnectionEvents::wait_for_room).
    virtual void room_available() = 0;
};

class ConnectionEvents {
public:
    virtual ~ConnectionEvents() = default;

    // [io] The protocol asks the app to check a client handshake. The answer must come back through
    // link->answer_handshake(reply, reply_ctx, ...).
    virtual void handshake(std::shared_ptr<ClientLink> link, shd_str client_type, shd_str client_version,
                           shd_str user_json, shd_handshake_reply_fn reply, void *reply_ctx) = 0;
    // [io] The handshake completed: session `sid` now exists for this connection.
    virtual void established(std::shared_ptr<ClientLink> link, uint64_t sid) = 0;
    // [io] A decoded request or notify from session `sid` (the message is borrowed); `credit` gets
    // message_done() once a notify has been dispatched or a request answered (or either dropped).
    virtual void deliver(uint64_t sid, const shd_inbound_msg_v1 &msg, std::shared_ptr<InboxCredit> credit) = 0;
    // [io] True while the logic thread's queue is over its byte budget.
    virtual bool inbox_over_budget() const = 0;
    // [io] Over budget: registers `waiter` for room_available() (once the queue has drained to half
    // its budget) and returns true. Returns false if there is room after all.
    virtual bool wait_for_room(std::weak_ptr<InboxCredit> waiter) = 0;
    // [io] Session `sid` ended (called once, only for connections that reached established()).
    virtual void closed(uint64_t sid, std::string reason) = 0;
};

}  // namespace shd::connector
