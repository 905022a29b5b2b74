// What the parts of the app share. One app library runs on every server type of config/plugins.json
// ("app": serverTypes); app.cpp registers, per server type, the parts that belong there:
//
//   connector (frontend)  filters/login_filter.cpp                  every client request, first
//                         servers/connector/handler/entry_handler   connector.entryHandler.login
//   game (backend)        servers/game/handler/game_handler         game.gameHandler.play (forwarded)
//                         servers/game/remote/player_remote         playerRemote.join / leave (RPC)
//
// Everything here runs on the server's logic thread, one callback at a time: no locks needed.
#pragma once

#include <shaddock/cpp/filter.hpp>
#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/rpc.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace app {

// A player who joined this game server (playerRemote.join).
struct Player {
    std::string frontend_id;  // the connector holding the player's session
    uint64_t plays = 0;       // game.gameHandler.play requests so far
};

// One per server process, owned by the app object; the parts keep references to it.
struct Context {
    explicit Context(const shd::Host &h) : host(h) {}

    shd::Host host;
    std::unique_ptr<shd::Handlers> handlers;  // client routes served by this server
    std::unique_ptr<shd::Filters> filters;    // filters run on this server
    std::optional<shd::Rpc> rpc;              // calls to other servers, remotes for them
    std::map<std::string, Player> players;    // game servers: uid -> player
};

void add_login_filter(Context &ctx);   // connector
void add_entry_handler(Context &ctx);  // connector
void add_game_handler(Context &ctx);   // game
void add_player_remote(Context &ctx);  // game

}  // namespace app
