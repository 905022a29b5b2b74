// The web server's HTTP port (lordofpomelo's web-server on :3001): the web client's files and the
// login endpoint.
//   POST /register {name, password}     -> {code:200, token, uid}; 501 the name is taken; 500 otherwise
//   POST /login    {username, password} -> {code:200, token, uid}; 500 unknown user; 501 wrong password
// Hostile input: a body over login.maxBodyBytes is 413 (the HTTP server), a body that is not a JSON
// object with the string fields is 400 {code:500}, more than login.attemptsPerMinute attempts of one
// address in a minute are 429 {code:500}, and so are the logins of a name with login.failuresPerName
// wrong passwords in the minute; more than login.maxPendingHashes requests waiting for a password
// hash are 503; a POST without Content-Type: application/json (what another site's page could make
// a browser send) is 415. GET and HEAD serve web-server/public, confined to it.
//
// It runs on a server type of its own ("web", no client port, no RPC): it needs the database but no
// sessions, and keeps the slow password hashing (PBKDF2, on the database thread) away from the
// servers players are connected to. The port is the server's "httpPort" property in servers.json,
// on its "httpHost" (default: its "host").
#pragma once
#include <memory>

namespace mmo {
struct AppContext;
struct MmoConfig;
class Database;

class LoginWeb;
// Starts listening; throws std::runtime_error when the port cannot be had.
std::shared_ptr<LoginWeb> start_login_web(AppContext &ctx, const MmoConfig &config, Database &db);
void stop_login_web(LoginWeb &web);

}  // namespace mmo
