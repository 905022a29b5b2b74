// Forwarding client messages between server types over "shd.rpc/1" (Pomelo's
// sys msgRemote.forwardMessage). A frontend sends the message and the session to a backend chosen
// by routing; the backend runs its handler and the answer comes back the same way. [logic] only.
//
// With shd.rpc/1 minor 3 a forward is typed: rpc->forward carries the message and session as the
// fields of a FORWARD frame and the answer as status + body (docs/rpc.md); the backend's handler
// runs from the forward handler installed here. The remote sys.msgRemote.forwardMessage stays
// published, and is what a frontend uses with an older RPC provider; its wire shape
// (args of sys.msgRemote.forwardMessage):
//   [{"id":<req id>,"type":0|1,"route":"..."}, {"id":<sid>,"frontendId":"...","uid":"..."},
//    <session settings>, <JSON body>]
// result: [null, <response body>] or [<error>, <response body>].
// The settings and the bodies are carried as the JSON text they already are: each side checks them
// with a SAX pass but never builds or re-writes them.
#pragma once

#include "handler_registry.hpp"

#include <shaddock/ext/rpc.h>
#include <shaddock/cpp/host.hpp>

#include <string>

namespace shd::server {

class MessageForwarder {
public:
    MessageForwarder(const Host &host, const HandlerRegistry &registry, std::string local_type);

    // Looks up the RPC service and publishes msgRemote.forwardMessage. False without RPC.
    bool attach();
    bool attached() const { return rpc_ != nullptr; }

    // Frontend: sends msg to a server of `type`; the responder is answered exactly once.
    void forward(std::string_view type, const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session,
                 const shd_responder_v1 *responder);

private:
    static void SHD_CALL on_forwarded(void *ud, shd_str caller, shd_str args_json,
                                      const shd_rpc_responder_v1 *responder);
    static void SHD_CALL on_forward_frame(void *ud, shd_str caller, const shd_inbound_msg_v1 *msg,
                                          const shd_session_view_v1 *session, const shd_responder_v1 *responder);
    // Runs the local handler of msg's route, or answers SHD_ERR_NOT_FOUND.
    void run_local(const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session,
                   const shd_responder_v1 *responder) const;

    Host host_;
    const HandlerRegistry &registry_;
    std::string local_type_;
    const shd_rpc_v1 *rpc_ = nullptr;
    void *rpc_ctx_ = nullptr;
    bool typed_ = false;  // the provider has forward (shd.rpc/1 minor 3)
};

}  // namespace shd::server
