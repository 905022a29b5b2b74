// The `channel` plugin: Pomelo's ChannelService ("shd.channel/1", sdk/include/shaddock/ext/channel.h)
// on the servers it is loaded for (Pomelo: every server but the master), and on frontends also
// Pomelo's sys channelRemote, which delivers the pushes of every server's channels to this
// frontend's sessions.
//
// Services used, all optional and looked up at start: shd.rpc/1 (reach other frontends; without it
// only this server's own sessions are reached), shd.cluster/1 (the servers of a frontend type for
// broadcast; without it the configuration's list), shd.connector/1 and shd.session/1 (this server's
// sessions, on frontends). Everything runs on the logic thread.
#include "channel_registry.hpp"
#include "channel_remote.hpp"
#include "push_fan_out.hpp"

#include <shaddock/ext/channel.h>
#include <shaddock/ext/cluster.h>
#include <shaddock/ext/rpc.h>
#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/options.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using namespace shd::channel;
using shd::to_shd;
using shd::to_view;

bool is_json(std::string_view text) {
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    return !d.HasParseError();
}

// The uids of a JSON array of strings, ["uid", ...]; false unless it is one and not empty (Pomelo
// refuses an empty receiver list).
bool uid_list(std::string_view json, std::vector<std::string> &uids) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsArray() || d.Empty()) return false;
    uids.reserve(d.Size());
    for (const auto &u : d.GetArray()) {
        if (!u.IsString()) return false;
        uids.emplace_back(u.GetString(), u.GetStringLength());
    }
    return true;
}

class ChannelPlugin : public shd::Plugin {
public:
    explicit ChannelPlugin(shd::Host host) : shd::Plugin(host), remote_(host), fan_out_(host, remote_) {}

    void configure() override {
        shd::ServerInfo server = host().server();
        shd::Options(host().options_json()).reject_unknown({});
        self_id_ = server.id;
        self_type_ = server.type;
        shd::stamp(vtable_);
        vtable_.create = shd::guard<&ChannelPlugin::create>;
        vtable_.exists = shd::guard<&ChannelPlugin::exists, 0>;
        vtable_.destroy = shd::guard<&ChannelPlugin::destroy>;
        vtable_.add = shd::guard<&ChannelPlugin::add>;
        vtable_.leave = shd::guard<&ChannelPlugin::leave>;
        vtable_.members = shd::guard<&ChannelPlugin::members>;
        vtable_.member = shd::guard<&ChannelPlugin::member>;
        vtable_.user_amount = shd::guard<&ChannelPlugin::user_amount>;
        vtable_.push_message = shd::guard<&ChannelPlugin::push_message>;
        vtable_.push_by_uids = shd::guard<&ChannelPlugin::push_by_uids>;
        vtable_.broadcast = shd::guard<&ChannelPlugin::broadcast>;
        vtable_.push_to_frontend = shd::guard<&ChannelPlugin::push_to_frontend>;
        host().provide(SHD_CHANNEL_SERVICE_ID, &vtable_, this);
    }

    void start() override {
        attach();
        host().info(std::string("channels ready (client sessions on this server: ") +
                    (remote_.available() ? "yes" : "no") + ", other frontends over RPC: " + (rpc_ ? "yes" : "no") +
                    ")");
    }

private:
    // The other plugins' services, found once: at start, or at the first push made before it.
    void attach() {
        if (attached_) return;
        attached_ = true;
        std::tie(rpc_, rpc_ctx_) = host().find<shd_rpc_v1>(SHD_RPC_SERVICE_ID);
        std::tie(cluster_, cluster_ctx_) = host().find<shd_cluster_v1>(SHD_CLUSTER_SERVICE_ID);
        remote_.attach();
        fan_out_.attach(self_id_, rpc_, rpc_ctx_);
        if (rpc_ && remote_.available()) {
            shd_status s = remote_.publish(rpc_, rpc_ctx_);
            if (s != SHD_OK)
                host().warn(std::string("cannot publish sys channelRemote: ") + shd::status_name(s) +
                            "; channels of other servers cannot push to this frontend");
        }
    }

