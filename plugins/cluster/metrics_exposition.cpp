#include "metrics_exposition.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <string_view>

namespace shd::cluster {

namespace {

bool name_char(char c, bool first, bool colon) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    return alpha || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view s, bool colon) {
    if (s.empty() || s.size() > 200) return false;
    for (size_t i = 0; i < s.size(); ++i)
        if (!name_char(s[i], i == 0, colon)) return false;
    return true;
}

std::string_view str(const rapidjson::Value &o, const char *key) {
    if (!o.IsObject()) return {};
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || !it->value.IsString()) return {};
    return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

// Go's strconv.FormatFloat(v, 'g', -1, 64) as Prometheus writes it: the shortest text that reads
// back as the same double; integers without a point.
std::string number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string escape_label(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string escape_help(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

// A number of a snapshot: any JSON number.
bool read_number(const rapidjson::Value &o, const char *key, double &out) {
    if (!o.IsObject()) return false;
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || !it->value.IsNumber()) return false;
    out = it->value.GetDouble();
    return true;
}

struct Family {
    std::string kind, help, label;
    std::vector<double> bounds;
    // The servers' series, in the order the servers were given.
    struct Part {
        const ServerMetrics *server;
        const rapidjson::Value *series;
    };
    std::vector<Part> parts;
};

bool read_bounds(const rapidjson::Value &f, std::vector<double> &bounds) {
    auto it = f.FindMember("buckets");
    if (it == f.MemberEnd() || !it->value.IsArray() || it->value.Size() == 0 || it->value.Size() > 64) return false;
    for (const auto &b : it->value.GetArray()) {
        if (!b.IsNumber() || !std::isfinite(b.GetDouble())) return false;
        if (!bounds.empty() && b.GetDouble() <= bounds.back()) return false;
        bounds.push_back(b.GetDouble());
    }
    return true;
}

// The label set of one series: {server_id="..",server_type="..",<label>="..."[,le=".."]}
std::string labels(const ServerMetrics &s, const std::string &label, std::string_view value, const char *le = nullptr) {
    std::string out = "{server_id=\"" + escape_label(s.id) + "\",server_type=\"" + escape_label(s.type) + "\"";
    if (!label.empty()) out += "," + label + "=\"" + escape_label(value) + "\"";
    if (le) out += std::string(",le=\"") + le + "\"";
    return out + "}";
}

void write_series(std::string &out, const std::string &name, const Family &f, const ServerMetrics &s,
                  const rapidjson::Value &series) {
    if (!series.IsObject()) return;
    const std::string_view value = str(series, "value");
    if (f.kind != "histogram") {
        double v;
        if (!read_number(series, "v", v)) return;
        out += name + labels(s, f.label, value) + " " + number(v) + "\n";
        return;
    }
    auto counts = series.FindMember("counts");
    double sum;
    if (counts == series.MemberEnd() || !counts->value.IsArray() || counts->value.Size() != f.bounds.size() + 1 ||
        !read_number(series, "sum", sum))
        return;
    for (const auto &c : counts->value.GetArray())
        if (!c.IsUint64()) return;
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= f.bounds.size(); ++i) {
        cumulative += counts->value[static_cast<rapidjson::SizeType>(i)].GetUint64();
        const std::string le = i < f.bounds.size() ? number(f.bounds[i]) : "+Inf";
        out += name + "_bucket" + labels(s, f.label, value, le.c_str()) + " " + std::to_string(cumulative) + "\n";
    }
    out += name + "_sum" + labels(s, f.label, value) + " " + number(sum) + "\n";
    out += name + "_count" + labels(s, f.label, value) + " " + std::to_string(cumulative) + "\n";
}

}  // namespace

std::string prometheus_text(const std::vector<ServerMetrics> &servers) {
    std::map<std::string, Family> families;
    for (const ServerMetrics &s : servers) {
        if (!s.families || !s.families->IsArray()) continue;
        for (const auto &f : s.families->GetArray()) {
            const std::string_view name = str(f, "name"), kind = str(f, "kind"), label = str(f, "label");
            if (!valid_name(name, true) || (kind != "counter" && kind != "gauge" && kind != "histogram")) continue;
            if (!label.empty() && (!valid_name(label, false) || label == "server_id" || label == "server_type" ||
                                   label == "le" || label.substr(0, 2) == "__"))
                continue;
            auto series = f.FindMember("series");
            if (series == f.MemberEnd() || !series->value.IsArray()) continue;
            std::vector<double> bounds;
            if (kind == "histogram" && !read_bounds(f, bounds)) continue;
            std::string exposed(name);
            if (kind == "counter" && (exposed.size() < 6 || exposed.compare(exposed.size() - 6, 6, "_total") != 0))
                exposed += "_total";
            auto [it, fresh] = families.try_emplace(exposed);
            Family &fam = it->second;
            if (fresh) {
                fam.kind = kind;
                fam.help = str(f, "help");
                fam.label = label;
                fam.bounds = std::move(bounds);
            } else if (fam.kind != kind || fam.label != label || fam.bounds != bounds) {
                continue;
            }
            fam.parts.push_back(Family::Part{&s, &series->value});
        }
    }
    std::string out;
    for (const auto &[name, f] : families) {
        out += "# HELP " + name + " " + escape_help(f.help) + "\n";
        out += "# TYPE " + name + " " + f.kind + "\n";
        for (const auto &part : f.parts)
            for (const auto &series : part.series->GetArray()) write_series(out, name, f, *part.server, series);
    }
    return out;
}

std::string stats_summary(const rapidjson::Value &families) {
    auto total = [&families](std::string_view name, std::string_view field = "v") {
        double sum = 0;
        if (!families.IsArray()) return sum;
        for (const auto &f : families.GetArray()) {
            if (str(f, "name") != name) continue;
            auto series = f.FindMember("series");
            if (series == f.MemberEnd() || !series->value.IsArray()) continue;
            for (const auto &s : series->value.GetArray()) {
                double v;
                if (read_number(s, std::string(field).c_str(), v) && std::isfinite(v)) sum += v;
            }
        }
        return sum;
    };
    auto integer = [](double v) { return std::to_string(static_cast<long long>(std::llround(v))); };
    return R"({"connections":)" + integer(total("shaddock_connections")) + R"(,"handshakes":)" +
           integer(total("shaddock_handshakes")) + R"(,"requests":)" + integer(total("shaddock_client_requests")) +
           R"(,"requestErrors":)" + integer(total("shaddock_client_request_errors")) + R"(,"rpcCalls":)" +
           integer(total("shaddock_rpc_calls")) + R"(,"rpcErrors":)" + integer(total("shaddock_rpc_errors")) +
           R"(,"rpcTimeouts":)" + integer(total("shaddock_rpc_timeouts")) + R"(,"pushesSent":)" +
           integer(total("shaddock_pushes_sent")) + R"(,"pushesDropped":)" + integer(total("shaddock_pushes_dropped")) +
           R"(,"rateLimited":)" + integer(total("shaddock_rate_limited")) + R"(,"sendQueueCutoffs":)" +
           integer(total("shaddock_send_queue_cutoffs")) + R"(,"lagMs":)" +
           integer(1000 * total("shaddock_logic_lag_seconds")) + R"(,"cpuMs":)" +
           integer(1000 * total("shaddock_process_cpu_seconds")) + R"(,"rssBytes":)" +
           integer(total("shaddock_process_resident_memory_bytes")) + "}";
}

}  // namespace shd::cluster
