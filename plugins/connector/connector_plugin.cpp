// The `connector` plugin: Pomelo's hybrid connector. On a frontend server it listens on the client
// port for raw TCP and WebSocket clients (optionally all inside TLS), lets the "shd.protocol/1"
// provider do everything about the bytes, keeps the real sessions ("shd.session/1"), hands client
// messages to the app's handlers ("shd.handler/1") and offers encoded sends ("shd.connector/1").
//
// Threads: configure/start/stop and every service function run on the logic thread; sockets live on
// ioThreads I/O threads owned by io_server.cpp. See README.md for the options.
#include "connection_settings.hpp"
#include "connector_options.hpp"
#include "io_server.hpp"
#include "logic_bridge.hpp"
#include "protocol_encoder.hpp"
#include "session_registry.hpp"
#include "session_service.hpp"

#include <shaddock/ext/connector.h>
#include <shaddock/ext/handler.h>
#include <shaddock/ext/protocol.h>
#include <shaddock/ext/session.h>
#include <shaddock/cpp/admin.hpp>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

using namespace shd::connector;

// How long stop() waits for connections to close before it stops the I/O threads regardless.
constexpr uint64_t kStopGraceMs = 5000;

class ConnectorPlugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    ~ConnectorPlugin() override {
        // Sessions hold connection handles that belong to the io_contexts: drop them first. The app
        // is gone by now, so no closed callback may run here (stop() already ran them).
        if (sessions_) sessions_->clear();
        io_.reset();
        teardown_protocol();
    }

    void configure() override {
        shd::ServerInfo server = host().server();
        if (!server.frontend)
            throw shd::Error(SHD_ERR_INVALID, "the connector serves clients on frontend servers only; server \"" +
                                                  server.id + "\" (type " + server.type +
                                                  ") is not \"frontend\": true in servers.json");
        options_ = parse_options(host().options_json(), server);
        for (const auto &name : options_.unknown)
            host().warn("option " + name + ": not a connector option; passed to the protocol as is");

        std::tie(protocol_, protocol_ctx_) = host().require<shd_protocol_v1>(SHD_PROTOCOL_SERVICE_ID);
        std::tie(handlers_, handlers_ctx_) = host().require<shd_handler_service_v1>(SHD_HANDLER_SERVICE_ID);

        sessions_.emplace(host(), server.id, options_.single_session);
        session_service_.emplace(*sessions_);
        bridge_.emplace(host(), *sessions_, handlers_, handlers_ctx_, options_.max_inbox_bytes);
        io_ = std::make_unique<IoServer>(options_, settings_, host());

        shd::stamp(connector_vtable_);
        connector_vtable_.port = shd::guard<&ConnectorPlugin::port, 0>;
        connector_vtable_.connections = shd::guard<&ConnectorPlugin::connections>;
        connector_vtable_.send_encoded = shd::guard<&ConnectorPlugin::send_encoded>;
        connector_vtable_.encode_push = shd::guard<&ConnectorPlugin::encode_push>;
        host().provide(SHD_SESSION_SERVICE_ID, session_service_->vtable(), &*session_service_);
        host().provide(SHD_CONNECTOR_SERVICE_ID, &connector_vtable_, this);
        if (shd::AdminModules::available(host())) {  // a host older than shd.admin/1 has none
            admin_ = std::make_unique<shd::AdminModules>(host());
            admin_->add("blacklist",
                        "addresses refused at accept (the admin console's blacklist): "
                        "{\"op\":\"add|remove|list\",\"ips\":[...]}",
                        [this](const rapidjson::Value &req) { return blacklist_command(req); });
        }
    }

    // Handlers were registered by the app's configure, so the route list is complete here.
    void start() override {
        std::vector<std::string> routes;
        handlers_->list_routes(
            handlers_ctx_,
            [](void *ud, shd_str r) { static_cast<std::vector<std::string> *>(ud)->emplace_back(shd::to_view(r)); },
            &routes);
        std::vector<shd_str> views;
        views.reserve(routes.size());
        for (const auto &r : routes) views.push_back(shd::to_shd(r));
        void *setup = nullptr;
        shd_status s =
            protocol_->setup(protocol_ctx_, shd::to_shd(host().options_json()), views.data(), views.size(), &setup);
        if (s != SHD_OK)
            throw shd::Error(s, std::string("the protocol refused the connector's options: ") + shd::status_name(s));
        setup_ = setup;
        encoder_ = ProtocolEncoder(protocol_, protocol_ctx_, setup_);

        settings_.protocol = protocol_;
        settings_.pctx = protocol_ctx_;
        settings_.setup = setup_;
        settings_.events = &*bridge_;
        settings_.host = &host();
        settings_.idle_timeout_ms = options_.idle_timeout_ms;
        settings_.heartbeat = options_.heartbeat_s > 0;
        settings_.send_queue_limit = options_.send_queue_limit;
        settings_.max_package_size = options_.max_package_size;
        settings_.can_batch = protocol_->can_batch(protocol_ctx_, setup_) != 0;
        settings_.flush_interval_ms = options_.flush_interval_ms;
        settings_.replies_at_once = options_.replies_at_once;
        settings_.stats = &stats_;
        settings_.next_sid = &next_sid_;
        settings_.handshake_timeout_ms = std::min(options_.handshake_timeout_ms, options_.idle_timeout_ms);
        settings_.max_pending_messages = options_.max_pending_messages;
        settings_.rate = options_.rate;
        settings_.rate_burst = options_.rate_burst;
        settings_.rate_kick_after = options_.rate_kick_after;
        settings_.encoder = &encoder_;
        metrics_.declare(host(), routes);
        settings_.metrics = &metrics_;
        bridge_->set_metrics(&metrics_);
        bridge_->set_encoder(&encoder_);
        session_service_->set_encoder(&encoder_);
        session_service_->set_metrics(&metrics_);

        io_->start();
        host().info("listening on port " + std::to_string(io_->port()) + " (raw TCP and WebSocket" +
                    (options_.tls ? ", TLS" : "") + ") with " + std::to_string(options_.io_threads) +
                    " I/O thread(s), " + std::to_string(routes.size()) + " handler route(s), scheduler " +
                    scheduler_name());
        started_ = true;
    }

    // Stop accepting, close every connection (sessions close with "server stopping"), join the I/O
    // threads, then done. A connection that does not close within kStopGraceMs is dropped.
    void stop(shd::Done done) override {
        if (!started_) {
            done();
            return;
        }
        stop_done_ = std::move(done);
        watchdog_ = host().after(kStopGraceMs, [this] {
            watchdog_ = 0;
            host().warn("connections still open after " + std::to_string(kStopGraceMs) + " ms: dropping them");
            finish_stop();
        });
        io_->stop([this] {
            // Any thread: every session's close is already queued on the logic thread before this.
            // (Should the post fail, the watchdog still finishes the stop.)
            host().post([this] { finish_stop(); });
        });
    }