    // The ids of the servers of one type: the cluster's members, else the configuration's servers.
    std::vector<std::string> servers_of_type(std::string_view type) const {
        std::vector<std::string> ids;
        auto collect = [](void *ud, shd_str id) {
            static_cast<std::vector<std::string> *>(ud)->emplace_back(to_view(id));
        };
        if (cluster_) {
            cluster_->server_ids_by_type(cluster_ctx_, to_shd(type), collect, &ids);
            return ids;
        }
        if (rpc_ && SHD_HAS_FIELD(shd_host_api, host().api()->struct_size, list_servers)) {
            rapidjson::Document all;
            try {
                std::string text = host().list_servers();
                all.Parse(text.data(), text.size());
            } catch (const shd::Error &) {
            }
            if (all.IsArray())
                for (const auto &s : all.GetArray())
                    if (s.IsObject() && s.HasMember("id") && s["id"].IsString() && s.HasMember("serverType") &&
                        s["serverType"].IsString() && type == s["serverType"].GetString())
                        ids.emplace_back(s["id"].GetString(), s["id"].GetStringLength());
        }
        if (ids.empty() && type == self_type_) ids.push_back(self_id_);
        return ids;
    }

    static ChannelPlugin *self(void *ctx) { return static_cast<ChannelPlugin *>(ctx); }

    static shd_status create(ChannelPlugin *ctx, shd_str name) {
        self(ctx)->channels_.create(to_view(name));
        return SHD_OK;
    }

    static int32_t exists(ChannelPlugin *ctx, shd_str name) { return self(ctx)->channels_.find(to_view(name)) ? 1 : 0; }

    static shd_status destroy(ChannelPlugin *ctx, shd_str name) {
        return self(ctx)->channels_.destroy(to_view(name)) ? SHD_OK : SHD_ERR_NOT_FOUND;
    }

    static shd_status add(ChannelPlugin *ctx, shd_str name, shd_str uid, shd_str frontend_id) {
        Channel *c = self(ctx)->channels_.find(to_view(name));
        return c ? c->add(to_view(uid), to_view(frontend_id)) : SHD_ERR_NOT_FOUND;
    }

    static shd_status leave(ChannelPlugin *ctx, shd_str name, shd_str uid, shd_str frontend_id) {
        Channel *c = self(ctx)->channels_.find(to_view(name));
        return c ? c->leave(to_view(uid), to_view(frontend_id)) : SHD_ERR_NOT_FOUND;
    }

    static shd_status members(ChannelPlugin *ctx, shd_str name, shd_member_fn sink, void *ud) {
        Channel *c = self(ctx)->channels_.find(to_view(name));
        if (!c) return SHD_ERR_NOT_FOUND;
        if (!sink) return SHD_OK;
        // A copy: the sink may change the channel.
        std::vector<Member> copy(c->members().begin(), c->members().end());
        for (const Member &m : copy) sink(ud, to_shd(m.uid), to_shd(m.frontend_id));
        return SHD_OK;
    }

    static shd_status member(ChannelPlugin *ctx, shd_str name, shd_str uid, shd_text_fn sink, void *ud) {
        Channel *c = self(ctx)->channels_.find(to_view(name));
        const std::string *frontend = c ? c->frontend_of(to_view(uid)) : nullptr;
        if (!frontend) return SHD_ERR_NOT_FOUND;
        if (sink) sink(ud, to_shd(std::string(*frontend)));
        return SHD_OK;
    }

    static uint64_t user_amount(ChannelPlugin *ctx, shd_str name) {
        Channel *c = self(ctx)->channels_.find(to_view(name));
        return c ? c->size() : 0;
    }

