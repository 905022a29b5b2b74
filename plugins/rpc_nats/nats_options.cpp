#include "nats_options.hpp"

#include <set>

namespace shd::rpc::nats {

namespace {

// rpc options that only the TCP transport reads: accepted, so that a plugins.json written for the
// rpc plugin works with rpc_nats by changing its name.
const std::set<std::string, std::less<>> kTcpOnly = {"connectTimeout", "bufferMsg", "interval", "ioThreads",
                                                     "maxUnauthenticated"};

bool valid_subject(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '*' || c == '>' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
        if (c == '.' && i + 1 < s.size() && s[i + 1] == '.') return false;
    }
    return true;
}

}  // namespace

const shd::OptionTable &rpc_nats_option_table() {
    namespace opt = shd::option;
    static const shd::OptionTable table = [] {
        std::vector<shd::Option> options;
        for (shd::Option o : rpc_option_table().options()) {
            if (o.name == "connectTimeout")
                o.description =
                    "the first connection to NATS at start, and each reconnection attempt's TCP connect (the rpc "
                    "plugin's meaning does not apply: there is no handshake between servers)";
            else if (kTcpOnly.count(o.name))
                o.description =
                    "TCP transport only: accepted and ignored here, so that switching between `rpc` "
                    "and `rpc_nats` is one line";
            else if (o.name == "maxFrameSize")
                o.description =
                    "largest frame sent or accepted, lowered at start to the NATS server's "
                    "`max_payload` less the envelope; a larger message received is dropped";
            else if (o.name == "maxQueuedBytes")
                o.description =
                    "per peer, bytes of requests staged during one turn of the logic thread and "
                    "not yet handed to the NATS client; a call beyond it fails with `SHD_ERR_BUSY`";
            else if (o.name == "secret")
                o.description =
                    "the shared secret every message is signed with (HMAC-SHA256), when no "
                    "`shd.cluster/1` service is loaded (then it is required) or it has no secret yet";
            options.push_back(std::move(o));
        }
        options.push_back(opt::string("url", "nats://127.0.0.1:4222",
                                      "the NATS server, or several separated by commas (a cluster: the client "
                                      "reconnects to any of them); credentials belong in `token` or `user` and "
                                      "`password`, not here"));
        options.push_back(opt::string("token", "", "NATS authentication token; never logged").showing_default("none"));
        options.push_back(
            opt::string("user", "", "NATS user name (with `password`); never logged").showing_default("none"));
        options.push_back(opt::string("password", "", "NATS password of `user`; never logged").showing_default("none"));
        options.push_back(opt::string("subjectPrefix", "shd.rpc",
                                      "calls to server `<id>` are published to `<subjectPrefix>.<id>`; "
                                      "clusters sharing one NATS need different prefixes (or accounts)"));
        options.push_back(opt::integer("reconnectWait", 500, 10, 600000,
                                       "pause between two attempts to reconnect to NATS (it retries forever)")
                              .measured_in("ms"));
        options.push_back(opt::integer("pingInterval", 5000, 100, 600000,
                                       "NATS client pings; two unanswered pings count as a lost connection "
                                       "(a hung NATS server)")
                              .measured_in("ms"));
        options.push_back(opt::integer("probeInterval", 1000, 50, 600000,
                                       "while calls to a server are in flight, a probe is published to it this "
                                       "often; NATS answering \"no responders\" (the server is gone) fails them "
                                       "with `SHD_ERR_IO` (or fails them over)")
                              .measured_in("ms"));
        options.push_back(opt::integer("maxPendingBytes", 64 << 20, 1024, INT32_MAX,
                                       "per subscription (calls in, answers in), bytes received and not yet "
                                       "handed to the logic thread; beyond it the NATS client drops messages "
                                       "(a slow consumer, logged)")
                              .measured_in("bytes"));
        options.push_back(opt::string("name", "", "the connection name the NATS server shows")
                              .showing_default("`\"shaddock <server id>\"`"));
        return shd::OptionTable("the rpc_nats plugin", std::move(options));
    }();
    return table;
}

RpcNatsOptions parse_rpc_nats_options(std::string_view json) {
    shd::Options opts(json, rpc_nats_option_table());
    RpcNatsOptions o;
    o.rpc = read_rpc_options(opts);
    NatsOptions &n = o.nats;
    n.url = opts.string("url");
    n.token = opts.string("token");
    n.user = opts.string("user");
    n.password = opts.string("password");
    n.subject_prefix = opts.string("subjectPrefix");
    n.reconnect_wait_ms = static_cast<uint32_t>(opts.integer("reconnectWait"));
    n.ping_interval_ms = static_cast<uint32_t>(opts.integer("pingInterval"));
    n.probe_interval_ms = static_cast<uint32_t>(opts.integer("probeInterval"));
    n.connect_timeout_ms = static_cast<uint32_t>(opts.integer("connectTimeout"));
    n.max_pending_bytes = opts.integer("maxPendingBytes");
    n.name = opts.string("name");
    if (n.url.empty()) throw shd::Error(SHD_ERR_INVALID, "option url: expected a NATS URL, got \"\"");
    if (!valid_subject(n.subject_prefix))
        throw shd::Error(SHD_ERR_INVALID,
                         "option subjectPrefix: expected NATS subject tokens separated by dots "
                         "(no spaces, '*' or '>'), got \"" +
                             n.subject_prefix + "\"");
    if (!n.token.empty() && (!n.user.empty() || !n.password.empty()))
        throw shd::Error(SHD_ERR_INVALID, "option token: give either token, or user and password, not both");
    if (n.user.empty() != n.password.empty())
        throw shd::Error(SHD_ERR_INVALID, n.user.empty() ? "option user: required with password"
                                                         : "option password: required with user");
    return o;
}

std::string redact_url(std::string_view url) {
    std::string out;
    size_t start = 0;
    while (start <= url.size()) {
        size_t comma = url.find(',', start);
        std::string_view one =
            url.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        size_t scheme = one.find("://");
        size_t from = scheme == std::string_view::npos ? 0 : scheme + 3;
        size_t at = one.find('@', from);
        if (!out.empty()) out.push_back(',');
        if (at == std::string_view::npos) {
            out.append(one);
        } else {
            out.append(one.substr(0, from)).append("***@").append(one.substr(at + 1));
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace shd::rpc::nats
