// A test app around the MMO demo's team manager (apps/mmo/src/platform/team_manager.hpp): the
// manager server runs it as the MMO app does, and the connector turns client requests into its
// remotes, so tests/mmo/team_test.js can drive teams with Pomelo clients and see their pushes.
//   connector.teamProbe.login {uid}           -> {code:200}: binds the session
//   connector.teamProbe.call {method, args}   -> {status, result}: teamRemote.<method>(...args)
#include "platform/app_context.hpp"
#include "platform/team_manager.hpp"

#include <shaddock/cpp/app.hpp>

#include <memory>

namespace {

class TeamProbe : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        ctx_ = std::make_unique<mmo::AppContext>(host());
        ctx_->handlers = std::make_unique<shd::Handlers>(host());
        ctx_->rpc.emplace(host());
        if (ctx_->server.type == "manager") {
            manager_ = mmo::install_team_manager(*ctx_);
            return;
        }
        ctx_->handlers->on("connector.teamProbe.login", [](shd::RequestPtr req) {
            shd_status s = req->session().bind(shd::json_string(req->json(), "uid"));
            req->respond(s == SHD_OK ? R"({"code":200})" : R"({"code":500})");
        });
        ctx_->handlers->on("connector.teamProbe.call", [this](shd::RequestPtr req) {
            rapidjson::Document b = req->json();
            std::string method = shd::json_string(b, "method");
            std::string args = b.IsObject() && b.HasMember("args") ? shd::to_json(b["args"]) : "[]";
            ctx_->rpc->call("manager", "{}", "teamRemote", method, args, [req](shd_status s, const std::string &result) {
                req->respond("{\"status\":" + std::to_string(static_cast<int>(s)) + ",\"result\":" +
                             (s == SHD_OK ? result : "null") + "}");
            });
        });
    }

private:
    std::unique_ptr<mmo::AppContext> ctx_;
    std::shared_ptr<mmo::TeamManager> manager_;
};

}  // namespace

SHADDOCK_APP(TeamProbe, "mmo_team_probe", "1.0.0", "shd.handler/1 shd.rpc/1")
