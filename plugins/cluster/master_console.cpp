// The master's admin console beyond list/stop/kill/start/add/restart (docs/cluster.md, "Admin console
// messages"; docs/operations.md, "Admin console"): Pomelo's __console__ signals addCron, removeCron,
// blacklist, set/get settings and enable/disable modules, the monitoring modules (systemInfo, nodeInfo,
// monitorLog, watchServer, components) and the modules apps and plugins register through "shd.admin/1".
// Each command names its servers (ids, a type, or every one), the master sends each a "console" request
// over its sealed link (answering for itself directly), and answers the admin user once every server
// has answered, failed, or let consoleTimeout pass. [logic]
#include "console_agent.hpp"
#include "master_role.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <algorithm>

namespace shd::cluster {

namespace {

std::string field(const rapidjson::Value &o, const char *key) {
    return o.IsObject() && o.HasMember(key) && o[key].IsString()
               ? std::string(o[key].GetString(), o[key].GetStringLength())
               : std::string();
}

bool module_name_ok(const std::string &name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
}

// The entry's "frontend": true or "true" (Pomelo passes strings).
bool frontend_entry(const std::string &json) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (!d.IsObject() || !d.HasMember("frontend")) return false;
    const auto &v = d["frontend"];
    return (v.IsBool() && v.GetBool()) || (v.IsString() && std::string(v.GetString()) == "true");
}

// What one console command asks of each server: the op and module of the "console" request, and its body.
struct ConsolePlan {
    std::string op = "call", module, body = "null";
    bool writes = false;          // level 1 only
    bool frontends_only = false;  // by default, every frontend (blacklist) instead of every server
};

// Reads a console command into a plan; false with `error` for a malformed one.
bool plan_console(const std::string &cmd, const rapidjson::Value &msg, ConsolePlan &plan, std::string &error) {
    std::string op = field(msg, "op");
    const rapidjson::Value *body = msg.HasMember("body") ? &msg["body"] : nullptr;
    if (cmd == "info") {
        plan.module = field(msg, "module");
        static const char *const readonly[] = {"systemInfo", "nodeInfo", "monitorLog", "watchServer", "components"};
        if (std::find(std::begin(readonly), std::end(readonly), plan.module) == std::end(readonly)) {
            error = "info: module: expected systemInfo, nodeInfo, monitorLog, watchServer or components";
            return false;
        }
        plan.body = body ? to_json(*body) : "{}";
        return true;
    }
    if (cmd == "module") {
        plan.module = field(msg, "module");
        if (op == "list") {
            plan.op = "list";
            return true;
        }
        if (op != "enable" && op != "disable" && op != "call") {
            error = "module: op: expected list, enable, disable or call";
            return false;
        }
        if (!module_name_ok(plan.module)) {
            error = "module: module: expected a module name (1 to 64 of A-Z a-z 0-9 _ . -)";
            return false;
        }
        plan.op = op;
        plan.writes = true;
        plan.body = body ? to_json(*body) : "null";
        return true;
    }
    if (cmd == "settings") {
        plan.module = "settings";
        std::string key = field(msg, "key");
        if (op != "get" && op != "set" && op != "list") {
            error = "settings: op: expected get, set or list";
            return false;
        }
        if (op != "list" && (key.empty() || key.size() > 256)) {
            error = "settings: key: expected a text of 1 to 256 bytes";
            return false;
        }
        if (op == "set" && !msg.HasMember("value")) {
            error = "settings: set needs a value (any JSON value)";
            return false;
        }
        plan.writes = op == "set";
        plan.body = R"({"op":)" + json_quote(op) + (key.empty() ? "" : R"(,"key":)" + json_quote(key)) +
                    (op == "set" ? R"(,"value":)" + to_json(msg["value"]) : std::string()) + "}";
        return true;
    }
    if (cmd == "cron" || cmd == "addCron" || cmd == "removeCron") {
        if (cmd == "addCron") op = "add";
        if (cmd == "removeCron") op = "remove";
        plan.module = "cron";
        if (op == "list") {
            plan.body = R"({"op":"list"})";
            return true;
        }
        plan.writes = true;
        if (op == "add") {
            if (!msg.HasMember("cron") || !msg["cron"].IsObject()) {
                error = "addCron: cron: expected an entry {\"id\", \"time\", \"action\"} as in crons.json";
                return false;
            }
            plan.body = R"({"op":"add","crons":[)" + to_json(msg["cron"]) + "]}";
            return true;
        }
        if (op == "remove") {
            if (!msg.HasMember("id") || !(msg["id"].IsString() || msg["id"].IsNumber())) {
                error = "removeCron: id: expected the cron's id";
                return false;
            }
            plan.body = R"({"op":"remove","ids":[)" + to_json(msg["id"]) + "]}";
            return true;
        }
        error = "cron: op: expected add, remove or list";
        return false;
    }
    if (cmd == "blacklist") {
        plan.module = "blacklist";
        plan.frontends_only = true;
        if (op.empty()) op = "add";  // Pomelo's blacklist signal adds addresses
        if (op == "list") {
            plan.body = R"({"op":"list"})";
            return true;
        }
        if (op != "add" && op != "remove") {
            error = "blacklist: op: expected add, remove or list";
            return false;
        }
        if (!msg.HasMember("ips") || !msg["ips"].IsArray() || msg["ips"].Empty()) {
            error = "blacklist: ips: expected a list of IP addresses";
            return false;
        }
        plan.writes = true;
        plan.body = R"({"op":)" + json_quote(op) + R"(,"ips":)" + to_json(msg["ips"]) + "}";
        return true;
    }
    error = "unknown command " + cmd;
    return false;
}

}  // namespace

