#include "message_forwarder.hpp"

#include <shaddock/cpp/handler.hpp>

#include <rapidjson/document.h>

namespace shd::server {

namespace {

std::string text(shd_str s) { return std::string(to_view(s)); }

// The frontend's pending forward: answers the client's responder when the RPC completes.
struct PendingForward {
    const shd_responder_v1 *responder;
};

void SHD_CALL on_forward_result(void *ud, shd_status status, shd_str result_json) {
    auto *p = static_cast<PendingForward *>(ud);
    const shd_responder_v1 *r = p->responder;
    delete p;
    if (status != SHD_OK) {  // no backend, timeout, connection lost: the client gets {"code":500}
        r->respond(r->ctx, status, to_shd("{}"));
        return;
    }
    rapidjson::Document d;
    d.Parse(result_json.data, result_json.size);
    if (d.HasParseError() || !d.IsArray() || d.Size() < 1) {
        r->respond(r->ctx, SHD_ERR_INTERNAL, to_shd("{}"));
        return;
    }
    bool failed = !d[0].IsNull();
    std::string body = d.Size() > 1 && d[1].IsObject() ? shd::to_json(d[1]) : std::string("{}");
    r->respond(r->ctx, failed ? SHD_ERR_INTERNAL : SHD_OK, to_shd(body));
}

// The backend's answer: goes back over RPC as [err, body].
struct BackendReply {
    shd_responder_v1 responder;
    const shd_rpc_responder_v1 *rpc;
    std::string route, body, uid, frontend_id, settings;
};

void SHD_CALL on_backend_respond(void *ctx, shd_status status, shd_str body) {
    auto *b = static_cast<BackendReply *>(ctx);
    std::string payload = std::string(status == SHD_OK ? "[null," : R"([{"code":500},)") +
                          (body.size ? text(body) : std::string("{}")) + "]";
    b->rpc->reply(b->rpc->ctx, SHD_OK, to_shd(payload));
    delete b;
}


}  // namespace

MessageForwarder::MessageForwarder(const Host &host, const HandlerRegistry &registry, std::string local_type)
    : host_(host), registry_(registry), local_type_(std::move(local_type)) {}

bool MessageForwarder::attach() {
    auto [rpc, ctx] = host_.find<shd_rpc_v1>(SHD_RPC_SERVICE_ID);
    rpc_ = rpc;
    rpc_ctx_ = ctx;
    if (!rpc_) return false;
    shd_status s = rpc_->add_remote(rpc_ctx_, to_shd("sys"), to_shd("msgRemote"), to_shd("forwardMessage"),
                                    &MessageForwarder::on_forwarded, this);
    if (s != SHD_OK) host_.warn("cannot publish sys.msgRemote.forwardMessage (status " + std::to_string(s) + ")");
    return true;
}

void MessageForwarder::forward(std::string_view type, const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session,
                               const shd_responder_v1 *responder) {
    std::string settings = session.settings_json.size ? text(session.settings_json) : std::string("{}");
    std::string session_json = R"({"id":)" + std::to_string(session.id) + R"(,"frontendId":)" +
                               json_quote(to_view(session.frontend_id)) + R"(,"uid":)" + json_quote(to_view(session.uid)) +
                               R"(,"settings":)" + settings + "}";
    // The body is already JSON text: it travels as it is, unparsed here.
    std::string args = R"([{"id":)" + std::to_string(msg.id) + R"(,"type":)" + std::to_string(msg.kind) +
                       R"(,"route":)" + json_quote(to_view(msg.route)) + R"(,"body":)" +
                       (msg.body_json.size ? text(msg.body_json) : std::string("{}")) + "}," + session_json + "]";
    rpc_->call(rpc_ctx_, to_shd(type), to_shd(session_json), to_shd("sys"), to_shd("msgRemote"),
               to_shd("forwardMessage"), to_shd(args), 0, &on_forward_result, new PendingForward{responder});
}

void SHD_CALL MessageForwarder::on_forwarded(void *ud, shd_str, shd_str args_json, const shd_rpc_responder_v1 *rpc_responder) {
    auto *self = static_cast<MessageForwarder *>(ud);
    rapidjson::Document args;
    args.Parse(args_json.data, args_json.size);
    if (args.HasParseError() || !args.IsArray() || args.Size() < 2 || !args[0].IsObject() || !args[1].IsObject()) {
        rpc_responder->reply(rpc_responder->ctx, SHD_ERR_INVALID, to_shd("\"forwardMessage needs [msg, session]\""));
        return;
    }
    const rapidjson::Value &m = args[0], &s = args[1];
    auto *b = new BackendReply{};
    b->rpc = rpc_responder;
    b->route = json_string(m, "route");
    b->body = m.HasMember("body") ? shd::to_json(m["body"]) : std::string("{}");
    b->uid = json_string(s, "uid");
    b->frontend_id = json_string(s, "frontendId");
    b->settings = s.HasMember("settings") && s["settings"].IsObject() ? shd::to_json(s["settings"]) : std::string("{}");
    b->responder = shd_responder_v1{sizeof(shd_responder_v1), SHD_ABI_MAJOR, SHD_ABI_MINOR, b, &on_backend_respond};

    shd_inbound_msg_v1 in{sizeof(shd_inbound_msg_v1), SHD_ABI_MAJOR, SHD_ABI_MINOR, 0, 0, {}, {}};
    in.kind = m.HasMember("type") && m["type"].IsInt() && m["type"].GetInt() == SHD_MSG_NOTIFY ? SHD_MSG_NOTIFY : SHD_MSG_REQUEST;
    in.id = m.HasMember("id") && m["id"].IsUint() ? m["id"].GetUint() : 0;
    in.route = to_shd(b->route);
    in.body_json = to_shd(b->body);
    shd_session_view_v1 view{sizeof(shd_session_view_v1), SHD_ABI_MAJOR, SHD_ABI_MINOR, 0, {}, {}, {}};
    view.id = s.HasMember("id") && s["id"].IsUint64() ? s["id"].GetUint64() : 0;
    view.frontend_id = to_shd(b->frontend_id);
    view.uid = to_shd(b->uid);
    view.settings_json = to_shd(b->settings);

    std::string_view t, h, mm;
    const HandlerEntry *entry = split_route(b->route, t, h, mm) && t == self->local_type_ ? self->registry_.find(b->route) : nullptr;
    if (!entry) {
        b->responder.respond(b, SHD_ERR_NOT_FOUND, to_shd("{}"));
        return;
    }
    entry->fn(entry->user_data, &in, &view, &b->responder);
}

}  // namespace shd::server
