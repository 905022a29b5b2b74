// report.cpp - the run's totals and timeline, rendered as JSON and as text.
#include "report.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

namespace shd::robot {

TimelinePoint timeline_point(unsigned second, const Snapshot &s) {
    TimelinePoint p;
    p.second = second;
    p.users = s.users_connected;
    p.requests_ok = s.requests_ok;
    p.requests_failed = s.requests_failed;
    p.notifies = s.notifies;
    p.pushes = s.pushes;
    p.errors = s.error_count();
    p.connects_ok = s.connects_ok;
    p.connects_failed = s.connects_failed;
    p.request_p50_us = s.request_us.percentile(0.50);
    p.request_p99_us = s.request_us.percentile(0.99);
    p.request_max_us = s.request_us.max();
    p.push_p50_us = s.push_us.percentile(0.50);
    p.push_p99_us = s.push_us.percentile(0.99);
    return p;
}

CpuTimes process_cpu() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    CpuTimes c;
    c.user_seconds = double(ru.ru_utime.tv_sec) + double(ru.ru_utime.tv_usec) / 1e6;
    c.system_seconds = double(ru.ru_stime.tv_sec) + double(ru.ru_stime.tv_usec) / 1e6;
    return c;
}

void Report::add_second(const Snapshot &second) {
    uint64_t users_now = second.users_connected;
    total.merge(second);
    total.users_connected = users_now;  // a gauge: the latest value, not a sum over time
    total.rate_senders = second.rate_senders;
    peak_users = std::max(peak_users, users_now);
    timeline.push_back(timeline_point(unsigned(timeline.size() + 1), second));
}

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

double ms(uint64_t us) {
    return double(us) / 1000.0;
}

void latency(Writer &w, const Histogram &h) {
    w.StartObject();
    w.Key("count"), w.Uint64(h.count());
    w.Key("min"), w.Double(ms(h.min()));
    w.Key("mean"), w.Double(h.mean() / 1000.0);
    w.Key("p50"), w.Double(ms(h.percentile(0.50)));
    w.Key("p90"), w.Double(ms(h.percentile(0.90)));
    w.Key("p99"), w.Double(ms(h.percentile(0.99)));
    w.Key("p999"), w.Double(ms(h.percentile(0.999)));
    w.Key("max"), w.Double(ms(h.max()));
    w.EndObject();
}

void counts(Writer &w, const std::map<std::string, uint64_t, std::less<>> &m) {
    w.StartObject();
    for (auto &[k, n] : m) w.Key(k.c_str(), rapidjson::SizeType(k.size())), w.Uint64(n);
    w.EndObject();
}

double per_second(uint64_t n, double seconds) {
    return seconds > 0 ? double(n) / seconds : 0.0;
}

}  // namespace

