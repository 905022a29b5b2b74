// snapshot.hpp - the figures of one interval (usually one second) from one source: a loop thread, a
// whole process, or an agent. Counters and histograms add up when merged, so per-thread snapshots
// merge into a process snapshot, and agents' snapshots merge into the coordinator's.
#pragma once

#include "histogram.hpp"

#include <rapidjson/fwd.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace shd::robot {

// Push route names come from the server; at most this many are kept apart, the rest are pooled under
// "(other routes)" so that a server inventing routes cannot grow the robot's memory.
constexpr size_t kMaxPushRoutes = 256;

// The requests (and http steps) of one route: counted apart so that a game's moves and attacks have
// their own latency. Routes come from the scenario's templates; bounded like push routes.
struct RouteFigures {
    uint64_t ok = 0, failed = 0, refused = 0;  // refused: answered with a step's "refusal"
    Histogram us;  // answered ones: ok and refused
};

struct Snapshot {
    uint64_t requests_ok = 0;
    uint64_t requests_failed = 0;
    uint64_t requests_refused = 0;  // answered, matching the step's "refusal": neither ok nor failed
    uint64_t notifies = 0;
    uint64_t pushes = 0;
    uint64_t connects_ok = 0;
    uint64_t connects_failed = 0;
    uint64_t disconnects = 0;  // lost connections after a successful connect (not at the end of the run)
    // Failures by "<what>:<error>", e.g. "request:timeout", "connect:connect_failed", "waitPush:timeout".
    std::map<std::string, uint64_t, std::less<>> errors;
    std::map<std::string, uint64_t, std::less<>> pushes_by_route;
    std::map<std::string, RouteFigures, std::less<>> requests_by_route;
    Histogram request_us;  // request -> reply, answered requests (ok and refused)
    Histogram push_us;     // sender's timestamp field -> receipt, pushes that carry one
    Histogram connect_us;  // connect() -> handshake done

    // Gauges: values at the end of the interval. Merging adds them (they come from disjoint users).
    uint64_t users_connected = 0;
    uint64_t rate_senders = 0;  // users currently inside a "rate" step

    void merge(const Snapshot &other);
    // Adds `n` to errors[key] (a failure is always counted there and in one of the *_failed counters).
    void error(const std::string &key, uint64_t n = 1) { errors[key] += n; }
    uint64_t error_count() const;
    // The figures of `route` (pooled under "(other routes)" past kMaxPushRoutes routes).
    RouteFigures &route(std::string_view route);

    std::string to_json() const;
    // Reads to_json() output from a parsed value; false with *error set when it is not that form.
    bool from_value(const rapidjson::Value &v, std::string *error);
};

}  // namespace shd::robot
