// The `status` plugin: pomelo-status-plugin's statusService ("shd.status/1",
// sdk/include/shaddock/ext/status.h) with its Redis layout: the set "<prefix>:<uid>" holds the ids of
// the frontends where uid has a bound session.
//
// On a frontend the plugin follows the connector's session events: the first bound session of a uid
// on this frontend adds the frontend's id to the uid's set (SADD), the last one to go (close or
// unbind) removes it (SREM). It counts the sessions itself, so the set is right with several sessions
// per uid, on one frontend or several. After each (re)connection to Redis, the frontend writes its
// state back: its id is removed from the sets of uids it holds no session of, and added to those it
// does (a Redis that restarted empty, or a write lost while it was away, heals this way).
//
// On every server: the queries of statusService, and on the first server of its type, the clean-up
// of a server that left the cluster (its id removed from every set: a frontend that died).
//
// Redis is reached off the logic thread (redis_link.hpp); results come back on the logic thread.
#include "key_scan.hpp"
#include "redis_link.hpp"
#include "server_directory.hpp"
#include "service_results.hpp"
#include "status_options.hpp"

#include <shaddock/ext/channel.h>
#include <shaddock/ext/status.h>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using shd::to_shd;
using shd::to_view;
using shd::redis::answer_later;
using shd::redis::Reply;

// A JSON array of strings -> its items; false when it is anything else.
bool parse_uids(shd_str json, std::vector<std::string> &out) {
    rapidjson::Document d;
    if (!shd::pomelo::parse_json(std::string_view(json.data ? json.data : "", json.size), d) || !d.IsArray()) return false;
    for (const auto &u : d.GetArray()) {
        if (!u.IsString()) return false;
        out.emplace_back(u.GetString(), u.GetStringLength());
    }
    return true;
}

class StatusPlugin : public shd::Plugin {
public:
    explicit StatusPlugin(shd::Host host) : shd::Plugin(host), directory_(host) {}

    void configure() override {
        shd::Options opts(host().options_json(), shd::status::status_option_table());
        self_ = host().server();
        prefix_ = opts.string("prefix");
        clean_on_start_ = opts.boolean("cleanOnStartUp");
        link_ = std::make_unique<shd::redis::Link>(host(), shd::redis::read_settings(opts, self_, "status"), "status");
        shd::stamp(vtable_);
        vtable_.sids_by_uid = shd::guard<&StatusPlugin::sids_by_uid>;
        vtable_.status_by_uid = shd::guard<&StatusPlugin::status_by_uid>;
        vtable_.status_by_uids = shd::guard<&StatusPlugin::status_by_uids>;
        vtable_.push_by_uids = shd::guard<&StatusPlugin::push_by_uids>;
        host().provide(SHD_STATUS_SERVICE_ID, &vtable_, this);
    }

    void start() override {
        directory_.attach();
        std::tie(channel_, channel_ctx_) = host().find<shd_channel_service_v1>(SHD_CHANNEL_SERVICE_ID);
        if (clean_on_start_) clean_all();
        if (self_.frontend) {
            link_->on_connected([this] { write_back(); });
            subscriptions_.push_back(host().subscribe(
                "bind_session", [this](std::string_view, std::string_view payload) { on_bind(payload); }));
            for (const char *gone : {"unbind_session", "close_session"})
                subscriptions_.push_back(host().subscribe(
                    gone, [this](std::string_view, std::string_view payload) { on_unbound(payload); }));
        }
        subscriptions_.push_back(host().subscribe(
            "remove_servers", [this](std::string_view, std::string_view payload) { on_servers_left(payload); }));
        link_->start();
        host().info("online status in redis " + link_->settings().host + ":" + std::to_string(link_->settings().port) +
                    " under " + prefix_ +
                    (self_.frontend ? " (this frontend's sessions are published)" : " (queries only)"));
    }

    void stop(shd::Done done) override {
        for (uint64_t id : subscriptions_) host().unsubscribe(id);
        subscriptions_.clear();
        link_->stop();
        done();
    }

private:
    std::string key(std::string_view uid) const { return prefix_ + ":" + std::string(uid); }

    static std::string uid_of(std::string_view payload) {
        rapidjson::Document d;
        d.Parse(payload.data(), payload.size());
        if (d.HasParseError() || !d.IsObject() || !d.HasMember("uid") || !d["uid"].IsString()) return "";
        return std::string(d["uid"].GetString(), d["uid"].GetStringLength());
    }

    // A write's failure is logged; the next (re)connection writes the whole state back (a refused
    // write, when the queue was full, a second later).
    void write(shd::redis::Command cmd) {
        link_->run({std::move(cmd)}, [this](shd_status s, std::vector<Reply> r, const std::string &why) {
            if (s == SHD_OK && !r.empty() && r[0].is_error()) {
                host().warn("redis refused a status update: " + r[0].text);
            } else if (s == SHD_ERR_BUSY && !write_back_due_) {
                write_back_due_ = true;
                host().after(1000, [this] {
                    write_back_due_ = false;
                    write_back();
                });
            } else if (s != SHD_OK) {
                host().debug("status update not written (" + why + "); written back on reconnection");
            }
        });
    }

