// shaddock/cpp/channel.hpp - Pomelo's channelService for apps, over "shd.channel/1" (the `channel`
// plugin; contract in shaddock/ext/channel.h).
//
//   shd::ChannelService channels(host());
//   shd::Channel room = channels.get_channel("room1", true);
//   room.add(uid, session.frontend_id());
//   room.push_message("onChat", R"({"msg":"hi"})", [](shd_status s, std::vector<std::string> failed) { ... });
//   channels.push_message_by_uids("onChat", body, {{"alice", "connector-server-1"}}, cb);
//   channels.push_to_frontend("connector-server-1", "onMove", body, R"(["alice","bob"])", cb);
//   channels.broadcast("connector", "onNews", body, /*bound_only*/ true, cb);
//
// A Channel is a handle naming a channel of this process; once the channel is destroyed its calls
// answer SHD_ERR_NOT_FOUND (and reach a new channel of the same name if one is created); a
// default-constructed Channel names nothing and its pushes never call back. Everything
// runs on the logic thread. Push callbacks run exactly once, later on the logic thread, with the
// status and the uids that were not reached (Pomelo's `fails`); a callback may be empty.
#pragma once

#include <shaddock/ext/channel.h>
#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shd {

using PushCallback = std::function<void(shd_status status, std::vector<std::string> failed_uids)>;

// A member: its uid and the id of the frontend server holding its session (Pomelo's {uid, sid}).
struct ChannelMember {
    std::string uid;
    std::string sid;
};

namespace detail {

struct ChannelApi {
    Host host;
    const shd_channel_service_v1 *vt = nullptr;
    void *ctx = nullptr;
};

// Hands a PushCallback to the C service as (fn, user_data); the box is freed after its one call.
struct PushBox {
    static void SHD_CALL run(void *ud, shd_status status, shd_str failed_json) {
        std::unique_ptr<PushCallback> cb(static_cast<PushCallback *>(ud));
        std::vector<std::string> failed;
        rapidjson::Document d;
        d.Parse(failed_json.data ? failed_json.data : "[]", failed_json.size);
        if (!d.HasParseError() && d.IsArray())
            for (const auto &u : d.GetArray())
                if (u.IsString()) failed.emplace_back(u.GetString(), u.GetStringLength());
        try {
            if (*cb) (*cb)(status, std::move(failed));
        } catch (...) {
        }
    }
    static void *make(PushCallback cb) { return new PushCallback(std::move(cb)); }
};

// Answers a callback that never reached the service (no service, bad arguments), later.
inline void push_failed_later(const Host &host, PushCallback cb, shd_status status) {
    if (!cb) return;
    auto shared = std::make_shared<PushCallback>(std::move(cb));
    if (!host.post([shared, status] { (*shared)(status, {}); })) (*shared)(SHD_ERR_SHUTDOWN, {});
}

}  // namespace detail

class Channel {
public:
    Channel() = default;  // names no channel: every call answers SHD_ERR_NOT_FOUND / empty

    const std::string &name() const { return name_; }
    // True while the channel exists.
    bool exists() const { return api_ && api_->vt && api_->vt->exists(api_->ctx, to_shd(name_)) == 1; }
    explicit operator bool() const { return exists(); }

