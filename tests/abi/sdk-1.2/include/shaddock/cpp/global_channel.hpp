// shaddock/cpp/global_channel.hpp - Pomelo's globalChannelService for apps, over
// "shd.globalchannel/1" (the `global_channel` plugin, channels in Redis spanning every process;
// contract in shaddock/ext/global_channel.h).
//
//   shd::GlobalChannelService global(host());
//   global.add("world", uid, session.frontend_id(), [](shd_status s, bool added) { ... });
//   global.push_message("connector", "onWorld", R"({"text":"hi"})", "world",
//                       [](shd_status s, std::vector<std::string> failed) { ... });
//
// Everything runs on the logic thread; every callback runs exactly once, later on the logic thread
// (SHD_ERR_UNSUPPORTED when the service is not loaded here, SHD_ERR_IO when Redis is unreachable).
// A callback may be empty.
#pragma once

#include <shaddock/ext/global_channel.h>
#include <shaddock/cpp/status.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace shd {

class GlobalChannelService {
public:
    using DoneCallback = std::function<void(shd_status, bool changed)>;
    using UidsCallback = std::function<void(shd_status, std::vector<std::string> uids)>;

    explicit GlobalChannelService(const Host &host) : host_(host) {
        std::tie(vt_, ctx_) = host.find<shd_global_channel_service_v1>(SHD_GLOBAL_CHANNEL_SERVICE_ID);
    }
    // False when no "shd.globalchannel/1" is loaded on this server.
    bool available() const { return vt_ != nullptr; }

    // changed: added (add) or removed (leave); false when it already was / was not a member there.
    void add(std::string_view name, std::string_view uid, std::string_view frontend_id, DoneCallback cb = {}) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->add(ctx_, to_shd(name), to_shd(uid), to_shd(frontend_id), &detail::JsonResultBox::run,
                 bool_box(std::move(cb)));
    }
    void leave(std::string_view name, std::string_view uid, std::string_view frontend_id, DoneCallback cb = {}) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->leave(ctx_, to_shd(name), to_shd(uid), to_shd(frontend_id), &detail::JsonResultBox::run,
                   bool_box(std::move(cb)));
    }
    void get_members_by_sid(std::string_view name, std::string_view frontend_id, UidsCallback cb) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->members_by_sid(ctx_, to_shd(name), to_shd(frontend_id), &detail::JsonResultBox::run,
                            uids_box(std::move(cb)));
    }
    void get_members_by_channel_name(std::string_view frontend_type, std::string_view name, UidsCallback cb) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->members_by_channel_name(ctx_, to_shd(frontend_type), to_shd(name), &detail::JsonResultBox::run,
                                     uids_box(std::move(cb)));
    }
    void destroy_channel(std::string_view name, DoneCallback cb = {}) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->destroy_channel(ctx_, to_shd(name), &detail::JsonResultBox::run, bool_box(std::move(cb)));
    }
    // One call per frontend of frontend_type holding members; cb gets the uids not reached.
    void push_message(std::string_view frontend_type, std::string_view route, std::string_view body_json,
                      std::string_view name, UidsCallback cb = {}) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->push_message(ctx_, to_shd(frontend_type), to_shd(route), to_shd(body_json), to_shd(name),
                          &detail::JsonResultBox::run, uids_box(std::move(cb)));
    }

private:
    static void *bool_box(DoneCallback cb) {
        return detail::JsonResultBox::make([cb = std::move(cb)](shd_status s, const rapidjson::Document &d) {
            if (cb) cb(s, d.IsTrue());
        });
    }
    static void *uids_box(UidsCallback cb) {
        return detail::JsonResultBox::make([cb = std::move(cb)](shd_status s, const rapidjson::Document &d) {
            if (cb) cb(s, detail::json_string_items(d));
        });
    }

    Host host_;
    const shd_global_channel_service_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
};

}  // namespace shd