private:
    static constexpr size_t kMaxBlacklist = 10000;

    // The "blacklist" admin module: exact addresses, checked before the per-IP limits at accept.
    std::string blacklist_command(const rapidjson::Value &req) {
        std::string op = shd::json_string(req, "op");
        if (op == "add" || op == "remove") {
            if (!req.HasMember("ips") || !req["ips"].IsArray() || req["ips"].Size() > kMaxBlacklist)
                throw shd::Error(SHD_ERR_INVALID,
                                 "ips: expected a list of at most " + std::to_string(kMaxBlacklist) + " IP addresses");
            std::vector<std::string> ips;
            for (const auto &v : req["ips"].GetArray()) {
                std::string text = v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : shd::to_json(v);
                boost::system::error_code ec;
                auto addr = boost::asio::ip::make_address(text, ec);
                if (ec || !v.IsString())
                    throw shd::Error(SHD_ERR_INVALID,
                                     "ips: " + shd::json_quote(text.substr(0, 64)) + " is not an IP address");
                if (addr.is_v6() && addr.to_v6().is_v4_mapped())
                    addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
                ips.push_back(addr.to_string());
            }
            std::set<std::string> next = blocked_;
            for (const auto &ip : ips) op == "add" ? (void)next.insert(ip) : (void)next.erase(ip);
            if (next.size() > kMaxBlacklist)
                throw shd::Error(SHD_ERR_INVALID,
                                 "the blacklist would hold more than " + std::to_string(kMaxBlacklist) + " addresses");
            blocked_ = std::move(next);
            io_->set_blocked_addresses(blocked_);
            host().info("blacklist " + op + ": " + std::to_string(ips.size()) + " address(es); " +
                        std::to_string(blocked_.size()) + " refused at accept now");
        } else if (op != "list") {
            throw shd::Error(SHD_ERR_INVALID, "op: expected add, remove or list");
        }
        std::string out = R"({"blacklist":[)";
        bool first = true;
        for (const auto &ip : blocked_) {
            out += (first ? "" : ",") + shd::json_quote(ip);
            first = false;
        }
        return out + "]}";
    }

    void finish_stop() {
        if (stopped_) return;
        stopped_ = true;
        if (watchdog_) host().cancel(watchdog_);
        io_->join();
        sessions_->remove_all("server stopping");  // only sessions of connections that were dropped
        bridge_->set_encoder(nullptr);
        session_service_->set_encoder(nullptr);
        // The protocol setup is freed in the destructor, after the io_contexts: a connection dropped
        // by the watchdog frees its protocol state only when they go, and handles held elsewhere
        // (a request the app still keeps) may release connections until the app is destroyed.
        host().info("stopped; scheduler " + scheduler_name() + " sent " + std::to_string(stats_.packages.load()) +
                    " package(s) in " + std::to_string(stats_.writes.load()) + " write(s)");
        if (stop_done_) (*stop_done_)();
    }

    std::string scheduler_name() const {
        if (!options_.flush_interval_ms) return "direct";
        return "buffer (flushInterval " + std::to_string(options_.flush_interval_ms) + " ms" +
               (options_.replies_at_once ? ", replies at once)" : ")");
    }

    void teardown_protocol() {
        if (setup_ && protocol_) protocol_->teardown(protocol_ctx_, setup_);
        setup_ = nullptr;
    }

    static ConnectorPlugin *self(void *ctx) { return static_cast<ConnectorPlugin *>(ctx); }

    static int32_t port(ConnectorPlugin *ctx) { return self(ctx)->io_ ? self(ctx)->io_->port() : 0; }

    static uint64_t connections(ConnectorPlugin *ctx) { return self(ctx)->io_ ? self(ctx)->io_->connections() : 0; }

    static shd_status send_encoded(ConnectorPlugin *ctx, const uint64_t *sids, size_t count, shd_bytes encoded,
                                   size_t *out_missed) {
        ConnectorPlugin *me = self(ctx);
        if (out_missed) *out_missed = count;
        if (!me->started_ || me->stopped_) return SHD_ERR_SHUTDOWN;
        if ((count && !sids) || (!encoded.data && encoded.size)) return SHD_ERR_INVALID;
        auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char *>(encoded.data), encoded.size);
        size_t missed = me->session_service_->send_to(bytes, sids, count);
        if (out_missed) *out_missed = missed;
        return SHD_OK;
    }

    static shd_status encode_push(ConnectorPlugin *ctx, shd_str route, shd_str body, shd_bytes_fn sink, void *ud) {
        ConnectorPlugin *me = self(ctx);
        if (!sink) return SHD_ERR_INVALID;
        if (!me->started_ || me->stopped_) return SHD_ERR_SHUTDOWN;
        SharedBytes bytes = me->encoder_.push(shd::to_view(route), shd::to_view(body));
        if (!bytes) return SHD_ERR_INVALID;
        sink(ud, shd_bytes{reinterpret_cast<const uint8_t *>(bytes->data()), bytes->size()});
        return SHD_OK;
    }

    // Order matters for destruction: settings_ outlives io_ (connections read it), sessions_ is
    // emptied before io_ goes (they hold connection handles).
    ConnectorOptions options_;
    ConnectorMetrics metrics_;  // read by connections: outlives io_
    ConnectionSettings settings_;
    SendStats stats_;
    std::atomic<uint64_t> next_sid_{1};
    const shd_protocol_v1 *protocol_ = nullptr;
    void *protocol_ctx_ = nullptr;
    void *setup_ = nullptr;
    ProtocolEncoder encoder_;
    const shd_handler_service_v1 *handlers_ = nullptr;
    void *handlers_ctx_ = nullptr;
    std::optional<SessionRegistry> sessions_;
    std::optional<SessionService> session_service_;
    std::optional<LogicBridge> bridge_;
    std::unique_ptr<IoServer> io_;
    std::unique_ptr<shd::AdminModules> admin_;  // the "blacklist" admin module
    std::set<std::string> blocked_;             // its addresses
    shd_connector_v1 connector_vtable_{};
    bool started_ = false;
    bool stopped_ = false;
    uint64_t watchdog_ = 0;
    std::optional<shd::Done> stop_done_;
};

}  // namespace

SHADDOCK_PLUGIN(ConnectorPlugin, "connector", "0.1.0", "shd.connector/1 shd.session/1", "shd.protocol/1 shd.handler/1")
