#include "connector_options.hpp"

#include <shaddock/cpp/options.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

namespace shd::connector {

namespace {

namespace fs = std::filesystem;
namespace opt = shd::option;

// A token bucket's keys: `rate` `what` per second, up to `burst` saved. With only `rate` given, burst
// is the rate (at least 1) and kickAfter five seconds' worth.
shd::OptionTable bucket(const std::string &what, double rate, double burst, const double *kick_after) {
    using opt::format_number;
    std::vector<Option> keys{opt::number("rate", rate, 0.001, 1e9, what + " per second"),
                             opt::number("burst", burst, 1, 1e9, what + " saved up at most")
                                 .showing_default("`rate` if given (at least 1), else " + format_number(burst))};
    if (kick_after)
        keys.push_back(opt::number("kickAfter", *kick_after, 0, 1e9,
                                   "refusals owed before the client is kicked (reason `rate limit`); 0: never")
                           .showing_default("5 x `rate` if given, else " + format_number(*kick_after)));
    return shd::OptionTable("", std::move(keys));
}

// A TLS file path from ssl.<key>, relative to the app directory; it must be a readable file.
std::string tls_path(const Options &ssl, const char *key, const std::string &app_dir) {
    if (!ssl.has(key)) return "";
    std::string value = ssl.string(key);
    if (value.empty()) ssl.fail(key, "a PEM file path (relative to the app directory)", *ssl.find(key));
    fs::path p(value);
    if (p.is_relative()) p = fs::path(app_dir) / p;
    std::ifstream probe(p);
    if (!probe) throw Error(SHD_ERR_INVALID, ssl.name_of(key) + ": cannot read \"" + p.string() + "\"");
    return p.string();
}

// false: off (rate 0); an object: its rate, and burst and kickAfter as given or derived from a given rate;
// absent: the defaults already in rate, burst and kick_after.
void read_bucket(const Options &opts, const char *key, double &rate, double &burst, double *kick_after) {
    if (opts.is_false(key)) {
        rate = 0;
        return;
    }
    if (!opts.has(key)) return;
    Options b = opts.object(key);
    rate = b.number("rate");
    bool rate_given = b.has("rate");
    burst = b.has("burst") || !rate_given ? b.number("burst") : std::max(1.0, rate);
    if (kick_after) *kick_after = b.has("kickAfter") || !rate_given ? b.number("kickAfter") : 5 * rate;
}

}  // namespace

const shd::OptionTable &connector_option_table() {
    static const double kick_after = 250'000;
    const std::string pem = "a PEM file path (relative to the app directory)";
    static const shd::OptionTable table(
        "the connector",
        {
            opt::integer("port", 0, 0, 65535, "port to listen on (0: any free port)")
                .expecting("a port number")
                .showing_default("the server's `clientPort`"),
            opt::string("host", "", "address to listen on").showing_default("every interface"),
            opt::boolean("distinctHost", false, "listen on the server's `host` from servers.json (Pomelo)"),
            opt::object("ssl",
                        {opt::string("cert", "", "PEM certificate chain").expecting(pem).require(),
                         opt::string("key", "", "PEM private key").expecting(pem).require(),
                         opt::string("ca", "", "extra chain certificates (PEM) sent with the certificate")
                             .expecting(pem)
                             .showing_default("none"),
                         opt::ignored("type")},  // Pomelo's, without meaning here
                        "TLS for the whole port; PEM files relative to the app directory"),
            opt::seconds("heartbeat", 0, 86400,
                         "heartbeat interval offered to clients (protocol; `pomelo_protocol` takes whole seconds)")
                .showing_default("none"),
            opt::seconds("timeout", 0, 86400,
                         "heartbeat timeout (protocol; `pomelo_protocol` takes whole seconds); also the idle timeout "
                         "when `idleTimeout` is absent, as in Pomelo")
                .showing_default("2 x heartbeat"),
            opt::seconds("idleTimeout", 90, 86400,
                         "without heartbeats, the silence allowed after the handshake (`pomelo_protocol`: at least "
                         "0.01); also caps `handshakeTimeout`")
                .showing_default("`timeout`, else 90"),
            opt::seconds("handshakeTimeout", 10, 86400,
                         "deadline from accept to a completed handshake: TLS, sniffing, WebSocket upgrade, Pomelo "
                         "handshake and its ACK; above 0")
                .showing_default("10 (at most `idleTimeout`)"),
            opt::boolean("useDict", false, "route dictionary (protocol)"),
            opt::boolean("useProtobuf", false, "pomelo-protobuf bodies for routes in the proto files (protocol)"),
            opt::integer("max-connections", 0, 0, UINT32_MAX, "connections beyond it are closed at accept")
                .showing_default("servers.json `max-connections`, else unlimited"),
            opt::boolean("setNoDelay", true, "TCP_NODELAY on client sockets"),
            opt::strings("blacklist", "regular expressions; a peer IP that matches is closed at accept")
                .expecting("an array of regular expressions (strings)"),
            opt::boolean("singleSession", false, "a uid may be bound to one session only"),
            opt::integer("maxPackageSize", 64 * 1024, 16, (1 << 24) - 1, "largest package body accepted from a client")
                .expecting("a byte count")
                .measured_in("bytes"),
            opt::integer("sendQueueLimit", 1024 * 1024, 1024, int64_t(1) << 40,
                         "bytes queued for one client before it is cut off (\"send queue overflow\")")
                .expecting("a byte count")
                .measured_in("bytes"),
            opt::integer("maxPendingMessages", 256, 2, 1'000'000,
                         "messages of one client not yet handled (notifies not dispatched, requests not answered); "
                         "at this many the connector stops reading that socket until half of them are")
                .expecting("a message count"),
            opt::integer("maxInboxBytes", 32 << 20, 64 * 1024, int64_t(1) << 40,
                         "client messages of all connections waiting for the logic thread; past it every "
                         "connection that receives stops reading until the queue is down to half")
                .expecting("a byte count")
                .measured_in("bytes"),
            opt::false_or_object("rateLimit", bucket("messages", 50'000, 50'000, &kick_after),
                                 "per-session token bucket of messages; a request over the limit is answered "
                                 "`{\"code\":500,\"message\":\"rate limit\"}`, a notify is dropped; each refusal is "
                                 "owed back; `false`: off")
                .showing_default("`{\"rate\": 50000, \"burst\": 50000, \"kickAfter\": 250000}`"),
            opt::integer("maxConnectionsPerIp", 20'000, 0, UINT32_MAX,
                         "open connections from one peer IP (0: unlimited); more are closed at accept")
                .expecting("a connection count"),
            opt::false_or_object("connectRate", bucket("new connections", 1'000, 20'000, nullptr),
                                 "new connections per second from one peer IP (token bucket); faster ones are closed "
                                 "at accept; `false`: off")
                .showing_default("`{\"rate\": 1000, \"burst\": 20000}`"),
            opt::integer("ioThreads", 1, 1, 64, "I/O threads (each with its own io_context)"),
            opt::string("scheduler", "direct",
                        "push scheduler for responses and pushes: `\"direct\"` writes at once, `\"buffer\"` holds a "
                        "client's packages and flushes them in one write / WebSocket message every `flushInterval`")
                .one_of({"direct", "buffer"}),
            opt::integer("flushInterval", 20, 1, 60'000, "flush period of the `\"buffer\"` scheduler")
                .expecting("milliseconds")
                .measured_in("ms"),
            opt::boolean("repliesAtOnce", false,
                         "with the `\"buffer\"` scheduler, a response is written at once, together with the pushes "
                         "held before it (pushes alone still wait for `flushInterval`); `false`: held like pushes "
                         "(Pomelo)"),
        },
        // The whole options object is the protocol's too: keys the connector does not know are the
        // protocol's to read, so they are logged and passed on.
        UnknownOptions::keep);
    return table;
}

ConnectorOptions parse_options(std::string_view options_json, const ServerInfo &server) {
    Options opts(options_json, connector_option_table());
    ConnectorOptions o;
    o.unknown = opts.unknown();

    // Listening address: Pomelo binds every interface unless distinctHost is set.
    o.host = opts.has("host") ? opts.string("host") : opts.boolean("distinctHost") ? server.host : std::string();
    if (opts.has("port"))
        o.port = static_cast<int>(opts.integer("port"));
    else if (server.client_port > 0)
        o.port = server.client_port;
    else
        throw Error(SHD_ERR_INVALID,
                    "server " + server.id + ": the connector needs a clientPort in servers.json (or the option port)");

    if (opts.has("ssl")) {
        Options ssl = opts.object("ssl");
        o.tls = true;
        o.tls_files.cert = tls_path(ssl, "cert", server.app_dir);
        o.tls_files.key = tls_path(ssl, "key", server.app_dir);
        o.tls_files.ca = tls_path(ssl, "ca", server.app_dir);
    }

    o.io_threads = static_cast<unsigned>(opts.integer("ioThreads"));
    o.heartbeat_s = static_cast<uint32_t>(opts.milliseconds("heartbeat") / 1000);
    if (opts.number("heartbeat") > 0 && o.heartbeat_s == 0) o.heartbeat_s = 1;
    // Pomelo's `timeout` is also its idle socket timeout; idleTimeout (ours) wins when both are set.
    uint64_t timeout_ms = opts.milliseconds("timeout");
    o.idle_timeout_ms = opts.has("idleTimeout") ? opts.milliseconds("idleTimeout") : timeout_ms;
    if (o.idle_timeout_ms == 0)  // neither set, or 0: the declared default
        o.idle_timeout_ms = static_cast<uint64_t>(connector_option_table().find("idleTimeout")->default_number * 1000);
    o.no_delay = opts.boolean("setNoDelay");
    o.single_session = opts.boolean("singleSession");
    o.max_package_size = static_cast<uint64_t>(opts.integer("maxPackageSize"));
    o.send_queue_limit = static_cast<uint64_t>(opts.integer("sendQueueLimit"));

    // Pomelo's push schedulers by name: "direct" (its default) or "buffer" with flushInterval (ms, 20).
    uint64_t flush_ms = static_cast<uint64_t>(opts.integer("flushInterval"));
    o.flush_interval_ms = opts.string("scheduler") == "buffer" ? flush_ms : 0;
    o.replies_at_once = o.flush_interval_ms && opts.boolean("repliesAtOnce");

    // max-connections: the option, else the server's entry in servers.json (Pomelo's place for it).
    if (opts.has("max-connections")) {
        o.max_connections = static_cast<uint64_t>(opts.integer("max-connections"));
    } else if (!server.json.empty()) {
        rapidjson::Document entry;
        entry.Parse(server.json.data(), server.json.size());
        if (!entry.HasParseError() && entry.IsObject() && entry.HasMember("max-connections")) {
            const rapidjson::Value &v = entry["max-connections"];
            if (v.IsUint64())
                o.max_connections = v.GetUint64();
            else if (v.IsString()) {  // servers.json values may be strings ("max-connections": "1000")
                try {
                    o.max_connections = std::stoull(v.GetString());
                } catch (...) {
                    opts.fail("max-connections (servers.json)", "a connection count", v);
                }
            } else {
                opts.fail("max-connections (servers.json)", "a connection count", v);
            }
        }
    }

    o.handshake_timeout_ms = opts.milliseconds("handshakeTimeout");
    if (o.handshake_timeout_ms == 0)
        opts.fail("handshakeTimeout", "a number of seconds above 0", *opts.find("handshakeTimeout"));
    o.max_pending_messages = static_cast<uint32_t>(opts.integer("maxPendingMessages"));
    o.max_inbox_bytes = static_cast<uint64_t>(opts.integer("maxInboxBytes"));
    o.max_connections_per_ip = static_cast<uint64_t>(opts.integer("maxConnectionsPerIp"));
    read_bucket(opts, "rateLimit", o.rate, o.rate_burst, &o.rate_kick_after);
    read_bucket(opts, "connectRate", o.connect_rate, o.connect_burst, nullptr);

    for (std::string &pattern : opts.strings("blacklist")) {
        try {
            std::regex check(pattern, std::regex::ECMAScript);
        } catch (const std::regex_error &e) {
            throw Error(SHD_ERR_INVALID,
                        "option blacklist: \"" + pattern + "\" is not a valid regular expression (" + e.what() + ")");
        }
        o.blacklist.push_back(std::move(pattern));
    }
    return o;
}

}  // namespace shd::connector
