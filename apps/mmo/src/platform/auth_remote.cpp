#include "platform/auth_remote.hpp"

#include "platform/app_context.hpp"
#include "platform/codes.hpp"
#include "platform/credentials.hpp"
#include "platform/database.hpp"
#include "platform/mmo_config.hpp"

#include <Poco/Data/Session.h>

#include <chrono>

namespace mmo {
using namespace Poco::Data::Keywords;

namespace {

std::string result(int c, const std::string &user = "null") {
    return "[null," + std::to_string(c) + "," + user + "]";
}

}  // namespace

void install_auth_remote(AppContext &ctx, const MmoConfig &config, Database &db) {
    ctx.rpc->remote("authRemote", "auth", [&ctx, &config, &db](const std::string &args, shd::RpcReply reply) {
        rapidjson::Document a = shd::parse_json_or_empty(args);
        if (!a.IsArray() || a.Empty() || !a[0].IsString()) return reply.ok(result(code::entry_token_invalid));
        uint64_t now_ms = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        uint64_t uid = 0;
        switch (check_token(config.token_secret, a[0].GetString(), now_ms, config.token_expire_ms, uid)) {
            case TokenCheck::invalid: return reply.ok(result(code::entry_token_invalid));
            case TokenCheck::expired: return reply.ok(result(code::entry_token_expired));
            case TokenCheck::ok: break;
        }
        auto name = std::make_shared<std::vector<std::string>>();
        db.run(
            [uid, name](Poco::Data::Session &s) {
                Poco::Int64 id = static_cast<Poco::Int64>(uid);
                s << sql_text(s, "SELECT name FROM mmo_user WHERE id = ?"), use(id), into(*name), now;
            },
            [&ctx, uid, name, reply](bool ok, const std::string &error) {
                if (!ok) {
                    ctx.host.warn("auth: " + error);
                    return reply.ok(result(code::fail));
                }
                if (name->empty()) return reply.ok(result(code::entry_no_user));
                reply.ok(result(code::ok,
                                R"({"id":)" + std::to_string(uid) + R"(,"name":)" + shd::json_quote((*name)[0]) + "}"));
            });
    });
}

}  // namespace mmo