bool MasterRole::is_console_command(const std::string &cmd) {
    return cmd == "info" || cmd == "module" || cmd == "settings" || cmd == "cron" || cmd == "addCron" ||
           cmd == "removeCron" || cmd == "blacklist";
}

void MasterRole::console_command(const AdminCaller &caller, const rapidjson::Value &msg) {
    std::string cmd = field(msg, "cmd"), type = field(msg, "type");
    std::vector<std::string> ids;
    ConsolePlan plan;
    std::string error;
    bool planned = plan_console(cmd, msg, plan, error);
    // A malformed target must not widen a write to every server.
    if (msg.HasMember("ids")) {
        const auto &v = msg["ids"];
        bool strings = v.IsArray();
        if (strings)
            for (const auto &id : v.GetArray()) {
                if (!id.IsString())
                    strings = false;
                else
                    ids.emplace_back(id.GetString(), id.GetStringLength());
            }
        if (!strings && planned) {
            planned = false;
            error = "ids: expected a list of server ids";
        }
    }
    if (msg.HasMember("type") && !msg["type"].IsString() && planned) {
        planned = false;
        error = "type: expected a server type";
    }
    std::string shown = cmd;
    for (const char *key : {"op", "module", "key"})
        if (!field(msg, key).empty()) shown += " " + field(msg, key);
    if (!type.empty()) shown += " -t " + type;
    for (const auto &id : ids) shown += " " + id;
    if (planned && plan.body != "null" && plan.body != "{}") shown += " " + plan.body;
    if (!planned) return admin_reply(caller, shown, false, error);
    if (plan.writes && caller.level > 1)
        return admin_reply(caller, shown, false, "command level not allowed for this user",
                           "refused (level " + std::to_string(caller.level) + ")");
    if (plan.body.size() > kMaxConsoleRequest)
        return admin_reply(caller, shown, false,
                           "the request is " + std::to_string(plan.body.size()) + " bytes, over the limit of " +
                               std::to_string(kMaxConsoleRequest));
    // The body goes one level deeper in the server's frame than it came (a setting's value, a cron
    // entry): refused here, it would otherwise fail the server's depth check and cost it its link.
    rapidjson::Document depth_check;
    if (!pomelo::parse_json(plan.body, depth_check, kMaxLinkJsonDepth - 1))
        return admin_reply(caller, shown, false,
                           "the request nests deeper than " + std::to_string(kMaxLinkJsonDepth - 1) + " levels");
    if (stopping_) return admin_reply(caller, shown, false, "the master is stopping");

    // The servers: by id (the master's own id included), by type ("master" too), else every one (every
    // frontend for the blacklist).
    const std::string master_id = host_.server().id;
    std::vector<std::string> targets;
    auto take = [&](const std::string &id) {
        if (std::find(targets.begin(), targets.end(), id) == targets.end()) targets.push_back(id);
    };
    for (const auto &id : ids) {
        if (id != master_id && !children_.count(id))
            return admin_reply(caller, shown, false, "unknown server id: " + id, "refused (unknown server id)");
        take(id);
    }
    if (!type.empty()) {
        if (type == "master") take(master_id);
        for (const auto &id : order_)
            if (children_.at(id).type == type) take(id);
        if (type != "master" && targets.empty()) return admin_reply(caller, shown, false, "no server of type " + type);
    }
    if (ids.empty() && type.empty()) {
        if (!plan.frontends_only) take(master_id);
        for (const auto &id : order_)
            if (!plan.frontends_only || frontend_entry(children_.at(id).json)) take(id);
        if (targets.empty()) return admin_reply(caller, shown, false, "no frontend server in the cluster");
    }

    const uint64_t call_id = next_console_++;
    ConsoleCall &call = console_calls_[call_id];
    call.caller = caller;
    call.shown = shown;
    call.ids = targets;
    for (const auto &id : targets) {
        const uint64_t req = next_console_++;
        std::string frame = R"({"t":"console","req":)" + std::to_string(req) + R"(,"op":)" + json_quote(plan.op) +
                            R"(,"module":)" + json_quote(plan.module) + R"(,"body":)" + plan.body + "}";
        if (id == master_id) {
            rapidjson::Document request, answer;
            request.Parse(frame.data(), frame.size());
            std::string text = console_answer(host_, request);
            pomelo::parse_json(text, answer);
            console_record(call, id, answer);
            continue;
        }
        const Child &c = children_.at(id);
        if (!c.link) {
            call.results[id] = R"({"id":)" + json_quote(id) + R"(,"ok":false,"error":)" +
                               json_quote(c.pid > 0 ? "not registered with the master (yet)" : "not running") + "}";
            continue;
        }
        console_reqs_[req] = {call_id, id};
        c.link->send(frame);
    }
    if (call.results.size() < call.ids.size())
        call.timer = host_.after(static_cast<uint64_t>(options_.console_timeout_ms),
                                 [this, call_id] { console_expire(call_id); });
    console_finish_if_done(call_id);
}