    void on_bind(std::string_view payload) {
        std::string uid = uid_of(payload);
        if (uid.empty()) return;
        if (++local_[uid] == 1) write({"SADD", key(uid), self_.id});
    }

    void on_unbound(std::string_view payload) {
        std::string uid = uid_of(payload);
        auto it = local_.find(uid);
        if (uid.empty() || it == local_.end()) return;
        if (--it->second > 0) return;
        local_.erase(it);
        write({"SREM", key(uid), self_.id});
    }

    // This frontend's truth, written to Redis: out of the sets of uids without a session here (the
    // SREMs are built when SCAN returns, from the sessions at that moment, and queued before any later
    // update), into the sets of those with one.
    void write_back() {
        std::vector<shd::redis::Command> adds;
        for (const auto &[uid, n] : local_) adds.push_back({"SADD", key(uid), self_.id});
        if (!adds.empty()) link_->run(std::move(adds), [](shd_status, std::vector<Reply>, const std::string &) {});
        const size_t skip = prefix_.size() + 1;
        shd::redis::scan_keys(
            *link_, shd::redis::glob_escape(prefix_) + ":*",
            [this, skip](std::vector<std::string> keys) {
                std::vector<shd::redis::Command> rems;
                for (std::string &k : keys)
                    if (k.size() >= skip && !local_.count(k.substr(skip)))
                        rems.push_back({"SREM", std::move(k), self_.id});
                if (!rems.empty())
                    link_->run(std::move(rems), [](shd_status, std::vector<Reply>, const std::string &) {});
            },
            [this](shd_status s) {
                if (s == SHD_OK)
                    host().debug("status of this frontend written back (" + std::to_string(local_.size()) + " uids)");
            });
    }

    // Pomelo's cleanOnStartUp: every key under the prefix deleted.
    void clean_all() {
        shd::redis::scan_keys(
            *link_, shd::redis::glob_escape(prefix_) + ":*",
            [this](std::vector<std::string> keys) {
                shd::redis::Command del{"DEL"};
                for (auto &k : keys) del.push_back(std::move(k));
                link_->run({std::move(del)}, [](shd_status, std::vector<Reply>, const std::string &) {});
            },
            [this](shd_status s) {
                if (s != SHD_OK)
                    host().warn(std::string("cleanOnStartUp: the status keys were not all deleted (") +
                                shd::status_name(s) + ")");
            });
    }

    // A server left the cluster: on the first server of this type, its id leaves every set.
    void on_servers_left(std::string_view payload) {
        if (!directory_.is_cleaner()) return;
        rapidjson::Document d;
        d.Parse(payload.data(), payload.size());
        if (d.HasParseError() || !d.IsArray()) return;
        for (const auto &id : d.GetArray()) {
            if (!id.IsString() || id.GetString() == self_.id) continue;
            std::string gone = id.GetString();
            shd::redis::scan_keys(
                *link_, shd::redis::glob_escape(prefix_) + ":*",
                [this, gone](std::vector<std::string> keys) {
                    std::vector<shd::redis::Command> rems;
                    for (auto &k : keys) rems.push_back({"SREM", std::move(k), gone});
                    link_->run(std::move(rems), [](shd_status, std::vector<Reply>, const std::string &) {});
                },
                [this, gone](shd_status s) {
                    host().info("status: entries of " + gone + " (left the cluster) " +
                                (s == SHD_OK ? "removed" : std::string("not all removed: ") + shd::status_name(s)));
                });
        }
    }

    static StatusPlugin *self(void *ctx) { return static_cast<StatusPlugin *>(ctx); }

    static void sids_by_uid(StatusPlugin *me, shd_str uid, shd_status_result_fn done, void *ud) {
        if (!uid.size) return answer_later(me->host(), done, ud, SHD_ERR_INVALID, "");
        me->link_->run({{"SMEMBERS", me->key(to_view(uid))}}, [done, ud](shd_status s, std::vector<Reply> r,
                                                                         const std::string &why) {
            s = shd::redis::batch_status(s, r, 1);
            std::string json = s == SHD_OK ? shd::json_string_array(r[0].strings()) : shd::json_quote(why);
            done(ud, s, to_shd(json));
        });
    }

    static void status_by_uid(StatusPlugin *me, shd_str uid, shd_status_result_fn done, void *ud) {
        if (!uid.size) return answer_later(me->host(), done, ud, SHD_ERR_INVALID, "");
        me->link_->run({{"EXISTS", me->key(to_view(uid))}},
                       [done, ud](shd_status s, std::vector<Reply> r, const std::string &why) {
                           s = shd::redis::batch_status(s, r, 1);
                           std::string json = s != SHD_OK ? shd::json_quote(why) : r[0].integer ? "true" : "false";
                           done(ud, s, to_shd(json));
                       });
    }

