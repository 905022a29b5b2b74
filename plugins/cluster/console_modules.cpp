#include "console_modules.hpp"
#include "process_cpu.hpp"

#include <shaddock/ext/session.h>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/metrics.hpp>
#include <shaddock/cpp/settings.hpp>

#include <rapidjson/document.h>

#include <sys/utsname.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace shd::cluster {

namespace {

constexpr size_t kMaxLogLines = 1000;
constexpr size_t kLogTailBytes = 1 << 20;  // monitorLog reads at most the last MiB of the log
constexpr size_t kMaxSettingValue = 64 * 1024;

std::string read_small(const std::string &path) {
    std::ifstream in(path);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// /proc/meminfo's "Key:   1234 kB" lines, in kB.
std::map<std::string, long long> meminfo() {
    std::map<std::string, long long> out;
    std::istringstream in(read_small("/proc/meminfo"));
    std::string key;
    long long v;
    std::string unit;
    while (in >> key >> v) {
        std::getline(in, unit);
        if (!key.empty() && key.back() == ':') key.pop_back();
        out[key] = v;
    }
    return out;
}

const rapidjson::Value *member(const rapidjson::Value &o, const char *key) {
    if (!o.IsObject()) return nullptr;
    auto it = o.FindMember(key);
    return it == o.MemberEnd() ? nullptr : &it->value;
}

// One family of a snapshot, by label value: a counter's or gauge's value, or a histogram's sum and count.
struct Series {
    double v = 0, sum = 0, count = 0;
};
std::map<std::string, Series> family(const rapidjson::Value &snapshot, const char *name) {
    std::map<std::string, Series> out;
    if (!snapshot.IsArray()) return out;
    for (const auto &f : snapshot.GetArray()) {
        if (json_string(f, "name") != name) continue;
        const rapidjson::Value *series = member(f, "series");
        if (!series || !series->IsArray()) break;
        for (const auto &s : series->GetArray()) {
            Series v;
            if (const auto *n = member(s, "v"); n && n->IsNumber()) v.v = n->GetDouble();
            if (const auto *n = member(s, "sum"); n && n->IsNumber()) v.sum = n->GetDouble();
            if (const auto *n = member(s, "count"); n && n->IsNumber()) v.count = n->GetDouble();
            out[json_string(s, "value")] = v;
        }
        break;
    }
    return out;
}

double total(const std::map<std::string, Series> &f) {
    double t = 0;
    for (const auto &[label, s] : f) t += s.v;
    return t;
}

// [{"<label>":..., "calls":..., ...}] joining counters and a latency histogram by label value.
std::string by_label(const rapidjson::Value &snap, const char *label, const char *calls, const char *errors,
                     const char *timeouts, const char *duration) {
    auto c = family(snap, calls), e = family(snap, errors), d = family(snap, duration);
    std::map<std::string, Series> t;
    if (timeouts) t = family(snap, timeouts);
    std::string out = "[";
    for (const auto &[value, s] : c) {
        if (out.size() > 1) out += ",";
        const Series &dur = d[value];
        out += "{\"" + std::string(label) + "\":" + json_quote(value) + ",\"count\":" + number(s.v) +
               ",\"errors\":" + number(e[value].v) + (timeouts ? ",\"timeouts\":" + number(t[value].v) : "") +
               ",\"meanMs\":" + (dur.count > 0 ? number(dur.sum / dur.count * 1000.0) : std::string("null")) + "}";
    }
    return out + "]";
}

}  // namespace

ConsoleModules::ConsoleModules(const Host &host) : host_(host), started_ms_(host.now_ms()) {}

void ConsoleModules::install() {
    if (!AdminModules::available(host_)) {
        host_.warn("this host has no " SHD_ADMIN_SERVICE_ID
                   " service: the admin console's modules are not available here");
        return;
    }
    modules_ = std::make_unique<AdminModules>(host_);
    modules_->add("systemInfo", "the machine: host name, CPUs, load average, memory, uptime",
                  [this](const rapidjson::Value &) { return system_info(); });
    modules_->add("nodeInfo", "this server process: pid, memory, CPU time, threads, open files, uptime",
                  [this](const rapidjson::Value &) { return node_info(); });
    modules_->add("monitorLog", "the last lines of this server's log: {\"lines\":N,\"match\":\"text\"}",
                  [this](const rapidjson::Value &req) { return monitor_log(req); });
    modules_->add("watchServer",
                  "connections, logins, handlers (requests by route), RPC by target, pushes and lag: "
                  "{\"comd\":\"all|connections|logins|handlers|rpc|pushes\"}",
                  [this](const rapidjson::Value &req) { return watch_server(req); });
    modules_->add("settings", "app settings (app.get / app.set): {\"op\":\"get|set|list\",\"key\":K,\"value\":V}",
                  [this](const rapidjson::Value &req) { return settings(req); });
}

std::string ConsoleModules::system_info() const {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    utsname u{};
    ::uname(&u);
    double load[3] = {0, 0, 0};
    std::istringstream(read_small("/proc/loadavg")) >> load[0] >> load[1] >> load[2];
    double uptime = 0;
    std::istringstream(read_small("/proc/uptime")) >> uptime;
    auto mem = meminfo();
    return R"({"hostname":)" + json_quote(name) + R"(,"os":)" + json_quote(std::string(u.sysname) + " " + u.release) +
           R"(,"arch":)" + json_quote(u.machine) + R"(,"cpus":)" + std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) +
           R"(,"loadavg":[)" + number(load[0]) + "," + number(load[1]) + "," + number(load[2]) + R"(],"memTotalKb":)" +
           std::to_string(mem["MemTotal"]) + R"(,"memFreeKb":)" + std::to_string(mem["MemFree"]) +
           R"(,"memAvailableKb":)" + std::to_string(mem["MemAvailable"]) + R"(,"uptimeSeconds":)" + number(uptime) +
           "}";
}

