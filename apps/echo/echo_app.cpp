// The echo app: connector-local handlers that exercise every part of the client path (requests,
// notifies, pushes, broadcasts, binding, settings, kicks, errors, late answers, protobuf routes).
// The connector tests drive it with real Pomelo clients. Built against the SDK headers only.
#include <shaddock/ext/connector.h>
#include <shaddock/cpp/app.hpp>
#include <shaddock/cpp/handler.hpp>

#include <memory>
#include <optional>
#include <string>

namespace {

class EchoApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        handlers_ = std::make_unique<shd::Handlers>(host());
        sessions_.emplace(handlers_->sessions());
        auto &h = *handlers_;

        // Pomelo's connectorConfig.handshake/checkClient: refuse old clients (501) and banned users
        // (500); welcome the others by name.
        h.handshake([](const std::string &type, const std::string &, const std::string &user_json) {
            if (type == "too-old") return std::make_pair(501, std::string());
            auto user = shd::parse_json_or_empty(user_json);
            if (user.IsObject() && user.HasMember("ban") && user["ban"].IsTrue())
                return std::make_pair(500, std::string());
            std::string name = shd::json_string(user, "name", "");
            if (name.empty()) return std::make_pair(200, std::string());
            return std::make_pair(200, R"({"welcome":)" + shd::json_quote(name) + "}");
        });

        // The session events of the connector, logged (the tests read them).
        for (const char *event : {"bind_session", "unbind_session", "close_session"}) {
            host().subscribe(event, [this](std::string_view name, std::string_view payload) {
                host().info("event " + std::string(name) + " " + std::string(payload));
            });
        }

        h.on("connector.entryHandler.entry",
             [](shd::RequestPtr req) { req->respond(R"({"code":200,"msg":"game server is ok."})"); });

        h.on("connector.entryHandler.echo", [](shd::RequestPtr req) { req->respond(req->body()); });

        // {uid}: binds the session; {"code":500} when it is bound to someone else (or singleSession).
        h.on("connector.entryHandler.login", [this](shd::RequestPtr req) {
            auto body = req->json();
            if (!body.IsObject() || !body.HasMember("uid") || !body["uid"].IsString()) {
                req->respond(R"({"code":500,"error":"uid expected"})");
                return;
            }
            std::string uid = body["uid"].GetString();
            shd::Session &session = req->session();
            if (session.bind(uid) != SHD_OK) {
                req->respond(R"({"code":500})");
                return;
            }
            session.set_string("nickname", "player " + uid);
            session.push("nickname");
            session.on_closed([this, uid](const std::string &, const std::string &reason) {
                host().info("session of " + uid + " closed: " + reason);
            });
            req->respond(R"({"code":200})");
        });

        h.on("connector.entryHandler.logout", [](shd::RequestPtr req) {
            shd::Session &session = req->session();
            std::string uid = session.uid();
            req->respond(!uid.empty() && session.unbind(uid) == SHD_OK ? R"({"code":200})" : R"({"code":500})");
        });

        // {route, msg}: pushes msg on route to the caller.
        h.on("connector.entryHandler.push", [this](shd::RequestPtr req) {
            auto body = req->json();
            std::string route = shd::json_string(body, "route", "onPush");
            std::string msg = body.IsObject() && body.HasMember("msg") ? shd::to_json(body["msg"]) : "{}";
            size_t missed = sessions_->push(route, msg, {req->session().id()});
            req->respond(missed == 0 ? R"({"code":200})" : R"({"code":500})");
        });

        // {route, msg, bound}: pushes msg to every session (only bound ones when bound is true).
        h.on("connector.entryHandler.broadcast", [this](shd::RequestPtr req) {
            auto body = req->json();
            std::string route = shd::json_string(body, "route", "onBroadcast");
            std::string msg = body.IsObject() && body.HasMember("msg") ? shd::to_json(body["msg"]) : "{}";
            bool bound = body.IsObject() && body.HasMember("bound") && body["bound"].IsTrue();
            req->respond(sessions_->broadcast(route, msg, bound) ? R"({"code":200})" : R"({"code":500})");
        });

        // {reason}: answers, then kicks the caller (the answer is written before the kick notice).
        h.on("connector.entryHandler.kickme", [](shd::RequestPtr req) {
            std::string reason = shd::json_string(req->json(), "reason", "kick");
            req->respond(R"({"code":200})");
            req->session().kick(reason);
        });

        h.on("connector.entryHandler.fail", [](shd::RequestPtr req) { req->fail(R"({"x":1})"); });

        h.on("connector.entryHandler.later", [this](shd::RequestPtr req) {
            host().after(50, [req] { req->respond(R"({"code":200,"msg":"later"})"); });
        });

        // A notify: no answer; pushes its body back on onNote.
        h.on("connector.entryHandler.note", [this](shd::RequestPtr req) {
            sessions_->push("onNote", req->body().empty() ? "{}" : req->body(), {req->session().id()});
        });

