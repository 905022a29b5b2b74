#include "pomelo_console.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

namespace shd::cluster {

namespace {

std::string str(const rapidjson::Value &o, const char *key) {
    return o.IsObject() && o.HasMember(key) && o[key].IsString()
               ? std::string(o[key].GetString(), o[key].GetStringLength())
               : std::string();
}

// A string array member (absent or null: empty); false when it is something else.
bool string_array(const rapidjson::Value &o, const char *key, std::vector<std::string> &out) {
    if (!o.HasMember(key) || o[key].IsNull()) return true;
    if (!o[key].IsArray()) return false;
    for (const auto &v : o[key].GetArray()) {
        if (!v.IsString()) return false;
        out.emplace_back(v.GetString(), v.GetStringLength());
    }
    return true;
}

std::string quoted_array(const std::vector<std::string> &items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + json_quote(items[i]);
    return out + "]";
}

std::string fixed2(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

}  // namespace

bool console_to_admin_command(const rapidjson::Value &body, const std::vector<std::string> &all_ids,
                              std::string &command_json, std::string &error) {
    if (!body.IsObject()) return error = "the request's body is not an object", false;
    std::string signal = str(body, "signal");
    if (signal.empty()) return error = "the request names no signal", false;
    std::vector<std::string> ids, args;
    if (!string_array(body, "ids", ids)) return error = "ids: expected an array of server ids", false;
    if (!string_array(body, "args", args)) return error = "args: expected an array of strings", false;
    std::string type = str(body, "type");
    if (signal == "list" || signal == "kill") {
        command_json = R"({"cmd":)" + json_quote(signal) + "}";
    } else if (signal == "stop") {
        command_json = R"({"cmd":"stop","ids":)" + quoted_array(ids) + "}";
    } else if (signal == "restart") {
        if (ids.empty() && type.empty()) ids = all_ids;  // Pomelo: every server
        command_json = R"({"cmd":"restart","ids":)" + quoted_array(ids) +
                       (type.empty() ? std::string() : R"(,"type":)" + json_quote(type)) + "}";
    } else if (signal == "add") {
        // Pomelo's `pomelo add k=v ...`: every argument is one field of the new server entry.
        std::string server = "{";
        for (const auto &a : args) {
            size_t eq = a.find('=');
            if (eq == std::string::npos || eq == 0) return error = "Error server parameters format.", false;
            server += (server.size() > 1 ? "," : "") + json_quote(a.substr(0, eq)) + ":" + json_quote(a.substr(eq + 1));
        }
        command_json = R"({"cmd":"add","server":)" + server + "}}";
    } else if (signal == "addCron" || signal == "removeCron") {
        // pomelo-cli's `addCron id=3 action=f.m time=0 0 * * * * serverId=x` (a word without '=' goes on
        // the value before it: the cron time has spaces) and `removeCron id=3 serverType=t`.
        std::vector<std::pair<std::string, std::string>> fields;
        for (const auto &a : args) {
            size_t eq = a.find('=');
            if (eq == 0 || (eq == std::string::npos && fields.empty()))
                return error = "Error server parameters format.", false;
            if (eq == std::string::npos)
                fields.back().second += " " + a;
            else
                fields.emplace_back(a.substr(0, eq), a.substr(eq + 1));
        }
        std::string cron = "{", id = "null", server_id, server_type;
        for (const auto &[key, value] : fields) {
            if (key == "serverId") {
                server_id = value;
                continue;
            }
            if (key == "serverType") {
                server_type = value;
                continue;
            }
            bool number = !value.empty() && value.size() < 16 &&
                          value.find_first_not_of("0123456789") == std::string::npos && value[0] != '0';
            std::string json = key == "id" && number ? value : json_quote(value);
            if (key == "id") id = json;
            cron += (cron.size() > 1 ? "," : "") + json_quote(key) + ":" + json;
        }
        if (server_id.empty() && server_type.empty()) return error = "Miss necessary server parameters.", false;
        std::string target = server_id.empty() ? R"("type":)" + json_quote(server_type)
                                                : R"("ids":)" + quoted_array({server_id});
        command_json = signal == "addCron" ? R"({"cmd":"addCron","cron":)" + cron + "}," + target + "}"
                                           : R"({"cmd":"removeCron","id":)" + id + "," + target + "}";
    } else if (signal == "blacklist") {
        // `blacklist 1.2.3.4 ...`: every frontend refuses the addresses.
        if (args.empty()) return error = "blacklist: expected IP addresses", false;
        command_json = R"({"cmd":"blacklist","op":"add","ips":)" + quoted_array(args) + "}";
    } else {
        // Passed on with Pomelo's fields for admin_command to take or refuse.
        command_json = R"({"cmd":)" + json_quote(signal) + R"(,"args":)" + quoted_array(args) + R"(,"ids":)" +
                       quoted_array(ids) + (type.empty() ? std::string() : R"(,"type":)" + json_quote(type)) + "}";
    }
    return true;
}

std::string console_list_entry(const rapidjson::Value &s) {
    double rss_mb = s.HasMember("rssKb") && s["rssKb"].IsNumber() ? s["rssKb"].GetDouble() / 1024.0 : -1;
    double uptime_min = s.HasMember("uptimeMs") && s["uptimeMs"].IsNumber() ? s["uptimeMs"].GetDouble() / 60000.0 : 0;
    long long pid = s.HasMember("pid") && s["pid"].IsInt64() ? s["pid"].GetInt64() : 0;
    std::string id = str(s, "id");
    return R"({"serverId":)" + json_quote(id) + R"(,"serverType":)" + json_quote(str(s, "serverType")) + R"(,"pid":)" +
           std::to_string(pid) + R"(,"rss":)" + json_quote(rss_mb < 0 ? "-" : fixed2(rss_mb)) +
           R"(,"heapTotal":"-","heapUsed":"-","uptime":)" + json_quote(fixed2(uptime_min)) + "}";
}

void admin_result_to_console(const std::string &signal, const rapidjson::Value &command, const std::string &result_json,
                             std::string &error, std::string &body_json) {
    error.clear();
    body_json = "null";
    rapidjson::Document r;
    if (!pomelo::parse_json(result_json, r) || !r.IsObject()) {
        error = "the master's answer could not be read";
        return;
    }
    bool ok = r.HasMember("ok") && r["ok"].IsBool() && r["ok"].GetBool();
    bool has_servers = r.HasMember("servers") && r["servers"].IsArray();
    if (signal == "restart" && has_servers) {
        // Pomelo answers the ids that failed (printed as "restart fails server ids: [...]"); an error when
        // none came back.
        std::vector<std::string> fails;
        for (const auto &s : r["servers"].GetArray())
            if (!(s.IsObject() && s.HasMember("ok") && s["ok"].IsBool() && s["ok"].GetBool()))
                fails.push_back(str(s, "id"));
        if (!fails.empty() && fails.size() == r["servers"].Size()) {
            error = str(r, "error").empty() ? "all servers start failed." : str(r, "error");
            return;
        }
        body_json = quoted_array(fails);
        return;
    }
    if (!ok) {
        error = str(r, "error").empty() ? "the command failed" : str(r, "error");
        return;
    }
    if (signal == "list") {
        // Pomelo lists the servers whose monitors are registered, the master included.
        std::string msg = "{";
        auto add = [&](const rapidjson::Value &s) {
            msg += (msg.size() > 1 ? "," : "") + json_quote(str(s, "id")) + ":" + console_list_entry(s);
        };
        if (r.HasMember("master") && r["master"].IsObject()) add(r["master"]);
        if (has_servers)
            for (const auto &s : r["servers"].GetArray())
                if (s.IsObject() && s.HasMember("registered") && s["registered"].IsBool() && s["registered"].GetBool())
                    add(s);
        body_json = R"({"msg":)" + msg + "}}";
    } else if (signal == "stop") {
        bool some =
            command.IsObject() && command.HasMember("ids") && command["ids"].IsArray() && !command["ids"].Empty();
        body_json = some ? R"({"status":"part"})" : R"({"status":"all"})";
    } else if (signal == "kill") {
        body_json = R"({"code":"ok"})";  // `pomelo kill` prints "All the servers have been terminated!"
    } else if (signal == "add") {
        body_json = R"({"status":"ok")" +
                    (has_servers ? std::string(R"(,"servers":)") + to_json(r["servers"]) : std::string()) + "}";
    } else {
        r.RemoveMember("ok");
        body_json = to_json(r);
    }
}

bool admin_list_to_watch_server(const std::string &comd, const std::string &context, const std::string &result_json,
                                std::string &error, std::string &body_json) {
    if (comd != "servers" && comd != "connections") return false;
    error.clear();
    body_json = "null";
    rapidjson::Document r;
    if (!pomelo::parse_json(result_json, r) || !r.IsObject() || !r.HasMember("ok") || !r["ok"].IsBool() ||
        !r["ok"].GetBool()) {
        error = str(r, "error").empty() ? "the server list could not be read" : str(r, "error");
        return true;
    }
    std::string msg = "{";
    auto add = [&](const rapidjson::Value &s, bool master) {
        std::string id = str(s, "id");
        if (context != "all" && context != id) return;
        std::string entry;
        if (comd == "servers") {
            double uptime_min =
                s.HasMember("uptimeMs") && s["uptimeMs"].IsNumber() ? s["uptimeMs"].GetDouble() / 60000.0 : 0;
            entry = R"({"serverId":)" + json_quote(id) + R"(,"serverType":)" + json_quote(str(s, "serverType")) +
                    R"(,"host":)" + json_quote(str(s, "host")) + R"(,"port":)" +
                    (s.HasMember("port") && s["port"].IsInt() ? std::to_string(s["port"].GetInt()) : "null") +
                    R"(,"pid":)" +
                    (s.HasMember("pid") && s["pid"].IsInt64() ? std::to_string(s["pid"].GetInt64()) : "0") +
                    R"(,"heapUsed":"-","uptime":)" + json_quote(fixed2(uptime_min)) + "}";
        } else {
            bool frontend =
                !master && s.HasMember("clientPort") && s["clientPort"].IsInt() && s["clientPort"].GetInt() > 0;
            if (!frontend) return;
            long long conns = 0;
            if (s.HasMember("stats") && s["stats"].IsObject() && s["stats"].HasMember("connections") &&
                s["stats"]["connections"].IsInt64())
                conns = s["stats"]["connections"].GetInt64();
            entry = R"({"serverId":)" + json_quote(id) + R"(,"totalConnCount":)" + std::to_string(conns) +
                    R"(,"loginedCount":"-"})";
        }
        msg += (msg.size() > 1 ? "," : "") + json_quote(id) + ":" + entry;
    };
    if (r.HasMember("master") && r["master"].IsObject()) add(r["master"], true);
    if (r.HasMember("servers") && r["servers"].IsArray())
        for (const auto &s : r["servers"].GetArray())
            if (s.IsObject() && s.HasMember("registered") && s["registered"].IsBool() && s["registered"].GetBool())
                add(s, false);
    body_json = R"({"msg":)" + msg + "}}";
    return true;
}

}  // namespace shd::cluster
