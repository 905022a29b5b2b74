#include "rpc_options.hpp"

#include <shaddock/cpp/json.hpp>

#include <shaddock/cpp/options.hpp>

namespace shd::rpc {

const shd::OptionTable &rpc_option_table() {
    namespace opt = shd::option;
    const char *filter_list = "an array of filter names or {\"name\": ...} objects";
    static const shd::OptionTable table(
        "the rpc plugin",
        {
            opt::integer("timeout", 30000, 1, 86400000,
                         "deadline of a call when the caller passes 0 (Pomelo's `proxyConfig.timeout`)")
                .measured_in("ms"),
            opt::integer("connectTimeout", 5000, 1, 600000,
                         "TCP connect plus the hello exchange, both ways: an outbound connection not authenticated "
                         "by then fails its calls; an inbound one that sends no valid hello by then is closed")
                .measured_in("ms"),
            opt::string("routerType", "crc32",
                        "router for server types without a route function: `\"crc32\"` (Pomelo's default: "
                        "`abs(int32(crc32(uid))) % n`), `\"rr\"`, `\"wrr\"` (by the server entry's `weight`), "
                        "`\"la\"` (least active), `\"ch\"` (consistent hash of the uid), `\"random\"`"),
            opt::string("failMode", "failfast",
                        "`\"failover\"`: a routed call (`call`) that fails with `SHD_ERR_IO` before any response is "
                        "sent once more, to the next server of the type")
                .one_of({"failfast", "failover"}),
            opt::boolean("bufferMsg", false,
                         "queue outgoing frames (requests and responses) and write them together every `interval` "
                         "ms"),
            opt::integer("interval", 30, 1, 60000, "flush period with `bufferMsg`").measured_in("ms"),
            opt::integer("maxFrameSize", 16 << 20, 1024, 1ll << 30,
                         "largest frame sent or accepted; a larger one received closes the connection")
                .measured_in("bytes"),
            opt::integer("maxQueuedBytes", 64 << 20, 1024, 1ll << 40,
                         "per connection, bytes waiting to be written (staged or queued); a call beyond it fails "
                         "with `SHD_ERR_BUSY`")
                .measured_in("bytes"),
            opt::integer("ioThreads", 1, 1, 64, "I/O threads of the plugin"),
            opt::integer("maxUnauthenticated", 128, 1, 65536,
                         "inbound connections that have not yet sent a valid hello; one more closes the oldest of "
                         "them"),
            opt::integer("maxJsonDepth", 128, 1, 1000,
                         "deepest nesting of arrays and objects in the args of a request or the result of a "
                         "response received; deeper args are answered `SHD_ERR_INVALID` by the transport (no "
                         "remote runs), a deeper result fails the call with `SHD_ERR_INVALID`"),
            opt::string("secret", "",
                        "the shared secret peers authenticate with, when no `shd.cluster/1` service is loaded (then "
                        "it is required) or it has no secret yet")
                .showing_default("none"),
            opt::array("filters",
                       "built-in RPC filters run on this server's outgoing calls, before the app's own: names or "
                       "objects, `[\"rpcLog\", {\"name\": \"toobusy\", \"maxLag\": 70}]` (their options below; "
                       "docs/rpc.md)")
                .expecting(filter_list),
            opt::map("peers",
                     "static membership when no `shd.cluster/1` service is loaded: `{\"<id>\": {\"host\": "
                     "\"127.0.0.1\", \"port\": 6050, \"serverType\": \"chat\", \"weight\": 1}, ...}`, in "
                     "membership order (this server is appended if it is not listed and has a port). Without it, "
                     "every server of `servers.json` with a host and a port (the host's `list_servers`, ABI 1.1), "
                     "in file order")
                .expecting("an object {\"<server id>\": {\"host\", \"port\", \"serverType\"}, ...}")
                .showing_default("the servers of the configuration"),
        });
    return table;
}

RpcOptions parse_rpc_options(std::string_view json) {
    return read_rpc_options(shd::Options(json, rpc_option_table()));
}

RpcOptions read_rpc_options(const shd::Options &opts) {
    RpcOptions o;
    o.timeout_ms = static_cast<uint32_t>(opts.integer("timeout"));
    o.connect_timeout_ms = static_cast<uint32_t>(opts.integer("connectTimeout"));
    o.max_frame = static_cast<size_t>(opts.integer("maxFrameSize"));
    o.max_queued_bytes = static_cast<size_t>(opts.integer("maxQueuedBytes"));
    o.buffer_msg = opts.boolean("bufferMsg");
    o.interval_ms = static_cast<uint32_t>(opts.integer("interval"));
    o.io_threads = static_cast<int>(opts.integer("ioThreads"));
    o.max_unauthenticated = static_cast<size_t>(opts.integer("maxUnauthenticated"));
    o.max_json_depth = static_cast<size_t>(opts.integer("maxJsonDepth"));
    std::string router = opts.string("routerType");  // "" reads as crc32 too
    if (!parse_router_kind(router, o.router))
        throw shd::Error(SHD_ERR_INVALID,
                         "option routerType: expected one of \"crc32\" (the default), \"rr\", \"wrr\", "
                         "\"la\", \"ch\", \"random\", got \"" +
                             router + "\"");
    o.failover = opts.string("failMode") == "failover";
    o.secret = opts.string("secret");
    if (const rapidjson::Value *peers = opts.find("peers")) {  // an object: the table checked it
        std::vector<PeerEntry> list;
        for (const auto &m : peers->GetObject()) {
            std::string id(m.name.GetString(), m.name.GetStringLength());
            std::string where = "option peers." + id;
            PeerEntry e;
            try {
                e = parse_peer_entry(shd::to_json(m.value), where, id);
            } catch (const std::exception &ex) {
                throw shd::Error(SHD_ERR_INVALID, ex.what());
            }
            if (e.id != id) throw shd::Error(SHD_ERR_INVALID, where + ".id: differs from its key \"" + id + "\"");
            if (e.type.empty()) throw shd::Error(SHD_ERR_INVALID, where + ".serverType: expected a non-empty string");
            if (e.host.empty() || e.port <= 0)
                throw shd::Error(SHD_ERR_INVALID, where + ": expected \"host\" and a non-zero \"port\"");
            list.push_back(std::move(e));
        }
        o.peers = std::move(list);
    }
    if (const rapidjson::Value *filters = opts.find("filters")) {
        try {
            o.filters = parse_rpc_filter_list(*filters, "option filters");
        } catch (const shd::Error &e) {
            throw shd::Error(SHD_ERR_INVALID, e.what());  // an unknown name is a bad option here
        }
    }
    return o;
}

}  // namespace shd::rpc
