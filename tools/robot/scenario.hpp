// scenario.hpp - a load scenario (JSON file, reference in docs/robot.md): the server to load, how
// many users, how fast they arrive, for how long, and the script each user runs.
#pragma once

#include "body_template.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shd::robot {

// A think time in milliseconds: constant (a), uniform in [a, b], or exponential with mean a.
struct Delay {
    enum class Dist { constant, uniform, exponential };
    Dist dist = Dist::constant;
    double a = 0, b = 0;
};

// The rate-controlled sender: `start` messages per second per sending user, multiplied by `factor`
// every `step_seconds`, until a stop condition of a whole step holds (then the run ends) or the
// run's duration is over. A level that breaks a condition is measured again up to `retries` times
// before the run ends, so that one stall of a shared machine does not end the search.
struct RateSpec {
    double start = 10;
    double factor = 1.5;
    unsigned step_seconds = 3;
    double max_rate = 1e9;
    unsigned retries = 0;            // further tries of a level that broke a condition
    double stop_push_p99_ms = 0;     // 0 = not a condition
    double stop_request_p99_ms = 0;  // 0 = not a condition
    double stop_error_ratio = 0;     // failed/(ok+failed) of the step; 0 = not a condition
};

// "save": a per-user variable set from a field of a reply or push body. `path` is dotted: object keys
// and array indices ("entities.mob.0.entityId"); an absent field leaves the variable as it was.
struct Save {
    std::string var;
    std::vector<std::string> path;
};

// "expect": a reply (or HTTP answer) whose field `path` is not `json` (compared as JSON values) fails.
struct Expect {
    std::vector<std::string> path;
    std::string json;
};

struct Step {
    enum class Kind { request, notify, on, wait_push, sleep, loop, rate, disconnect, http, set, connect };
    Kind kind = Kind::request;
    std::string path;  // JSON path in the scenario ("$.script[2]"), for messages
    // request / notify / rate
    Template route, body;
    uint32_t timeout_ms = 0;  // request, waitPush; 0 = the server's default (requestTimeoutMs)
    bool rate_notify = false;
    // on / waitPush
    std::string push_route;
    std::string latency_field;  // on: the body field holding the sender's CLOCK_REALTIME microseconds
    // sleep
    Delay delay;
    // loop
    uint64_t count = 0;  // 0 = until the end of the run
    unsigned in_flight = 1;
    std::vector<Step> steps;
    // rate
    RateSpec rate;
    // request, http, on: variables taken from the reply / push; request, http: what the reply must hold
    std::vector<Save> saves;
    std::vector<Save> forgets;  // on: the variable is unset when the field (or an element of it) equals it
    std::vector<Expect> expects;
    // request: a reply holding every one of these is a refusal: the server answered, and said no (a
    // game's "that target is gone"); counted apart, neither ok nor failed. Checked before expects.
    std::vector<Expect> refusals;
    // on: conditions (field path -> value template, compared as JSON) a push must meet before its
    // save, forget and assign apply; assign: variable -> value template, applied to such pushes
    std::vector<std::pair<std::vector<std::string>, Template>> whens;
    std::vector<std::pair<std::string, Template>> assigns;
    // http: method, host, port (templates; the port expands to a number) and path; the body is `body`
    std::string http_method = "POST";
    Template http_host, http_port, http_path;
    // set: variable -> value template (JSON)
    std::vector<std::pair<std::string, Template>> sets;
    // connect: host and port templates (the transport and timeouts are the scenario's)
    Template connect_host, connect_port;
    // every step: only users with lo <= index <= hi run it; if_set / if_unset: only users whose
    // variable is set (not absent or null) / unset
    uint64_t only_lo = 0, only_hi = UINT64_MAX;
    std::string if_set, if_unset;
};

struct Scenario {
    std::string file;  // where it came from, for messages
    std::string name;
    // server
    std::string transport = "tcp";
    std::string host = "127.0.0.1";
    uint16_t port = 3050;
    std::string ws_path = "/";
    std::string tls_ca_file;
    std::string handshake_user = "{}";
    uint32_t connect_timeout_ms = 10000;
    uint32_t request_timeout_ms = 10000;
    // load
    uint64_t users = 1;
    double ramp_per_second = 0;  // 0 = all at once
    double duration_seconds = 10;
    unsigned threads = 1;
    bool stay_connected = true;  // after its script a user stays connected until the end
    Template uid;
    std::string push_timestamp_field = "ts";  // default latency field of "on" steps
    std::vector<Step> script;
    bool has_rate = false;  // a "rate" step exists (at most one may): its spec drives the rate controller
    RateSpec rate;

    std::string json;  // the scenario as JSON text after overrides: what agents receive
};

// Command-line replacements of scenario fields, applied before validation.
struct Overrides {
    std::optional<std::string> host, transport;
    std::optional<uint64_t> port, users, threads;
    std::optional<double> duration, ramp;
};

// Parses and validates. On failure returns false and sets *error to
// "FILE: $.json.path: what is wrong" (FILE is `file`, or "scenario" when empty).
bool parse_scenario(std::string_view text, const std::string &file, const Overrides &overrides, Scenario &out,
                    std::string *error);
bool load_scenario_file(const std::string &file, const Overrides &overrides, Scenario &out, std::string *error);

}  // namespace shd::robot
