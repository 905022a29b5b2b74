// The master's view of every server's figures: the Prometheus text exposition format 0.0.4 of the
// snapshots servers send ("shd.metrics/1" JSON, shaddock/ext/metrics.h), and the short summary the
// `list` command shows. Pure functions, no I/O: the snapshots are the servers' text, so everything
// is checked (names, kinds, numbers) and what does not fit is left out rather than served broken.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace shd::cluster {

// One server's latest snapshot: the JSON array of its metric families.
struct ServerMetrics {
    std::string id, type;
    const rapidjson::Value *families = nullptr;
};

// Every family of every server as Prometheus text: families sorted by name, each with one # HELP
// and # TYPE line and the series of every server in the order given, labelled server_id and
// server_type (then the family's own label). Counters get the suffix "_total"; histograms give
// _bucket{le=...} (cumulative, ending with "+Inf"), _sum and _count. A family a later server
// declares with another kind, label or bucket list than the first is left out for that server.
std::string prometheus_text(const std::vector<ServerMetrics> &servers);

// {"connections":N,"handshakes":N,"requests":N,"requestErrors":N,"rpcCalls":N,"rpcErrors":N,
//  "rpcTimeouts":N,"pushesSent":N,"pushesDropped":N,"rateLimited":N,"sendQueueCutoffs":N,"lagMs":N,
//  "cpuMs":N,"rssBytes":N}: each the sum over a family's series (0 when absent), rounded.
std::string stats_summary(const rapidjson::Value &families);

}  // namespace shd::cluster