        // A protobuf route both ways (clientProtos/serverProtos), plus a protobuf push.
        h.on("connector.entryHandler.proto", [this](shd::RequestPtr req) {
            auto body = req->json();
            std::string content = shd::json_string(body, "content", "");
            uint32_t n = body.IsObject() && body.HasMember("n") && body["n"].IsUint() ? body["n"].GetUint() : 0;
            sessions_->push("onProto", R"({"msg":)" + shd::json_quote(content) + R"(,"nums":[1,2,3]})",
                            {req->session().id()});
            req->respond(R"({"code":200,"content":)" + shd::json_quote(content) + R"(,"n":)" + std::to_string(n) +
                         R"(,"items":[{"name":"a"},{"name":"b"}]})");
        });

        // What the handler sees of its session.
        h.on("connector.entryHandler.whoami", [](shd::RequestPtr req) {
            shd::Session &s = req->session();
            req->respond(R"({"code":200,"sid":)" + std::to_string(s.id()) + R"(,"uid":)" + shd::json_quote(s.uid()) +
                         R"(,"frontendId":)" + shd::json_quote(s.frontend_id()) + R"(,"settings":)" +
                         shd::to_json(s.settings()) + "}");
        });

        // shd.connector/1: the port and connection count, and a push encoded once with the connector's
        // protocol setup (encode_push) and sent with send_encoded, as a channel fan-out does.
        h.on("connector.entryHandler.connector", [this](shd::RequestPtr req) {
            auto [connector, ctx] = host().require<shd_connector_v1>(SHD_CONNECTOR_SERVICE_ID);
            std::string package;
            connector->encode_push(
                ctx, shd::to_shd("onRaw"), shd::to_shd(R"({"raw":true})"),
                [](void *ud, shd_bytes b) { static_cast<std::string *>(ud)->assign(reinterpret_cast<const char *>(b.data), b.size); },
                &package);
            uint64_t sid = req->session().id();
            size_t missed = 1;
            connector->send_encoded(
                ctx, &sid, 1, shd_bytes{reinterpret_cast<const uint8_t *>(package.data()), package.size()}, &missed);
            req->respond(R"({"code":200,"port":)" + std::to_string(connector->port(ctx)) + R"(,"connections":)" +
                         std::to_string(connector->connections(ctx)) + R"(,"missed":)" + std::to_string(missed) + "}");
        });

        // Backend routes: in a cluster the connector forwards these over RPC to a "backend" server
        // chosen by routing (crc32 of the uid by default); they answer with who served them.
        h.on("backend.backendHandler.echo", [this](shd::RequestPtr req) {
            req->respond(R"({"code":200,"server":)" + shd::json_quote(host().server().id) + R"(,"uid":)" +
                         shd::json_quote(req->session().uid()) + R"(,"frontendId":)" +
                         shd::json_quote(req->session().frontend_id()) + R"(,"settings":)" +
                         shd::to_json(req->session().settings()) + R"(,"body":)" + req->body() + "}");
        });
        // Backend sessions: bind, push a setting and kick travel back to the frontend over RPC.
        h.on("backend.backendHandler.bind", [](shd::RequestPtr req) {
            auto body = req->json();
            std::string uid = shd::json_string(body, "uid", "");
            req->session().bind(uid, [req](shd_status s) {
                if (s != SHD_OK) return req->respond(R"({"code":500,"status":)" + std::to_string(s) + "}");
                req->session().set_string("level", "backend");
                req->session().push("level", [req](shd_status p) {
                    req->respond(p == SHD_OK ? R"({"code":200})" : R"({"code":500,"step":"push"})");
                });
            });
        });
        h.on("backend.backendHandler.kick", [](shd::RequestPtr req) {
            req->session().kick("kicked by backend", [req](shd_status s) {
                req->respond(s == SHD_OK ? R"({"code":200})" : R"({"code":500})");
            });
        });
        h.on("backend.backendHandler.fail", [](shd::RequestPtr req) { req->fail(R"({"why":"backend"})"); });
        h.on("backend.backendHandler.slow", [this](shd::RequestPtr req) {
            host().after(200, [req] { req->respond(R"({"code":200,"slow":true})"); });
        });

        h.on("connector.entryHandler.stats", [this](shd::RequestPtr req) {
            req->respond(R"({"code":200,"sessions":)" + std::to_string(sessions_->count()) + R"(,"bound":)" +
                         std::to_string(sessions_->count(true)) + "}");
        });
    }

private:

    std::unique_ptr<shd::Handlers> handlers_;
    std::optional<shd::SessionService> sessions_;  // the connector's, found in configure
};

}  // namespace

// shd.session/1 exists on frontends only; on a backend the app serves the backend.* routes.
SHADDOCK_APP(EchoApp, "echo", "1.0.0", "shd.handler/1")
