// The MMO demo (a port of lordofpomelo): one app for every server type. configure() builds the shared
// context and installs the parts of this server's type:
//   gate       gate.gateHandler.queryEntry
//   connector  connector.entryHandler.entry, connector.roleHandler.createPlayer, connector.timeSyncHandler.timeSync
//   auth       authRemote.auth (token check)
//   every server with RPC: the area route (the session's serverId), the chat and manager routes (the one of each)
//   chat       chat.chatHandler.send, chatRemote.add/kick
//   manager    teamRemote.* (teams), instanceRemote.* (which instance server holds which instance)
//   web        the HTTP login/register endpoint and the web client's files
//   area, path the game world (area/area_module.hpp)
#include "area/area_module.hpp"
#include "platform/app_context.hpp"
#include "platform/auth_remote.hpp"
#include "platform/chat_service.hpp"
#include "platform/connector_logins.hpp"
#include "platform/database.hpp"
#include "platform/gate_handler.hpp"
#include "platform/instance_manager.hpp"
#include "platform/login_web.hpp"
#include "platform/mmo_config.hpp"
#include "platform/player_store.hpp"
#include "platform/team_manager.hpp"

#include <shaddock/ext/handler.h>
#include <shaddock/ext/rpc.h>
#include <shaddock/ext/sync.h>
#include <shaddock/cpp/app.hpp>

#include <memory>

namespace {

class MmoApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        ctx_ = std::make_unique<mmo::AppContext>(host());
        mmo::AppContext &ctx = *ctx_;
        ctx.areas.load(host());
        if (host().find<shd_handler_service_v1>(SHD_HANDLER_SERVICE_ID).first)
            ctx.handlers = std::make_unique<shd::Handlers>(host());
        if (host().find<shd_rpc_v1>(SHD_RPC_SERVICE_ID).first) {
            ctx.rpc.emplace(host());
            mmo::install_area_route(*ctx.rpc);
            // One chat server holds every channel and one manager every team (as lordofpomelo's): the first.
            for (const char *single : {"chat", "manager"})
                ctx.rpc->route(single, [](const std::string &, const std::vector<std::string> &candidates) {
                    return candidates.empty() ? std::string() : candidates.front();
                });
        }
        const std::string &type = ctx.server.type;
        if (type == "web" || type == "auth" || type == "connector" || type == "area") {
            config_ = mmo::load_mmo_config(host());
            db_ = std::make_unique<mmo::Database>(host());
        }
        if (type == "connector" || type == "area") {
            bool with_sync = host().find<shd_sync_service_v1>(SHD_SYNC_SERVICE_ID).first != nullptr;
            players_ = std::make_unique<mmo::PlayerStore>(host(), *db_, with_sync);
            ctx.players = players_.get();
        }
        if (type == "gate") mmo::install_gate_handler(ctx);
        if (type == "auth") mmo::install_auth_remote(ctx, config_, *db_);
        if (type == "connector") keep_.push_back(mmo::install_connector_logins(ctx));
        if (type == "chat") keep_.push_back(mmo::install_chat_service(ctx));
        if (type == "manager") {
            keep_.push_back(mmo::install_team_manager(ctx));
            keep_.push_back(mmo::install_instance_manager(ctx));
        }
        if (type == "area" || type == "path") world_ = mmo::install_world(ctx);
    }

    void start() override {
        if (ctx_->server.type == "web") web_ = mmo::start_login_web(*ctx_, config_, *db_);
        if (world_) world_->start();
    }

    void stop(shd::Done done) override {
        if (web_) mmo::stop_login_web(*web_);
        if (!world_) return done();
        world_->stop([done] { done(); });
    }

private:
    // Destroyed bottom-up: the parts that use the store, the database and the context go first.
    std::unique_ptr<mmo::AppContext> ctx_;
    mmo::MmoConfig config_;
    std::unique_ptr<mmo::Database> db_;
    std::unique_ptr<mmo::PlayerStore> players_;
    std::shared_ptr<mmo::LoginWeb> web_;
    std::vector<std::shared_ptr<void>> keep_;  // the installed parts of this server
    std::unique_ptr<mmo::WorldModule> world_;
};

}  // namespace

// Required services: none for all types (the web server has no handler service).
SHADDOCK_APP(MmoApp, "mmo", "0.1.0", "")
