#include "server_add.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <map>
#include <set>

namespace shd::cluster {

namespace {

const char *const kKeys[] = {"id",         "serverType", "host",         "port",          "clientHost",
                             "clientPort", "frontend",   "auto-restart", "restart-force", "clusterCount"};

std::string allowed_keys() {
    std::string out;
    for (const char *k : kKeys) out += (out.empty() ? "" : ", ") + std::string(k);
    return out;
}

// The value as typed: strings as they are, numbers and booleans as text.
std::string text_of(const rapidjson::Value &v, const std::string &key) {
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    if (v.IsInt64()) return std::to_string(v.GetInt64());
    if (v.IsBool()) return v.GetBool() ? "true" : "false";
    throw AddError(key + ": expected a string, a whole number or true/false");
}

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
}

// Server ids and types end up in file names (logs/<id>.log) and command lines: a safe alphabet only.
void check_name(const std::string &key, const std::string &v) {
    if (v.empty() || v.size() > 128) throw AddError(key + ": expected 1 to 128 characters");
    if (v[0] == '-' || v[0] == '.') throw AddError(key + "=" + v + ": must not start with '-' or '.'");
    for (char c : v)
        if (!name_char(c)) throw AddError(key + "=" + v + ": only letters, digits, '_', '-' and '.' are allowed");
}

void check_host(const std::string &key, const std::string &v) {
    if (v.empty() || v.size() > 253) throw AddError(key + ": expected an IP address or a host name");
    for (char c : v)
        if (!name_char(c) && c != ':') throw AddError(key + "=" + v + ": not an IP address or a host name");
    if (v[0] == '-') throw AddError(key + "=" + v + ": not an IP address or a host name");
}

bool parse_bool(const std::string &key, const std::string &v) {
    if (v == "true") return true;
    if (v == "false") return false;
    throw AddError(key + "=" + v + ": expected true or false");
}

// A port, "N" or "N++" (the ++ form only counts with clusterCount, as in servers.json).
int parse_port(const std::string &key, std::string v) {
    if (v.size() > 2 && v.compare(v.size() - 2, 2, "++") == 0) v.resize(v.size() - 2);
    char *end = nullptr;
    long n = v.empty() ? -1 : std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 1 || n > 65535) throw AddError(key + "=" + v + ": expected a port (1-65535)");
    return static_cast<int>(n);
}

bool same_machine(const std::string &a, const std::string &b, const LocalProbe &is_local) {
    return a == b || (is_local(a) && is_local(b));
}

}  // namespace

