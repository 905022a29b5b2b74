// The connector's figures in "shd.metrics/1" (docs/operations.md, "Metrics"): open connections,
// handshakes, refusals, requests with their errors and latency by route, pushes, send-queue cut-offs.
// Declared on the logic thread at start; updated from the I/O threads and the logic thread (every
// update is a relaxed atomic in the host). Without the host service every handle does nothing.
#pragma once

#include <shaddock/cpp/metrics.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace shd::connector {

class ConnectorMetrics {
public:
    struct Route {
        Metric requests, errors, duration;
    };

    // `routes`: every handler route of the app. Requests for any other route (client text) share the
    // label "other", so a client cannot grow the series.
    void declare(const Host &host, const std::vector<std::string> &routes) {
        Metrics m(host);
        connections = m.gauge("shaddock_connections", "client connections open (accepted, not yet closed)");
        handshakes = m.counter("shaddock_handshakes", "client handshakes completed (sessions established)");
        rate_limited = m.counter("shaddock_rate_limited",
                                 "client messages refused by the per-session rateLimit (requests answered 500, "
                                 "notifies dropped)");
        cutoffs =
            m.counter("shaddock_send_queue_cutoffs", "clients cut off because their send queue passed sendQueueLimit");
        const char *refused_help = "client connections closed at accept by a limit";
        refused_max = m.counter("shaddock_connections_refused", refused_help, "reason", "max_connections");
        refused_per_ip = m.counter("shaddock_connections_refused", refused_help, "reason", "max_per_ip");
        refused_rate = m.counter("shaddock_connections_refused", refused_help, "reason", "connect_rate");
        pushes_sent = m.counter("shaddock_pushes_sent", "pushes handed to a client connection");
        pushes_dropped =
            m.counter("shaddock_pushes_dropped", "pushes not delivered: no session for the sid or uid asked for");
        auto add_route = [&](const std::string &r) {
            by_route_[r] =
                Route{m.counter("shaddock_client_requests", "client requests answered, by route", "route", r),
                      m.counter("shaddock_client_request_errors", "client requests answered with an error, by route",
                                "route", r),
                      m.histogram("shaddock_client_request_duration_seconds",
                                  "time from a request's arrival to its answer, by route", Metrics::latency_buckets(),
                                  "route", r)};
        };
        for (const auto &r : routes) add_route(r);
        add_route("other");
        other_ = &by_route_.at("other");
    }

    // [logic] The metrics of a request's route.
    const Route &route(std::string_view r) const {
        if (!other_) return none_;
        auto it = by_route_.find(r);
        return it == by_route_.end() ? *other_ : it->second;
    }

    Metric connections, handshakes, rate_limited, cutoffs, pushes_sent, pushes_dropped;
    Metric refused_max, refused_per_ip, refused_rate;  // by reason

private:
    std::map<std::string, Route, std::less<>> by_route_;  // fixed after declare()
    const Route *other_ = nullptr;
    Route none_;
};

}  // namespace shd::connector
