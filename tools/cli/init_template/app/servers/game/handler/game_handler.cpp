// game.gameHandler.play {move}: a client request for the "game" server type. The connector forwards
// it over RPC to a game server (crc32 of the session's uid), where this handler runs with a copy of
// the client's session; the answer goes back the same way.
//
//   -> {"code":200,"uid":"alice","move":"e4","plays":1,"online":1,"server":"game-server-1"}
#include "app.hpp"

#include <shaddock/cpp/json.hpp>

#include <string>

namespace app {

void add_game_handler(Context &ctx) {
    ctx.handlers->on("game.gameHandler.play", [&ctx](shd::RequestPtr req) {
        const std::string &uid = req->session().uid();
        auto player = ctx.players.find(uid);
        if (player == ctx.players.end()) return req->respond(R"({"code":404,"msg":"not joined on this game server"})");
        ++player->second.plays;
        req->respond(R"({"code":200,"uid":)" + shd::json_quote(uid) + R"(,"move":)" +
                     shd::json_quote(shd::json_string(req->json(), "move")) + R"(,"plays":)" +
                     std::to_string(player->second.plays) + R"(,"online":)" + std::to_string(ctx.players.size()) +
                     R"(,"server":)" + shd::json_quote(ctx.host.server().id) + "}");
    });
}

}  // namespace app
