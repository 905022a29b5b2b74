// The benchmark app: the smallest cluster that exercises the paths a game server spends its time on,
// with the same routes as the Pomelo app in bench/pomelo/game-server (the benchmarks compare the two).
//
//   connector.entryHandler.echo      -> the request body, answered on the connector
//   bench.benchHandler.echo          -> the same, forwarded over RPC to the bench backend
//   connector.entryHandler.join {uid, rid}
//                                    -> binds uid, joins channel rid (default "room") held on the
//                                       backend (benchRemote.add); {code:200}, or {code:500} when the
//                                       uid is already bound. The session's close leaves the channel.
//   bench.benchHandler.say           -> pushes onSay with the request body to the sender's channel;
//                                       {code:200}
//
// The backend holding a room is chosen by crc32 of the room id, for the joins and for the forwarded
// say requests alike (chatofpomelo's routeUtil), so a room lives on one backend whatever their number.
#include <shaddock/cpp/app.hpp>
#include <shaddock/cpp/channel.hpp>
#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/rpc.hpp>

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr const char *kDefaultRoom = "room";

// [uid, sid, rid] from a remote's arguments; false when they are not three strings.
bool member_args(const std::string &args, std::string &uid, std::string &sid, std::string &rid) {
    rapidjson::Document a = shd::parse_json_or_empty(args);
    if (!a.IsArray() || a.Size() < 3 || !a[0].IsString() || !a[1].IsString() || !a[2].IsString()) return false;
    uid = a[0].GetString();
    sid = a[1].GetString();
    rid = a[2].GetString();
    return true;
}

class BenchApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        handlers_ = std::make_unique<shd::Handlers>(host());
        auto &h = *handlers_;
        // The body is answered as it came: no parse, no re-serialisation.
        h.on("connector.entryHandler.echo", [](shd::RequestPtr req) { req->respond(body_or_empty(*req)); });
        h.on("bench.benchHandler.echo", [](shd::RequestPtr req) { req->respond(body_or_empty(*req)); });
        h.on("connector.entryHandler.join", [this](shd::RequestPtr req) { join(req); });
        h.on("bench.benchHandler.say", [this](shd::RequestPtr req) { say(req); });

        if (!host().find<shd_rpc_v1>(SHD_RPC_SERVICE_ID).first) return;
        rpc_.emplace(host());
        rpc_->route("bench", [](const std::string &param, const std::vector<std::string> &candidates) {
            if (candidates.empty()) return std::string();
            std::string rid = shd::json_path_string(param, {"settings", "rid"});
            return candidates[shd::pomelo_route_index(rid, candidates.size())];
        });
        if (host().server().type == "bench") {
            channels_.emplace(host());
            rpc_->remote("benchRemote", "add", [this](const std::string &args, shd::RpcReply reply) {
                std::string uid, sid, rid;
                if (!member_args(args, uid, sid, rid))
                    return reply.fail(SHD_ERR_INVALID, "\"add needs [uid, sid, rid]\"");
                shd_status s = channels_->get_channel(rid, true).add(uid, sid);
                reply.ok(s == SHD_OK ? "[null]" : R"([{"code":)" + std::to_string(s) + "}]");
            });
            rpc_->remote("benchRemote", "leave", [this](const std::string &args, shd::RpcReply reply) {
                std::string uid, sid, rid;
                if (!member_args(args, uid, sid, rid))
                    return reply.fail(SHD_ERR_INVALID, "\"leave needs [uid, sid, rid]\"");
                shd::Channel room = channels_->get_channel(rid);
                room.leave(uid, sid);
                // An empty room goes away, as a finished game's would.
                if (room.exists() && room.get_user_amount() == 0) room.destroy();
                reply.ok("[null]");
            });
        }
    }

private:
    static std::string body_or_empty(const shd::Request &req) { return req.body().empty() ? "{}" : req.body(); }

    static std::string member_json(const std::string &uid, const std::string &sid, const std::string &rid) {
        return "[" + shd::json_quote(uid) + "," + shd::json_quote(sid) + "," + shd::json_quote(rid) + "]";
    }

    // connector: bind, remember the room in the session (the forwarded say reads it), join on the backend.
    void join(const shd::RequestPtr &req) {
        rapidjson::Document body = req->json();
        std::string uid = shd::json_string(body, "uid");
        std::string rid = shd::json_string(body, "rid");
        if (rid.empty()) rid = kDefaultRoom;
        shd::Session &session = req->session();
        if (uid.empty() || !rpc_) return req->respond(R"({"code":500})");
        if (!handlers_->sessions().sids_by_uid(uid).empty() || session.bind(uid) != SHD_OK)
            return req->respond(R"({"code":500})");
        session.set_string("rid", rid);
        session.push("rid");
        std::string sid = host().server().id;
        std::string route_param =
            R"({"uid":)" + shd::json_quote(uid) + R"(,"settings":{"rid":)" + shd::json_quote(rid) + "}}";
        std::string args = member_json(uid, sid, rid);
        session.on_closed([this, route_param, args](const std::string &, const std::string &) {
            rpc_->call("bench", route_param, "benchRemote", "leave", args, [](shd_status, const std::string &) {});
        });
        rpc_->call("bench", route_param, "benchRemote", "add", args, [req](shd_status s, const std::string &result) {
            rapidjson::Document r = shd::parse_json_or_empty(result);
            bool ok = s == SHD_OK && r.IsArray() && !r.Empty() && r[0].IsNull();
            req->respond(ok ? R"({"code":200})" : R"({"code":500})");
        });
    }

    // backend: the sender's room gets the body as it came, encoded once per frontend.
    void say(const shd::RequestPtr &req) {
        std::string rid = req->session().get_string("rid").value_or("");
        shd::Channel room = channels_ ? channels_->get_channel(rid) : shd::Channel();
        if (rid.empty() || !room.exists()) return req->respond(R"({"code":500})");
        room.push_message("onSay", body_or_empty(*req));
        req->respond(R"({"code":200})");
    }

    std::unique_ptr<shd::Handlers> handlers_;
    std::optional<shd::Rpc> rpc_;
    std::optional<shd::ChannelService> channels_;  // on the bench backend only
};

}  // namespace

SHADDOCK_APP(BenchApp, "bench", "1.0.0", "shd.handler/1")
