#include "logic_bridge.hpp"

namespace shd::connector {

// A client message on its way to the logic thread (one allocation: the strings live here).
struct LogicBridge::Inbound {
    LogicBridge *bridge;
    uint64_t sid;
    int32_t kind;
    uint32_t id;
    std::string route;
    std::string body;
};

// One request's way back. Allocated per request, freed when respond() is called.
struct LogicBridge::Responder {
    shd_responder_v1 table;
    LogicBridge *bridge;
    std::shared_ptr<ClientLink> link;
    uint32_t id;
    bool notify;
    std::string route;  // the request's route: it selects the response's body codec
};

void LogicBridge::handshake(std::shared_ptr<ClientLink> link, shd_str client_type, shd_str client_version,
                            shd_str user_json, shd_handshake_reply_fn reply, void *reply_ctx) {
    host_.post([this, link = std::move(link), type = std::string(to_view(client_type)),
                version = std::string(to_view(client_version)), user = std::string(to_view(user_json)), reply,
                reply_ctx]() mutable {
        struct Pending {
            std::shared_ptr<ClientLink> link;
            shd_handshake_reply_fn reply;
            void *reply_ctx;
        };
        auto *pending = new Pending{std::move(link), reply, reply_ctx};
        handlers_->check_handshake(
            handlers_ctx_, to_shd(type), to_shd(version), to_shd(user),
            [](void *ctx, int32_t code, shd_str user_out) {
                auto *p = static_cast<Pending *>(ctx);
                p->link->answer_handshake(p->reply, p->reply_ctx, code, std::string(to_view(user_out)));
                delete p;
            },
            pending);
    });
}

void LogicBridge::established(std::shared_ptr<ClientLink> link, uint64_t sid) {
    host_.post([this, link = std::move(link), sid]() mutable { sessions_.add(sid, std::move(link)); });
}

void LogicBridge::closed(uint64_t sid, std::string reason) {
    host_.post([this, sid, reason = std::move(reason)] { sessions_.remove(sid, reason); });
}

void LogicBridge::deliver(uint64_t sid, const shd_inbound_msg_v1 &msg) {
    auto *in =
        new Inbound{this, sid, msg.kind, msg.id, std::string(to_view(msg.route)), std::string(to_view(msg.body_json))};
    if (host_.api()->post(host_.ctx(), &LogicBridge::run_inbound, in) != SHD_OK) delete in;
}

void SHD_CALL LogicBridge::run_inbound(void *ud, shd_status status) {
    std::unique_ptr<Inbound> in(static_cast<Inbound *>(ud));
    if (status != SHD_OK) return;
    try {
        in->bridge->dispatch(*in);
    } catch (const std::exception &e) {
        in->bridge->host_.error(std::string("dispatch of ") + in->route + " threw: " + e.what());
    } catch (...) {
        in->bridge->host_.error("dispatch of " + in->route + " threw");
    }
}

void LogicBridge::dispatch(Inbound &in) {
    Session *s = sessions_.find(in.sid);
    if (!s || !encoder_.load()) return;  // the client left before its message got here
    auto *r = new Responder{{}, this, s->link, in.id, in.kind == SHD_MSG_NOTIFY, in.route};
    shd::stamp(r->table);
    r->table.ctx = r;
    r->table.respond = &LogicBridge::respond;

    shd_inbound_msg_v1 msg{};
    shd::stamp(msg);
    msg.kind = in.kind;
    msg.id = in.id;
    msg.route = to_shd(in.route);
    msg.body_json = to_shd(in.body);
    shd_session_view_v1 view = sessions_.view(*s);
    handlers_->dispatch(handlers_ctx_, &msg, &view, &r->table);
}

void SHD_CALL LogicBridge::respond(void *ctx, shd_status status, shd_str body_json) {
    std::unique_ptr<Responder> r(static_cast<Responder *>(ctx));
    if (r->notify) return;  // a notify never gets an answer (Pomelo drops it too)
    const ProtocolEncoder *encoder = r->bridge->encoder_.load();
    if (!encoder) return;  // the connector stopped
    std::string_view body = to_view(body_json);
    SharedBytes bytes =
        encoder->response(r->id, r->route, body.empty() ? std::string_view("{}") : body, status != SHD_OK);
    if (!bytes) {
        r->bridge->host_.warn("response to " + r->route + " could not be encoded; nothing sent");
        return;
    }
    r->link->send(std::move(bytes));
}

}  // namespace shd::connector
