// shaddock/cpp/handler.hpp - handlers and requests for apps, with Pomelo's names (sessions and
// pushes: shaddock/cpp/session.hpp, included here).
//
//   void configure() override {
//       handlers_ = std::make_unique<shd::Handlers>(host());
//       handlers_->on("connector.entryHandler.entry", [](shd::RequestPtr req) {
//           req->respond(R"({"code":200,"msg":"game server is ok."})");
//       });
//   }
//
// Requests are shared pointers so a handler may answer later (after an RPC, a timer, ...). A request
// is answered exactly once: a second respond() is ignored, and a request dropped unanswered answers
// {"code":500} by itself. Everything here runs on the logic thread. Bodies are JSON text; json()
// parses with RapidJSON (header-only; the SDK's only third-party include).
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/session.hpp>
#include <shaddock/ext/handler.h>

#include <rapidjson/document.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shd {

class Request;
using RequestPtr = std::shared_ptr<Request>;

class Request {
public:
    Request(const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session, const shd_responder_v1 *responder,
            SessionService sessions, const Host &host)
        : route_(to_view(msg.route)),
          body_(to_view(msg.body_json)),
          id_(msg.id),
          notify_(msg.kind == SHD_MSG_NOTIFY),
          session_(session, sessions, host),
          responder_(responder) {}
    ~Request() {
        if (responder_) responder_->respond(responder_->ctx, SHD_ERR_INTERNAL, to_shd("{}"));
    }
    Request(const Request &) = delete;
    Request &operator=(const Request &) = delete;

    const std::string &route() const { return route_; }
    uint32_t id() const { return id_; }
    bool is_notify() const { return notify_; }
    const std::string &body() const { return body_; }
    rapidjson::Document json() const { return parse_json_or_empty(body_); }
    Session &session() { return session_; }

    // Answers with a JSON body (an object, normally).
    void respond(std::string_view body_json) { finish(SHD_OK, body_json); }
    void respond(const rapidjson::Value &body) { finish(SHD_OK, to_json(body)); }
    // Answers with an error: Pomelo adds "code":500 to the body when it has no code.
    void fail(std::string_view body_json = "{}") { finish(SHD_ERR_INTERNAL, body_json); }
    bool answered() const { return responder_ == nullptr; }

private:
    void finish(shd_status s, std::string_view body) {
        const shd_responder_v1 *r = responder_;
        if (!r) return;
        responder_ = nullptr;
        r->respond(r->ctx, s, to_shd(body));
    }

    std::string route_, body_;
    uint32_t id_;
    bool notify_;
    Session session_;
    const shd_responder_v1 *responder_;
};

using Handler = std::function<void(RequestPtr)>;
// fn(client_type, client_version, user_json) -> {code, user_json}; 200 accepts.
using HandshakeCheck = std::function<std::pair<int, std::string>(const std::string &, const std::string &, const std::string &)>;

// Registers the app's handlers with the server's "shd.handler/1" service. Keep the object alive as
// long as the app (it owns the handler functions).
class Handlers {
public:
    explicit Handlers(const Host &host) : host_(host) {
        auto [vt, ctx] = host.require<shd_handler_service_v1>(SHD_HANDLER_SERVICE_ID);
        vt_ = vt;
        ctx_ = ctx;
    }
    Handlers(const Handlers &) = delete;
    Handlers &operator=(const Handlers &) = delete;

    // Registers a handler for "serverType.handler.method".
    void on(std::string_view route, Handler fn) {
        auto entry = std::make_unique<Entry>(Entry{this, std::move(fn)});
        shd_status s = vt_->add_handler(ctx_, to_shd(route), &Handlers::trampoline, entry.get());
        if (s != SHD_OK) throw Error(s, "handler " + std::string(route) + ": " + status_name(s));
        entries_.push_back(std::move(entry));
    }

    // Pomelo's connectorConfig.handshake / checkClient in one function.
    void handshake(HandshakeCheck fn) {
        check_ = std::move(fn);
        vt_->set_handshake_check(ctx_, &Handlers::check_trampoline, this);
    }

    SessionService sessions() const { return SessionService(host_); }

private:
    struct Entry {
        Handlers *owner;
        Handler fn;
    };

    static void SHD_CALL trampoline(void *ud, const shd_inbound_msg_v1 *msg, const shd_session_view_v1 *session,
                                    const shd_responder_v1 *responder) {
        auto *e = static_cast<Entry *>(ud);
        RequestPtr req;
        try {
            req = std::make_shared<Request>(*msg, *session, responder, e->owner->sessions(), e->owner->host_);
        } catch (...) {
            responder->respond(responder->ctx, SHD_ERR_INTERNAL, to_shd("{}"));
            return;
        }
        try {
            e->fn(req);
        } catch (const std::exception &ex) {
            e->owner->host_.warn("handler " + req->route() + " threw: " + ex.what());
            req->fail();
        } catch (...) {
            e->owner->host_.warn("handler " + req->route() + " threw");
            req->fail();
        }
    }

    static void SHD_CALL check_trampoline(void *ud, shd_str type, shd_str version, shd_str user,
                                          shd_handshake_reply_fn reply, void *reply_ctx) {
        auto *self = static_cast<Handlers *>(ud);
        int code = 500;
        std::string user_out;
        try {
            auto result = self->check_(std::string(to_view(type)), std::string(to_view(version)), std::string(to_view(user)));
            code = result.first;
            user_out = std::move(result.second);
        } catch (...) {
            code = 500;
        }
        reply(reply_ctx, code, to_shd(user_out));
    }

    Host host_;
    const shd_handler_service_v1 *vt_;
    void *ctx_;
    std::vector<std::unique_ptr<Entry>> entries_;
    HandshakeCheck check_;
};

}  // namespace shd
