// The logic-thread half of the rpc plugin: the "shd.rpc/1" functions, the table of outgoing calls
// (ids, deadlines, the link each went out on), routing, and dispatch of incoming requests to the
// app's remotes. The I/O half is rpc_transport.hpp; this class receives its reports on I/O threads and
// moves them to the logic thread with the host's post().
//
// Every outgoing call is an entry in pending_ from the moment it is accepted until complete() erases
// it and calls its callback; everything that can end a call (response, timeout, lost link, departed
// server, stop) goes through complete(), so each callback runs exactly once. Failures found inside
// invoke()/call() are queued (fail_later) and completed from a posted task, never inside the call.
//
// RPC filters (Pomelo's rpcBefore/rpcAfter) and the error handler hook into the same path: once a
// call's target is known, dispatch() runs the before chain (each step may finish later, through a
// FilterTicket) and then sends; complete() runs the after filters and the error handler right before
// the result callback, so they too run once per call.
//
// The class is implemented in one file per part (with rpc_service_util.hpp, their small helpers):
//   rpc_service.cpp       construction, start/stop, membership changes, the I/O threads' reports
//   rpc_calls.cpp         invoke/call/forward and the opening they share, begin, send_to
//   rpc_routing.cpp       route functions and the configured router: which server a call goes to
//   rpc_filter_chain.cpp  the before/after filters and the error handler around every call
//   rpc_completion.cpp    the end of a call: complete, failures, failover, deadlines, responses
//   rpc_inbound.cpp       remotes and the forward handler: requests from peers and their replies
#pragma once

#include "builtin_router.hpp"
#include "frame_codec.hpp"
#include "peer_directory.hpp"
#include "rpc_filters.hpp"
#include "rpc_options.hpp"
#include "rpc_transport.hpp"

#include <shaddock/ext/cluster.h>
#include <shaddock/ext/rpc.h>
#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/metrics.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace shd::rpc {

class RpcService final : public TransportEvents {
public:
    // `transport` makes the transport at start(): Transport::create (TCP) in the rpc plugin, the NATS
    // transport in rpc_nats.
    RpcService(const shd::Host &host, RpcOptions options, TransportFactory transport);
    ~RpcService() override;
    RpcService(const RpcService &) = delete;
    RpcService &operator=(const RpcService &) = delete;

    // [logic] Lifecycle, driven by the plugin.
    void start(const shd_cluster_v1 *cluster, void *cluster_ctx);
    void stop();
    void on_servers_added();
    void on_servers_removed(std::string_view ids_json);

    // [logic] The "shd.rpc/1" functions (see shaddock/ext/rpc.h).
    shd_status add_remote(std::string_view ns, std::string_view service, std::string_view method, shd_remote_fn fn,
                          void *user_data);
    void invoke(std::string_view server_id, std::string_view server_type, std::string_view ns, std::string_view service,
                std::string_view method, std::string_view args, uint32_t timeout_ms, shd_rpc_result_fn done,
                void *user_data);
    void call(std::string_view server_type, std::string_view route_param, std::string_view ns, std::string_view service,
              std::string_view method, std::string_view args, uint32_t timeout_ms, shd_rpc_result_fn done,
              void *user_data);
    shd_status set_route(std::string_view server_type, shd_route_fn fn, void *user_data);
    shd_status add_before(shd_rpc_before_fn fn, void *user_data);
    shd_status add_after(shd_rpc_after_fn fn, void *user_data);
    shd_status add_builtin_filter(std::string_view name, std::string_view options_json);
    shd_status set_error_handler(shd_rpc_error_fn fn, void *user_data);
    // msg or session null: the forward fails with SHD_ERR_INVALID (through done, as every failure).
    void forward(std::string_view server_type, const shd_inbound_msg_v1 *msg, const shd_session_view_v1 *session,
                 uint32_t timeout_ms, shd_rpc_forward_done_fn done, void *user_data);
    shd_status set_forward_handler(shd_rpc_forward_handler_fn fn, void *user_data);

    // Where the "shd.rpc/1" entries report a failure (cpp/service.hpp).
    const shd::Host &host() const { return host_; }
    // [logic] Incoming calls waiting for the app's reply.
    size_t inbound_calls() const { return inbound_.size(); }

    // TransportEvents [I/O threads].
    void on_responses(uint64_t link_serial, std::vector<InboundResponse> responses) override;
    void on_link_closed(uint64_t link_serial, std::string reason) override;
    void on_requests(std::shared_ptr<Link> link, std::vector<InboundRequest> requests) override;
    void on_log(int level, std::string message) override;
    // TransportEvents [logic].
    void on_staged() override;

private:
    // The parts of a request, borrowed for the duration of one function. A forward (is_forward) goes
    // out as a FORWARD frame built from `fwd`; ns, service, method and args are then what filters see
    // (sys.msgRemote.forwardMessage and, only when a filter or error handler needs it, the envelope).
    struct RequestRef {
        std::string_view ns, service, method, args;
        bool is_forward = false;
        ForwardView fwd{};
    };

