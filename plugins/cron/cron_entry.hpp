// Cron entries as Pomelo writes them in config/crons.json, checked field by field:
//   {"development": {"chat": [{"id": 1, "time": "0 30 10 * * *", "action": "chatCron.send",
//                              "serverId": "chat-server-1"}]}}
// Errors name the file, the entry and the field, e.g.
//   config/crons.json: chat[0].time: "0 61 * * * *" is not a cron expression: minute field "61": ...
#pragma once

#include "cron_expression.hpp"

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace shd::cron {

struct CronEntry {
    std::string id;    // the id as JSON text (1, "daily"): ids are numbers or strings, as in Pomelo
    std::string time;  // the expression as written
    CronExpression expression;
    std::string action;     // "cronFile.method"
    std::string server_id;  // "" when absent
    std::string json;       // the whole entry, handed to the action
};

// One entry; `where` locates it in errors ("config/crons.json: chat[0]"). Throws shd::Error
// (SHD_ERR_INVALID).
CronEntry parse_cron_entry(const rapidjson::Value &entry, const std::string &where);

// The crons of this server from a resolved crons.json (server type -> entries): every entry of the
// type is checked, those whose serverId names another server are left out, and an id used twice
// among the rest is an error. `file` names the file in errors.
std::vector<CronEntry> crons_for_server(const rapidjson::Value &doc, const std::string &file,
                                        const std::string &server_type, const std::string &server_id);

// Whether an action name has exactly two non-empty dot-separated parts ("cronFile.method").
bool valid_action_name(std::string_view action);

}  // namespace shd::cron
