// The Redis plugins' test app: statusService (shaddock/cpp/status.hpp) and globalChannelService
// (shaddock/cpp/global_channel.hpp) behind handlers, on a backend `area` in a cluster or on a lone
// connector.
//
//   connector.entryHandler.join {uid}              binds the session            -> {code}
//   connector.entryHandler.unbind {}               unbinds it                   -> {code, status}
//   <T>.statusHandler.sids {uid}                   getSidsByUid                 -> {code, status, sids}
//   <T>.statusHandler.one {uid}                    getStatusByUid               -> {code, status, online}
//   <T>.statusHandler.many {uids}                  getStatusByUids              -> {code, status, online}
//   <T>.statusHandler.push {uids, text}            pushByUids onStatusPush      -> {code, status, failed}
//   <T>.globalHandler.add|leave {name, uid, sid}   -> {code, status, changed}
//   <T>.globalHandler.members {type, name}         getMembersByChannelName      -> {code, status, uids}
//   <T>.globalHandler.membersBySid {name, sid}     getMembersBySid              -> {code, status, uids}
//   <T>.globalHandler.destroy {name}               destroyChannel               -> {code, status}
//   <T>.globalHandler.push {type, name, text}      pushMessage onGlobalPush     -> {code, status, failed}
// <T> is "area" or "connector". code is 200 whatever the service answered; status is its status.
#include <shaddock/cpp/global_channel.hpp>
#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/status.hpp>

#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

std::string str(const rapidjson::Value &obj, const char *key) {
    return obj.IsObject() && obj.HasMember(key) && obj[key].IsString()
               ? std::string(obj[key].GetString(), obj[key].GetStringLength())
               : std::string();
}

std::vector<std::string> strs(const rapidjson::Value &obj, const char *key) {
    std::vector<std::string> out;
    if (obj.IsObject() && obj.HasMember(key) && obj[key].IsArray())
        for (const auto &s : obj[key].GetArray())
            if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
    return out;
}

std::string head(shd_status s) {
    return R"({"code":200,"status":)" + std::to_string(s);
}

class RedisTestApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        handlers_ = std::make_unique<shd::Handlers>(host());
        auto &h = *handlers_;
        h.on("connector.entryHandler.join", [](shd::RequestPtr req) {
            std::string uid = str(req->json(), "uid");
            shd_status s = uid.empty() ? SHD_ERR_INVALID : req->session().bind(uid);
            req->respond(s == SHD_OK ? R"({"code":200})" : R"({"code":500,"status":)" + std::to_string(s) + "}");
        });
        h.on("connector.entryHandler.unbind", [](shd::RequestPtr req) {
            std::string uid = req->session().uid();
            req->respond(head(req->session().unbind(uid)) + "}");
        });
        for (const char *t : {"area", "connector"}) {
            status_handlers(t);
            global_handlers(t);
        }
    }

    void start() override {
        status_.emplace(host());
        global_.emplace(host());
    }

private:
    void status_handlers(const std::string &t) {
        auto &h = *handlers_;
        h.on(t + ".statusHandler.sids", [this](shd::RequestPtr req) {
            status_->get_sids_by_uid(str(req->json(), "uid"), [req](shd_status s, std::vector<std::string> sids) {
                req->respond(head(s) + R"(,"sids":)" + shd::json_string_array(sids) + "}");
            });
        });
        h.on(t + ".statusHandler.one", [this](shd::RequestPtr req) {
            status_->get_status_by_uid(str(req->json(), "uid"), [req](shd_status s, bool online) {
                req->respond(head(s) + R"(,"online":)" + (online ? "true" : "false") + "}");
            });
        });
        h.on(t + ".statusHandler.many", [this](shd::RequestPtr req) {
            status_->get_status_by_uids(strs(req->json(), "uids"), [req](shd_status s, std::map<std::string, bool> on) {
                std::string obj = "{";
                for (const auto &[uid, online] : on)
                    obj += (obj.size() > 1 ? "," : "") + shd::json_quote(uid) + (online ? ":true" : ":false");
                req->respond(head(s) + R"(,"online":)" + obj + "}}");
            });
        });
        h.on(t + ".statusHandler.push", [this](shd::RequestPtr req) {
            auto body = req->json();
            status_->push_by_uids(strs(body, "uids"), "onStatusPush",
                                  R"({"text":)" + shd::json_quote(str(body, "text")) + "}",
                                  [req](shd_status s, std::vector<std::string> failed) {
                                      req->respond(head(s) + R"(,"failed":)" + shd::json_string_array(failed) + "}");
                                  });
        });
    }

    void global_handlers(const std::string &t) {
        auto &h = *handlers_;
        auto changed = [](const shd::RequestPtr &req) {
            return [req](shd_status s, bool c) {
                req->respond(head(s) + R"(,"changed":)" + (c ? "true" : "false") + "}");
            };
        };
        auto uids = [](const shd::RequestPtr &req) {
            return [req](shd_status s, std::vector<std::string> u) {
                req->respond(head(s) + R"(,"uids":)" + shd::json_string_array(u) + "}");
            };
        };
        h.on(t + ".globalHandler.add", [this, changed](shd::RequestPtr req) {
            auto b = req->json();
            global_->add(str(b, "name"), str(b, "uid"), str(b, "sid"), changed(req));
        });
        h.on(t + ".globalHandler.leave", [this, changed](shd::RequestPtr req) {
            auto b = req->json();
            global_->leave(str(b, "name"), str(b, "uid"), str(b, "sid"), changed(req));
        });
        h.on(t + ".globalHandler.members", [this, uids](shd::RequestPtr req) {
            auto b = req->json();
            global_->get_members_by_channel_name(str(b, "type"), str(b, "name"), uids(req));
        });
        h.on(t + ".globalHandler.membersBySid", [this, uids](shd::RequestPtr req) {
            auto b = req->json();
            global_->get_members_by_sid(str(b, "name"), str(b, "sid"), uids(req));
        });
        h.on(t + ".globalHandler.destroy", [this, changed](shd::RequestPtr req) {
            global_->destroy_channel(str(req->json(), "name"), changed(req));
        });
        h.on(t + ".globalHandler.push", [this](shd::RequestPtr req) {
            auto b = req->json();
            global_->push_message(str(b, "type"), "onGlobalPush", R"({"text":)" + shd::json_quote(str(b, "text")) + "}",
                                  str(b, "name"), [req](shd_status s, std::vector<std::string> failed) {
                                      req->respond(head(s) + R"(,"failed":)" + shd::json_string_array(failed) + "}");
                                  });
        });
    }

    std::unique_ptr<shd::Handlers> handlers_;
    std::optional<shd::StatusService> status_;
    std::optional<shd::GlobalChannelService> global_;
};

}  // namespace

SHADDOCK_APP(RedisTestApp, "redis_test", "1.0.0", "shd.handler/1")
