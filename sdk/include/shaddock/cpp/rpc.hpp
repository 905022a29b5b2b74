// shaddock/cpp/rpc.hpp - Pomelo's app.rpc for apps: user remotes, routed calls, toServer and route
// functions, over "shd.rpc/1" (the `rpc` plugin).
//
//   shd::Rpc rpc(host());
//   rpc.remote("chatRemote", "add", [](const std::string &args, shd::RpcReply reply) {
//       reply.ok("[[\"alice\"]]");                      // the callback arguments, as a JSON array
//   });
//   rpc.call("chat", route_param_json, "chatRemote", "add", args_json,
//            [](shd_status s, const std::string &result) { ... });
//
// Everything runs on the logic thread; every call's callback runs exactly once (see ext/rpc.h).
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/route_hash.hpp>
#include <shaddock/ext/rpc.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace shd {

// Answers one incoming call; the first ok()/fail() wins, and an unanswered reply answers
// SHD_ERR_INTERNAL when the last copy is dropped.
class RpcReply {
public:
    explicit RpcReply(const shd_rpc_responder_v1 *r) : state_(std::make_shared<State>(r)) {}
    void ok(std::string_view result_json) const { state_->send(SHD_OK, result_json); }
    void fail(shd_status status, std::string_view message_json) const { state_->send(status, message_json); }

private:
    struct State {
        explicit State(const shd_rpc_responder_v1 *r) : responder(r) {}
        ~State() { send(SHD_ERR_INTERNAL, "\"the remote did not answer\""); }
        void send(shd_status s, std::string_view json) {
            if (!responder) return;
            const shd_rpc_responder_v1 *r = responder;
            responder = nullptr;
            r->reply(r->ctx, s, to_shd(json));
        }
        const shd_rpc_responder_v1 *responder;
    };
    std::shared_ptr<State> state_;
};

using RpcResult = std::function<void(shd_status, const std::string &result_json)>;
using RemoteFn = std::function<void(const std::string &args_json, RpcReply reply)>;
// Picks one of `candidates` (server ids in membership order) for the route parameter; return an
// empty string to fail the call with SHD_ERR_NOT_FOUND.
using RouteFn = std::function<std::string(const std::string &route_param_json, const std::vector<std::string> &candidates)>;

class Rpc {
public:
    explicit Rpc(const Host &host) : host_(host) {
        auto [vt, ctx] = host.require<shd_rpc_v1>(SHD_RPC_SERVICE_ID);
        vt_ = vt;
        ctx_ = ctx;
    }
    Rpc(const Rpc &) = delete;
    Rpc &operator=(const Rpc &) = delete;

    // Publishes a user remote: app.rpc.<serverType>.<service>.<method> on the caller's side.
    void remote(std::string_view service, std::string_view method, RemoteFn fn) {
        auto *box = new RemoteFn(std::move(fn));
        remotes_.emplace_back(box);
        shd_status s = vt_->add_remote(
            ctx_, to_shd("user"), to_shd(service), to_shd(method),
            [](void *ud, shd_str, shd_str args, const shd_rpc_responder_v1 *r) {
                RpcReply reply(r);
                try {
                    (*static_cast<RemoteFn *>(ud))(std::string(to_view(args)), reply);
                } catch (...) {
                    reply.fail(SHD_ERR_INTERNAL, "\"remote threw\"");
                }
            },
            box);
        if (s != SHD_OK) throw Error(s, "remote " + std::string(service) + "." + std::string(method) + ": " + status_name(s));
    }

    // Routed call (app.rpc.<type>.<service>.<method>(routeParam, ...)).
    void call(std::string_view server_type, std::string_view route_param_json, std::string_view service,
              std::string_view method, std::string_view args_json, RpcResult done, uint32_t timeout_ms = 0) const {
        vt_->call(ctx_, to_shd(server_type), to_shd(route_param_json), to_shd("user"), to_shd(service), to_shd(method),
                  to_shd(args_json), timeout_ms, &Rpc::on_result, new RpcResult(std::move(done)));
    }

    // Direct call (toServer); server_id "*" calls every server of server_type.
    void to_server(std::string_view server_id, std::string_view server_type, std::string_view service,
                   std::string_view method, std::string_view args_json, RpcResult done, uint32_t timeout_ms = 0) const {
        vt_->invoke(ctx_, to_shd(server_id), to_shd(server_type), to_shd("user"), to_shd(service), to_shd(method),
                    to_shd(args_json), timeout_ms, &Rpc::on_result, new RpcResult(std::move(done)));
    }

    // Pomelo's app.route(serverType, fn); "default" applies to types without their own.
    void route(std::string_view server_type, RouteFn fn) {
        auto *box = new RouteFn(std::move(fn));
        routes_.emplace_back(box);
        shd_status s = vt_->set_route(
            ctx_, to_shd(server_type),
            [](void *ud, shd_str, shd_str param, const shd_str *cands, size_t n, shd_route_choice_fn choose, void *cctx) {
                std::vector<std::string> candidates;
                for (size_t i = 0; i < n; ++i) candidates.emplace_back(to_view(cands[i]));
                std::string id;
                try {
                    id = (*static_cast<RouteFn *>(ud))(std::string(to_view(param)), candidates);
                } catch (...) {
                }
                choose(cctx, id.empty() ? SHD_ERR_NOT_FOUND : SHD_OK, to_shd(id));
            },
            box);
        if (s != SHD_OK) throw Error(s, "route " + std::string(server_type) + ": " + status_name(s));
    }

private:
    static void SHD_CALL on_result(void *ud, shd_status status, shd_str result) {
        std::unique_ptr<RpcResult> done(static_cast<RpcResult *>(ud));
        try {
            (*done)(status, std::string(to_view(result)));
        } catch (...) {
        }
    }

    Host host_;
    const shd_rpc_v1 *vt_;
    void *ctx_;
    std::vector<std::unique_ptr<RemoteFn>> remotes_;
    std::vector<std::unique_ptr<RouteFn>> routes_;
};

}  // namespace shd
