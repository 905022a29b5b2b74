// The `server` plugin: Pomelo's "server" component. Holds the app's handlers ("shd.handler/1") and
// runs them for client messages the connector delivers here, on the logic thread.
//
// Requests for another server type are forwarded through "shd.rpc/1" once the cluster's RPC plugin
// is present; without it such a request is answered {"code":500} and logged.
//
// Filters ("shd.filter/1", filter_service.hpp): client messages enter through the global chain, and
// every registered handler is wrapped so its local chain runs wherever the handler runs.
#include "filter_service.hpp"
#include "handler_registry.hpp"
#include "message_forwarder.hpp"
#include "server_options.hpp"
#include "session_remote.hpp"

#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <optional>
#include <string>

namespace {

using shd::server::HandlerRegistry;

class ServerPlugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        type_ = host().server().type;
        shd::Options options(host().options_json(), shd::server::server_option_table());
        filters_.configure(options);
        shd::stamp(vtable_);
        vtable_.add_handler = shd::guard<&ServerPlugin::add_handler>;
        vtable_.list_routes = shd::guard<&ServerPlugin::list_routes>;
        vtable_.dispatch = shd::guard<&ServerPlugin::dispatch>;
        vtable_.set_handshake_check = shd::guard<&ServerPlugin::set_handshake_check>;
        vtable_.check_handshake = shd::guard<&ServerPlugin::check_handshake, 500>;
        host().provide(SHD_HANDLER_SERVICE_ID, &vtable_, this);
    }

    void start() override {
        forwarder_.emplace(host(), registry_, type_);
        bool rpc = forwarder_->attach();
        if (session_remote_.publish(host())) host().debug("sys sessionRemote published for backends");
        size_t local = 0;
        for (const auto &[route, entry] : registry_.all()) {
            std::string_view t, h, m;
            shd::server::split_route(route, t, h, m);
            if (t == type_) ++local;
        }
        host().info(std::to_string(registry_.all().size()) + " handler route(s), " + std::to_string(local) +
                    " served here (type " + type_ + ")" + (rpc ? ", others forwarded over RPC" : ""));
    }

    void stop(shd::Done done) override {
        filters_.stop();
        done();
    }

private:
    static ServerPlugin *self(void *ctx) { return static_cast<ServerPlugin *>(ctx); }

    static shd_status add_handler(ServerPlugin *ctx, shd_str route, shd_handler_fn fn, void *ud) {
        shd::server::HandlerEntry wrapped = self(ctx)->filters_.wrap_handler(fn, ud);
        return self(ctx)->registry_.add(shd::to_view(route), wrapped.fn, wrapped.user_data);
    }

    static void list_routes(ServerPlugin *ctx, shd_text_fn sink, void *ud) {
        if (!sink) return;
        for (const auto &[route, entry] : self(ctx)->registry_.all()) sink(ud, shd::to_shd(route));
    }

    static void dispatch(ServerPlugin *ctx, const shd_inbound_msg_v1 *msg, const shd_session_view_v1 *session,
                         const shd_responder_v1 *responder) {
        self(ctx)->filters_.dispatch(*msg, *session, responder, &ServerPlugin::route_message, ctx);
    }

    // After the global before filters: runs the local handler or forwards to another server type.
    static void SHD_CALL route_message(void *ctx, const shd_inbound_msg_v1 *msg, const shd_session_view_v1 *session,
                                       const shd_responder_v1 *responder) {
        ServerPlugin *me = self(ctx);
        std::string_view route = shd::to_view(msg->route);
        std::string_view t, h, m;
        if (!shd::server::split_route(route, t, h, m)) {
            responder->respond(responder->ctx, SHD_ERR_INVALID, shd::to_shd("{}"));
            return;
        }
        const shd::server::HandlerEntry *entry = me->registry_.find(route);
        if (t != me->type_) {
            if (me->forwarder_ && me->forwarder_->attached()) {
                me->forwarder_->forward(t, *msg, *session, responder);
                return;
            }
            // The route is the client's text: quoted here, its control bytes escaped by the host's log.
            me->host().warn("no route to server type \"" + std::string(t) + "\" for \"" + std::string(route) +
                            "\" (this server is \"" + me->type_ + "\" and no RPC is configured)");
            responder->respond(responder->ctx, SHD_ERR_NOT_FOUND, shd::to_shd("{}"));
            return;
        }
        if (!entry) {
            me->host().debug("no handler for \"" + std::string(route) + "\"");
            responder->respond(responder->ctx, SHD_ERR_NOT_FOUND, shd::to_shd("{}"));
            return;
        }
        entry->fn(entry->user_data, msg, session, responder);
    }

    static shd_status set_handshake_check(ServerPlugin *ctx, shd_handshake_check_fn fn, void *ud) {
        self(ctx)->check_ = fn;
        self(ctx)->check_ud_ = ud;
        return SHD_OK;
    }

    static void check_handshake(ServerPlugin *ctx, shd_str type, shd_str version, shd_str user,
                                shd_handshake_reply_fn reply, void *reply_ctx) {
        ServerPlugin *me = self(ctx);
        if (!me->check_) {
            reply(reply_ctx, 200, shd::to_shd(""));
            return;
        }
        me->check_(me->check_ud_, type, version, user, reply, reply_ctx);
    }

    std::string type_;
    HandlerRegistry registry_;
    shd::server::FilterService filters_{host()};
    std::optional<shd::server::MessageForwarder> forwarder_;
    shd::server::SessionRemote session_remote_;
    shd_handler_service_v1 vtable_{};
    shd_handshake_check_fn check_ = nullptr;
    void *check_ud_ = nullptr;
};

}  // namespace

SHADDOCK_PLUGIN(ServerPlugin, "server", "0.1.0", SHD_HANDLER_SERVICE_ID " " SHD_FILTER_SERVICE_ID, "")
