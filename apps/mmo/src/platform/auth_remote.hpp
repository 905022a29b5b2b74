// The auth server's remote authRemote.auth(token) -> [null, code, user]: 200 with the user
// {id, name}; 1001 a token that does not authenticate; 1002 an expired one; 1003 no such user;
// 500 a database error. Tokens: credentials.hpp.
#pragma once

namespace mmo {
struct AppContext;
struct MmoConfig;
class Database;
void install_auth_remote(AppContext &ctx, const MmoConfig &config, Database &db);
}  // namespace mmo