    static void push_message(ChannelPlugin *ctx, shd_str name, shd_str route, shd_str body_json,
                             shd_push_result_fn done, void *ud) {
        ChannelPlugin *me = self(ctx);
        me->attach();
        Channel *c = me->channels_.find(to_view(name));
        std::string_view body = body_json.size ? to_view(body_json) : std::string_view("{}");
        if (!c) return complete_later(me->host(), done, ud, SHD_ERR_NOT_FOUND);
        if (!route.size || !is_json(body)) return complete_later(me->host(), done, ud, SHD_ERR_INVALID);
        me->fan_out_.push(c->groups(), to_view(route), body, done, ud);
    }

    static void push_by_uids(ChannelPlugin *ctx, shd_str route, shd_str body_json, shd_str receivers_json,
                             shd_push_result_fn done, void *ud) {
        ChannelPlugin *me = self(ctx);
        me->attach();
        std::string_view body = body_json.size ? to_view(body_json) : std::string_view("{}");
        rapidjson::Document r;
        r.Parse(receivers_json.data, receivers_json.size);
        // Pomelo refuses an empty receiver list too ("uids should not be empty").
        if (!route.size || r.HasParseError() || !r.IsArray() || r.Empty() || !is_json(body))
            return complete_later(me->host(), done, ud, SHD_ERR_INVALID);
        std::vector<Member> receivers;
        receivers.reserve(r.Size());
        for (const auto &e : r.GetArray()) {
            if (!e.IsObject() || !e.HasMember("uid") || !e["uid"].IsString())
                return complete_later(me->host(), done, ud, SHD_ERR_INVALID);
            // A receiver without a frontend id ends up in its own group, which no server answers:
            // it is reported failed.
            std::string sid = e.HasMember("sid") && e["sid"].IsString() ? e["sid"].GetString() : "";
            receivers.push_back(Member{e["uid"].GetString(), std::move(sid)});
        }
        me->fan_out_.push(group_by_frontend(receivers), to_view(route), body, done, ud);
    }

    static void push_to_frontend(ChannelPlugin *ctx, shd_str frontend_id, shd_str route, shd_str body_json,
                                 shd_str uids_json, shd_push_result_fn done, void *ud) {
        ChannelPlugin *me = self(ctx);
        me->attach();
        std::string_view body = body_json.size ? to_view(body_json) : std::string_view("{}");
        auto groups = std::make_shared<std::vector<FrontendGroup>>(1);
        FrontendGroup &g = groups->front();
        if (!route.size || !frontend_id.size || !uid_list(to_view(uids_json), g.uids) || !is_json(body))
            return complete_later(me->host(), done, ud, SHD_ERR_INVALID);
        g.frontend_id.assign(frontend_id.data, frontend_id.size);
        // Sent on as it came: the frontend reads the same array.
        g.uids_json.assign(uids_json.data, uids_json.size);
        me->fan_out_.push(std::move(groups), to_view(route), body, done, ud);
    }

    static void broadcast(ChannelPlugin *ctx, shd_str frontend_type, shd_str route, shd_str body_json,
                          int32_t bound_only, shd_push_result_fn done, void *ud) {
        ChannelPlugin *me = self(ctx);
        me->attach();
        std::string_view body = body_json.size ? to_view(body_json) : std::string_view("{}");
        if (!route.size || !frontend_type.size || !is_json(body))
            return complete_later(me->host(), done, ud, SHD_ERR_INVALID);
        me->fan_out_.broadcast(me->servers_of_type(to_view(frontend_type)), to_view(route), body, bound_only != 0, done,
                               ud);
    }

    std::string self_id_, self_type_;
    ChannelRegistry channels_;
    ChannelRemote remote_;
    PushFanOut fan_out_;
    bool attached_ = false;
    const shd_rpc_v1 *rpc_ = nullptr;
    void *rpc_ctx_ = nullptr;
    const shd_cluster_v1 *cluster_ = nullptr;
    void *cluster_ctx_ = nullptr;
    shd_channel_service_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(ChannelPlugin, "channel", "0.1.0", SHD_CHANNEL_SERVICE_ID, "")
