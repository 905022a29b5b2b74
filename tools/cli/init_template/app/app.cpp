// The @@NAME@@ app: one library for every server type; each server registers the parts of its type.
#include "app.hpp"

#include <shaddock/cpp/plugin.hpp>

#include <memory>
#include <string>

namespace {

class GameApp : public shd::App {
public:
    using shd::App::App;

    // Before the server starts: register handlers, filters, remotes and route functions here.
    void configure() override {
        ctx_ = std::make_unique<app::Context>(host());
        ctx_->handlers = std::make_unique<shd::Handlers>(host());
        ctx_->filters = std::make_unique<shd::Filters>(host());
        ctx_->rpc.emplace(host());
        const std::string type = host().server().type;
        if (type == "connector") {
            app::add_login_filter(*ctx_);
            app::add_entry_handler(*ctx_);
        } else if (type == "game") {
            app::add_game_handler(*ctx_);
            app::add_player_remote(*ctx_);
        }
    }

    // Once every server of the cluster has started (Pomelo's afterStartAll).
    void start_all() override { host().info("@@NAME@@: " + host().server().id + " is ready"); }

private:
    std::unique_ptr<app::Context> ctx_;
};

}  // namespace

// The app's name (config/plugins.json "app"), its version, and the services it needs from the
// plugins: handlers and filters (server plugin) and RPC (rpc plugin).
SHADDOCK_APP(GameApp, "@@NAME@@", "0.1.0", "shd.handler/1 shd.filter/1 shd.rpc/1")