std::string ConsoleModules::node_info() const {
    ServerInfo me = host_.server();
    long long rss = 0, vm = 0, threads = 0;
    std::istringstream status(read_small("/proc/self/status"));
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) rss = std::atoll(line.c_str() + 6);
        if (line.rfind("VmSize:", 0) == 0) vm = std::atoll(line.c_str() + 7);
        if (line.rfind("Threads:", 0) == 0) threads = std::atoll(line.c_str() + 8);
    }
    const double cpu = process_cpu_seconds();
    size_t fds = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++fds;
    return R"({"serverId":)" + json_quote(me.id) + R"(,"serverType":)" + json_quote(me.type) + R"(,"pid":)" +
           std::to_string(::getpid()) + R"(,"rssKb":)" + std::to_string(rss) + R"(,"vmSizeKb":)" + std::to_string(vm) +
           R"(,"threads":)" + std::to_string(threads) + R"(,"openFiles":)" + std::to_string(fds) + R"(,"cpuSeconds":)" +
           number(cpu) + R"(,"uptimeMs":)" + std::to_string(host_.now_ms() - started_ms_) + "}";
}

std::string ConsoleModules::last_lines(const std::string &text, size_t lines, const std::string &match) {
    std::vector<std::string> kept;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!match.empty() && line.find(match) == std::string::npos) continue;
        kept.push_back(std::move(line));
        if (kept.size() > lines) kept.erase(kept.begin());
    }
    std::string out = "[";
    for (const auto &l : kept) out += (out.size() > 1 ? "," : "") + json_quote(l);
    return out + "]";
}

