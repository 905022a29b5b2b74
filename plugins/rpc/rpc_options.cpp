#include "rpc_options.hpp"

#include <shaddock/cpp/json.hpp>

#include <shaddock/cpp/options.hpp>

namespace shd::rpc {

RpcOptions parse_rpc_options(std::string_view json) {
    shd::Options opts(json);
    opts.reject_unknown({"timeout", "connectTimeout", "maxFrameSize", "maxQueuedBytes", "bufferMsg", "interval",
                         "ioThreads", "routerType", "failMode", "secret", "peers", "filters", "maxUnauthenticated",
                         "maxJsonDepth"});
    RpcOptions o;
    o.timeout_ms = static_cast<uint32_t>(opts.get_int("timeout", o.timeout_ms, 1, 86400000));
    o.connect_timeout_ms = static_cast<uint32_t>(opts.get_int("connectTimeout", o.connect_timeout_ms, 1, 600000));
    o.max_frame = static_cast<size_t>(opts.get_int("maxFrameSize", static_cast<int64_t>(o.max_frame), 1024, 1ll << 30));
    o.max_queued_bytes =
        static_cast<size_t>(opts.get_int("maxQueuedBytes", static_cast<int64_t>(o.max_queued_bytes), 1024, 1ll << 40));
    o.buffer_msg = opts.get_bool("bufferMsg", o.buffer_msg);
    o.interval_ms = static_cast<uint32_t>(opts.get_int("interval", o.interval_ms, 1, 60000));
    o.io_threads = static_cast<int>(opts.get_int("ioThreads", o.io_threads, 1, 64));
    o.max_unauthenticated =
        static_cast<size_t>(opts.get_int("maxUnauthenticated", static_cast<int64_t>(o.max_unauthenticated), 1, 65536));
    o.max_json_depth =
        static_cast<size_t>(opts.get_int("maxJsonDepth", static_cast<int64_t>(o.max_json_depth), 1, 1000));
    std::string router = opts.get_string("routerType", "");
    if (!parse_router_kind(router, o.router))
        throw shd::Error(SHD_ERR_INVALID,
                         "option routerType: expected one of \"crc32\" (the default), \"rr\", \"wrr\", "
                         "\"la\", \"ch\", \"random\", got \"" +
                             router + "\"");
    std::string mode = opts.get_string("failMode", "failfast");
    if (mode == "failover")
        o.failover = true;
    else if (mode != "failfast")
        throw shd::Error(SHD_ERR_INVALID,
                         "option failMode: expected \"failfast\" (the default) or \"failover\", got \"" + mode + "\"");
    o.secret = opts.get_string("secret", "");
    if (const rapidjson::Value *peers = opts.find("peers")) {
        if (!peers->IsObject())
            throw shd::Error(SHD_ERR_INVALID,
                             "option peers: expected an object {\"<server id>\": {\"host\", \"port\", "
                             "\"serverType\"}, ...}");
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