std::vector<NewServer> plan_added_servers(const rapidjson::Value &fields, const std::vector<KnownServer> &known,
                                          const LocalProbe &is_local, const PortProbe &in_use) {
    if (!fields.IsObject() || fields.MemberCount() == 0)
        throw AddError("nothing to add: give the server as key=value pairs (" + allowed_keys() + ")");
    std::map<std::string, std::string> f;
    for (const auto &m : fields.GetObject()) {
        std::string key(m.name.GetString(), m.name.GetStringLength());
        bool allowed = false;
        for (const char *k : kKeys) allowed = allowed || key == k;
        if (!allowed) throw AddError("unknown key \"" + key + "\" (allowed: " + allowed_keys() + ")");
        f[key] = text_of(m.value, key);
    }
    auto has = [&](const char *k) { return f.count(k) > 0; };

    if (!has("serverType")) throw AddError("serverType: required (the type of the server to add)");
    std::string type = f["serverType"];
    check_name("serverType", type);
    if (type == "master") throw AddError("serverType=master: a cluster has one master; it cannot be added");
    if (!has("host")) throw AddError("host: required (where the server runs)");
    std::string host = f["host"];
    check_host("host", host);
    if (has("clientHost")) check_host("clientHost", f["clientHost"]);
    int port = has("port") ? parse_port("port", f["port"]) : 0;
    int client_port = has("clientPort") ? parse_port("clientPort", f["clientPort"]) : 0;
    if (!port && !client_port)
        throw AddError("port: required (the server's RPC port; frontends may give only clientPort)");
    bool frontend = has("frontend") && parse_bool("frontend", f["frontend"]);
    if (frontend && !client_port) throw AddError("frontend=true needs clientPort (the port clients connect to)");
    bool auto_restart = false;
    for (const char *k : {"auto-restart", "restart-force"})
        if (has(k)) auto_restart = parse_bool(k, f[k]) || auto_restart;

    int count = 1;
    if (has("clusterCount")) {
        char *end = nullptr;
        long n = std::strtol(f["clusterCount"].c_str(), &end, 10);
        if (f["clusterCount"].empty() || *end != '\0' || n < 1 || n > 100)
            throw AddError("clusterCount=" + f["clusterCount"] + ": expected a whole number from 1 to 100");
        count = static_cast<int>(n);
        if (has("id"))
            throw AddError("id: not with clusterCount (the ids are generated: cluster-server-" + type + "-<k>)");
    } else {
        if (!has("id")) throw AddError("id: required (or clusterCount=N to add N servers with generated ids)");
        check_name("id", f["id"]);
    }

    std::set<std::string> ids;
    for (const auto &k : known) ids.insert(k.id);
    // Generated ids continue after the highest cluster-server-<type>-<k> in use, as Pomelo's sequence does.
    int next = 0;
    const std::string prefix = "cluster-server-" + type + "-";
    for (const auto &id : ids) {
        if (id.compare(0, prefix.size(), prefix) != 0) continue;
        char *end = nullptr;
        long k = std::strtol(id.c_str() + prefix.size(), &end, 10);
        if (*end == '\0' && k >= next) next = static_cast<int>(k) + 1;
    }

    std::vector<NewServer> out;
    for (int i = 0; i < count; ++i) {
        NewServer s;
        s.id = has("clusterCount") ? prefix + std::to_string(next + i) : f["id"];
        s.type = type;
        s.host = host;
        s.port = port ? port + i : 0;
        s.client_port = client_port ? client_port + i : 0;
        s.auto_restart = auto_restart;
        if (s.port > 65535 || s.client_port > 65535)
            throw AddError("clusterCount=" + std::to_string(count) + ": the ports would go past 65535");
        if (ids.count(s.id)) throw AddError("id=" + s.id + ": a server with this id already exists");
        ids.insert(s.id);
        for (int p : {s.port, s.client_port}) {
            if (!p) continue;
            for (const auto &k : known)
                if ((k.port == p || k.client_port == p) && same_machine(k.host, host, is_local))
                    throw AddError("port " + std::to_string(p) + " on " + host + " is taken by server " + k.id);
            for (const auto &o : out)
                if ((o.port == p || o.client_port == p))
                    throw AddError("port " + std::to_string(p) + " would serve both " + o.id + " and " + s.id);
            if (s.port && s.port == s.client_port)
                throw AddError("port and clientPort are both " + std::to_string(p) + ": give two ports");
            if (is_local(host) && in_use(host, p))
                throw AddError("port " + std::to_string(p) + " on " + host + " is in use by another program");
        }

        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        w.StartObject();
        w.Key("id");
        w.String(s.id.c_str());
        w.Key("serverType");
        w.String(type.c_str());
        w.Key("host");
        w.String(host.c_str());
        if (s.port) {
            w.Key("port");
            w.Int(s.port);
        }
        if (has("clientHost")) {
            w.Key("clientHost");
            w.String(f["clientHost"].c_str());
        }
        if (s.client_port) {
            w.Key("clientPort");
            w.Int(s.client_port);
        }
        if (has("frontend")) {
            w.Key("frontend");
            w.Bool(frontend);
        }
        for (const char *k : {"auto-restart", "restart-force"})
            if (has(k)) {
                w.Key(k);
                w.Bool(parse_bool(k, f[k]));
            }
        w.EndObject();
        s.json = buf.GetString();
        out.push_back(std::move(s));
    }
    return out;
}

std::string add_fields_json(const std::vector<std::string> &words) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    std::set<std::string> seen;
    w.StartObject();
    for (const auto &word : words) {
        size_t eq = word.find('=');
        if (eq == std::string::npos || eq == 0)
            throw AddError("\"" + word + "\": expected key=value (for example serverType=chat)");
        std::string key = word.substr(0, eq), value = word.substr(eq + 1);
        if (!seen.insert(key).second) throw AddError(key + ": given twice");
        w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
        w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    }
    w.EndObject();
    return buf.GetString();
}

}  // namespace shd::cluster
