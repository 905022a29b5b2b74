// The `global_channel` plugin: pomelo-globalchannel-plugin's globalChannelService
// ("shd.globalchannel/1", sdk/include/shaddock/ext/global_channel.h) with its Redis layout: the set
// "<prefix>:<channel>:<frontend id>" holds the uids of the channel whose sessions are on that
// frontend. Every server running the plugin sees the same channels.
//
// A push reads the members of each frontend of the given type (one pipelined SMEMBERS per frontend)
// and hands them to the channel plugin's push by uids ("shd.channel/1"), which sends ONE call per
// frontend (sys channelRemote.pushMessage, or a direct call for this process) and gathers the uids
// not reached.
//
// On the first server of its type, the keys of a server that left the cluster are deleted (a
// frontend that died takes its members with it).
//
// Redis is reached off the logic thread (redis_link.hpp); results come back on the logic thread.
#include "global_channel_options.hpp"
#include "key_scan.hpp"
#include "redis_link.hpp"
#include "server_directory.hpp"
#include "service_results.hpp"

#include <shaddock/ext/channel.h>
#include <shaddock/ext/global_channel.h>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using shd::to_shd;
using shd::to_view;
using shd::redis::answer_later;
using shd::redis::Reply;
using ResultFn = shd_global_channel_result_fn;

class GlobalChannelPlugin : public shd::Plugin {
public:
    explicit GlobalChannelPlugin(shd::Host host) : shd::Plugin(host), directory_(host) {}

    void configure() override {
        shd::Options opts(host().options_json(), shd::global_channel::global_channel_option_table());
        self_ = host().server();
        prefix_ = opts.string("prefix");
        clean_on_start_ = opts.boolean("cleanOnStartUp");
        link_ = std::make_unique<shd::redis::Link>(host(), shd::redis::read_settings(opts, self_, "global_channel"),
                                                   "global_channel");
        shd::stamp(vtable_);
        vtable_.add = shd::guard<&GlobalChannelPlugin::add>;
        vtable_.leave = shd::guard<&GlobalChannelPlugin::leave>;
        vtable_.members_by_sid = shd::guard<&GlobalChannelPlugin::members_by_sid>;
        vtable_.members_by_channel_name = shd::guard<&GlobalChannelPlugin::members_by_channel_name>;
        vtable_.destroy_channel = shd::guard<&GlobalChannelPlugin::destroy_channel>;
        vtable_.push_message = shd::guard<&GlobalChannelPlugin::push_message>;
        host().provide(SHD_GLOBAL_CHANNEL_SERVICE_ID, &vtable_, this);
    }

    void start() override {
        directory_.attach();
        std::tie(channel_, channel_ctx_) = host().find<shd_channel_service_v1>(SHD_CHANNEL_SERVICE_ID);
        if (clean_on_start_) delete_matching(shd::redis::glob_escape(prefix_) + ":*", "cleanOnStartUp");
        subscription_ = host().subscribe(
            "remove_servers", [this](std::string_view, std::string_view payload) { on_servers_left(payload); });
        link_->start();
        host().info("global channels in redis " + link_->settings().host + ":" +
                    std::to_string(link_->settings().port) + " under " + prefix_ +
                    (channel_ ? "" : " (no shd.channel/1 here: pushMessage answers unsupported)"));
    }

    void stop(shd::Done done) override {
        if (subscription_) host().unsubscribe(subscription_);
        subscription_ = 0;
        link_->stop();
        done();
    }

private:
    std::string key(std::string_view name, std::string_view frontend_id) const {
        std::string k;
        k.reserve(prefix_.size() + name.size() + frontend_id.size() + 2);
        k.append(prefix_).append(":").append(name).append(":").append(frontend_id);
        return k;
    }

