// shaddock/cpp/status.hpp - Pomelo's statusService for apps, over "shd.status/1" (the `status`
// plugin, online status in Redis; contract in shaddock/ext/status.h).
//
//   shd::StatusService status(host());
//   status.get_sids_by_uid("alice", [](shd_status s, std::vector<std::string> frontends) { ... });
//   status.get_status_by_uids({"alice", "bob"}, [](shd_status s, std::map<std::string, bool> online) { ... });
//   status.push_by_uids({"alice", "bob"}, "onNews", R"({"text":"hi"})",
//                       [](shd_status s, std::vector<std::string> failed) { ... });
//
// Everything runs on the logic thread; every callback runs exactly once, later on the logic thread
// (SHD_ERR_UNSUPPORTED when the service is not loaded here, SHD_ERR_IO when Redis is unreachable).
// A callback may be empty.
#pragma once

#include <shaddock/ext/status.h>
#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace shd {

namespace detail {

// Boxes a callable taking (status, parsed JSON document) as the C service's (fn, user_data).
struct JsonResultBox {
    using Fn = std::function<void(shd_status, const rapidjson::Document &)>;
    static void SHD_CALL run(void *ud, shd_status status, shd_str json) {
        std::unique_ptr<Fn> fn(static_cast<Fn *>(ud));
        rapidjson::Document d;
        if (status == SHD_OK) d.Parse(json.data ? json.data : "null", json.data ? json.size : 4);
        if (d.HasParseError()) d.SetNull();
        try {
            (*fn)(status, d);
        } catch (...) {
        }
    }
    static void *make(Fn fn) { return new Fn(std::move(fn)); }
};

inline std::vector<std::string> json_string_items(const rapidjson::Value &v) {
    std::vector<std::string> out;
    if (v.IsArray())
        for (const auto &s : v.GetArray())
            if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
    return out;
}

// Answers a callback that never reached the service, later on the logic thread.
template <class... A>
void answer_later(const Host &host, std::function<void(shd_status, A...)> cb, shd_status s) {
    if (!cb) return;
    auto shared = std::make_shared<std::function<void(shd_status, A...)>>(std::move(cb));
    if (!host.post([shared, s] { (*shared)(s, A{}...); })) (*shared)(SHD_ERR_SHUTDOWN, A{}...);
}

}  // namespace detail

class StatusService {
public:
    using SidsCallback = std::function<void(shd_status, std::vector<std::string> frontend_ids)>;
    using StatusCallback = std::function<void(shd_status, bool online)>;
    using StatusesCallback = std::function<void(shd_status, std::map<std::string, bool> online)>;
    using FailedCallback = std::function<void(shd_status, std::vector<std::string> failed_uids)>;

    explicit StatusService(const Host &host) : host_(host) {
        std::tie(vt_, ctx_) = host.find<shd_status_service_v1>(SHD_STATUS_SERVICE_ID);
    }
    // False when no "shd.status/1" is loaded on this server.
    bool available() const { return vt_ != nullptr; }

    void get_sids_by_uid(std::string_view uid, SidsCallback cb) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->sids_by_uid(ctx_, to_shd(uid), &detail::JsonResultBox::run,
                         detail::JsonResultBox::make([cb = std::move(cb)](shd_status s, const rapidjson::Document &d) {
                             if (cb) cb(s, detail::json_string_items(d));
                         }));
    }
    void get_status_by_uid(std::string_view uid, StatusCallback cb) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->status_by_uid(
            ctx_, to_shd(uid), &detail::JsonResultBox::run,
            detail::JsonResultBox::make([cb = std::move(cb)](shd_status s, const rapidjson::Document &d) {
                if (cb) cb(s, d.IsTrue());
            }));
    }
    void get_status_by_uids(const std::vector<std::string> &uids, StatusesCallback cb) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->status_by_uids(
            ctx_, to_shd(json_string_array(uids)), &detail::JsonResultBox::run,
            detail::JsonResultBox::make([cb = std::move(cb)](shd_status s, const rapidjson::Document &d) {
                std::map<std::string, bool> out;
                if (d.IsObject())
                    for (const auto &m : d.GetObject())
                        out[std::string(m.name.GetString(), m.name.GetStringLength())] = m.value.IsTrue();
                if (cb) cb(s, std::move(out));
            }));
    }
    // Pomelo's pushByUids(uids, route, msg, cb): cb gets the uids not reached.
    void push_by_uids(const std::vector<std::string> &uids, std::string_view route, std::string_view body_json,
                      FailedCallback cb) const {
        if (!vt_) return detail::answer_later(host_, std::move(cb), SHD_ERR_UNSUPPORTED);
        vt_->push_by_uids(ctx_, to_shd(json_string_array(uids)), to_shd(route), to_shd(body_json),
                          &detail::JsonResultBox::run,
                          detail::JsonResultBox::make([cb = std::move(cb)](shd_status s, const rapidjson::Document &d) {
                              if (cb) cb(s, detail::json_string_items(d));
                          }));
    }

private:
    Host host_;
    const shd_status_service_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
};

}  // namespace shd
