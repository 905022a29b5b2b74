// RpcService: construction, the lifecycle (start, stop, membership changes) and the reports of the
// I/O threads, which post() moves to the logic thread. The rest of the class is spread by what it
// does (rpc_service.hpp lists the files).
#include "rpc_service.hpp"
#include "rpc_service_util.hpp"

#include <rapidjson/document.h>

#include <algorithm>

namespace shd::rpc {

RpcService::RpcService(const shd::Host &host, RpcOptions options, TransportFactory transport)
    : host_(host),
      options_(std::move(options)),
      self_id_(host.server().id),
      router_(options_.router),
      make_transport_(std::move(transport)) {
    // The plugin's own filters come before the app's (the plugin is configured first).
    for (const RpcFilterSpec &spec : options_.filters) install(spec);
}

RpcService::~RpcService() {
    // The transport first: its threads are joined and its links released before the tables go.
    if (transport_) transport_->stop();
    links_.clear();
    transport_.reset();
    for (RouteTicket *t : tickets_) delete t;
    for (FilterTicket *t : filter_tickets_) delete t;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

void RpcService::start(const shd_cluster_v1 *cluster, void *cluster_ctx) {
    const shd::ServerInfo me = host_.server();
    // The master's port belongs to the master (its admin channel), as in Pomelo: it calls, never serves.
    const int port = me.master ? 0 : me.port;
    if (cluster) {
        directory_.use_cluster(cluster, cluster_ctx);
        if (options_.peers) host_.warn("option peers is ignored: membership comes from shd.cluster/1");
    } else {
        std::vector<PeerEntry> peers;
        if (options_.peers) {
            peers = *options_.peers;
        } else {
            // No master and no peers option: the servers of the app's configuration (host ABI 1.1).
            try {
                peers = parse_server_list(host_.list_servers());
                host_.info("no shd.cluster/1 service and no peers option: " + std::to_string(peers.size()) +
                           " server(s) of the configuration are reachable over RPC");
            } catch (const shd::Error &) {
                host_.info("no shd.cluster/1 service and no peers option: only this server is reachable over RPC");
            }
        }
        bool listed = std::any_of(peers.begin(), peers.end(), [&](const PeerEntry &p) { return p.id == me.id; });
        if (!listed && port > 0) {
            PeerEntry self;
            try {
                self = parse_peer_entry(me.json, "servers.json " + me.id, me.id, me.type);
            } catch (const std::exception &) {
            }
            self.id = me.id;
            self.type = me.type;
            self.host = me.host;
            self.port = me.port;
            peers.push_back(self);
        }
        directory_.use_static(std::move(peers));
        if (options_.secret.empty())
            throw shd::Error(SHD_ERR_INVALID,
                             "option secret: required when no shd.cluster/1 service is loaded (give every server "
                             "the same secret; peers prove they know it)");
    }
    TransportConfig cfg;
    cfg.self_id = self_id_;
    cfg.max_frame = options_.max_frame;
    cfg.max_queued_bytes = options_.max_queued_bytes;
    cfg.buffer_msg = options_.buffer_msg;
    cfg.interval_ms = options_.interval_ms;
    cfg.connect_timeout_ms = options_.connect_timeout_ms;
    cfg.io_threads = options_.io_threads;
    cfg.max_unauthenticated = options_.max_unauthenticated;
    cfg.max_json_depth = options_.max_json_depth;
    cfg.serve = !me.master;
    transport_ = make_transport_(cfg, *this);
    const bool addressed = transport_->addressed();
    if (addressed && port > 0 && me.host.empty())
        throw shd::Error(SHD_ERR_INVALID, "servers.json: server " + me.id + " has port " + std::to_string(me.port) +
                                              " but no host; set \"host\" (\"0.0.0.0\" listens on every interface)");
    refresh_secret();
    try {
        transport_->start(me.host, addressed ? port : 0);
    } catch (const std::exception &e) {
        throw shd::Error(SHD_ERR_IO, e.what());
    }
    if (transport_->max_frame() < options_.max_frame) {
        host_.info("maxFrameSize " + std::to_string(options_.max_frame) + " lowered to " +
                   std::to_string(transport_->max_frame()) + ", the largest frame the transport carries");
        options_.max_frame = transport_->max_frame();
    }
    started_ = true;
    if (addressed)
        host_.info(port > 0 ? "listening on " + me.host + ":" + std::to_string(port) + " (" +
                                  std::to_string(options_.io_threads) + " I/O thread(s))"
                            : std::string(me.master ? "not listening: the master calls, it serves no RPC"
                                                    : "not listening: this server has no port"));
    std::vector<std::function<void()>> held;
    held.swap(held_);
    for (auto &fn : held) fn();
}

void RpcService::stop() {
    stopping_ = true;
    for (auto &f : builtins_) f->stop();
    std::vector<std::function<void()>> held;
    held.swap(held_);
    for (auto &fn : held) fn();  // each fails with SHD_ERR_SHUTDOWN below
    std::vector<uint64_t> ids;
    ids.reserve(pending_.size());
    for (const auto &[id, p] : pending_) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (uint64_t id : ids) {
        auto it = pending_.find(id);
        if (it == pending_.end()) continue;
        const std::string message =
            json_quote("rpc to " + describe_target(it->second) + " not completed: server " + self_id_ + " is stopping");
        complete(id, SHD_ERR_SHUTDOWN, message);
    }
    if (transport_) transport_->stop();
    links_.clear();
    calls_on_link_.clear();
    active_.clear();
    // Incoming calls still waiting for the app stay allocated (their responders may yet be called)
    // until the destructor; replies from now on are dropped.
    host_.info("stopped; incoming calls left unanswered: " + std::to_string(inbound_.size()));
}

void RpcService::on_servers_added() {
    directory_.invalidate();
    refresh_secret();
}

void RpcService::on_servers_removed(std::string_view ids_json) {
    directory_.invalidate();
    refresh_secret();
    rapidjson::Document doc;
    doc.Parse(ids_json.data(), ids_json.size());
    if (doc.HasParseError() || !doc.IsArray()) {
        host_.warn("remove_servers: expected a JSON array of server ids");
        return;
    }
    for (const auto &v : doc.GetArray()) {
        if (!v.IsString()) continue;
        std::string id(v.GetString(), v.GetStringLength());
        auto it = links_.find(id);
        if (it == links_.end()) continue;
        const std::string reason = "server " + id + " left the cluster";
        uint64_t serial = it->second->serial();
        it->second->close(reason);
        links_.erase(it);
        fail_link_calls(serial, reason);
    }
}

void RpcService::refresh_secret() {
    std::string s = directory_.cluster_secret();
    if (s.empty()) s = options_.secret;
    if (s != secret_ && transport_) {
        secret_ = s;
        transport_->set_secret(s);
    }
}

// ---------------------------------------------------------------------------------------------
// Reports from the I/O threads

bool RpcService::post(std::function<void(bool)> fn) {
    using Fn = std::function<void(bool)>;
    auto *box = new Fn(std::move(fn));
    const shd_host_api *api = host_.api();
    shd_status s = api->post(
        api->ctx,
        [](void *ud, shd_status status) {
            std::unique_ptr<Fn> owned(static_cast<Fn *>(ud));
            try {
                (*owned)(status == SHD_OK);
            } catch (...) {
            }
        },
        box);
    if (s != SHD_OK) {
        delete box;
        return false;
    }
    return true;
}

void RpcService::on_responses(uint64_t link_serial, std::vector<InboundResponse> responses) {
    post([this, link_serial, responses = std::move(responses)](bool live) mutable {
        if (live) handle_responses(link_serial, responses);
    });
}

void RpcService::on_link_closed(uint64_t link_serial, std::string reason) {
    post([this, link_serial, reason = std::move(reason)](bool live) {
        if (live) handle_link_closed(link_serial, reason);
    });
}

void RpcService::on_requests(std::shared_ptr<Link> link, std::vector<InboundRequest> requests) {
    post([this, link = std::move(link), requests = std::move(requests)](bool live) mutable {
        if (live) handle_requests(link, requests);
    });
}

void RpcService::on_log(int level, std::string message) {
    host_.log(level, message);
}

// Frames staged during this batch of logic-thread work leave together once it is done: one post of
// ours instead of a lock and a wake-up of an I/O thread per frame.
void RpcService::on_staged() {
    if (post([this](bool) {
            if (transport_) transport_->flush_staged();
        }))
        return;
    transport_->flush_staged();  // the host takes no more work: now or never
}

}  // namespace shd::rpc
