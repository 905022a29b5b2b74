// A test app around the MMO demo's manager server (apps/mmo/src/platform/team_manager.hpp,
// instance_manager.hpp): the manager runs them as the MMO app does, the connector turns client
// requests into their remotes, and the instance servers stand in for the world's areaRemote.create,
// so tests/mmo/manager_test.js can drive teams and instances with Pomelo clients.
//   connector.teamProbe.login {uid}                    -> {code:200}: binds the session
//   connector.teamProbe.call {method, args, service?, serverType?}
//                                                       -> {status, result}: <service>.<method>(...args)
//                                                          on a server of serverType (teamRemote on the
//                                                          manager by default)
// And the MMO's path server (area/path_server.hpp) on path-server-1, for pathFindingRemote.findPath.
//   instance servers: areaRemote.create [{areaId, instanceId}] answers [null] and counts the call,
//   except for areaId 99 (an error); connector.teamProbe.made {serverId} -> the instances it made;
//   areaRemote.teamLeft is recorded: connector.teamProbe.made {serverId, what: "left"} -> its arguments
// And the area route (platform/area_directory.hpp): connector.teamProbe.goto {serverId} sets the
// session's serverId; area.probe.where {} answers {serverId} of the area server that got it.
#include "area/path_server.hpp"
#include "platform/app_context.hpp"
#include "platform/area_directory.hpp"
#include "platform/instance_manager.hpp"
#include "platform/team_manager.hpp"

#include <shaddock/cpp/app.hpp>
#include <shaddock/cpp/json.hpp>

#include <memory>

namespace {

class ManagerProbe : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        ctx_ = std::make_unique<mmo::AppContext>(host());
        ctx_->handlers = std::make_unique<shd::Handlers>(host());
        ctx_->rpc.emplace(host());
        mmo::install_area_route(*ctx_->rpc);
        if (ctx_->server.type == "path") {
            path_ = std::make_unique<mmo::PathServer>(*ctx_);
            return;
        }
        if (ctx_->server.type == "manager") {
            manager_ = mmo::install_team_manager(*ctx_);
            instances_ = mmo::install_instance_manager(*ctx_);
            return;
        }
        if (ctx_->server.type == "area") {
            ctx_->rpc->remote("areaRemote", "create", [this](const std::string &args, shd::RpcReply reply) {
                rapidjson::Document a = shd::parse_json_or_empty(args);
                if (!a.IsArray() || a.Empty() || !a[0].IsObject() || !a[0].HasMember("areaId") || a[0]["areaId"] == 99)
                    return reply.fail(SHD_ERR_INVALID, "\"no such area\"");
                made_.push_back(shd::json_string(a[0], "instanceId"));
                reply.ok("[null]");
            });
            ctx_->handlers->on("area.probe.where", [this](shd::RequestPtr req) {
                req->respond(R"({"serverId":)" + shd::json_quote(ctx_->server.id) + "}");
            });
            ctx_->rpc->remote("probeRemote", "made", [this](const std::string &, shd::RpcReply reply) {
                reply.ok("[" + shd::json_string_array(made_) + "]");
            });
            // The manager telling this server that a player left its team: [playerId, teamId] each.
            ctx_->rpc->remote("areaRemote", "teamLeft", [this](const std::string &args, shd::RpcReply reply) {
                left_.push_back(args);
                reply.ok(R"([null,{"result":1}])");
            });
            ctx_->rpc->remote("probeRemote", "left", [this](const std::string &, shd::RpcReply reply) {
                std::string list;
                for (const auto &l : left_) list += (list.empty() ? "" : ",") + l;
                reply.ok("[[" + list + "]]");
            });
            return;
        }
        ctx_->handlers->on("connector.teamProbe.login", [](shd::RequestPtr req) {
            shd_status s = req->session().bind(shd::json_string(req->json(), "uid"));
            req->respond(s == SHD_OK ? R"({"code":200})" : R"({"code":500})");
        });
        ctx_->handlers->on("connector.teamProbe.call", [this](shd::RequestPtr req) {
            rapidjson::Document b = req->json();
            std::string method = shd::json_string(b, "method");
            std::string service = shd::json_string(b, "service", "teamRemote");
            std::string type = shd::json_string(b, "serverType", "manager");
            std::string args = b.IsObject() && b.HasMember("args") ? shd::to_json(b["args"]) : "[]";
            ctx_->rpc->call(type, "{}", service, method, args, [req](shd_status s, const std::string &result) {
                req->respond("{\"status\":" + std::to_string(static_cast<int>(s)) +
                             ",\"result\":" + (s == SHD_OK ? result : "null") + "}");
            });
        });
        ctx_->handlers->on("connector.teamProbe.goto", [](shd::RequestPtr req) {
            req->session().set_string("serverId", shd::json_string(req->json(), "serverId"));
            req->respond(req->session().push("serverId") == SHD_OK ? R"({"code":200})" : R"({"code":500})");
        });
        ctx_->handlers->on("connector.teamProbe.made", [this](shd::RequestPtr req) {
            const std::string what = shd::json_string(req->json(), "what", "made");  // or "left"
            ctx_->rpc->to_server(shd::json_string(req->json(), "serverId"), "area", "probeRemote", what, "[]",
                                 [req](shd_status s, const std::string &result) {
                                     req->respond("{\"status\":" + std::to_string(static_cast<int>(s)) +
                                                  ",\"result\":" + (s == SHD_OK ? result : "null") + "}");
                                 });
        });
    }

private:
    std::unique_ptr<mmo::AppContext> ctx_;
    std::shared_ptr<mmo::TeamManager> manager_;
    std::shared_ptr<mmo::InstanceManager> instances_;
    std::unique_ptr<mmo::PathServer> path_;  // the path server: pathFindingRemote.findPath
    std::vector<std::string> made_;  // instance servers: the instances asked for
    std::vector<std::string> left_;  // instance servers: the teamLeft calls' arguments
};

}  // namespace

SHADDOCK_APP(ManagerProbe, "mmo_manager_probe", "1.0.0", "shd.handler/1 shd.rpc/1")
