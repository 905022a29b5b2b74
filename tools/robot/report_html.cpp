// report_html.cpp - the HTML report: one self-contained file (no scripts, no external resources)
// whose charts are inline SVG drawn here from the per-second timeline.
#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace shd::robot {

namespace {

struct Series {
    std::string name, color;
    std::vector<double> values;  // one per second
};

std::string esc(const std::string &s) {
    std::string o;
    for (char c : s) {
        switch (c) {
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '&': o += "&amp;"; break;
            case '"': o += "&quot;"; break;
            default: o += c;
        }
    }
    return o;
}

std::string num(double v, int decimals = 1) {
    char b[64];
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
    return b;
}

// A "nice" axis maximum (1, 2 or 5 times a power of ten) at or above v.
double nice_max(double v) {
    if (v <= 0) return 1;
    double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= v) return m * p;
    return 10 * p;
}

std::string chart(const std::string &title, const std::string &unit, const std::vector<Series> &series) {
    const double W = 860, H = 260, left = 70, right = 20, top = 30, bottom = 40;
    size_t n = 0;
    double maxv = 0;
    for (auto &s : series) {
        n = std::max(n, s.values.size());
        for (double v : s.values) maxv = std::max(maxv, v);
    }
    double ymax = nice_max(maxv);
    double pw = W - left - right, ph = H - top - bottom;
    auto x = [&](size_t i) { return left + (n > 1 ? pw * double(i) / double(n - 1) : pw / 2); };
    auto y = [&](double v) { return top + ph - ph * v / ymax; };

    std::string o = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(W, 0) + "\" height=\"" + num(H, 0) +
                    "\" role=\"img\" aria-label=\"" + esc(title) + "\">\n";
    o += "<text x=\"" + num(left, 0) + "\" y=\"18\" class=\"t\">" + esc(title) + " (" + esc(unit) + ")</text>\n";
    for (int g = 0; g <= 4; ++g) {
        double v = ymax * g / 4, yy = y(v);
        o += "<line x1=\"" + num(left) + "\" x2=\"" + num(W - right) + "\" y1=\"" + num(yy) + "\" y2=\"" + num(yy) +
             "\" class=\"g\"/><text x=\"" + num(left - 6) + "\" y=\"" + num(yy + 4) +
             "\" class=\"a\" text-anchor=\"end\">" + num(v, ymax < 10 ? 2 : 0) + "</text>\n";
    }
    size_t ticks = std::min<size_t>(n, 10);
    for (size_t k = 0; k < ticks; ++k) {
        size_t i = ticks > 1 ? k * (n - 1) / (ticks - 1) : 0;
        o += "<text x=\"" + num(x(i)) + "\" y=\"" + num(H - bottom + 16) + "\" class=\"a\" text-anchor=\"middle\">" +
             std::to_string(i + 1) + "s</text>\n";
    }
    double lx = left + 10;
    for (auto &s : series) {
        std::string pts;
        for (size_t i = 0; i < s.values.size(); ++i) pts += num(x(i)) + "," + num(y(s.values[i])) + " ";
        o += "<polyline fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"2\" points=\"" + pts + "\"/>\n";
        o += "<rect x=\"" + num(lx) + "\" y=\"" + num(H - 14) + "\" width=\"10\" height=\"10\" fill=\"" + s.color +
             "\"/><text x=\"" + num(lx + 14) + "\" y=\"" + num(H - 5) + "\" class=\"a\">" + esc(s.name) + "</text>\n";
        lx += 30 + 7.0 * double(s.name.size());
    }
    return o + "</svg>\n";
}

std::vector<double> column(const Report &r, const std::function<double(const TimelinePoint &)> &f) {
    std::vector<double> v;
    for (auto &p : r.timeline) v.push_back(f(p));
    return v;
}

std::string row(const std::string &k, const std::string &v) {
    return "<tr><th>" + esc(k) + "</th><td>" + esc(v) + "</td></tr>\n";
}

}  // namespace