    // A forward's fields, owned: kept while a route function decides, for a failover retry, and for
    // a call made before start().
    struct ForwardCopy {
        uint8_t kind = 0;
        uint32_t msg_id = 0;
        uint64_t session_id = 0;
        std::string route, frontend_id, uid, settings, body;
        static ForwardCopy of(const ForwardView &f);
        ForwardView view() const;
    };

    struct Pending {
        shd_rpc_result_fn done = nullptr;
        void *user_data = nullptr;
        std::string type;    // the server type asked for (messages, failover)
        std::string target;  // the chosen server ("" while routing)
        uint64_t link = 0;   // serial of the link it went out on (0: not sent)
        uint64_t deadline = 0;
        uint32_t timeout_ms = 0;
        bool routed = false;   // came through call(): failover may retry it
        bool retried = false;  // failover used its one retry
        bool counted = false;  // counted in active_[target]
        // A copy of the request, kept only while a route function decides or for a failover retry.
        std::string ns, service, method, args;
        std::unique_ptr<ForwardCopy> fwd;  // a forward's fields (with has_copy)
        bool has_copy = false;
        shd_rpc_forward_done_fn forward_done = nullptr;  // set for a forward (done is then null)
        uint64_t started_us = 0;  // when invoke/call was made (after filters get the elapsed time)
        bool hooked = false;      // filters or an error handler existed at the start: the copy is kept
        bool filtered = false;    // the before chain started: the after filters are owed
        size_t next_before = 0;   // the before filter to run next
    };

    struct Before {
        shd_rpc_before_fn fn;
        void *user_data;
    };

    struct After {
        shd_rpc_after_fn fn;
        void *user_data;
    };

    // The next_ctx handed to a before filter.
    struct FilterTicket {
        RpcService *owner;
        uint64_t call_id;
    };

    struct Remote {
        shd_remote_fn fn;
        void *user_data;
    };

    struct Route {
        shd_route_fn fn;
        void *user_data;
    };

    // The choice_ctx handed to a route function.
    struct RouteTicket {
        RpcService *owner;
        uint64_t call_id;
    };

    // A route function's choice made while route_call is still inside its call.
    struct SyncChoice {
        uint64_t call_id = 0;
        bool made = false;
        shd_status status = SHD_OK;
        std::string server_id;
    };

    // One incoming call waiting for the app's reply; responder.ctx points here.
    struct InboundCall {
        RpcService *owner;
        std::weak_ptr<Link> link;
        uint64_t id;
        std::string name;  // "ns.service.method", for messages
        shd_rpc_responder_v1 responder;
        bool forward = false;                // a FORWARD frame: answered through forward_responder
        shd_responder_v1 forward_responder;  // same ctx as responder
    };

    // Fan-out of invoke("*"): one slot per member.
    struct FanOut;
    struct FanSlot {
        FanOut *fan;
        size_t index;
    };

    struct Deferred {
        uint64_t id;
        shd_status status;
        std::string message;    // JSON text
        std::string io_reason;  // set: a lost link, handled by fail_io (failover may retry)
    };

    // The signature invoke() and call() share.
    using Entry = void (RpcService::*)(std::string_view, std::string_view, std::string_view, std::string_view,
                                       std::string_view, std::string_view, uint32_t, shd_rpc_result_fn, void *);

    // rpc_service.cpp
    // Runs fn(live) on the logic thread: live is false when the host is shutting down. False when the
    // host no longer accepts work (fn was not queued).
    bool post(std::function<void(bool)> fn);
    void refresh_secret();

    // rpc_calls.cpp
    // The opening of invoke() and call(): the request as filters and the wire see it (empty args are
    // "[]"), or none when the call goes no further now: dropped for want of a callback (logged, naming
    // `name`) or held until start() replays it through `entry`.
    std::optional<RequestRef> admit(Entry entry, const char *name, std::string_view first, std::string_view second,
                                    std::string_view ns, std::string_view service, std::string_view method,
                                    std::string_view args, uint32_t timeout_ms, shd_rpc_result_fn done,
                                    void *user_data);
    // Once a call is in the table: `invalid` (a bad argument) fails it with SHD_ERR_INVALID, a stopping
    // server with SHD_ERR_SHUTDOWN ("<what><target> not sent"), both later. True when it failed.
    bool refused(uint64_t id, const std::string &invalid, std::string_view what, std::string_view target);
    uint64_t begin(shd_rpc_result_fn done, void *user_data, uint32_t timeout_ms, std::string_view type,
                   const RequestRef &req);
    void keep_copy(Pending &p, const RequestRef &req);
    RequestRef copy_ref(const Pending &p) const;
    void fan_out(std::string_view server_type, const RequestRef &req, uint32_t timeout_ms, shd_rpc_result_fn done,
                 void *user_data);
    std::shared_ptr<Link> link_to(const PeerEntry &peer);
    void send_to(uint64_t id, const std::string &server_id, const RequestRef &req);

