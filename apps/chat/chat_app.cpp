// The chat demo: a faithful port of NetEase's chatofpomelo-websocket. Same servers (gate, connector,
// chat), routes, bodies and pushes, so the original web client works against it unchanged.
//
//   gate.gateHandler.queryEntry {uid}            -> {code:200, host, port} of the connector for uid
//   connector.entryHandler.enter {username, rid} -> {users:[...]} (or {code:500, error:true})
//   chat.chatHandler.send {content, target}      -> pushes onChat {msg, from, target}; answers {route}
//   chatRemote.add / chatRemote.kick             -> push onAdd / onLeave to the room
//
// A room's members live in the chat server's own channel (the default), or in Redis when the
// global_channel plugin is loaded (the `scaled` environment: docs/scaling.md), where a chat server
// restarted keeps its rooms; private messages then find the user through the status plugin.
#include <shaddock/cpp/app.hpp>
#include <shaddock/cpp/cluster.hpp>
#include <shaddock/cpp/global_channel.hpp>
#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/rpc.hpp>
#include <shaddock/cpp/status.hpp>
#include <shaddock/ext/channel.h>

#include <rapidjson/document.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {


// "alice*room1" -> "alice" (chatofpomelo's uid.split('*')[0]).
std::string user_name(const std::string &uid) { return uid.substr(0, uid.find('*')); }

class ChatApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        handlers_ = std::make_unique<shd::Handlers>(host());
        auto &h = *handlers_;
        h.on("gate.gateHandler.queryEntry", [this](shd::RequestPtr req) { query_entry(req); });
        h.on("connector.entryHandler.enter", [this](shd::RequestPtr req) { enter(req); });
        h.on("chat.chatHandler.send", [this](shd::RequestPtr req) { send(req); });

        // The cluster's RPC exists on connector and chat servers; the gate has none.
        if (host().find<shd_rpc_v1>(SHD_RPC_SERVICE_ID).first) {
            rpc_.emplace(host());
            // chatofpomelo's routeUtil.chat: the chat server by crc32 of the session's room id.
            rpc_->route("chat", [](const std::string &param, const std::vector<std::string> &candidates) {
                std::string rid = shd::json_path_string(param, {"settings", "rid"});
                return candidates.empty() ? std::string() : candidates[shd::pomelo_route_index(rid, candidates.size())];
            });
            if (host().server().type == "chat") {
                rpc_->remote("chatRemote", "add", [this](const std::string &args, shd::RpcReply reply) { remote_add(args, reply); });
                rpc_->remote("chatRemote", "kick", [this](const std::string &args, shd::RpcReply reply) { remote_kick(args, reply); });
            }
        }
    }

    void start() override {
        auto [channels, cctx] = host().find<shd_channel_service_v1>(SHD_CHANNEL_SERVICE_ID);
        channels_ = channels;
        channels_ctx_ = cctx;
        if (host().server().type != "chat") return;
        global_.emplace(host());
        status_.emplace(host());
        if (!global_->available()) global_.reset();
        if (!status_->available()) status_.reset();
        if (global_) host().info(std::string("rooms are global channels in Redis") +
                                 (status_ ? "; private messages go through the status service" : ""));
    }