std::string report_json(const Report &r) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.SetMaxDecimalPlaces(3);
    const Snapshot &t = r.total;
    w.StartObject();
    w.Key("scenario"), w.String(r.name.c_str());
    w.Key("file"), w.String(r.file.c_str());
    w.Key("server"), w.StartObject();
    w.Key("transport"), w.String(r.transport.c_str());
    w.Key("host"), w.String(r.host.c_str());
    w.Key("port"), w.Uint(r.port);
    w.EndObject();
    w.Key("users"), w.Uint64(r.users);
    w.Key("peakUsersConnected"), w.Uint64(r.peak_users);
    w.Key("threads"), w.Uint(r.threads);
    w.Key("durationSeconds"), w.Double(r.duration_seconds);
    w.Key("elapsedSeconds"), w.Double(r.elapsed_seconds);
    w.Key("stoppedBy"), w.String(r.stopped_by.c_str());
    w.Key("exitCode"), w.Int(r.exit_code());

    w.Key("requests"), w.StartObject();
    w.Key("ok"), w.Uint64(t.requests_ok);
    w.Key("failed"), w.Uint64(t.requests_failed);
    w.Key("refused"), w.Uint64(t.requests_refused);
    w.Key("perSecond"), w.Double(per_second(t.requests_ok, r.elapsed_seconds));
    w.Key("latencyMs"), latency(w, t.request_us);
    w.Key("byRoute"), w.StartObject();
    for (auto &[route, f] : t.requests_by_route) {
        w.Key(route.c_str(), rapidjson::SizeType(route.size()));
        w.StartObject();
        w.Key("ok"), w.Uint64(f.ok);
        w.Key("failed"), w.Uint64(f.failed);
        w.Key("refused"), w.Uint64(f.refused);
        w.Key("latencyMs"), latency(w, f.us);
        w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    w.Key("notifies"), w.Uint64(t.notifies);
    w.Key("pushes"), w.StartObject();
    w.Key("received"), w.Uint64(t.pushes);
    w.Key("perSecond"), w.Double(per_second(t.pushes, r.elapsed_seconds));
    w.Key("byRoute"), counts(w, t.pushes_by_route);
    w.Key("latencyMs"), latency(w, t.push_us);
    w.EndObject();
    w.Key("connects"), w.StartObject();
    w.Key("ok"), w.Uint64(t.connects_ok);
    w.Key("failed"), w.Uint64(t.connects_failed);
    w.Key("latencyMs"), latency(w, t.connect_us);
    w.EndObject();
    w.Key("disconnects"), w.Uint64(t.disconnects);
    w.Key("errorCount"), w.Uint64(t.error_count());
    w.Key("errors"), counts(w, t.errors);

    w.Key("cpu"), w.StartObject();
    w.Key("userSeconds"), w.Double(r.cpu.user_seconds);
    w.Key("systemSeconds"), w.Double(r.cpu.system_seconds);
    w.Key("percent"),
        w.Double(r.elapsed_seconds > 0 ? 100.0 * (r.cpu.user_seconds + r.cpu.system_seconds) / r.elapsed_seconds : 0);
    w.EndObject();

    if (r.has_rate) {
        w.Key("rate"), w.StartObject();
        w.Key("maxSustainedDeliveriesPerSecond"), w.Double(r.max_sustained_deliveries);
        w.Key("maxSustainedRate"), w.Double(r.max_sustained_rate);
        w.Key("steps"), w.StartArray();
        for (auto &s : r.rate_steps) {
            w.StartObject();
            w.Key("level"), w.Uint(s.level);
            w.Key("rate"), w.Double(s.rate);
            w.Key("seconds"), w.Uint(s.seconds);
            w.Key("senders"), w.Uint64(s.senders);
            w.Key("sent"), w.Uint64(s.sent);
            w.Key("pushes"), w.Uint64(s.pushes);
            w.Key("deliveriesPerSecond"), w.Double(s.deliveries_per_second);
            w.Key("pushP50Ms"), w.Double(ms(s.push_p50_us));
            w.Key("pushP99Ms"), w.Double(ms(s.push_p99_us));
            w.Key("requestP99Ms"), w.Double(ms(s.request_p99_us));
            w.Key("errorRatio"), w.Double(s.error_ratio);
            w.Key("met"), w.Bool(s.met);
            if (!s.met) w.Key("broken"), w.String(s.broken.c_str());
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }

    if (!r.agents.empty()) {
        w.Key("agents"), w.StartArray();
        for (auto &a : r.agents) {
            w.StartObject();
            w.Key("address"), w.String(a.address.c_str());
            w.Key("firstIndex"), w.Uint64(a.first_index);
            w.Key("users"), w.Uint64(a.users);
            w.Key("requestsOk"), w.Uint64(a.total.requests_ok);
            w.Key("requestsFailed"), w.Uint64(a.total.requests_failed);
            w.Key("notifies"), w.Uint64(a.total.notifies);
            w.Key("pushes"), w.Uint64(a.total.pushes);
            w.Key("connectsOk"), w.Uint64(a.total.connects_ok);
            w.Key("connectsFailed"), w.Uint64(a.total.connects_failed);
            w.Key("errorCount"), w.Uint64(a.total.error_count());
            w.Key("cpuSeconds"), w.Double(a.cpu.user_seconds + a.cpu.system_seconds);
            if (!a.error.empty()) w.Key("error"), w.String(a.error.c_str());
            w.EndObject();
        }
        w.EndArray();
    }

    w.Key("timeline"), w.StartArray();
    for (auto &p : r.timeline) {
        w.StartObject();
        w.Key("second"), w.Uint(p.second);
        w.Key("users"), w.Uint64(p.users);
        w.Key("requestsOk"), w.Uint64(p.requests_ok);
        w.Key("requestsFailed"), w.Uint64(p.requests_failed);
        w.Key("notifies"), w.Uint64(p.notifies);
        w.Key("pushes"), w.Uint64(p.pushes);
        w.Key("errors"), w.Uint64(p.errors);
        w.Key("connectsOk"), w.Uint64(p.connects_ok);
        w.Key("connectsFailed"), w.Uint64(p.connects_failed);
        w.Key("latencyP50Ms"), w.Double(ms(p.request_p50_us));
        w.Key("latencyP99Ms"), w.Double(ms(p.request_p99_us));
        w.Key("latencyMaxMs"), w.Double(ms(p.request_max_us));
        w.Key("pushP50Ms"), w.Double(ms(p.push_p50_us));
        w.Key("pushP99Ms"), w.Double(ms(p.push_p99_us));
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

namespace {

std::string fmt(const char *f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

std::string latency_row(const char *label, const Histogram &h) {
    if (!h.count()) return std::string(label) + "  (none)\n";
    return std::string(label) + "  p50 " + fmt("%.2f", ms(h.percentile(0.5))) + "  p90 " +
           fmt("%.2f", ms(h.percentile(0.9))) + "  p99 " + fmt("%.2f", ms(h.percentile(0.99))) + "  p99.9 " +
           fmt("%.2f", ms(h.percentile(0.999))) + "  max " + fmt("%.2f", ms(h.max())) + " ms\n";
}

}  // namespace

std::string report_text(const Report &r) {
    const Snapshot &t = r.total;
    std::string o;
    o += "scenario   " + (r.name.empty() ? r.file : r.name) + "  (" + r.transport + "://" + r.host + ":" +
         std::to_string(r.port) + ", " + std::to_string(r.users) + " users, " + std::to_string(r.threads) + " threads" +
         (r.agents.empty() ? "" : ", " + std::to_string(r.agents.size()) + " agents") + ")\n";
    o += "elapsed    " + fmt("%.1f", r.elapsed_seconds) + " s, stopped by " + r.stopped_by + "\n";
    o += "connects   ok " + std::to_string(t.connects_ok) + "  failed " + std::to_string(t.connects_failed) +
         "  peak connected " + std::to_string(r.peak_users) + "\n";
    o += latency_row("  connect ", t.connect_us);
    o += "requests   ok " + std::to_string(t.requests_ok) + "  failed " + std::to_string(t.requests_failed) +
         (t.requests_refused ? "  refused " + std::to_string(t.requests_refused) : std::string()) + "  " +
         fmt("%.0f", per_second(t.requests_ok, r.elapsed_seconds)) + " req/s\n";
    o += latency_row("  latency ", t.request_us);
    // Per route only when there is more than one: a single route's row would repeat the one above.
    if (t.requests_by_route.size() > 1)
        for (auto &[route, f] : t.requests_by_route) {
            o += "  " + route + "  ok " + std::to_string(f.ok) + "  failed " + std::to_string(f.failed) +
                 (f.refused ? "  refused " + std::to_string(f.refused) : std::string()) + "\n";
            o += latency_row("    ", f.us);
        }
    o += "notifies   " + std::to_string(t.notifies) + "\n";
    o += "pushes     " + std::to_string(t.pushes) + "  " + fmt("%.0f", per_second(t.pushes, r.elapsed_seconds)) +
         " push/s\n";
    o += latency_row("  latency ", t.push_us);
    if (r.has_rate) {
        o += "rate steps (per sender: msg/s -> deliveries/s, push p99):\n";
        for (auto &s : r.rate_steps)
            o += "  " + fmt("%10.1f", s.rate) + " -> " + fmt("%10.0f", s.deliveries_per_second) + "  p99 " +
                 fmt("%.2f", ms(s.push_p99_us)) + " ms" + (s.met ? "" : "  (over " + s.broken + ")") + "\n";
        o += "max sustained deliveries/s " + fmt("%.0f", r.max_sustained_deliveries) + " at rate " +
             fmt("%.1f", r.max_sustained_rate) + "\n";
    }
    o += "errors     " + std::to_string(t.error_count()) + "\n";
    for (auto &[k, n] : t.errors) o += "  " + k + " " + std::to_string(n) + "\n";
    double cpu = r.cpu.user_seconds + r.cpu.system_seconds;
    o += "robot cpu  user " + fmt("%.2f", r.cpu.user_seconds) + " s  sys " + fmt("%.2f", r.cpu.system_seconds) +
         " s  (" + fmt("%.0f", r.elapsed_seconds > 0 ? 100.0 * cpu / r.elapsed_seconds : 0) + " %)\n";
    return o;
}

std::string progress_line(const TimelinePoint &p, uint64_t users_target) {
    char b[256];
    std::snprintf(b, sizeof b, "[%4us] users %llu/%llu  req/s %llu  push/s %llu  p50 %.2f ms  p99 %.2f ms  err %llu",
                  p.second, (unsigned long long)p.users, (unsigned long long)users_target,
                  (unsigned long long)p.requests_ok, (unsigned long long)p.pushes, ms(p.request_p50_us),
                  ms(p.request_p99_us), (unsigned long long)p.errors);
    return b;
}

}  // namespace shd::robot
