#include "admin_web_figures.hpp"

#include <shaddock/cpp/json.hpp>

#include <charconv>
#include <cmath>
#include <map>
#include <string_view>

namespace shd::cluster {

namespace {

std::string_view str(const rapidjson::Value &o, const char *key) {
    if (!o.IsObject()) return {};
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || !it->value.IsString()) return {};
    return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

double num(const rapidjson::Value &o, const char *key) {
    if (!o.IsObject()) return 0;
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || !it->value.IsNumber()) return 0;
    const double v = it->value.GetDouble();
    return std::isfinite(v) ? v : 0;
}

std::string number(double v) {
    if (!std::isfinite(v)) return "0";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string integer(double v) {
    return std::to_string(static_cast<long long>(std::llround(v)));
}

const rapidjson::Value *family(const rapidjson::Value &families, std::string_view name) {
    for (const auto &f : families.GetArray())
        if (str(f, "name") == name) {
            auto series = f.FindMember("series");
            if (series != f.MemberEnd() && series->value.IsArray()) return &f;
        }
    return nullptr;
}

// The sum of a counter's or gauge's series.
double total(const rapidjson::Value &families, std::string_view name) {
    const rapidjson::Value *f = family(families, name);
    double sum = 0;
    if (f)
        for (const auto &s : (*f)["series"].GetArray()) sum += num(s, "v");
    return sum;
}

// label value -> value, of a labelled counter.
std::map<std::string, double> by_label(const rapidjson::Value &families, std::string_view name) {
    std::map<std::string, double> out;
    const rapidjson::Value *f = family(families, name);
    if (!f) return out;
    for (const auto &s : (*f)["series"].GetArray())
        if (s.IsObject()) out[std::string(str(s, "value"))] += num(s, "v");
    return out;
}

// label value -> {"bounds":[..],"counts":[..],"sum":..}, of a histogram whose series are well formed.
std::map<std::string, std::string> histograms(const rapidjson::Value &families, std::string_view name) {
    std::map<std::string, std::string> out;
    const rapidjson::Value *f = family(families, name);
    if (!f || str(*f, "kind") != "histogram") return out;
    auto b = f->FindMember("buckets");
    if (b == f->MemberEnd() || !b->value.IsArray() || b->value.Size() == 0 || b->value.Size() > 64) return out;
    std::string bounds = "[";
    for (const auto &v : b->value.GetArray()) {
        if (!v.IsNumber() || !std::isfinite(v.GetDouble())) return out;
        bounds += (bounds.size() > 1 ? "," : "") + number(v.GetDouble());
    }
    bounds += "]";
    for (const auto &s : (*f)["series"].GetArray()) {
        auto counts = s.IsObject() ? s.FindMember("counts") : s.MemberEnd();
        if (!s.IsObject() || counts == s.MemberEnd() || !counts->value.IsArray() ||
            counts->value.Size() != b->value.Size() + 1)
            continue;
        std::string c = "[";
        bool ok = true;
        for (const auto &v : counts->value.GetArray()) {
            if (!v.IsUint64()) ok = false;
            if (!ok) break;
            c += (c.size() > 1 ? "," : "") + std::to_string(v.GetUint64());
        }
        if (!ok) continue;
        out[std::string(str(s, "value"))] =
            R"({"bounds":)" + bounds + R"(,"counts":)" + c + R"(],"sum":)" + number(num(s, "sum")) + "}";
    }
    return out;
}

}  // namespace

std::string server_figures_json(const ServerMetrics &server) {
    std::string out = R"({"id":)" + json_quote(server.id) + R"(,"serverType":)" + json_quote(server.type);
    static const rapidjson::Value kEmpty(rapidjson::kArrayType);
    const rapidjson::Value &fams = server.families && server.families->IsArray() ? *server.families : kEmpty;
    const std::pair<const char *, const char *> plain[] = {
        {"connections", "shaddock_connections"},  {"handshakes", "shaddock_handshakes"},
        {"pushesSent", "shaddock_pushes_sent"},   {"pushesDropped", "shaddock_pushes_dropped"},
        {"rateLimited", "shaddock_rate_limited"}, {"sendQueueCutoffs", "shaddock_send_queue_cutoffs"},
        {"requests", "shaddock_client_requests"}, {"requestErrors", "shaddock_client_request_errors"},
        {"rpcCalls", "shaddock_rpc_calls"},       {"rpcErrors", "shaddock_rpc_errors"},
        {"rpcTimeouts", "shaddock_rpc_timeouts"}};
    for (const auto &[key, name] : plain) out += ",\"" + std::string(key) + "\":" + integer(total(fams, name));
    out += R"(,"lagMs":)" + integer(total(fams, "shaddock_logic_lag_seconds") * 1000) + R"(,"cpuMs":)" +
           integer(total(fams, "shaddock_process_cpu_seconds") * 1000) + R"(,"rssBytes":)" +
           integer(total(fams, "shaddock_process_resident_memory_bytes"));

    auto requests = by_label(fams, "shaddock_client_requests");
    auto errors = by_label(fams, "shaddock_client_request_errors");
    auto latency = histograms(fams, "shaddock_client_request_duration_seconds");
    out += R"(,"routes":[)";
    bool first = true;
    for (const auto &[route, n] : requests) {
        out += (first ? "" : ",") + std::string(R"({"route":)") + json_quote(route) + R"(,"requests":)" + integer(n) +
               R"(,"errors":)" + integer(errors.count(route) ? errors[route] : 0);
        if (latency.count(route)) out += R"(,"latency":)" + latency[route];
        out += "}";
        first = false;
    }
    auto calls = by_label(fams, "shaddock_rpc_calls");
    auto rpc_errors = by_label(fams, "shaddock_rpc_errors");
    auto timeouts = by_label(fams, "shaddock_rpc_timeouts");
    auto rpc_latency = histograms(fams, "shaddock_rpc_duration_seconds");
    out += R"(],"rpc":[)";
    first = true;
    for (const auto &[target, n] : calls) {
        out += (first ? "" : ",") + std::string(R"({"target":)") + json_quote(target) + R"(,"calls":)" + integer(n) +
               R"(,"errors":)" + integer(rpc_errors.count(target) ? rpc_errors[target] : 0) + R"(,"timeouts":)" +
               integer(timeouts.count(target) ? timeouts[target] : 0);
        if (rpc_latency.count(target)) out += R"(,"latency":)" + rpc_latency[target];
        out += "}";
        first = false;
    }
    return out + "]}";
}

}  // namespace shd::cluster
