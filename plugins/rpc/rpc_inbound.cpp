// RpcService, incoming requests: the app's remotes (add_remote) and forward handler
// (set_forward_handler), the requests and forwarded messages that arrive from peers (posted from the
// I/O threads by rpc_service.cpp), and the replies the app sends back through their responders.
#include "rpc_service.hpp"
#include "rpc_service_util.hpp"

#include "frame_codec.hpp"

namespace shd::rpc {

namespace {

std::string remote_key(std::string_view ns, std::string_view service, std::string_view method) {
    std::string key;
    key.reserve(ns.size() + service.size() + method.size() + 2);
    key.append(ns).push_back('\0');
    key.append(service).push_back('\0');
    key.append(method);
    return key;
}

}  // namespace

shd_status RpcService::add_remote(std::string_view ns, std::string_view service, std::string_view method,
                                  shd_remote_fn fn, void *user_data) {
    if (!fn || ns.empty() || service.empty() || method.empty()) return SHD_ERR_INVALID;
    auto [it, fresh] = remotes_.emplace(remote_key(ns, service, method), Remote{fn, user_data});
    (void)it;
    return fresh ? SHD_OK : SHD_ERR_EXISTS;
}

shd_status RpcService::set_forward_handler(shd_rpc_forward_handler_fn fn, void *user_data) {
    forward_fn_ = fn;
    forward_user_data_ = fn ? user_data : nullptr;
    return SHD_OK;
}

// An incoming call in the table of those waiting for the app's reply; the caller sets its responder.
RpcService::InboundCall *RpcService::track_inbound(const std::shared_ptr<Link> &link, uint64_t id) {
    auto call = std::make_unique<InboundCall>();
    InboundCall *raw = call.get();
    raw->owner = this;
    raw->link = link;
    raw->id = id;
    inbound_.emplace(raw, std::move(call));
    return raw;
}

void RpcService::handle_requests(const std::shared_ptr<Link> &link, std::vector<InboundRequest> &requests) {
    if (stopping_) return;
    for (auto &r : requests) {
        if (r.forward) {
            handle_forward(link, r);
            continue;
        }
        auto it = remotes_.find(remote_key(r.ns, r.service, r.method));
        std::string name = r.ns + "." + r.service + "." + r.method;
        if (it == remotes_.end()) {
            link->send_response(r.id, SHD_ERR_NOT_FOUND, json_quote("no remote " + name + " on " + self_id_));
            continue;
        }
        const Remote remote = it->second;
        InboundCall *raw = track_inbound(link, r.id);
        raw->name = std::move(name);
        shd::stamp(raw->responder);
        raw->responder.ctx = raw;
        raw->responder.reply = &RpcService::reply;
        std::string_view args = trim(r.args).empty() ? std::string_view("[]") : std::string_view(r.args);
        const std::string &caller = link->peer_id();
        const std::string threw = what_thrown([&] {
            remote.fn(remote.user_data, shd_str{caller.data(), caller.size()}, shd_str{args.data(), args.size()},
                      &raw->responder);
        });
        if (threw.empty()) continue;
        // A remote that throws has failed its call (ext/rpc.h): the caller gets SHD_ERR_INTERNAL now
        // rather than a timeout, and the call leaves the table. If it replied before throwing, that
        // reply stands and the call is already gone.
        const std::string what = std::string(r.ns) + "." + r.service + "." + r.method;
        host_.error("remote " + what + " threw: " + threw);
        if (inbound_.count(raw))
            finish_inbound(raw, SHD_ERR_INTERNAL,
                           json_quote("remote " + what + " on " + self_id_ + " threw an exception"));
    }
}

void RpcService::handle_forward(const std::shared_ptr<Link> &link, const InboundRequest &r) {
    if (!forward_fn_) {
        link->send_response(r.id, SHD_ERR_NOT_FOUND, json_quote("no forward handler on " + self_id_));
        return;
    }
    InboundCall *raw = track_inbound(link, r.id);
    raw->forward = true;
    shd::stamp(raw->forward_responder);
    raw->forward_responder.ctx = raw;
    raw->forward_responder.respond = &RpcService::reply;

    const std::string_view route = r.route(), frontend_id = r.frontend_id(), uid = r.uid();
    std::string_view settings = r.settings(), body = r.body();
    if (settings.empty()) settings = "{}";
    if (body.empty()) body = "{}";
    shd_inbound_msg_v1 msg{};
    shd::stamp(msg);
    msg.kind = r.kind;
    msg.id = r.msg_id;
    msg.route = shd_str{route.data(), route.size()};
    msg.body_json = shd_str{body.data(), body.size()};
    shd_session_view_v1 session{};
    shd::stamp(session);
    session.id = r.session_id;
    session.frontend_id = shd_str{frontend_id.data(), frontend_id.size()};
    session.uid = shd_str{uid.data(), uid.size()};
    session.settings_json = shd_str{settings.data(), settings.size()};
    const std::string &caller = link->peer_id();
    const std::string threw = what_thrown([&] {
        forward_fn_(forward_user_data_, shd_str{caller.data(), caller.size()}, &msg, &session, &raw->forward_responder);
    });
    if (threw.empty()) return;
    host_.error("the forward handler threw on " + std::string(route) + ": " + threw);
    if (inbound_.count(raw)) finish_inbound(raw, SHD_ERR_INTERNAL, "{}");
}

void SHD_CALL RpcService::reply(void *ctx, shd_status status, shd_str result) {
    auto *call = static_cast<InboundCall *>(ctx);
    call->owner->finish_inbound(call, status, shd::to_view(result));
}

void RpcService::finish_inbound(InboundCall *call, shd_status status, std::string_view result) {
    auto it = inbound_.find(call);
    if (it == inbound_.end()) return;
    std::unique_ptr<InboundCall> owned = std::move(it->second);
    inbound_.erase(it);
    if (stopping_) return;
    std::shared_ptr<Link> link = owned->link.lock();
    if (!link) return;  // the caller's connection is gone; it has failed the call already
    std::string replacement;
    if (owned->forward && result.empty()) result = "{}";  // a handler's empty body (ext/handler.h)
    if (status == SHD_OK && trim(result).empty()) result = "[]";
    if (status != SHD_OK && trim(result).empty()) {
        replacement = json_quote(owned->name + " on " + self_id_ + " failed with status " + std::to_string(status));
        result = replacement;
    }
    if (response_frame_size(result) > options_.max_frame) {
        status = SHD_ERR_INVALID;
        replacement =
            json_quote("the result of " + (owned->forward ? std::string("a forwarded message") : owned->name) + " on " +
                       self_id_ + " is " + std::to_string(result.size()) + " bytes, more than maxFrameSize " +
                       std::to_string(options_.max_frame));
        result = replacement;
    }
    if (link->send_response(owned->id, status, result) == Link::Send::busy)
        host_.warn("dropped the reply of " + (owned->forward ? std::string("a forwarded message") : owned->name) +
                   " to " + link->peer_id() + ": more than maxQueuedBytes are waiting to be sent");
}

InboundRequest forwarded_request(const ForwardView &v) {
    InboundRequest r;
    r.id = v.id;
    r.forward = true;
    r.kind = v.kind;
    r.msg_id = v.msg_id;
    r.session_id = v.session_id;
    r.route_size = static_cast<uint32_t>(v.route.size());
    r.frontend_id_size = static_cast<uint32_t>(v.frontend_id.size());
    r.uid_size = static_cast<uint32_t>(v.uid.size());
    r.settings_size = static_cast<uint32_t>(v.settings.size());
    r.fields.reserve(v.route.size() + v.frontend_id.size() + v.uid.size() + v.settings.size() + v.body.size());
    r.fields.append(v.route).append(v.frontend_id).append(v.uid).append(v.settings).append(v.body);
    return r;
}

}  // namespace shd::rpc