    // rpc_routing.cpp
    void route_call(uint64_t id, std::string_view server_type, std::string_view route_param, const RequestRef &req);
    void route_builtin(uint64_t id, const std::string &type, std::string_view route_param, const RequestRef &req);
    void on_route_chosen(RouteTicket *ticket, shd_status status, std::string_view server_id);
    // False (and the call failed later) for an error status or a server that is no member.
    bool accept_choice(uint64_t id, shd_status status, const std::string &server_id);

    // rpc_filter_chain.cpp
    void install(const RpcFilterSpec &spec);
    void dispatch(uint64_t id, const std::string &server_id, const RequestRef &req);
    void run_before(uint64_t id);
    static void SHD_CALL before_next(void *ctx, shd_status status, shd_str message);
    void on_before_done(FilterTicket *ticket, shd_status status, std::string_view message);
    static shd_rpc_call_view_v1 call_view(uint64_t id, const Pending &p, const std::string &route);
    void run_hooks(uint64_t id, const Pending &p, shd_status status, std::string_view result);

    // rpc_completion.cpp
    void fail_later(uint64_t id, shd_status status, std::string message_json);
    void fail_io_later(uint64_t id, std::string reason);
    void schedule_drain();
    void drain_deferred();
    // answered: the result is the response of the remote or the forward handler (a forward's after
    // filters then see it as the envelope [err, body], as they did when forwards were calls).
    void complete(uint64_t id, shd_status status, std::string_view result, bool answered = false);
    // Counts one ended call in "shd.metrics/1", by the server type it was made to.
    void count_call(const Pending &p, shd_status status);
    void fail_io(uint64_t id, const std::string &reason);
    bool try_failover(uint64_t id);
    void untrack(Pending &p, uint64_t id);
    std::string describe_target(const Pending &p) const;
    void arm_deadline_timer();
    void on_deadline_timer(uint64_t armed_for);
    void handle_responses(uint64_t link_serial, std::vector<InboundResponse> &responses);
    void handle_link_closed(uint64_t link_serial, const std::string &reason);
    // Fails, in id order, the calls that went out on a link that is gone.
    void fail_link_calls(uint64_t link_serial, const std::string &reason);

    // rpc_inbound.cpp
    InboundCall *track_inbound(const std::shared_ptr<Link> &link, uint64_t id);
    void handle_requests(const std::shared_ptr<Link> &link, std::vector<InboundRequest> &requests);
    void handle_forward(const std::shared_ptr<Link> &link, const InboundRequest &r);
    static void SHD_CALL reply(void *ctx, shd_status status, shd_str result);
    void finish_inbound(InboundCall *call, shd_status status, std::string_view result);

    shd::Host host_;
    // Calls, errors, timeouts and latency by target server type (docs/operations.md, "Metrics"). The
    // type may come from a client's route: past kMaxCallLabels types, the label is "other".
    struct CallMetrics {
        shd::Metric calls, errors, timeouts, duration;
    };
    static constexpr size_t kMaxCallLabels = 64;
    std::map<std::string, CallMetrics, std::less<>> call_metrics_;
    RpcOptions options_;
    std::string self_id_;
    PeerDirectory directory_;
    BuiltinRouter router_;
    TransportFactory make_transport_;
    std::unique_ptr<Transport> transport_;
    std::string secret_;  // what the transport was last given

    bool started_ = false;
    bool stopping_ = false;
    std::vector<std::function<void()>> held_;  // calls made before start(), replayed by it

    uint64_t next_id_ = 1;
    std::unordered_map<uint64_t, Pending> pending_;
    std::set<std::pair<uint64_t, uint64_t>> deadlines_;  // (deadline ms, call id)
    bool timer_armed_ = false;
    uint64_t timer_at_ = 0;
    std::vector<Deferred> deferred_;
    bool drain_posted_ = false;

    std::unordered_map<std::string, std::shared_ptr<Link>> links_;              // server id -> outbound link
    std::unordered_map<uint64_t, std::unordered_set<uint64_t>> calls_on_link_;  // link serial -> call ids
    std::unordered_map<std::string, size_t> active_;                            // server id -> pending calls

    std::unordered_map<std::string, Remote> remotes_;  // "ns\0service\0method"
    std::map<std::string, Route, std::less<>> routes_;
    std::unordered_set<RouteTicket *> tickets_;
    std::vector<SyncChoice *> sync_choices_;  // route functions being called (nested when one calls)
    std::unordered_map<InboundCall *, std::unique_ptr<InboundCall>> inbound_;

    std::vector<Before> befores_;
    std::vector<After> afters_;
    shd_rpc_forward_handler_fn forward_fn_ = nullptr;
    void *forward_user_data_ = nullptr;
    shd_rpc_error_fn error_fn_ = nullptr;
    void *error_user_data_ = nullptr;
    std::vector<std::unique_ptr<BuiltinRpcFilter>> builtins_;
    std::unordered_set<FilterTicket *> filter_tickets_;
};

}  // namespace shd::rpc
