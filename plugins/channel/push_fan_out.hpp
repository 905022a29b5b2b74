// The sending half of a channel push (Pomelo's ChannelService sendMessageByGroup and broadcast):
// ONE call per frontend server, a direct call into ChannelRemote when that frontend is this
// process, sys RPC channelRemote.* otherwise; the outcomes merge into one result. [logic] only.
//
// Result: the union of the uids not reached (no session on their frontend, or their frontend's call
// failed), and SHD_OK when there was nothing to send or at least one frontend was reached, else the
// first frontend's error (Pomelo reports an error only when every frontend failed, too).
// The result callback runs exactly once, never inside the call that started the push.
#pragma once

#include "channel_registry.hpp"
#include "channel_remote.hpp"

#include <shaddock/ext/channel.h>
#include <shaddock/ext/rpc.h>
#include <shaddock/cpp/host.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace shd::channel {

// Runs done(ud, status, failed_uids_json) later on the logic thread (or now with SHD_ERR_SHUTDOWN
// when the host takes no more work). A null done is allowed and ignored.
void complete_later(const Host &host, shd_push_result_fn done, void *ud, shd_status status,
                    std::string failed_uids_json = "[]");

class PushFanOut {
public:
    PushFanOut(const Host &host, const ChannelRemote &local) : host_(host), local_(local) {}

    // Called at start, once the services are known. rpc may be null: then only this server is reached.
    void attach(std::string self_id, const shd_rpc_v1 *rpc, void *rctx) {
        self_id_ = std::move(self_id);
        rpc_ = rpc;
        rctx_ = rctx;
    }

    // Pushes route+body to each group's uids on its frontend. body_json must be valid JSON.
    void push(const Groups &groups, std::string_view route, std::string_view body_json, shd_push_result_fn done,
              void *ud) const;
    // Pushes route+body to every session of each listed frontend server.
    void broadcast(const std::vector<std::string> &server_ids, std::string_view route, std::string_view body_json,
                   bool bound_only, shd_push_result_fn done, void *ud) const;

private:
    struct Job;
    struct Call;
    static void SHD_CALL on_push_result(void *ud, shd_status status, shd_str result_json);
    static void SHD_CALL on_broadcast_result(void *ud, shd_status status, shd_str result_json);

    Host host_;
    const ChannelRemote &local_;
    std::string self_id_;
    const shd_rpc_v1 *rpc_ = nullptr;
    void *rctx_ = nullptr;
};

}  // namespace shd::channel
