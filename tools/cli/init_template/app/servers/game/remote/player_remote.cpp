// playerRemote: the game server's RPC interface, called by the connector (Pomelo's
// app.rpc.game.playerRemote.join(session, uid, frontendId, cb)). Arguments and answers are JSON arrays;
// an answer is the callback's arguments, [error, data].
//
//   join  [uid, frontendId] -> [null, {"server": this server's id, "players": players here}]
//   leave [uid, frontendId] -> [null]
#include "app.hpp"

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

#include <string>

namespace app {

namespace {

// [uid, frontendId] from a remote's arguments; false when they are not two strings.
bool player_args(const std::string &args, std::string &uid, std::string &frontend_id) {
    rapidjson::Document a = shd::parse_json_or_empty(args);
    if (!a.IsArray() || a.Size() != 2 || !a[0].IsString() || !a[1].IsString()) return false;
    uid = a[0].GetString();
    frontend_id = a[1].GetString();
    return true;
}

}  // namespace

void add_player_remote(Context &ctx) {
    ctx.rpc->remote("playerRemote", "join", [&ctx](const std::string &args, shd::RpcReply reply) {
        std::string uid, frontend_id;
        if (!player_args(args, uid, frontend_id))
            return reply.ok(R"([{"code":400,"msg":"join needs [uid, frontendId]"}])");
        ctx.players[uid] = Player{frontend_id, 0};
        ctx.host.info("player " + uid + " joined from " + frontend_id);
        reply.ok(R"([null,{"server":)" + shd::json_quote(ctx.host.server().id) + R"(,"players":)" +
                 std::to_string(ctx.players.size()) + "}]");
    });
    ctx.rpc->remote("playerRemote", "leave", [&ctx](const std::string &args, shd::RpcReply reply) {
        std::string uid, frontend_id;
        if (!player_args(args, uid, frontend_id))
            return reply.ok(R"([{"code":400,"msg":"leave needs [uid, frontendId]"}])");
        auto player = ctx.players.find(uid);
        // Only the session that joined may end the player: a newer login from another connector stays.
        if (player != ctx.players.end() && player->second.frontend_id == frontend_id) {
            ctx.players.erase(player);
            ctx.host.info("player " + uid + " left");
        }
        reply.ok("[null]");
    });
}

}  // namespace app