std::string report_html(const Report &r) {
    const Snapshot &t = r.total;
    auto lat = [](const Histogram &h) {
        return "p50 " + num(h.percentile(0.5) / 1000.0, 2) + " / p90 " + num(h.percentile(0.9) / 1000.0, 2) +
               " / p99 " + num(h.percentile(0.99) / 1000.0, 2) + " / p99.9 " + num(h.percentile(0.999) / 1000.0, 2) +
               " / max " + num(h.max() / 1000.0, 2) + " ms";
    };
    double secs = r.elapsed_seconds > 0 ? r.elapsed_seconds : 1;
    std::string o =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>shaddock-robot: " + esc(r.name) +
        "</title>\n<style>body{font:14px sans-serif;margin:24px;color:#222}table{border-collapse:collapse}"
        "th,td{padding:3px 10px;text-align:left;border-bottom:1px solid #ddd}th{font-weight:600}"
        ".t{font:600 14px sans-serif}.a{font:11px sans-serif;fill:#555}.g{stroke:#e4e4e4}</style></head><body>\n";
    o += "<h1>" + esc(r.name.empty() ? r.file : r.name) + "</h1>\n<table>\n";
    o += row("server", r.transport + "://" + r.host + ":" + std::to_string(r.port));
    o += row("users", std::to_string(r.users) + " (peak connected " + std::to_string(r.peak_users) + ")");
    o += row("elapsed", num(r.elapsed_seconds) + " s, stopped by " + r.stopped_by);
    o += row("requests", std::to_string(t.requests_ok) + " ok, " + std::to_string(t.requests_failed) + " failed, " +
                             (t.requests_refused ? std::to_string(t.requests_refused) + " refused, " : std::string()) +
                             num(double(t.requests_ok) / secs, 0) + " req/s");
    o += row("request latency", lat(t.request_us));
    o += row("pushes", std::to_string(t.pushes) + ", " + num(double(t.pushes) / secs, 0) + " push/s");
    o += row("push latency", lat(t.push_us));
    o += row("connects", std::to_string(t.connects_ok) + " ok, " + std::to_string(t.connects_failed) + " failed");
    o += row("connect time", lat(t.connect_us));
    o += row("errors", std::to_string(t.error_count()));
    for (auto &[k, n] : t.errors) o += row("  " + k, std::to_string(n));
    o += row("robot CPU", num(r.cpu.user_seconds, 2) + " s user + " + num(r.cpu.system_seconds, 2) + " s sys");
    if (r.has_rate)
        o += row("max sustained deliveries/s",
                 num(r.max_sustained_deliveries, 0) + " (rate " + num(r.max_sustained_rate) + " per sender)");
    o += "</table>\n<h2>Over time</h2>\n";
    o += chart("Request latency", "ms",
               {{"p50", "#1f77b4", column(r, [](auto &p) { return p.request_p50_us / 1000.0; })},
                {"p99", "#d62728", column(r, [](auto &p) { return p.request_p99_us / 1000.0; })},
                {"max", "#999999", column(r, [](auto &p) { return p.request_max_us / 1000.0; })}});
    o += chart("Throughput", "per second",
               {{"requests ok", "#2ca02c", column(r, [](auto &p) { return double(p.requests_ok); })},
                {"pushes", "#9467bd", column(r, [](auto &p) { return double(p.pushes); })},
                {"errors", "#d62728", column(r, [](auto &p) { return double(p.errors); })}});
    if (t.push_us.count())
        o += chart("Push latency", "ms",
                   {{"p50", "#1f77b4", column(r, [](auto &p) { return p.push_p50_us / 1000.0; })},
                    {"p99", "#d62728", column(r, [](auto &p) { return p.push_p99_us / 1000.0; })}});
    o += chart("Users connected", "users", {{"users", "#ff7f0e", column(r, [](auto &p) { return double(p.users); })}});
    if (r.has_rate && !r.rate_steps.empty()) {
        o += "<h2>Rate steps</h2>\n<table><tr><th>rate/sender</th><th>deliveries/s</th><th>push p99 "
             "ms</th><th>met</th></tr>\n";
        for (auto &s : r.rate_steps)
            o += "<tr><td>" + num(s.rate) + "</td><td>" + num(s.deliveries_per_second, 0) + "</td><td>" +
                 num(s.push_p99_us / 1000.0, 2) + "</td><td>" + (s.met ? "yes" : "no (" + esc(s.broken) + ")") +
                 "</td></tr>\n";
        o += "</table>\n";
    }
    return o + "</body></html>\n";
}

}  // namespace shd::robot
