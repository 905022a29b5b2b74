// connector.entryHandler.login {uid}: binds the session to the uid, then joins the player on a game
// server with an RPC (playerRemote.join). The game server is chosen by the default route, crc32 of
// the uid, so the player's forwarded game.* requests reach the same one.
//
//   -> {"code":200,"uid":"alice","game":{"server":"game-server-1","players":1}}
#include "app.hpp"

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

#include <string>

namespace app {

void add_entry_handler(Context &ctx) {
    ctx.handlers->on("connector.entryHandler.login", [&ctx](shd::RequestPtr req) {
        const std::string uid = shd::json_string(req->json(), "uid");
        if (uid.empty() || uid.size() > 64) return req->respond(R"({"code":400,"msg":"login needs a uid"})");
        shd::Session &session = req->session();
        if (!session.uid().empty()) return req->respond(R"({"code":409,"msg":"already logged in"})");
        if (!ctx.handlers->sessions().sids_by_uid(uid).empty())
            return req->respond(R"({"code":409,"msg":"this uid is logged in elsewhere"})");
        if (session.bind(uid) != SHD_OK) return req->respond(R"({"code":500,"msg":"bind failed"})");

        // The route parameter carries the uid the route function hashes; the arguments are the
        // remote's, as a JSON array.
        const std::string route_param = R"({"uid":)" + shd::json_quote(uid) + "}";
        const std::string args = "[" + shd::json_quote(uid) + "," + shd::json_quote(ctx.host.server().id) + "]";
        session.on_closed([&ctx, route_param, args](const std::string &, const std::string &) {
            ctx.rpc->call("game", route_param, "playerRemote", "leave", args, [](shd_status, const std::string &) {});
        });
        ctx.rpc->call(
            "game", route_param, "playerRemote", "join", args,
            [req, uid](shd_status status, const std::string &result) {
                // The remote answers Pomelo's callback arguments: [error, data].
                rapidjson::Document r = shd::parse_json_or_empty(result);
                if (status != SHD_OK || !r.IsArray() || r.Size() != 2 || !r[0].IsNull() || !r[1].IsObject()) {
                    req->session().unbind(uid);  // not in the game: the client may try again
                    return req->respond(R"({"code":500,"msg":"no game server answered"})");
                }
                req->respond(R"({"code":200,"uid":)" + shd::json_quote(uid) + R"(,"game":)" + shd::to_json(r[1]) + "}");
            });
    });
}

}  // namespace app