    // Pomelo's add(uid, sid): sid is the frontend server id (session.frontend_id()).
    // SHD_ERR_EXISTS when uid is already a member.
    shd_status add(std::string_view uid, std::string_view sid) const {
        if (!api_ || !api_->vt) return SHD_ERR_NOT_FOUND;
        return api_->vt->add(api_->ctx, to_shd(name_), to_shd(uid), to_shd(sid));
    }
    // SHD_ERR_NOT_FOUND unless uid is a member on that frontend.
    shd_status leave(std::string_view uid, std::string_view sid) const {
        if (!api_ || !api_->vt) return SHD_ERR_NOT_FOUND;
        return api_->vt->leave(api_->ctx, to_shd(name_), to_shd(uid), to_shd(sid));
    }
    // The members' uids in join order (Pomelo's getMembers()).
    std::vector<std::string> get_members() const {
        std::vector<std::string> out;
        for (auto &m : members()) out.push_back(std::move(m.uid));
        return out;
    }
    // Uids with their frontend ids, in join order.
    std::vector<ChannelMember> members() const {
        std::vector<ChannelMember> out;
        if (!api_ || !api_->vt) return out;
        api_->vt->members(
            api_->ctx, to_shd(name_),
            [](void *ud, shd_str uid, shd_str sid) {
                static_cast<std::vector<ChannelMember> *>(ud)->push_back(
                    {std::string(to_view(uid)), std::string(to_view(sid))});
            },
            &out);
        return out;
    }
    // Pomelo's getMember(uid): {uid, sid}, or nullopt.
    std::optional<ChannelMember> get_member(std::string_view uid) const {
        if (!api_ || !api_->vt) return std::nullopt;
        std::string sid;
        shd_status s = api_->vt->member(
            api_->ctx, to_shd(name_), to_shd(uid),
            [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data, t.size); }, &sid);
        if (s != SHD_OK) return std::nullopt;
        return ChannelMember{std::string(uid), std::move(sid)};
    }
    uint64_t get_user_amount() const { return api_ && api_->vt ? api_->vt->user_amount(api_->ctx, to_shd(name_)) : 0; }
    // Removes the channel and its members (Pomelo's channel.destroy()).
    shd_status destroy() const {
        if (!api_ || !api_->vt) return SHD_ERR_NOT_FOUND;
        return api_->vt->destroy(api_->ctx, to_shd(name_));
    }

    // Pushes route + body (JSON text) to every member: one call per frontend.
    void push_message(std::string_view route, std::string_view body_json, PushCallback cb = {}) const {
        if (!api_ || !api_->vt) return;  // a default Channel has no host to answer later with
        api_->vt->push_message(api_->ctx, to_shd(name_), to_shd(route), to_shd(body_json), &detail::PushBox::run,
                               detail::PushBox::make(std::move(cb)));
    }
    // Pomelo's old form pushMessage({route, ...}): the route is taken from the object, and the whole
    // object, "route" included, is the body. SHD_ERR_INVALID without a string "route".
    void push_message(std::string_view body_with_route, PushCallback cb = {}) const {
        if (!api_ || !api_->vt) return;
        rapidjson::Document d;
        d.Parse(body_with_route.data(), body_with_route.size());
        if (d.HasParseError() || !d.IsObject() || !d.HasMember("route") || !d["route"].IsString())
            return detail::push_failed_later(api_->host, std::move(cb), SHD_ERR_INVALID);
        push_message(std::string_view(d["route"].GetString(), d["route"].GetStringLength()), body_with_route,
                     std::move(cb));
    }

private:
    friend class ChannelService;
    Channel(std::shared_ptr<const detail::ChannelApi> api, std::string name)
        : api_(std::move(api)), name_(std::move(name)) {}

    std::shared_ptr<const detail::ChannelApi> api_;
    std::string name_;
};

class ChannelService {
public:
    explicit ChannelService(const Host &host) {
        auto [vt, ctx] = host.find<shd_channel_service_v1>(SHD_CHANNEL_SERVICE_ID);
        api_ = std::make_shared<const detail::ChannelApi>(detail::ChannelApi{host, vt, ctx});
    }
    // False when no "shd.channel/1" is loaded on this server (then channels are empty handles).
    bool available() const { return api_->vt != nullptr; }

