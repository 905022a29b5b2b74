// The figures the dashboard and `GET /api/stats` show for one server, taken from its latest
// "shd.metrics/1" snapshot (the JSON array of metric families the master keeps). Pure, no I/O: the
// snapshot is the server's text, so every field is checked and what does not fit is left out.
#pragma once

#include "metrics_exposition.hpp"

#include <string>

namespace shd::cluster {

// {"id":..,"serverType":..,"connections":N,"handshakes":N,"pushesSent":N,"pushesDropped":N,
//  "rateLimited":N,"sendQueueCutoffs":N,"lagMs":N,"cpuMs":N,"rssBytes":N,
//  "routes":[{"route":..,"requests":N,"errors":N,"latency":{"bounds":[s...],"counts":[N...],"sum":s}}],
//  "rpc":[{"target":..,"calls":N,"errors":N,"timeouts":N,"latency":{...}}]}
// Counters are totals since the server started (a rate is the difference of two snapshots); a
// histogram's "counts" are per bucket (not cumulative), one more than "bounds" (the last is +Inf).
std::string server_figures_json(const ServerMetrics &server);

}  // namespace shd::cluster
