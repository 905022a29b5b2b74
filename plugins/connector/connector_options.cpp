#include "connector_options.hpp"

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

namespace shd::connector {

namespace {

namespace fs = std::filesystem;

std::string shown(const rapidjson::Value &v) {
    std::string s = shd::to_json(v);
    if (s.size() > 60) s.replace(57, std::string::npos, "...");
    return s;
}

[[noreturn]] void fail(const std::string &name, const std::string &expected, const rapidjson::Value &got) {
    throw Error(SHD_ERR_INVALID, "option " + name + ": expected " + expected + ", got " + shown(got));
}

const rapidjson::Value *find(const rapidjson::Value &obj, const char *key) {
    auto it = obj.FindMember(key);
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

bool read_bool(const rapidjson::Value &obj, const char *key, bool fallback) {
    const rapidjson::Value *v = find(obj, key);
    if (!v) return fallback;
    if (!v->IsBool()) fail(key, "true or false", *v);
    return v->GetBool();
}

// Seconds as a non-negative number (fractions allowed), returned in milliseconds.
uint64_t read_seconds_ms(const rapidjson::Value &obj, const char *key, uint64_t fallback_ms, double max_s) {
    const rapidjson::Value *v = find(obj, key);
    if (!v) return fallback_ms;
    if (!v->IsNumber() || !(v->GetDouble() >= 0) || v->GetDouble() > max_s)
        fail(key, "a number of seconds from 0 to " + std::to_string(static_cast<long long>(max_s)), *v);
    return static_cast<uint64_t>(std::llround(v->GetDouble() * 1000.0));
}

uint64_t read_count(const rapidjson::Value &obj, const char *key, uint64_t fallback, uint64_t min, uint64_t max,
                    const char *what) {
    const rapidjson::Value *v = find(obj, key);
    if (!v) return fallback;
    if (!v->IsUint64() || v->GetUint64() < min || v->GetUint64() > max)
        fail(key, std::string(what) + " from " + std::to_string(min) + " to " + std::to_string(max), *v);
    return v->GetUint64();
}

std::string read_string(const rapidjson::Value &obj, const char *key, const std::string &fallback, const char *name) {
    const rapidjson::Value *v = find(obj, key);
    if (!v) return fallback;
    if (!v->IsString()) fail(name, "a string", *v);
    return std::string(v->GetString(), v->GetStringLength());
}

double read_positive(const rapidjson::Value &obj, const std::string &name, const char *key, double fallback, double min,
                     const char *min_text) {
    const rapidjson::Value *v = find(obj, key);
    if (!v) return fallback;
    if (!v->IsNumber() || !(v->GetDouble() >= min) || v->GetDouble() > 1e9)
        fail(name + "." + key, std::string("a number from ") + min_text + " to 1e9", *v);
    return v->GetDouble();
}

// A token bucket: false (off), or {rate, burst, kickAfter}. `rate` per second refills up to `burst`;
// burst defaults to the rate (one second's worth) and kickAfter to five seconds' worth.
void read_rate(const rapidjson::Value &doc, const char *key, double &rate, double &burst, double *kick_after) {
    const rapidjson::Value *v = find(doc, key);
    if (!v) return;
    if (v->IsBool() && !v->GetBool()) {
        rate = 0;
        return;
    }
    const char *shape = kick_after ? "false or an object {\"rate\": per second, \"burst\": n, \"kickAfter\": n}"
                                   : "false or an object {\"rate\": per second, \"burst\": n}";
    if (!v->IsObject()) fail(key, shape, *v);
    for (const auto &m : v->GetObject()) {
        std::string k(m.name.GetString(), m.name.GetStringLength());
        if (k != "rate" && k != "burst" && (k != "kickAfter" || !kick_after))
            throw Error(SHD_ERR_INVALID, std::string("option ") + key + "." + k + ": unknown key; expected " + shape);
    }
    rate = read_positive(*v, key, "rate", rate, 0.001, "0.001");
    burst = read_positive(*v, key, "burst", find(*v, "rate") ? std::max(1.0, rate) : burst, 1, "1");
    if (kick_after)
        *kick_after = read_positive(*v, key, "kickAfter", find(*v, "rate") ? 5 * rate : *kick_after, 0, "0");
}

// A TLS file path from ssl.<key>, relative to the app directory; it must be a readable file.
std::string tls_path(const rapidjson::Value &ssl, const char *key, bool required, const std::string &app_dir) {
    std::string name = std::string("ssl.") + key;
    const rapidjson::Value *v = find(ssl, key);
    if (!v) {
        if (required) throw Error(SHD_ERR_INVALID, "option " + name + ": expected a PEM file path, but it is missing");
        return "";
    }
    if (!v->IsString() || v->GetStringLength() == 0) fail(name, "a PEM file path (relative to the app directory)", *v);
    fs::path p(std::string(v->GetString(), v->GetStringLength()));
    if (p.is_relative()) p = fs::path(app_dir) / p;
    std::ifstream probe(p);
    if (!probe) throw Error(SHD_ERR_INVALID, "option " + name + ": cannot read \"" + p.string() + "\"");
    return p.string();
}

}  // namespace

ConnectorOptions parse_options(std::string_view options_json, const ServerInfo &server) {
    rapidjson::Document doc;
    doc.Parse(options_json.data(), options_json.size());
    if (doc.HasParseError() || !doc.IsObject()) throw Error(SHD_ERR_INVALID, "options: expected a JSON object");

    static const char *const known[] = {"port",
                                        "host",
                                        "distinctHost",
                                        "ssl",
                                        "ioThreads",
                                        "heartbeat",
                                        "timeout",
                                        "idleTimeout",
                                        "useDict",
                                        "useProtobuf",
                                        "max-connections",
                                        "setNoDelay",
                                        "blacklist",
                                        "maxPackageSize",
                                        "sendQueueLimit",
                                        "singleSession",
                                        "scheduler",
                                        "flushInterval",
                                        "handshakeTimeout",
                                        "maxPendingMessages",
                                        "maxInboxBytes",
                                        "rateLimit",
                                        "maxConnectionsPerIp",
                                        "connectRate"};
    ConnectorOptions o;
    for (const auto &m : doc.GetObject()) {
        std::string key(m.name.GetString(), m.name.GetStringLength());
        bool is_known = false;
        for (const char *k : known) is_known = is_known || key == k;
        if (!is_known) o.unknown.push_back(key);
    }

    // Listening address: Pomelo binds every interface unless distinctHost is set.
    bool distinct = read_bool(doc, "distinctHost", false);
    o.host = read_string(doc, "host", distinct ? server.host : std::string(), "host");
    o.port = static_cast<int>(
        read_count(doc, "port", static_cast<uint64_t>(std::max(server.client_port, 0)), 0, 65535, "a port number"));
    if (!find(doc, "port") && server.client_port <= 0)
        throw Error(SHD_ERR_INVALID,
                    "server " + server.id + ": the connector needs a clientPort in servers.json (or the option port)");

    if (const rapidjson::Value *ssl = find(doc, "ssl")) {
        if (!ssl->IsObject()) fail("ssl", "an object {\"cert\": file, \"key\": file, \"ca\": file}", *ssl);
        for (const auto &m : ssl->GetObject()) {
            std::string key(m.name.GetString(), m.name.GetStringLength());
            if (key != "cert" && key != "key" && key != "ca" && key != "type")  // "type" is ignored, as in Pomelo
                throw Error(SHD_ERR_INVALID, "option ssl." + key + ": unknown key; expected one of: cert, key, ca");
        }
        o.tls = true;
        o.tls_files.cert = tls_path(*ssl, "cert", true, server.app_dir);
        o.tls_files.key = tls_path(*ssl, "key", true, server.app_dir);
        o.tls_files.ca = tls_path(*ssl, "ca", false, server.app_dir);
    }

    o.io_threads = static_cast<unsigned>(read_count(doc, "ioThreads", 1, 1, 64, "an integer"));
    o.heartbeat_s = static_cast<uint32_t>(read_seconds_ms(doc, "heartbeat", 0, 86400) / 1000);
    if (const rapidjson::Value *hb = find(doc, "heartbeat"); hb && hb->GetDouble() > 0 && o.heartbeat_s == 0)
        o.heartbeat_s = 1;
    // Pomelo's `timeout` is also its idle socket timeout; idleTimeout (ours) wins when both are set.
    uint64_t timeout_ms = read_seconds_ms(doc, "timeout", 0, 86400);
    o.idle_timeout_ms = read_seconds_ms(doc, "idleTimeout", timeout_ms ? timeout_ms : 90'000, 86400);
    if (o.idle_timeout_ms == 0) o.idle_timeout_ms = 90'000;
    read_bool(doc, "useDict", false);
    read_bool(doc, "useProtobuf", false);
    o.no_delay = read_bool(doc, "setNoDelay", true);
    o.single_session = read_bool(doc, "singleSession", false);
    o.max_package_size = read_count(doc, "maxPackageSize", o.max_package_size, 16, (1u << 24) - 1, "a byte count");
    o.send_queue_limit = read_count(doc, "sendQueueLimit", o.send_queue_limit, 1024, uint64_t(1) << 40, "a byte count");

    // Pomelo's push schedulers by name: "direct" (its default) or "buffer" with flushInterval (ms, 20).
    std::string scheduler = read_string(doc, "scheduler", "direct", "scheduler");
    if (scheduler != "direct" && scheduler != "buffer") fail("scheduler", "\"direct\" or \"buffer\"", doc["scheduler"]);
    uint64_t flush_ms = read_count(doc, "flushInterval", 20, 1, 60'000, "milliseconds");
    o.flush_interval_ms = scheduler == "buffer" ? flush_ms : 0;

    // max-connections: the option, else the server's entry in servers.json (Pomelo's place for it).
    if (find(doc, "max-connections")) {
        o.max_connections = read_count(doc, "max-connections", 0, 0, UINT32_MAX, "an integer");
    } else if (!server.json.empty()) {
        rapidjson::Document entry;
        entry.Parse(server.json.data(), server.json.size());
        if (!entry.HasParseError() && entry.IsObject() && entry.HasMember("max-connections")) {
            const rapidjson::Value &v = entry["max-connections"];
            if (v.IsUint64())
                o.max_connections = v.GetUint64();
            else if (v.IsString()) {  // servers.json values may be strings ("max-connections": "1000")
                try {
                    o.max_connections = std::stoull(v.GetString());
                } catch (...) {
                    fail("max-connections (servers.json)", "a connection count", v);
                }
            } else {
                fail("max-connections (servers.json)", "a connection count", v);
            }
        }
    }

    o.handshake_timeout_ms = read_seconds_ms(doc, "handshakeTimeout", o.handshake_timeout_ms, 86400);
    if (o.handshake_timeout_ms == 0) fail("handshakeTimeout", "a number of seconds above 0", doc["handshakeTimeout"]);
    o.max_pending_messages = static_cast<uint32_t>(
        read_count(doc, "maxPendingMessages", o.max_pending_messages, 2, 1'000'000, "a message count"));
    o.max_inbox_bytes =
        read_count(doc, "maxInboxBytes", o.max_inbox_bytes, 64 * 1024, uint64_t(1) << 40, "a byte count");
    o.max_connections_per_ip =
        read_count(doc, "maxConnectionsPerIp", o.max_connections_per_ip, 0, UINT32_MAX, "a connection count");
    read_rate(doc, "rateLimit", o.rate, o.rate_burst, &o.rate_kick_after);
    read_rate(doc, "connectRate", o.connect_rate, o.connect_burst, nullptr);

    if (const rapidjson::Value *bl = find(doc, "blacklist")) {
        if (!bl->IsArray()) fail("blacklist", "an array of regular expressions (strings)", *bl);
        for (const auto &item : bl->GetArray()) {
            if (!item.IsString()) fail("blacklist", "an array of regular expressions (strings)", *bl);
            std::string pattern(item.GetString(), item.GetStringLength());
            try {
                std::regex check(pattern, std::regex::ECMAScript);
            } catch (const std::regex_error &e) {
                throw Error(SHD_ERR_INVALID, "option blacklist: \"" + pattern +
                                                 "\" is not a valid regular expression (" + e.what() + ")");
            }
            o.blacklist.push_back(std::move(pattern));
        }
    }
    return o;
}

}  // namespace shd::connector
