// RpcService, outgoing calls from their start to the wire: invoke(), call() and forward() (with the
// opening they share), the fan-out of invoke("*"), the entry each makes in the table of calls
// (begin), the copy of the request kept while it is needed, and send_to, which writes the frame on
// the link to the chosen server. Routing is rpc_routing.cpp, the before filters rpc_filter_chain.cpp,
// the end of a call rpc_completion.cpp.
#include "rpc_service.hpp"
#include "rpc_service_util.hpp"

#include "frame_codec.hpp"

#include <shaddock/cpp/json.hpp>

#include <optional>

namespace shd::rpc {

namespace {

constexpr std::string_view kForwardNs = "sys", kForwardService = "msgRemote", kForwardMethod = "forwardMessage";

// Cheap shape checks only: the args are passed through unparsed (the remote parses them once).
std::string check_request(std::string_view ns, std::string_view service, std::string_view method,
                          std::string_view args) {
    if (ns.empty() || service.empty() || method.empty()) return "namespace, service and method must not be empty";
    if (ns.size() > kMaxNameSize || service.size() > kMaxNameSize || method.size() > kMaxNameSize)
        return "namespace, service and method must be at most 65535 bytes";
    std::string_view a = trim(args);
    if (!a.empty() && (a.front() != '[' || a.back() != ']')) return "args must be a JSON array";
    return {};
}

// The args of sys.msgRemote.forwardMessage, which filters and the error handler still see:
// [{"id":<msg id>,"type":<kind>,"route":"..."},{"id":<sid>,"frontendId":"...","uid":"..."},settings,body].
std::string forward_envelope(const ForwardView &f) {
    std::string out;
    out.reserve(96 + f.route.size() + f.frontend_id.size() + f.uid.size() + f.settings.size() + f.body.size());
    out.append(R"([{"id":)").append(std::to_string(f.msg_id)).append(R"(,"type":)").append(std::to_string(f.kind));
    out.append(R"(,"route":)");
    shd::json_quote_append(out, f.route);
    out.append(R"(},{"id":)").append(std::to_string(f.session_id)).append(R"(,"frontendId":)");
    shd::json_quote_append(out, f.frontend_id);
    out.append(R"(,"uid":)");
    shd::json_quote_append(out, f.uid);
    out.append("},").append(f.settings).append(",").append(f.body).append("]");
    return out;
}

}  // namespace

RpcService::ForwardCopy RpcService::ForwardCopy::of(const ForwardView &f) {
    return ForwardCopy{f.kind,
                       f.msg_id,
                       f.session_id,
                       std::string(f.route),
                       std::string(f.frontend_id),
                       std::string(f.uid),
                       std::string(f.settings),
                       std::string(f.body)};
}

ForwardView RpcService::ForwardCopy::view() const {
    ForwardView v;
    v.kind = kind;
    v.msg_id = msg_id;
    v.session_id = session_id;
    v.route = route;
    v.frontend_id = frontend_id;
    v.uid = uid;
    v.settings = settings;
    v.body = body;
    return v;
}

struct RpcService::FanOut {
    shd_rpc_result_fn done;
    void *user_data;
    size_t remaining;
    std::vector<FanSlot> slots;
    std::vector<std::string> results;
    std::vector<shd_status> statuses;