    static void status_by_uids(StatusPlugin *me, shd_str uids_json, shd_status_result_fn done, void *ud) {
        auto uids = std::make_shared<std::vector<std::string>>();
        if (!parse_uids(uids_json, *uids)) return answer_later(me->host(), done, ud, SHD_ERR_INVALID, "");
        if (uids->empty()) return answer_later(me->host(), done, ud, SHD_OK, "{}");
        std::vector<shd::redis::Command> cmds;
        for (const auto &u : *uids) cmds.push_back({"EXISTS", me->key(u)});
        me->link_->run(std::move(cmds), [done, ud, uids](shd_status s, std::vector<Reply> r, const std::string &why) {
            s = shd::redis::batch_status(s, r, uids->size());
            if (s != SHD_OK) return done(ud, s, to_shd(shd::json_quote(why)));
            std::string json = "{";
            for (size_t i = 0; i < uids->size(); ++i) {
                if (i) json += ',';
                json += shd::json_quote((*uids)[i]) + (r[i].integer ? ":true" : ":false");
            }
            done(ud, SHD_OK, to_shd(json + "}"));
        });
    }

    // Pomelo's pushByUids: the frontends of each uid from Redis, then one channel push by uids
    // (one call per frontend, shd.channel/1).
    static void push_by_uids(StatusPlugin *me, shd_str uids_json, shd_str route, shd_str body_json,
                             shd_status_result_fn done, void *ud) {
        auto uids = std::make_shared<std::vector<std::string>>();
        if (!parse_uids(uids_json, *uids) || uids->empty() || !route.size)
            return answer_later(me->host(), done, ud, SHD_ERR_INVALID, "");
        if (!me->channel_) return answer_later(me->host(), done, ud, SHD_ERR_UNSUPPORTED, "");
        std::vector<shd::redis::Command> cmds;
        for (const auto &u : *uids) cmds.push_back({"SMEMBERS", me->key(u)});
        auto route_text = std::make_shared<std::string>(to_view(route));
        auto body = std::make_shared<std::string>(body_json.size ? std::string(to_view(body_json)) : "{}");
        me->link_->run(std::move(cmds), [me, done, ud, uids, route_text, body](shd_status s, std::vector<Reply> r,
                                                                               const std::string &why) {
            s = shd::redis::batch_status(s, r, uids->size());
            if (s != SHD_OK) return done(ud, s, to_shd(shd::json_quote(why)));
            std::string receivers = "[";
            auto offline = std::make_shared<std::vector<std::string>>();
            for (size_t i = 0; i < uids->size(); ++i) {
                std::vector<std::string> sids = r[i].strings();
                if (sids.empty()) offline->push_back((*uids)[i]);
                for (const auto &sid : sids) {
                    if (receivers.size() > 1) receivers += ',';
                    receivers += "{\"uid\":" + shd::json_quote((*uids)[i]) + ",\"sid\":" + shd::json_quote(sid) + "}";
                }
            }
            receivers += "]";
            if (receivers == "[]") return done(ud, SHD_OK, to_shd(shd::json_string_array(*offline)));
            struct Relay {
                shd_status_result_fn done;
                void *ud;
                std::shared_ptr<std::vector<std::string>> offline;
            };
            me->channel_->push_by_uids(
                me->channel_ctx_, to_shd(*route_text), to_shd(*body), to_shd(receivers),
                [](void *rud, shd_status ps, shd_str failed_json) {
                    std::unique_ptr<Relay> relay(static_cast<Relay *>(rud));
                    std::vector<std::string> failed = *relay->offline;
                    rapidjson::Document f;
                    f.Parse(failed_json.data ? failed_json.data : "[]", failed_json.size);
                    if (!f.HasParseError() && f.IsArray())
                        for (const auto &u : f.GetArray())
                            if (u.IsString() && std::find(failed.begin(), failed.end(), u.GetString()) == failed.end())
                                failed.emplace_back(u.GetString(), u.GetStringLength());
                    relay->done(relay->ud, ps, to_shd(shd::json_string_array(failed)));
                },
                new Relay{done, ud, offline});
        });
    }

    shd::ServerInfo self_;
    std::string prefix_;
    bool clean_on_start_ = false;
    std::unique_ptr<shd::redis::Link> link_;
    shd::redis::ServerDirectory directory_;
    const shd_channel_service_v1 *channel_ = nullptr;
    void *channel_ctx_ = nullptr;
    std::unordered_map<std::string, size_t> local_;  // uid -> its bound sessions on this frontend
    std::vector<uint64_t> subscriptions_;
    bool write_back_due_ = false;
    shd_status_service_v1 vtable_{};
};

}  // namespace

SHADDOCK_PLUGIN(StatusPlugin, "status", "0.1.0", SHD_STATUS_SERVICE_ID, "")