    Channel create_channel(std::string_view name) const {
        if (available()) api_->vt->create(api_->ctx, to_shd(name));
        return Channel(api_, std::string(name));
    }
    // The channel, or (create false and no such channel) a handle whose exists() is false.
    Channel get_channel(std::string_view name, bool create = false) const {
        return create ? create_channel(name) : Channel(api_, std::string(name));
    }
    shd_status destroy_channel(std::string_view name) const {
        return available() ? api_->vt->destroy(api_->ctx, to_shd(name)) : SHD_ERR_NOT_FOUND;
    }

    // Pomelo's pushMessageByUids(route, msg, [{uid, sid}], cb): one call per frontend server.
    void push_message_by_uids(std::string_view route, std::string_view body_json,
                              const std::vector<ChannelMember> &receivers, PushCallback cb = {}) const {
        if (!available()) return detail::push_failed_later(api_->host, std::move(cb), SHD_ERR_UNSUPPORTED);
        std::string list = "[";
        for (const auto &r : receivers) {
            if (list.size() > 1) list += ',';
            list += "{\"uid\":" + json_quote(r.uid) + ",\"sid\":" + json_quote(r.sid) + "}";
        }
        list += ']';
        api_->vt->push_by_uids(api_->ctx, to_shd(route), to_shd(body_json), to_shd(list), &detail::PushBox::run,
                               detail::PushBox::make(std::move(cb)));
    }

    // Pushes to uids whose sessions are all on frontend `sid`: pushMessageByUids for receivers grouped
    // by frontend already (an area's AOI pushes, say). uids_json is a JSON array of uid strings,
    // ["uid", ...]; it goes to that frontend as it is, with no receiver list to write and read back.
    // A channel plugin from before this call gets the same push through push_by_uids.
    void push_to_frontend(std::string_view sid, std::string_view route, std::string_view body_json,
                          std::string_view uids_json, PushCallback cb = {}) const {
        if (!available()) return detail::push_failed_later(api_->host, std::move(cb), SHD_ERR_UNSUPPORTED);
        if (SHD_HAS_FIELD(shd_channel_service_v1, api_->vt->struct_size, push_to_frontend) &&
            api_->vt->push_to_frontend)
            return api_->vt->push_to_frontend(api_->ctx, to_shd(sid), to_shd(route), to_shd(body_json),
                                              to_shd(uids_json), &detail::PushBox::run,
                                              detail::PushBox::make(std::move(cb)));
        rapidjson::Document d;
        d.Parse(uids_json.data(), uids_json.size());
        if (d.HasParseError() || !d.IsArray())
            return detail::push_failed_later(api_->host, std::move(cb), SHD_ERR_INVALID);
        std::vector<ChannelMember> receivers;
        for (const auto &u : d.GetArray()) {
            if (!u.IsString()) return detail::push_failed_later(api_->host, std::move(cb), SHD_ERR_INVALID);
            receivers.push_back({std::string(u.GetString(), u.GetStringLength()), std::string(sid)});
        }
        push_message_by_uids(route, body_json, receivers, std::move(cb));
    }
    // The same with the uids as strings.
    void push_to_frontend(std::string_view sid, std::string_view route, std::string_view body_json,
                          const std::vector<std::string> &uids, PushCallback cb = {}) const {
        push_to_frontend(sid, route, body_json, json_string_array(uids), std::move(cb));
    }

    // Pomelo's broadcast(frontendType, route, msg, {binded}, cb): every session of every server of
    // that type (only sessions bound to a uid when bound_only).
    void broadcast(std::string_view frontend_type, std::string_view route, std::string_view body_json,
                   bool bound_only = false, PushCallback cb = {}) const {
        if (!available()) return detail::push_failed_later(api_->host, std::move(cb), SHD_ERR_UNSUPPORTED);
        api_->vt->broadcast(api_->ctx, to_shd(frontend_type), to_shd(route), to_shd(body_json), bound_only ? 1 : 0,
                            &detail::PushBox::run, detail::PushBox::make(std::move(cb)));
    }

private:
    std::shared_ptr<const detail::ChannelApi> api_;
};

}  // namespace shd
