#include "message_forwarder.hpp"

#include <shaddock/cpp/handler.hpp>

#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace shd::server {

namespace {

std::string text(shd_str s) {
    return std::string(to_view(s));
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Walks the elements of a JSON array text, giving each as its raw text: a body or the settings can
// then travel on without being built into a DOM and written out again.
class ArrayCursor {
public:
    explicit ArrayCursor(std::string_view text) : text_(text) {
        skip_space();
        ok_ = pos_ < text_.size() && text_[pos_] == '[';
        ++pos_;
    }

    // The next element's text (validated JSON); false at the end of the array or on bad input.
    bool next(std::string_view &element) {
        if (!ok_) return false;
        skip_space();
        if (!first_) {
            if (pos_ >= text_.size() || text_[pos_] != ',') return ok_ = false;
            ++pos_;
            skip_space();
        }
        first_ = false;
        rapidjson::MemoryStream ms(text_.data() + pos_, text_.size() - pos_);
        rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
        rapidjson::BaseReaderHandler<> ignore;
        constexpr unsigned kFlags = rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag;
        if (reader_.Parse<kFlags>(in, ignore).IsError()) return ok_ = false;
        element = text_.substr(pos_, in.Tell());
        pos_ += in.Tell();
        return true;
    }

private:
    void skip_space() {
        while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    }

    std::string_view text_;
    size_t pos_ = 0;
    bool ok_ = false;
    bool first_ = true;
    rapidjson::Reader reader_;
};

bool parse_object(std::string_view text, rapidjson::Document &d) {
    d.Parse(text.data(), text.size());
    return !d.HasParseError() && d.IsObject();
}

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
    ArrayCursor result(to_view(result_json));
    std::string_view err, body;
    if (!result.next(err)) {
        r->respond(r->ctx, SHD_ERR_INTERNAL, to_shd("{}"));
        return;
    }
    if (!result.next(body) || body.empty() || body.front() != '{') body = "{}";
    r->respond(r->ctx, err == "null" ? SHD_OK : SHD_ERR_INTERNAL, to_shd(body));
}

// A typed forward's outcome; user_data is the client's responder itself. A failure without an
// answer gives the client {"code":500}; the backend's error gives it the body with code 500, as the
// [err, body] reply of the remote did.
void SHD_CALL on_typed_result(void *ud, shd_status status, shd_str body, shd_str error) {
    const auto *r = static_cast<const shd_responder_v1 *>(ud);
    if (error.size) {
        r->respond(r->ctx, status, to_shd("{}"));
        return;
    }
    std::string_view b = to_view(body);
    if (b.empty() || b.front() != '{') b = "{}";
    r->respond(r->ctx, status == SHD_OK ? SHD_OK : SHD_ERR_INTERNAL, to_shd(b));
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
    typed_ = SHD_HAS_FIELD(shd_rpc_v1, rpc_->struct_size, set_forward_handler);
    if (typed_) rpc_->set_forward_handler(rpc_ctx_, &MessageForwarder::on_forward_frame, this);
    return true;
}

void MessageForwarder::forward(std::string_view type, const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session,
                               const shd_responder_v1 *responder) {
    if (typed_) {
        rpc_->forward(rpc_ctx_, to_shd(type), &msg, &session, 0, &on_typed_result,
                      const_cast<shd_responder_v1 *>(responder));
        return;
    }
    std::string_view settings = session.settings_json.size ? to_view(session.settings_json) : "{}";
    std::string_view body = msg.body_json.size ? to_view(msg.body_json) : "{}";
    // Built in place: this runs for every forwarded client message.
    std::string session_head;
    session_head.reserve(48 + session.frontend_id.size + session.uid.size);
    session_head.append(R"({"id":)").append(std::to_string(session.id)).append(R"(,"frontendId":)");
    json_quote_append(session_head, to_view(session.frontend_id));
    session_head.append(R"(,"uid":)");
    json_quote_append(session_head, to_view(session.uid));
    // Route functions get the whole session; the backend gets its parts, settings and body as text.
    std::string session_json;
    session_json.reserve(session_head.size() + settings.size() + 16);
    session_json.append(session_head).append(R"(,"settings":)").append(settings).append("}");
    std::string args;
    args.reserve(64 + msg.route.size + session_head.size() + settings.size() + body.size());
    args.append(R"([{"id":)").append(std::to_string(msg.id)).append(R"(,"type":)").append(std::to_string(msg.kind));
    args.append(R"(,"route":)");
    json_quote_append(args, to_view(msg.route));
    args.append("},").append(session_head).append("},").append(settings).append(",").append(body).append("]");
    rpc_->call(rpc_ctx_, to_shd(type), to_shd(session_json), to_shd("sys"), to_shd("msgRemote"),
               to_shd("forwardMessage"), to_shd(args), 0, &on_forward_result, new PendingForward{responder});
}

void SHD_CALL MessageForwarder::on_forwarded(void *ud, shd_str, shd_str args_json,
                                             const shd_rpc_responder_v1 *rpc_responder) {
    auto *self = static_cast<MessageForwarder *>(ud);
    ArrayCursor args(to_view(args_json));
    std::string_view msg_text, session_text, settings, body;
    rapidjson::Document m, s;
    if (!args.next(msg_text) || !args.next(session_text) || !args.next(settings) || !args.next(body) ||
        !parse_object(msg_text, m) || !parse_object(session_text, s) || settings.front() != '{') {
        rpc_responder->reply(rpc_responder->ctx, SHD_ERR_INVALID,
                             to_shd("\"forwardMessage needs [message, session, settings, body]\""));
        return;
    }
    auto *b = new BackendReply{};
    b->rpc = rpc_responder;
    b->route = json_string(m, "route");
    b->body = body;
    b->uid = json_string(s, "uid");
    b->frontend_id = json_string(s, "frontendId");
    b->settings = settings;
    b->responder = shd_responder_v1{sizeof(shd_responder_v1), SHD_ABI_MAJOR, SHD_ABI_MINOR, b, &on_backend_respond};

    shd_inbound_msg_v1 in{sizeof(shd_inbound_msg_v1), SHD_ABI_MAJOR, SHD_ABI_MINOR, 0, 0, {}, {}};
    in.kind = m.HasMember("type") && m["type"].IsInt() && m["type"].GetInt() == SHD_MSG_NOTIFY ? SHD_MSG_NOTIFY
                                                                                               : SHD_MSG_REQUEST;
    in.id = m.HasMember("id") && m["id"].IsUint() ? m["id"].GetUint() : 0;
    in.route = to_shd(b->route);
    in.body_json = to_shd(b->body);
    shd_session_view_v1 view{sizeof(shd_session_view_v1), SHD_ABI_MAJOR, SHD_ABI_MINOR, 0, {}, {}, {}};
    view.id = s.HasMember("id") && s["id"].IsUint64() ? s["id"].GetUint64() : 0;
    view.frontend_id = to_shd(b->frontend_id);
    view.uid = to_shd(b->uid);
    view.settings_json = to_shd(b->settings);

    self->run_local(in, view, &b->responder);
}

void SHD_CALL MessageForwarder::on_forward_frame(void *ud, shd_str, const shd_inbound_msg_v1 *msg,
                                                 const shd_session_view_v1 *session,
                                                 const shd_responder_v1 *responder) {
    static_cast<MessageForwarder *>(ud)->run_local(*msg, *session, responder);
}

void MessageForwarder::run_local(const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session,
                                 const shd_responder_v1 *responder) const {
    const std::string_view route = to_view(msg.route);
    std::string_view t, h, m;
    const HandlerEntry *entry = split_route(route, t, h, m) && t == local_type_ ? registry_.find(route) : nullptr;
    if (!entry) {
        responder->respond(responder->ctx, SHD_ERR_NOT_FOUND, to_shd("{}"));
        return;
    }
    entry->fn(entry->user_data, &msg, &session, responder);
}

}  // namespace shd::server