std::string ConsoleModules::monitor_log(const rapidjson::Value &req) const {
    size_t lines = 50;
    std::string match;
    if (req.IsObject()) {
        if (const auto *n = member(req, "lines")) {
            if (!n->IsUint() || n->GetUint() == 0 || n->GetUint() > kMaxLogLines)
                throw Error(SHD_ERR_INVALID, "lines: expected a number from 1 to " + std::to_string(kMaxLogLines));
            lines = n->GetUint();
        }
        if (const auto *m = member(req, "match")) {
            if (!m->IsString() || m->GetStringLength() > 256)
                throw Error(SHD_ERR_INVALID, "match: expected a text of at most 256 bytes");
            match = m->GetString();
        }
    } else if (!req.IsNull()) {
        throw Error(SHD_ERR_INVALID, "expected {\"lines\":N,\"match\":\"text\"}");
    }
    ServerInfo me = host_.server();
    std::string shown = "logs/" + me.id + ".log";
    std::ifstream in(me.app_dir + "/" + shown, std::ios::binary);
    if (!in) throw Error(SHD_ERR_NOT_FOUND, "no log file " + shown);
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    std::streamoff from = size > static_cast<std::streamoff>(kLogTailBytes) ? size - kLogTailBytes : 0;
    in.seekg(from);
    std::string text(static_cast<size_t>(size - from), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (from > 0) {  // drop the partial first line
        size_t nl = text.find('\n');
        text.erase(0, nl == std::string::npos ? text.size() : nl + 1);
    }
    return R"({"file":)" + json_quote(shown) + R"(,"lines":)" + last_lines(text, lines, match) + "}";
}

std::string ConsoleModules::watch_summary(const std::string &snapshot_json, const std::string &comd) {
    rapidjson::Document snap;
    snap.Parse(snapshot_json.data(), snapshot_json.size());
    if (snap.HasParseError() || !snap.IsArray()) throw Error(SHD_ERR_INTERNAL, "the metrics snapshot is not readable");
    bool all = comd.empty() || comd == "all";
    std::string out = "{";
    auto part = [&](const char *name, const std::string &json) {
        if (!all && comd != name) return;
        out += (out.size() > 1 ? "," : "") + std::string("\"") + name + "\":" + json;
    };
    part("connections", R"({"open":)" + number(total(family(snap, "shaddock_connections"))) + R"(,"handshakes":)" +
                            number(total(family(snap, "shaddock_handshakes"))) + R"(,"refused":)" +
                            number(total(family(snap, "shaddock_connections_refused"))) + R"(,"rateLimited":)" +
                            number(total(family(snap, "shaddock_rate_limited"))) + R"(,"sendQueueCutoffs":)" +
                            number(total(family(snap, "shaddock_send_queue_cutoffs"))) + "}");
    part("handlers", by_label(snap, "route", "shaddock_client_requests", "shaddock_client_request_errors", nullptr,
                              "shaddock_client_request_duration_seconds"));
    part("rpc", by_label(snap, "target", "shaddock_rpc_calls", "shaddock_rpc_errors", "shaddock_rpc_timeouts",
                         "shaddock_rpc_duration_seconds"));
    part("pushes", R"({"sent":)" + number(total(family(snap, "shaddock_pushes_sent"))) + R"(,"dropped":)" +
                       number(total(family(snap, "shaddock_pushes_dropped"))) + "}");
    part("lagSeconds", number(total(family(snap, "shaddock_logic_lag_seconds"))));
    return out + "}";
}

std::string ConsoleModules::watch_server(const rapidjson::Value &req) const {
    std::string comd;
    if (const auto *c = member(req, "comd")) {
        if (!c->IsString()) throw Error(SHD_ERR_INVALID, "comd: expected a text");
        comd = c->GetString();
    }
    static const char *const known[] = {"", "all", "connections", "logins", "handlers", "rpc", "pushes"};
    if (std::find(std::begin(known), std::end(known), comd) == std::end(known))
        throw Error(SHD_ERR_INVALID, "comd: expected all, connections, logins, handlers, rpc or pushes");
    ServerInfo me = host_.server();
    std::string out = R"({"serverId":)" + json_quote(me.id) + R"(,"serverType":)" + json_quote(me.type);
    if (comd.empty() || comd == "all" || comd == "logins") {
        // Logins are the sessions bound to a user (Pomelo's loginedCount), on a frontend's session service.
        auto [vt, ctx] = host_.find<shd_session_service_v1>(SHD_SESSION_SERVICE_ID);
        out += vt ? R"(,"logins":{"sessions":)" + std::to_string(vt->count(ctx, 0)) + R"(,"bound":)" +
                        std::to_string(vt->count(ctx, 1)) + "}"
                  : std::string(R"(,"logins":null)");
    }
    if (comd != "logins") {
        std::string summary = watch_summary(Metrics(host_).snapshot(), comd);
        if (summary.size() > 1)
            out += "," + summary.substr(1, summary.size() - 1);
        else
            out += "}";
        return out;
    }
    return out + "}";
}

std::string ConsoleModules::settings(const rapidjson::Value &req) const {
    std::string op = json_string(req, "op"), key = json_string(req, "key");
    Settings settings(host_);
    if (op == "list") return settings.all();
    if (key.empty() || key.size() > 256) throw Error(SHD_ERR_INVALID, "key: expected a text of 1 to 256 bytes");
    if (op == "get") {
        auto v = settings.get(key);
        return R"({"key":)" + json_quote(key) + R"(,"value":)" + (v ? *v : std::string("null")) + R"(,"set":)" +
               (v ? "true" : "false") + "}";
    }
    if (op == "set") {
        const rapidjson::Value *value = member(req, "value");
        if (!value) throw Error(SHD_ERR_INVALID, "value: missing (any JSON value)");
        std::string json = to_json(*value);
        if (json.size() > kMaxSettingValue)
            throw Error(SHD_ERR_INVALID, "value: " + std::to_string(json.size()) + " bytes, over the limit of " +
                                             std::to_string(kMaxSettingValue));
        settings.set(key, json);
        return R"({"key":)" + json_quote(key) + R"(,"value":)" + json + "}";
    }
    throw Error(SHD_ERR_INVALID, "op: expected get, set or list");
}

}  // namespace shd::cluster