void MasterRole::console_record(ConsoleCall &call, const std::string &id, const rapidjson::Value &answer) {
    bool ok = answer.IsObject() && answer.HasMember("ok") && answer["ok"].IsBool() && answer["ok"].GetBool();
    std::string entry = R"({"id":)" + json_quote(id);
    if (ok)
        entry += R"(,"ok":true,"answer":)" + (answer.HasMember("answer") ? to_json(answer["answer"]) : "null") + "}";
    else
        entry += R"(,"ok":false,"error":)" +
                 json_quote(field(answer, "error").empty() ? std::string("no answer") : field(answer, "error")) + "}";
    call.results[id] = entry;
}

void MasterRole::console_result(const std::string &id, const rapidjson::Document &msg) {
    uint64_t req = msg.HasMember("req") && msg["req"].IsUint64() ? msg["req"].GetUint64() : 0;
    auto it = console_reqs_.find(req);
    // An answer to no request of this server (late, after the timeout; or a confused server): dropped.
    if (it == console_reqs_.end() || it->second.second != id) return;
    uint64_t call_id = it->second.first;
    console_reqs_.erase(it);
    auto cit = console_calls_.find(call_id);
    if (cit == console_calls_.end()) return;
    console_record(cit->second, id, msg);
    console_finish_if_done(call_id);
}

void MasterRole::console_link_closed(const std::string &id) {
    std::vector<uint64_t> touched;
    for (auto it = console_reqs_.begin(); it != console_reqs_.end();) {
        if (it->second.second != id) {
            ++it;
            continue;
        }
        auto cit = console_calls_.find(it->second.first);
        if (cit != console_calls_.end()) {
            cit->second.results[id] = R"({"id":)" + json_quote(id) +
                                      R"(,"ok":false,"error":"its link to the master closed before it answered"})";
            touched.push_back(it->second.first);
        }
        it = console_reqs_.erase(it);
    }
    for (uint64_t call_id : touched) console_finish_if_done(call_id);
}

void MasterRole::console_expire(uint64_t call_id) {
    auto cit = console_calls_.find(call_id);
    if (cit == console_calls_.end()) return;
    cit->second.timer = 0;
    for (auto it = console_reqs_.begin(); it != console_reqs_.end();) {
        if (it->second.first != call_id) {
            ++it;
            continue;
        }
        cit->second.results[it->second.second] =
            R"({"id":)" + json_quote(it->second.second) + R"(,"ok":false,"error":)" +
            json_quote("no answer within " + std::to_string(options_.console_timeout_ms) + " ms (consoleTimeout)") +
            "}";
        it = console_reqs_.erase(it);
    }
    console_finish_if_done(call_id);
}

void MasterRole::console_finish_if_done(uint64_t call_id) {
    auto cit = console_calls_.find(call_id);
    if (cit == console_calls_.end() || cit->second.results.size() < cit->second.ids.size()) return;
    ConsoleCall call = std::move(cit->second);
    console_calls_.erase(cit);
    if (call.timer) host_.cancel(call.timer);
    std::string results = "[", first_error;
    size_t failures = 0;
    for (const auto &id : call.ids) {
        std::string &entry = call.results[id];
        // Many servers' answers together must still fit the admin user's frames (and its queue).
        if (results.size() + entry.size() > kMaxConsoleTotal)
            entry = R"({"id":)" + json_quote(id) + R"(,"ok":false,"error":)" +
                    json_quote("answer dropped: the servers' answers together would pass " +
                               std::to_string(kMaxConsoleTotal >> 20) + " MiB; ask fewer servers") +
                    "}";
        if (results.size() > 1) results += ",";
        results += entry;
        rapidjson::Document d;
        d.Parse(entry.data(), entry.size());
        if (d.IsObject() && d.HasMember("ok") && d["ok"].IsBool() && !d["ok"].GetBool()) {
            ++failures;
            if (first_error.empty()) first_error = id + ": " + field(d, "error");
        }
    }
    results += "]";
    std::string error = failures == 0 ? std::string()
                        : failures == 1
                            ? first_error
                            : first_error + " (and " + std::to_string(failures - 1) + " more server(s) failed)";
    call.caller.answer(R"({"ok":)" + std::string(failures == 0 ? "true" : "false") +
                       (failures ? R"(,"error":)" + json_quote(error) : std::string()) + R"(,"results":)" + results +
                       "}");
    audit(call.caller.user, call.caller.address, call.shown,
          failures == 0 ? std::string("ok")
                        : std::to_string(failures) + " of " + std::to_string(call.ids.size()) + " failed (" +
                              first_error.substr(0, 200) + ")");
}

}  // namespace shd::cluster
