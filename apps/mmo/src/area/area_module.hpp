// The game world's entry point: the app calls install_world() once on every "area" and "path"
// server, in configure(), after the platform's handlers and RPC exist (ctx.handlers, ctx.rpc,
// ctx.areas, ctx.players). The world code registers its handlers (area.*Handler.*) and remotes
// (playerRemote.playerLeave, pathFindingRemote.findPath, ...) there and returns an object that
// lives as long as the app.
//
// This header and area_module.cpp are owned by the game-world code; the platform only provides the
// minimal stub so the app builds and starts before the world exists.
#pragma once
#include <functional>
#include <memory>

namespace mmo {
struct AppContext;

class WorldModule {
public:
    virtual ~WorldModule() = default;
    // After the app's components started (the logic thread is running, timers may be set).
    virtual void start() {}
    // Before the server stops: save what must be saved, then call done exactly once.
    virtual void stop(std::function<void()> done) { done(); }
};

// Null when this server has nothing of the world to run.
std::unique_ptr<WorldModule> install_world(AppContext &ctx);

}  // namespace mmo