    static void SHD_CALL slot_done(void *ud, shd_status status, shd_str result) {
        auto *slot = static_cast<FanSlot *>(ud);
        FanOut *fan = slot->fan;
        fan->statuses[slot->index] = status;
        fan->results[slot->index].assign(shd::to_view(result));
        if (--fan->remaining > 0) return;
        std::unique_ptr<FanOut> owned(fan);
        shd_status first_error = SHD_OK;
        std::string all = "[";
        for (size_t i = 0; i < fan->results.size(); ++i) {
            if (first_error == SHD_OK && fan->statuses[i] != SHD_OK) first_error = fan->statuses[i];
            if (i) all.push_back(',');
            all += fan->results[i].empty() ? std::string("null") : fan->results[i];
        }
        all.push_back(']');
        fan->done(fan->user_data, first_error, shd_str{all.data(), all.size()});
    }
};

uint64_t RpcService::begin(shd_rpc_result_fn done, void *user_data, uint32_t timeout_ms, std::string_view type,
                           const RequestRef &req) {
    uint64_t id = next_id_++;
    Pending &p = pending_[id];
    p.done = done;
    p.user_data = user_data;
    p.type.assign(type);
    p.started_us = now_us();
    p.hooked = !befores_.empty() || !afters_.empty() || error_fn_ != nullptr;
    if (p.hooked) keep_copy(p, req);  // the filters and the error handler see the route and the args
    p.timeout_ms = timeout_ms ? timeout_ms : options_.timeout_ms;
    p.deadline = host_.now_ms() + p.timeout_ms;
    deadlines_.emplace(p.deadline, id);
    arm_deadline_timer();
    return id;
}

void RpcService::keep_copy(Pending &p, const RequestRef &req) {
    if (p.has_copy) return;
    if (req.is_forward) {
        const ForwardView &f = req.fwd;
        p.fwd = std::make_unique<ForwardCopy>(ForwardCopy::of(f));
        p.ns.assign(kForwardNs);
        p.service.assign(kForwardService);
        p.method.assign(kForwardMethod);
        // The envelope only for those who look at it.
        if (!befores_.empty() || !afters_.empty() || error_fn_) p.args = forward_envelope(f);
        p.has_copy = true;
        return;
    }
    p.ns.assign(req.ns);
    p.service.assign(req.service);
    p.method.assign(req.method);
    p.args.assign(req.args);
    p.has_copy = true;
}

RpcService::RequestRef RpcService::copy_ref(const Pending &p) const {
    RequestRef r{p.ns, p.service, p.method, p.args};
    if (p.fwd) {
        r.is_forward = true;
        r.fwd = p.fwd->view();
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// The opening of invoke() and call(), and the checks forward() makes too

std::optional<RpcService::RequestRef> RpcService::admit(Entry entry, const char *name, std::string_view first,
                                                        std::string_view second, std::string_view ns,
                                                        std::string_view service, std::string_view method,
                                                        std::string_view args, uint32_t timeout_ms,
                                                        shd_rpc_result_fn done, void *user_data) {
    if (!done) {
        host_.error(std::string("shd.rpc/1 ") + name + " called without a result callback; the call is dropped");
        return std::nullopt;
    }
    if (!started_ && !stopping_) {
        held_.push_back(
            [this, entry, first = std::string(first), second = std::string(second), ns = std::string(ns),
             service = std::string(service), method = std::string(method), args = std::string(args), timeout_ms, done,
             user_data] { (this->*entry)(first, second, ns, service, method, args, timeout_ms, done, user_data); });
        return std::nullopt;
    }
    return RequestRef{ns, service, method, trim(args).empty() ? std::string_view("[]") : args};
}

bool RpcService::refused(uint64_t id, const std::string &invalid, std::string_view what, std::string_view target) {
    if (!invalid.empty()) {
        fail_later(id, SHD_ERR_INVALID, json_quote(invalid));
        return true;
    }
    if (stopping_) {
        fail_later(
            id, SHD_ERR_SHUTDOWN,
            json_quote(std::string(what) + std::string(target) + " not sent: server " + self_id_ + " is stopping"));
        return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// invoke, call, forward

void RpcService::invoke(std::string_view server_id, std::string_view server_type, std::string_view ns,
                        std::string_view service, std::string_view method, std::string_view args, uint32_t timeout_ms,
                        shd_rpc_result_fn done, void *user_data) {
    const std::optional<RequestRef> req = admit(&RpcService::invoke, "invoke", server_id, server_type, ns, service,
                                                method, args, timeout_ms, done, user_data);
    if (!req) return;
    const std::string err = check_request(ns, service, method, args);
    if (server_id == "*" && !stopping_ && err.empty()) {
        fan_out(server_type, *req, timeout_ms, done, user_data);
        return;
    }
    uint64_t id = begin(done, user_data, timeout_ms, server_type, *req);
    pending_[id].target.assign(server_id);
    if (refused(id, err, "rpc to ", server_id)) return;
    dispatch(id, std::string(server_id), *req);
}

void RpcService::fan_out(std::string_view server_type, const RequestRef &req, uint32_t timeout_ms,
                         shd_rpc_result_fn done, void *user_data) {
    const std::vector<std::string> ids = directory_.ids_of_type(std::string(server_type));
    if (ids.empty()) {
        uint64_t id = begin(done, user_data, timeout_ms, server_type, req);
        fail_later(id, SHD_ERR_NOT_FOUND, json_quote("no server of type " + std::string(server_type)));
        return;
    }
    auto *fan = new FanOut{done, user_data, ids.size(), {}, {}, {}};
    fan->slots.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) fan->slots.push_back(FanSlot{fan, i});
    fan->results.resize(ids.size());
    fan->statuses.resize(ids.size(), SHD_OK);
    for (size_t i = 0; i < ids.size(); ++i) {
        uint64_t id = begin(&FanOut::slot_done, &fan->slots[i], timeout_ms, server_type, req);
        dispatch(id, ids[i], req);
    }
}

void RpcService::call(std::string_view server_type, std::string_view route_param, std::string_view ns,
                      std::string_view service, std::string_view method, std::string_view args, uint32_t timeout_ms,
                      shd_rpc_result_fn done, void *user_data) {
    const std::optional<RequestRef> req = admit(&RpcService::call, "call", server_type, route_param, ns, service,
                                                method, args, timeout_ms, done, user_data);
    if (!req) return;
    uint64_t id = begin(done, user_data, timeout_ms, server_type, *req);
    pending_[id].routed = true;
    std::string err = check_request(ns, service, method, args);
    if (err.empty() && server_type.empty()) err = "server type is empty";
    if (refused(id, err, "rpc to server type ", server_type)) return;
    route_call(id, server_type, route_param, *req);
}

void RpcService::forward(std::string_view server_type, const shd_inbound_msg_v1 *msg,
                         const shd_session_view_v1 *session, uint32_t timeout_ms, shd_rpc_forward_done_fn done,
                         void *user_data) {
    if (!done) {
        host_.error("shd.rpc/1 forward called without a result callback; the forward is dropped");
        return;
    }
    RequestRef req{kForwardNs, kForwardService, kForwardMethod, {}};
    req.is_forward = true;
    ForwardView &f = req.fwd;
    if (msg && session) {
        f.kind = msg->kind == SHD_MSG_NOTIFY ? 1 : 0;
        f.msg_id = msg->id;
        f.session_id = session->id;
        f.route = shd::to_view(msg->route);
        f.frontend_id = shd::to_view(session->frontend_id);
        f.uid = shd::to_view(session->uid);
        f.settings = session->settings_json.size ? shd::to_view(session->settings_json) : std::string_view("{}");
        f.body = msg->body_json.size ? shd::to_view(msg->body_json) : std::string_view("{}");
    }
    if (!started_ && !stopping_) {
        // Rare (a forward before the plugin started): owned copies, replayed by start().
        held_.push_back([this, type = std::string(server_type),
                         copy = std::make_shared<ForwardCopy>(ForwardCopy::of(f)), valid = msg && session, timeout_ms,
                         done, user_data] {
            shd_inbound_msg_v1 m{};
            shd::stamp(m);
            m.kind = copy->kind;
            m.id = copy->msg_id;
            m.route = shd_str{copy->route.data(), copy->route.size()};
            m.body_json = shd_str{copy->body.data(), copy->body.size()};
            shd_session_view_v1 s{};
            shd::stamp(s);
            s.id = copy->session_id;
            s.frontend_id = shd_str{copy->frontend_id.data(), copy->frontend_id.size()};
            s.uid = shd_str{copy->uid.data(), copy->uid.size()};
            s.settings_json = shd_str{copy->settings.data(), copy->settings.size()};
            forward(type, valid ? &m : nullptr, valid ? &s : nullptr, timeout_ms, done, user_data);
        });
        return;
    }
    uint64_t id = begin(nullptr, user_data, timeout_ms, server_type, req);
    Pending &p = pending_[id];
    p.forward_done = done;
    p.routed = true;
    std::string err;
    if (!msg || !session)
        err = "forward needs a message and a session";
    else if (msg->kind != SHD_MSG_REQUEST && msg->kind != SHD_MSG_NOTIFY)
        err = "the message kind must be SHD_MSG_REQUEST or SHD_MSG_NOTIFY";
    else if (f.route.size() > kMaxNameSize || f.frontend_id.size() > kMaxNameSize || f.uid.size() > kMaxNameSize)
        err = "the route, frontend id and uid of a forward must be at most 65535 bytes";
    else if (server_type.empty())
        err = "server type is empty";
    if (refused(id, err, "forward to server type ", server_type)) return;
    route_call(id, server_type, {}, req);
}

// ---------------------------------------------------------------------------------------------
// Sending

std::shared_ptr<Link> RpcService::link_to(const PeerEntry &peer) {
    auto it = links_.find(peer.id);
    if (it != links_.end()) return it->second;
    refresh_secret();
    auto link = transport_->connect(peer.id, peer.host, peer.port);
    links_.emplace(peer.id, link);
    return link;
}

void RpcService::send_to(uint64_t id, const std::string &server_id, const RequestRef &req) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    Pending &p = it->second;
    p.target = server_id;
    const PeerEntry *peer = directory_.find(server_id);
    if (!peer) {
        fail_later(id, SHD_ERR_NOT_FOUND, json_quote("no server " + server_id));
        return;
    }
    if (transport_->addressed() && (peer->port <= 0 || peer->host.empty())) {
        fail_later(id, SHD_ERR_NOT_FOUND, json_quote("server " + server_id + " has no RPC port"));
        return;
    }
    ForwardView fwd = req.fwd;
    fwd.id = id;
    const size_t size =
        req.is_forward ? forward_frame_size(fwd) : request_frame_size(req.ns, req.service, req.method, req.args);
    if (size > options_.max_frame) {
        fail_later(id, SHD_ERR_INVALID,
                   json_quote("rpc to " + server_id + ": the request is " + std::to_string(size) +
                              " bytes, more than maxFrameSize " + std::to_string(options_.max_frame)));
        return;
    }
    auto send = [&](Link &l) {
        return req.is_forward ? l.send_forward(fwd) : l.send_request(id, req.ns, req.service, req.method, req.args);
    };
    std::shared_ptr<Link> link = link_to(*peer);
    Link::Send sent = send(*link);
    if (sent == Link::Send::closed) {
        // The link died since its last use (its close report is on the way): reconnect now.
        links_.erase(server_id);
        link = link_to(*peer);
        sent = send(*link);
    }
    if (sent == Link::Send::busy) {
        fail_later(id, SHD_ERR_BUSY,
                   json_quote("rpc to " + server_id + ": more than maxQueuedBytes " +
                              std::to_string(options_.max_queued_bytes) + " are waiting to be sent"));
        return;
    }
    if (sent == Link::Send::closed) {
        // A fresh link can close before its first frame (a refused connect on loopback is that fast).
        std::string reason = link->close_reason();
        fail_io_later(id, reason.empty() ? std::string("the connection closed") : reason);
        return;
    }
    p.link = link->serial();
    calls_on_link_[p.link].insert(id);
    ++active_[server_id];
    p.counted = true;
}

}  // namespace shd::rpc
