// The frontend's half of a channel push (Pomelo's sys channelRemote): delivers a push to this
// server's own sessions, for a channel of this process (a direct call) and for channels of other
// servers (sys RPC channelRemote.pushMessage / channelRemote.broadcast, published here).
//
// A push is encoded once with the connector's protocol setup (shd.connector/1 encode_push) and the
// one buffer goes to every session of every uid (send_encoded). [logic] only.
//
// Remote methods (args -> result):
//   pushMessage [route, body, [uid, ...]]   -> [null, [uid, ...]]   the uids without a session here
//   broadcast   [route, body, boundOnly]    -> [null]               boundOnly may also be {"binded": b}
// A refused body (e.g. a protobuf route missing a field) answers SHD_ERR_INVALID.
#pragma once

#include <shaddock/ext/connector.h>
#include <shaddock/ext/rpc.h>
#include <shaddock/ext/session.h>
#include <shaddock/cpp/host.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace shd::channel {

class ChannelRemote {
public:
    explicit ChannelRemote(const Host &host) : host_(host) {}

    // Looks up the connector's services; true when this server has client sessions.
    bool attach();
    bool available() const { return connector_ && sessions_; }

    // Pushes to every session of each uid. Uids without a session here are appended to `failed`;
    // when the push cannot be sent at all (no connector, body refused) every uid is.
    shd_status push_to_uids(std::string_view route, std::string_view body_json, const std::vector<std::string> &uids,
                            std::vector<std::string> &failed) const;
    // Pushes to every session (bound_only: only sessions with a uid).
    shd_status broadcast(std::string_view route, std::string_view body_json, bool bound_only) const;

    // Publishes sys channelRemote.pushMessage and .broadcast. Needs attach() to have succeeded.
    shd_status publish(const shd_rpc_v1 *rpc, void *rctx);

private:
    static void SHD_CALL serve_push(void *ud, shd_str caller, shd_str args_json, const shd_rpc_responder_v1 *r);
    static void SHD_CALL serve_broadcast(void *ud, shd_str caller, shd_str args_json, const shd_rpc_responder_v1 *r);

    Host host_;
    const shd_connector_v1 *connector_ = nullptr;
    void *connector_ctx_ = nullptr;
    const shd_session_service_v1 *sessions_ = nullptr;
    void *sessions_ctx_ = nullptr;
};

}  // namespace shd::channel
