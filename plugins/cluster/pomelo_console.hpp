// Pomelo's `__console__` requests (pomelo-admin's client protocol) translated to the master's admin
// commands (MasterRole::admin_command) and their results back to the answers the npm `pomelo` command
// prints. Pure, shared by the plugin and its unit test. docs/cluster.md, "Pomelo's admin clients".
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace shd::cluster {

// The admin command's JSON for a `__console__` body ({"signal", "ids", "type", "args", ...}), or false
// with `error`. list, stop [ids], kill, add (args "k=v"), restart (ids or type; neither: `all_ids`);
// any other signal is passed on as {"cmd": signal, "args": ..., ...} for admin_command to take or refuse.
bool console_to_admin_command(const rapidjson::Value &body, const std::vector<std::string> &all_ids,
                              std::string &command_json, std::string &error);

// admin_command's result ({"ok":true,...} or {"ok":false,"error":"..."}) as pomelo-admin's answer to
// `signal`: `error` (empty: none) and the body's JSON. `list_body` is the answer to a successful list
// (made by the caller from the same figures).
void admin_result_to_console(const std::string &signal, const rapidjson::Value &command, const std::string &result_json,
                             std::string &error, std::string &body_json);

// Pomelo's list entry of one server: {"serverId","serverType","pid","rss","heapTotal","heapUsed",
// "uptime"}, with the figures of `shaddock list --json` (rssKb, uptimeMs): MB and minutes as strings
// with two decimals like Pomelo's; a server has no JavaScript heap, so heapTotal/heapUsed are "-".
std::string console_list_entry(const rapidjson::Value &status);

// pomelo-cli's `show servers` and `show connections` (watchServer's `servers` and `connections`, also
// asked by `use ID`), from the result of the `list` admin command: {"msg":{id:{...}}} for `context`
// ("all" or one server id). Servers: every registered one, the master included, with host, port, pid,
// uptime (heapUsed "-"); connections: the frontends (those with a client port), their current
// connections from the servers' figures (loginedCount "-": the master does not know logins).
// False for another comd.
bool admin_list_to_watch_server(const std::string &comd, const std::string &context, const std::string &result_json,
                                std::string &error, std::string &body_json);

}  // namespace shd::cluster