private:
    // gate: pick the connector for this uid the way chatofpomelo's dispatcher does.
    void query_entry(const shd::RequestPtr &req) {
        std::string uid = shd::json_string(req->json(), "uid");
        if (uid.empty()) return req->respond(R"({"code":500})");
        shd::Cluster cluster(host());
        std::vector<std::string> connectors = cluster.server_ids_by_type("connector");
        if (connectors.empty()) return req->respond(R"({"code":500})");
        std::string chosen = connectors[shd::pomelo_route_index(uid, connectors.size())];
        auto entry = cluster.server(chosen);
        if (!entry) return req->respond(R"({"code":500})");
        req->respond(R"({"code":200,"host":)" + shd::json_quote(entry->host) + R"(,"port":)" +
                     std::to_string(entry->client_port) + "}");
    }

    // connector: log the user into the room and tell the room's chat server.
    void enter(const shd::RequestPtr &req) {
        rapidjson::Document body = req->json();
        std::string rid = shd::json_string(body, "rid");
        std::string uid = shd::json_string(body, "username") + "*" + rid;
        shd::Session &session = req->session();
        shd::SessionService sessions = handlers_->sessions();
        if (!sessions.sids_by_uid(uid).empty()) return req->respond(R"({"code":500,"error":true})");
        if (session.bind(uid) != SHD_OK) return req->respond(R"({"code":500,"error":true})");
        session.set_string("rid", rid);
        session.push("rid");
        std::string server_id = host().server().id;
        std::string route_param = R"({"uid":)" + shd::json_quote(uid) + R"(,"settings":{"rid":)" + shd::json_quote(rid) + "}}";
        session.on_closed([this, uid, rid, server_id, route_param](const std::string &, const std::string &) {
            // chatofpomelo's onUserLeave: app.rpc.chat.chatRemote.kick(session, uid, serverId, rid)
            rpc_->call("chat", route_param, "chatRemote", "kick",
                       "[" + shd::json_quote(uid) + "," + shd::json_quote(server_id) + "," + shd::json_quote(rid) + "]",
                       [](shd_status, const std::string &) {});
        });
        rpc_->call("chat", route_param, "chatRemote", "add",
                   "[" + shd::json_quote(uid) + "," + shd::json_quote(server_id) + "," + shd::json_quote(rid) + ",true]",
                   [req](shd_status status, const std::string &result) {
                       // The remote calls back cb(users): result is [[names...]].
                       rapidjson::Document r = shd::parse_json_or_empty(result);
                       if (status != SHD_OK || !r.IsArray() || r.Empty()) return req->respond(R"({"code":500})");
                       req->respond(R"({"users":)" + shd::to_json(r[0]) + "}");
                   });
    }

    // chat: push onChat to the room, or to one user of it.
    void send(const shd::RequestPtr &req) {
        rapidjson::Document body = req->json();
        shd::Session &session = req->session();
        std::string rid = session.get_string("rid").value_or("");
        std::string from = user_name(session.uid());
        std::string target = shd::json_string(body, "target");
        std::string param = R"({"msg":)" + shd::json_quote(shd::json_string(body, "content")) + R"(,"from":)" +
                            shd::json_quote(from) + R"(,"target":)" + shd::json_quote(target) + "}";
        if (global_) {
            if (target == "*") global_->push_message("connector", "onChat", param, rid);
            else if (status_) status_->push_by_uids({target + "*" + rid}, "onChat", param, {});
            return req->respond(R"({"route":"chat.chatHandler.send"})");
        }
        if (!channels_ || !channels_->exists(channels_ctx_, shd::to_shd(rid))) return req->respond(R"({"route":"chat.chatHandler.send"})");
        if (target == "*") {
            channels_->push_message(channels_ctx_, shd::to_shd(rid), shd::to_shd("onChat"), shd::to_shd(param),
                                    [](void *, shd_status, shd_str) {}, nullptr);
        } else {
            std::string tuid = target + "*" + rid;
            std::string frontend;
            channels_->member(channels_ctx_, shd::to_shd(rid), shd::to_shd(tuid),
                              [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data, t.size); }, &frontend);
            std::string receivers = R"([{"uid":)" + shd::json_quote(tuid) + R"(,"sid":)" + shd::json_quote(frontend) + "}]";
            channels_->push_by_uids(channels_ctx_, shd::to_shd("onChat"), shd::to_shd(param), shd::to_shd(receivers),
                                    [](void *, shd_status, shd_str) {}, nullptr);
        }
        req->respond(R"({"route":"chat.chatHandler.send"})");
    }

    // The names of a room's members (chatRemote.get).
    std::string users_of(const std::string &rid) {
        std::string out = "[";
        channels_->members(
            channels_ctx_, shd::to_shd(rid),
            [](void *ud, shd_str uid, shd_str) {
                auto *o = static_cast<std::string *>(ud);
                *o += (o->size() > 1 ? "," : "") + shd::json_quote(user_name(std::string(shd::to_view(uid))));
            },
            &out);
        return out + "]";
    }

    // chatRemote.add(uid, sid, name, flag): announce, then join (so the newcomer does not get its own onAdd).
    void remote_add(const std::string &args, const shd::RpcReply &reply) {
        rapidjson::Document a = shd::parse_json_or_empty(args);
        if (!a.IsArray() || a.Size() < 3 || !(channels_ || global_)) return reply.fail(SHD_ERR_INVALID, "\"add needs [uid, sid, name]\"");
        std::string uid = a[0].IsString() ? a[0].GetString() : "", sid = a[1].IsString() ? a[1].GetString() : "",
                    name = a[2].IsString() ? a[2].GetString() : "";
        if (global_) return global_add(uid, sid, name, reply);
        channels_->create(channels_ctx_, shd::to_shd(name));
        // Pomelo's old pushMessage form: the whole object, route included, is the body.
        std::string param = R"({"route":"onAdd","user":)" + shd::json_quote(user_name(uid)) + "}";
        channels_->push_message(channels_ctx_, shd::to_shd(name), shd::to_shd("onAdd"), shd::to_shd(param),
                                [](void *, shd_status, shd_str) {}, nullptr);
        channels_->add(channels_ctx_, shd::to_shd(name), shd::to_shd(uid), shd::to_shd(sid));
        reply.ok("[" + users_of(name) + "]");
    }

    // chatRemote.kick(uid, sid, name): leave, then tell the others.
    void remote_kick(const std::string &args, const shd::RpcReply &reply) {
        rapidjson::Document a = shd::parse_json_or_empty(args);
        if (!a.IsArray() || a.Size() < 3 || !(channels_ || global_)) return reply.fail(SHD_ERR_INVALID, "\"kick needs [uid, sid, name]\"");
        std::string uid = a[0].IsString() ? a[0].GetString() : "", sid = a[1].IsString() ? a[1].GetString() : "",
                    name = a[2].IsString() ? a[2].GetString() : "";
        if (global_) return global_kick(uid, sid, name, reply);
        if (channels_->exists(channels_ctx_, shd::to_shd(name))) {
            channels_->leave(channels_ctx_, shd::to_shd(name), shd::to_shd(uid), shd::to_shd(sid));
            std::string param = R"({"route":"onLeave","user":)" + shd::json_quote(user_name(uid)) + "}";
            channels_->push_message(channels_ctx_, shd::to_shd(name), shd::to_shd("onLeave"), shd::to_shd(param),
                                    [](void *, shd_status, shd_str) {}, nullptr);
        }
        reply.ok("[]");
    }

    // The same two remotes on a global channel. Redis runs the commands of one connection in order, so
    // the onAdd push reads the members before the newcomer is added.
    void global_add(const std::string &uid, const std::string &sid, const std::string &name, const shd::RpcReply &reply) {
        global_->push_message("connector", "onAdd", R"({"route":"onAdd","user":)" + shd::json_quote(user_name(uid)) + "}", name);
        global_->add(name, uid, sid);
        global_->get_members_by_channel_name("connector", name, [reply](shd_status status, std::vector<std::string> uids) {
            if (status != SHD_OK) return reply.fail(status, "\"the room's members could not be read\"");
            std::string names = "[";
            for (const auto &u : uids) names += (names.size() > 1 ? "," : "") + shd::json_quote(user_name(u));
            reply.ok("[" + names + "]]");
        });
    }

    void global_kick(const std::string &uid, const std::string &sid, const std::string &name, const shd::RpcReply &reply) {
        global_->leave(name, uid, sid);
        global_->push_message("connector", "onLeave", R"({"route":"onLeave","user":)" + shd::json_quote(user_name(uid)) + "}", name);
        reply.ok("[]");
    }

    std::unique_ptr<shd::Handlers> handlers_;
    std::optional<shd::GlobalChannelService> global_;
    std::optional<shd::StatusService> status_;
    std::optional<shd::Rpc> rpc_;
    const shd_channel_service_v1 *channels_ = nullptr;
    void *channels_ctx_ = nullptr;
};

}  // namespace

SHADDOCK_APP(ChatApp, "chat", "1.0.0", "shd.handler/1")
