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
// RPC filters and the error handler (Pomelo's app.rpcBefore / rpcAfter / rpcFilter and
// app.set('rpcErrorHandler')), on the calling server:
//
//   rpc.before([](const shd::RpcCall &call, shd::RpcNext next) {
//       if (call.route == "user.chatRemote.kick" && call.server_id == "chat-server-9")
//           return next.fail(SHD_ERR_INVALID, "not that one");   // the callback gets this error
//       next();                                                   // now or later
//   });
//   rpc.after([](const shd::RpcCall &call, shd_status s, const std::string &result, uint64_t elapsed_us) {});
//   rpc.builtin_filter("rpcLog", R"({"slowMs": 50})");
//   rpc.error_handler([](const shd::RpcCall &call, shd_status s, const std::string &message) {});
//
// Everything runs on the logic thread; every call's callback runs exactly once (see ext/rpc.h).
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/json.hpp>
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

// One outgoing call as the filters see it (a copy of shd_rpc_call_view_v1).
struct RpcCall {
    uint64_t id = 0;
    std::string server_id;    // "" when the call failed before a server was chosen
    std::string server_type;
    std::string route;        // "namespace.service.method"
    std::string args_json;

    explicit RpcCall(const shd_rpc_call_view_v1 &v)
        : id(v.call_id),
          server_id(to_view(v.server_id)),
          server_type(to_view(v.server_type)),
          route(to_view(v.route)),
          args_json(to_view(v.args_json)) {}
};

// A before filter's continuation. Copyable; the first call wins, later ones do nothing. Dropped
// uncalled (every copy gone), it rejects the call with SHD_ERR_INTERNAL, so no call hangs on it.
class RpcNext {
public:
    RpcNext(shd_rpc_next_fn next, void *ctx) : state_(std::make_shared<State>(next, ctx)) {}
    // Sends the call on.
    void operator()() const { state_->finish(SHD_OK, ""); }
    // Rejects the call: the remote is never called; the callback gets status and the message (text).
    void fail(shd_status status, std::string_view message) const {
        state_->finish(status == SHD_OK ? SHD_ERR_INTERNAL : status, json_quote(message));
    }

private:
    struct State {
        State(shd_rpc_next_fn n, void *c) : next(n), ctx(c) {}
        ~State() { finish(SHD_ERR_INTERNAL, "\"an rpc before filter dropped its next without calling it\""); }
        void finish(shd_status s, std::string_view message_json) {
            if (!next) return;
            shd_rpc_next_fn n = next;
            next = nullptr;
            n(ctx, s, to_shd(message_json));
        }
        shd_rpc_next_fn next;
        void *ctx;
    };
    std::shared_ptr<State> state_;
};

using RpcBeforeFn = std::function<void(const RpcCall &call, RpcNext next)>;
// After filters observe the outcome: the callback's status and result (the message for an error),
// and the time since the call was made.
using RpcAfterFn =
    std::function<void(const RpcCall &call, shd_status status, const std::string &result_json, uint64_t elapsed_us)>;
using RpcErrorFn = std::function<void(const RpcCall &call, shd_status status, const std::string &message_json)>;

// Pomelo's rpcFilter object: both halves at once.
class RpcFilter {
public:
    virtual ~RpcFilter() = default;
    virtual void before(const RpcCall &, RpcNext next) { next(); }
    virtual void after(const RpcCall &, shd_status, const std::string &, uint64_t) {}
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

    // RPC filters and the error handler need a provider with the appended members (shd.rpc/1 minor 2).
    bool has_filters() const { return SHD_HAS_FIELD(shd_rpc_v1, vt_->struct_size, set_error_handler); }

    // Pomelo's app.rpcBefore(fn): runs before each call is sent, in registration order.
    void before(RpcBeforeFn fn) {
        require_filters("before");
        auto *box = new RpcBeforeFn(std::move(fn));
        befores_.emplace_back(box);
        vt_->add_before(
            ctx_,
            [](void *ud, const shd_rpc_call_view_v1 *call, shd_rpc_next_fn next, void *next_ctx) {
                RpcNext n(next, next_ctx);
                try {
                    (*static_cast<RpcBeforeFn *>(ud))(RpcCall(*call), n);
                } catch (...) {
                    n.fail(SHD_ERR_INTERNAL, "an rpc before filter threw");
                }
            },
            box);
    }

    // Pomelo's app.rpcAfter(fn): runs when each call's outcome is known, in registration order.
    void after(RpcAfterFn fn) {
        require_filters("after");
        auto *box = new RpcAfterFn(std::move(fn));
        afters_.emplace_back(box);
        vt_->add_after(
            ctx_,
            [](void *ud, const shd_rpc_call_view_v1 *call, shd_status status, shd_str result, uint64_t elapsed_us) {
                try {
                    (*static_cast<RpcAfterFn *>(ud))(RpcCall(*call), status, std::string(to_view(result)), elapsed_us);
                } catch (...) {
                }
            },
            box);
    }

    // Pomelo's app.rpcFilter(obj): its before and its after.
    void filter(std::shared_ptr<RpcFilter> f) {
        before([f](const RpcCall &call, RpcNext next) { f->before(call, std::move(next)); });
        after([f](const RpcCall &call, shd_status s, const std::string &r, uint64_t us) { f->after(call, s, r, us); });
    }

    // Pomelo's pomelo.rpcFilters: "rpcLog" {"slowMs"} or "toobusy" {"maxLag"} (ext/rpc.h).
    void builtin_filter(std::string_view name, std::string_view options_json = "") {
        require_filters("builtin_filter");
        shd_status s = vt_->add_builtin_filter(ctx_, to_shd(name), to_shd(options_json));
        if (s != SHD_OK) throw Error(s, "rpc filter " + std::string(name) + ": " + status_name(s));
    }

    // Pomelo's app.set('rpcErrorHandler', fn): sees every failed call before its callback.
    void error_handler(RpcErrorFn fn) {
        require_filters("error_handler");
        error_ = std::make_unique<RpcErrorFn>(std::move(fn));
        vt_->set_error_handler(
            ctx_,
            [](void *ud, const shd_rpc_call_view_v1 *call, shd_status status, shd_str message) {
                try {
                    (*static_cast<RpcErrorFn *>(ud))(RpcCall(*call), status, std::string(to_view(message)));
                } catch (...) {
                }
            },
            error_.get());
    }

private:
    void require_filters(const char *what) const {
        if (!has_filters())
            throw Error(SHD_ERR_UNSUPPORTED, std::string("rpc ") + what + ": the shd.rpc/1 provider has no RPC filters");
    }

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
    std::vector<std::unique_ptr<RpcBeforeFn>> befores_;
    std::vector<std::unique_ptr<RpcAfterFn>> afters_;
    std::unique_ptr<RpcErrorFn> error_;  // replaced only by a new handler, which the plugin then uses
};

}  // namespace shd