    void delete_matching(std::string pattern, std::string why) {
        shd::redis::scan_keys(
            *link_, std::move(pattern),
            [this](std::vector<std::string> keys) {
                shd::redis::Command del{"DEL"};
                for (auto &k : keys) del.push_back(std::move(k));
                link_->run({std::move(del)}, [](shd_status, std::vector<Reply>, const std::string &) {});
            },
            [this, why](shd_status s) {
                host().info("global_channel: " + why + ": keys " +
                            (s == SHD_OK ? "deleted" : std::string("not all deleted: ") + shd::status_name(s)));
            });
    }

    // A server left the cluster: on the first server of this type, every key of it is deleted.
    void on_servers_left(std::string_view payload) {
        if (!directory_.is_cleaner()) return;
        rapidjson::Document d;
        d.Parse(payload.data(), payload.size());
        if (d.HasParseError() || !d.IsArray()) return;
        for (const auto &id : d.GetArray())
            if (id.IsString() && id.GetString() != self_.id)
                delete_matching(shd::redis::glob_escape(prefix_) + ":*:" + shd::redis::glob_escape(id.GetString()),
                                std::string("members on ") + id.GetString() + " (left the cluster)");
    }

    static void change(GlobalChannelPlugin *me, const char *verb, shd_str name, shd_str uid, shd_str frontend_id,
                       ResultFn done, void *ud) {
        if (!name.size || !uid.size || !frontend_id.size)
            return answer_later(me->host(), done, ud, SHD_ERR_INVALID, "");
        me->link_->run({{verb, me->key(to_view(name), to_view(frontend_id)), std::string(to_view(uid))}},
                       [done, ud](shd_status s, std::vector<Reply> r, const std::string &why) {
                           s = shd::redis::batch_status(s, r, 1);
                           done(ud, s, to_shd(s != SHD_OK ? shd::json_quote(why) : r[0].integer ? "true" : "false"));
                       });
    }

    static void add(GlobalChannelPlugin *me, shd_str name, shd_str uid, shd_str frontend_id, ResultFn done, void *ud) {
        change(me, "SADD", name, uid, frontend_id, done, ud);
    }

    static void leave(GlobalChannelPlugin *me, shd_str name, shd_str uid, shd_str frontend_id, ResultFn done,
                      void *ud) {
        change(me, "SREM", name, uid, frontend_id, done, ud);
    }

    static void members_by_sid(GlobalChannelPlugin *me, shd_str name, shd_str frontend_id, ResultFn done, void *ud) {
        if (!name.size || !frontend_id.size) return answer_later(me->host(), done, ud, SHD_ERR_INVALID, "");
        me->link_->run({{"SMEMBERS", me->key(to_view(name), to_view(frontend_id))}},
                       [done, ud](shd_status s, std::vector<Reply> r, const std::string &why) {
                           s = shd::redis::batch_status(s, r, 1);
                           done(ud, s,
                                to_shd(s != SHD_OK ? shd::json_quote(why) : shd::json_string_array(r[0].strings())));
                       });
    }

    // One pipelined SMEMBERS per frontend of the type: then(status, frontends, replies).
    using MembersFn = std::function<void(shd_status, const std::vector<std::string> &, const std::vector<Reply> &,
                                         const std::string &)>;
    void members_on(std::string_view frontend_type, std::string_view name, MembersFn then) {
        auto frontends = std::make_shared<std::vector<std::string>>(directory_.servers_of_type(frontend_type));
        if (frontends->empty()) {
            std::shared_ptr<MembersFn> fn = std::make_shared<MembersFn>(std::move(then));
            if (!host().post([fn, frontends] { (*fn)(SHD_OK, *frontends, {}, ""); }))
                (*fn)(SHD_ERR_SHUTDOWN, *frontends, {}, "stopping");
            return;
        }
        std::vector<shd::redis::Command> cmds;
        for (const auto &f : *frontends) cmds.push_back({"SMEMBERS", key(name, f)});
        link_->run(std::move(cmds),
                   [frontends, then = std::move(then)](shd_status s, std::vector<Reply> r, const std::string &why) {
                       then(shd::redis::batch_status(s, r, frontends->size()), *frontends, r, why);
                   });
    }

