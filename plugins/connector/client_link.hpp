// The logic thread's handle on one client connection. The connection itself lives on its
// I/O thread; every function here may be called from any thread and only queues work for that thread,
// so a session (logic side) can hold the handle without touching sockets. Once the connection has
// closed, every call is a silent no-op.
#pragma once

#include <shaddock/ext/protocol.h>

#include <cstdint>
#include <memory>
#include <string>

namespace shd::connector {

// Encoded protocol bytes shared by every recipient of a push (refcounted, immutable).
using SharedBytes = std::shared_ptr<const std::string>;

class ClientLink {
public:
    virtual ~ClientLink() = default;

    // [any] Queues encoded bytes for the client.
    virtual void send(SharedBytes bytes) = 0;
    // [any] Queues a response: as send(), except that with the buffer scheduler's repliesAtOnce it is
    // written at once, after whatever the scheduler held before it.
    virtual void send_reply(SharedBytes bytes) = 0;
    // [any] Queues `notice` (an encoded kick; may be null), then closes once the queue is flushed.
    // `reason` reaches the session's closed callbacks.
    virtual void close_after(SharedBytes notice, std::string reason) = 0;
    // [any] Hands the app's handshake verdict back to the protocol, on the I/O thread (dropped if the
    // connection closed meanwhile: reply_ctx died with the protocol's connection state).
    virtual void answer_handshake(shd_handshake_reply_fn reply, void *reply_ctx, int32_t code,
                                  std::string user_json) = 0;
    // [any] The peer's IP address as text.
    virtual const std::string &remote_address() const = 0;
};

}  // namespace shd::connector
