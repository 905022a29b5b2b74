#include "cron_entry.hpp"

#include <shaddock/cpp/handler.hpp>

#include <map>

namespace shd::cron {

namespace {

[[noreturn]] void fail(const std::string &where, const std::string &why) {
    throw Error(SHD_ERR_INVALID, where + why);
}

std::string shown(const rapidjson::Value &v) {
    std::string text = to_json(v);
    return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

}  // namespace

bool valid_action_name(std::string_view action) {
    size_t dot = action.find('.');
    return dot != std::string_view::npos && dot > 0 && dot + 1 < action.size() &&
           action.find('.', dot + 1) == std::string_view::npos;
}

CronEntry parse_cron_entry(const rapidjson::Value &v, const std::string &where) {
    if (!v.IsObject())
        fail(where, ": expected an object {\"id\", \"time\", \"action\", \"serverId\"?}, got " + shown(v));
    for (const auto &m : v.GetObject()) {
        std::string key(m.name.GetString(), m.name.GetStringLength());
        if (key != "id" && key != "time" && key != "action" && key != "serverId")
            fail(where, "." + key + ": unknown key; expected one of: id, time, action, serverId");
    }
    CronEntry e;
    if (!v.HasMember("id")) fail(where, ".id: missing");
    const rapidjson::Value &id = v["id"];
    if (!(id.IsNumber() || (id.IsString() && id.GetStringLength() > 0)))
        fail(where, ".id: expected a number or a non-empty string, got " + shown(id));
    e.id = to_json(id);

    if (!v.HasMember("time")) fail(where, ".time: missing");
    if (!v["time"].IsString()) fail(where, ".time: expected a cron expression string, got " + shown(v["time"]));
    e.time = v["time"].GetString();
    try {
        e.expression = CronExpression::parse(e.time);
    } catch (const CronSyntaxError &err) {
        fail(where, ".time: \"" + e.time + "\" is not a cron expression: " + err.what());
    }

    if (!v.HasMember("action")) fail(where, ".action: missing");
    if (!v["action"].IsString() || !valid_action_name(v["action"].GetString()))
        fail(where, ".action: expected \"cronFile.method\", got " + shown(v["action"]));
    e.action = v["action"].GetString();

    if (v.HasMember("serverId")) {
        if (!v["serverId"].IsString())
            fail(where, ".serverId: expected a server id string, got " + shown(v["serverId"]));
        e.server_id = v["serverId"].GetString();
    }
    e.json = to_json(v);
    return e;
}

std::vector<CronEntry> crons_for_server(const rapidjson::Value &doc, const std::string &file,
                                        const std::string &server_type, const std::string &server_id) {
    std::vector<CronEntry> out;
    if (!doc.IsObject()) fail(file, ": expected an object of server types to lists of crons");
    auto it = doc.FindMember(server_type.c_str());
    if (it == doc.MemberEnd()) return out;
    if (!it->value.IsArray()) fail(file, ": " + server_type + ": expected a list of crons, got " + shown(it->value));
    std::map<std::string, std::string> seen;  // id -> where it was first used
    for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
        std::string where = file + ": " + server_type + "[" + std::to_string(i) + "]";
        CronEntry e = parse_cron_entry(it->value[i], where);
        if (!e.server_id.empty() && e.server_id != server_id) continue;
        auto [first, fresh] = seen.emplace(e.id, server_type + "[" + std::to_string(i) + "]");
        if (!fresh) fail(where, ".id: " + e.id + " is already used by " + first->second);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace shd::cron