    static void members_by_channel_name(GlobalChannelPlugin *me, shd_str frontend_type, shd_str name, ResultFn done,
                                        void *ud) {
        if (!name.size || !frontend_type.size) return answer_later(me->host(), done, ud, SHD_ERR_INVALID, "");
        me->members_on(to_view(frontend_type), to_view(name),
                       [done, ud](shd_status s, const std::vector<std::string> &, const std::vector<Reply> &r,
                                  const std::string &why) {
                           if (s != SHD_OK) return done(ud, s, to_shd(shd::json_quote(why)));
                           std::vector<std::string> all;
                           for (const Reply &x : r)
                               for (auto &u : x.strings()) all.push_back(std::move(u));
                           done(ud, SHD_OK, to_shd(shd::json_string_array(all)));
                       });
    }

    static void destroy_channel(GlobalChannelPlugin *me, shd_str name, ResultFn done, void *ud) {
        if (!name.size) return answer_later(me->host(), done, ud, SHD_ERR_INVALID, "");
        // Pomelo deletes the key of every server; a server not known here (added and gone) is found by
        // its frontend's clean-up.
        shd::redis::Command del{"DEL"};
        for (const auto &id : me->directory_.all_server_ids()) del.push_back(me->key(to_view(name), id));
        me->link_->run({std::move(del)}, [done, ud](shd_status s, std::vector<Reply> r, const std::string &why) {
            s = shd::redis::batch_status(s, r, 1);
            done(ud, s, to_shd(s != SHD_OK ? shd::json_quote(why) : "null"));
        });
    }

    static void push_message(GlobalChannelPlugin *me, shd_str frontend_type, shd_str route, shd_str body_json,
                             shd_str name, ResultFn done, void *ud) {
        if (!name.size || !frontend_type.size || !route.size)
            return answer_later(me->host(), done, ud, SHD_ERR_INVALID, "");
        if (!me->channel_) return answer_later(me->host(), done, ud, SHD_ERR_UNSUPPORTED, "");
        auto route_text = std::make_shared<std::string>(to_view(route));
        auto body = std::make_shared<std::string>(body_json.size ? std::string(to_view(body_json)) : "{}");
        me->members_on(to_view(frontend_type), to_view(name),
                       [me, done, ud, route_text, body](shd_status s, const std::vector<std::string> &frontends,
                                                        const std::vector<Reply> &r, const std::string &why) {
                           if (s != SHD_OK) return done(ud, s, to_shd(shd::json_quote(why)));
                           std::string receivers = "[";
                           for (size_t i = 0; i < r.size(); ++i)
                               for (const auto &uid : r[i].strings()) {
                                   if (receivers.size() > 1) receivers += ',';
                                   receivers += "{\"uid\":" + shd::json_quote(uid) +
                                                ",\"sid\":" + shd::json_quote(frontends[i]) + "}";
                               }
                           receivers += "]";
                           if (receivers == "[]") return done(ud, SHD_OK, to_shd("[]"));
                           // The channel plugin answers once, later on the logic thread, with the uids
                           // not reached: exactly the result of this call.
                           me->channel_->push_by_uids(me->channel_ctx_, to_shd(*route_text), to_shd(*body),
                                                      to_shd(receivers), done, ud);
                       });
    }

    shd::ServerInfo self_;
    std::string prefix_;
    bool clean_on_start_ = false;
    std::unique_ptr<shd::redis::Link> link_;
    shd::redis::ServerDirectory directory_;
    const shd_channel_service_v1 *channel_ = nullptr;
    void *channel_ctx_ = nullptr;
    uint64_t subscription_ = 0;
    shd_global_channel_service_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(GlobalChannelPlugin, "global_channel", "0.1.0", SHD_GLOBAL_CHANNEL_SERVICE_ID, "")
