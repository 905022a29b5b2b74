// shaddock/cpp/session.hpp - sessions for apps, with Pomelo's names: the session a request arrived
// on (shd::Session: uid, settings, bind, push, kick), the frontend's session service behind it, and
// BackendSessionService, which looks sessions up on their frontend from any server.
//
//   shd::Session &s = req->session();
//   s.set("rid", R"("room 1")");
//   s.push("rid", [](shd_status) {});
//
// Everything here runs on the logic thread. Settings values are JSON text. Split from
// shaddock/cpp/handler.hpp, which includes this header (so code that included handler.hpp for
// sessions still builds).
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/json.hpp>
#include <shaddock/ext/handler.h>
#include <shaddock/ext/rpc.h>
#include <shaddock/ext/session.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shd {

// The frontend's session service, when this server has one (frontends only).
class SessionService {
public:
    SessionService() = default;  // none: sessions built from it act over RPC (see Session)
    explicit SessionService(const Host &host) {
        auto [vt, ctx] = host.find<shd_session_service_v1>(SHD_SESSION_SERVICE_ID);
        vt_ = vt;
        ctx_ = ctx;
    }
    bool available() const { return vt_ != nullptr; }
    const shd_session_service_v1 *vtable() const { return vt_; }
    void *ctx() const { return ctx_; }

    uint64_t count(bool bound_only = false) const { return vt_ ? vt_->count(ctx_, bound_only ? 1 : 0) : 0; }
    std::vector<uint64_t> sids_by_uid(std::string_view uid) const {
        std::vector<uint64_t> out;
        if (vt_) vt_->sids_by_uid(ctx_, to_shd(uid), [](void *ud, uint64_t sid) { static_cast<std::vector<uint64_t> *>(ud)->push_back(sid); }, &out);
        return out;
    }
    bool kick_by_uid(std::string_view uid, std::string_view reason = "kick") const {
        return vt_ && vt_->kick_by_uid(ctx_, to_shd(uid), to_shd(reason)) == SHD_OK;
    }
    bool kick_by_sid(uint64_t sid, std::string_view reason = "kick") const {
        return vt_ && vt_->kick_by_sid(ctx_, sid, to_shd(reason)) == SHD_OK;
    }
    // Pushes to sessions; returns how many sids were unknown.
    size_t push(std::string_view route, std::string_view body_json, const std::vector<uint64_t> &sids) const {
        size_t missed = sids.size();
        if (vt_) vt_->push_to_sids(ctx_, to_shd(route), to_shd(body_json), sids.data(), sids.size(), &missed);
        return missed;
    }
    // Pushes to every session of each uid; returns the uids that had none.
    std::vector<std::string> push_by_uids(std::string_view route, std::string_view body_json,
                                          const std::vector<std::string> &uids) const {
        std::vector<std::string> missed;
        if (!vt_) return uids;
        std::vector<shd_str> views;
        views.reserve(uids.size());
        for (const auto &u : uids) views.push_back(to_shd(u));
        vt_->push_to_uids(ctx_, to_shd(route), to_shd(body_json), views.data(), views.size(),
                          [](void *ud, shd_str uid) { static_cast<std::vector<std::string> *>(ud)->emplace_back(to_view(uid)); }, &missed);
        return missed;
    }
    bool broadcast(std::string_view route, std::string_view body_json, bool bound_only = false) const {
        return vt_ && vt_->broadcast(ctx_, to_shd(route), to_shd(body_json), bound_only ? 1 : 0) == SHD_OK;
    }

private:
    const shd_session_service_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
};

// What a handler sees of the client's session (Pomelo's FrontendSession): a copy whose settings
// change locally with set() and reach the real session with push()/push_all().
class Session {
public:
    Session(const shd_session_view_v1 &view, SessionService service, const Host &host)
        : id_(view.id), frontend_id_(to_view(view.frontend_id)), uid_(to_view(view.uid)), service_(service), host_(host) {
        settings_.Parse(view.settings_json.data ? view.settings_json.data : "{}", view.settings_json.size);
        if (settings_.HasParseError() || !settings_.IsObject()) settings_.SetObject();
    }

    uint64_t id() const { return id_; }
    const std::string &frontend_id() const { return frontend_id_; }
    const std::string &uid() const { return uid_; }

    // The JSON text of a setting, or nullopt.
    std::optional<std::string> get(std::string_view key) const {
        auto it = settings_.FindMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size())));
        if (it == settings_.MemberEnd()) return std::nullopt;
        return to_json(it->value);
    }
    // A string setting's value, or nullopt when absent or not a string.
    std::optional<std::string> get_string(std::string_view key) const {
        auto it = settings_.FindMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size())));
        if (it == settings_.MemberEnd() || !it->value.IsString()) return std::nullopt;
        return std::string(it->value.GetString(), it->value.GetStringLength());
    }
    void set(std::string_view key, std::string_view value_json) {
        rapidjson::Document v(&settings_.GetAllocator());
        v.Parse(value_json.data(), value_json.size());
        if (v.HasParseError()) throw Error(SHD_ERR_INVALID, "session.set(" + std::string(key) + "): value is not JSON");
        rapidjson::Value k(key.data(), static_cast<rapidjson::SizeType>(key.size()), settings_.GetAllocator());
        settings_.RemoveMember(k);
        settings_.AddMember(k, rapidjson::Value(v, settings_.GetAllocator()), settings_.GetAllocator());
    }
    void set_string(std::string_view key, std::string_view value) { set(key, json_quote(value)); }

    // Real-session operations (frontend). Each returns SHD_OK or an error status.
    shd_status bind(std::string_view uid) {
        if (!service_.available()) return SHD_ERR_UNSUPPORTED;
        shd_status s = service_.vtable()->bind(service_.ctx(), id_, to_shd(uid));
        if (s == SHD_OK) uid_ = std::string(uid);
        return s;
    }
    shd_status unbind(std::string_view uid) {
        if (!service_.available()) return SHD_ERR_UNSUPPORTED;
        shd_status s = service_.vtable()->unbind(service_.ctx(), id_, to_shd(uid));
        if (s == SHD_OK) uid_.clear();
        return s;
    }
    shd_status push(std::string_view key) {
        if (!service_.available()) return SHD_ERR_UNSUPPORTED;
        auto value = get(key);
        if (!value) return SHD_ERR_NOT_FOUND;
        return service_.vtable()->set(service_.ctx(), id_, to_shd(key), to_shd(*value));
    }
    shd_status push_all() {
        if (!service_.available()) return SHD_ERR_UNSUPPORTED;
        std::string all = to_json(settings_);
        return service_.vtable()->set_all(service_.ctx(), id_, to_shd(all));
    }
    shd_status kick(std::string_view reason = "kick") {
        if (!service_.available()) return SHD_ERR_UNSUPPORTED;
        return service_.vtable()->kick_by_sid(service_.ctx(), id_, to_shd(reason));
    }
    // fn(uid, reason) runs once when the session closes (Pomelo's session.on('closed')).
    shd_status on_closed(std::function<void(const std::string &uid, const std::string &reason)> fn) {
        if (!service_.available()) return SHD_ERR_UNSUPPORTED;
        using Fn = std::function<void(const std::string &, const std::string &)>;
        auto *box = new Fn(std::move(fn));
        shd_status s = service_.vtable()->on_closed(
            service_.ctx(), id_,
            [](void *ud, shd_status status, uint64_t, shd_str uid, shd_str reason) {
                auto *f = static_cast<Fn *>(ud);
                if (status == SHD_OK) {
                    try {
                        (*f)(std::string(to_view(uid)), std::string(to_view(reason)));
                    } catch (...) {
                    }
                }
                delete f;
            },
            box);
        if (s != SHD_OK) delete box;
        return s;
    }
    const rapidjson::Document &settings() const { return settings_; }

    // The same operations from any server (Pomelo's BackendSession): on the frontend they act at
    // once; elsewhere they travel over RPC to the session's frontend (sys sessionRemote). done runs
    // exactly once with the outcome, later on the logic thread or at once on the frontend.
    using StatusFn = std::function<void(shd_status)>;
    void bind(std::string_view uid, StatusFn done) {
        if (service_.available()) return done(bind(uid));
        // The snapshot's uid() stays as it was: this object may be gone when the answer comes.
        remote("bind", "[" + std::to_string(id_) + "," + json_quote(uid) + "]", std::move(done));
    }
    void unbind(std::string_view uid, StatusFn done) {
        if (service_.available()) return done(unbind(uid));
        remote("unbind", "[" + std::to_string(id_) + "," + json_quote(uid) + "]", done);
    }
    void push(std::string_view key, StatusFn done) {
        if (service_.available()) return done(push(key));
        auto value = get(key);
        if (!value) return done(SHD_ERR_NOT_FOUND);
        remote("push", "[" + std::to_string(id_) + "," + json_quote(key) + "," + *value + "]", done);
    }
    void push_all(StatusFn done) {
        if (service_.available()) return done(push_all());
        remote("pushAll", "[" + std::to_string(id_) + "," + to_json(settings_) + "]", done);
    }
    void kick(std::string_view reason, StatusFn done) {
        if (service_.available()) return done(kick(reason));
        remote("kickBySid", "[" + std::to_string(id_) + "," + json_quote(reason) + "]", done);
    }

    // The status of a sys sessionRemote answer: [null] is SHD_OK, [{"code": n, ...}] is n.
    static shd_status remote_status(std::string_view result_json) {
        rapidjson::Document d;
        d.Parse(result_json.data(), result_json.size());
        if (d.HasParseError() || !d.IsArray() || d.Empty()) return SHD_ERR_INTERNAL;
        if (d[0].IsNull()) return SHD_OK;
        return d[0].IsObject() && d[0].HasMember("code") && d[0]["code"].IsInt() && d[0]["code"].GetInt() != 0
                   ? d[0]["code"].GetInt()
                   : SHD_ERR_INTERNAL;
    }

private:
    // Calls sys sessionRemote.<method> on the session's frontend; "[null]" means done.
    void remote(const char *method, const std::string &args, StatusFn done) {
        auto [rpc, ctx] = host_.find<shd_rpc_v1>(SHD_RPC_SERVICE_ID);
        if (!rpc) return done(SHD_ERR_UNSUPPORTED);
        rpc->invoke(ctx, to_shd(frontend_id_), to_shd(""), to_shd("sys"), to_shd("sessionRemote"), to_shd(method),
                    to_shd(args), 0,
                    [](void *ud, shd_status status, shd_str result) {
                        std::unique_ptr<StatusFn> fn(static_cast<StatusFn *>(ud));
                        if (status == SHD_OK) status = remote_status(to_view(result));
                        try {
                            (*fn)(status);
                        } catch (...) {
                        }
                    },
                    new StatusFn(std::move(done)));
    }

    uint64_t id_;
    std::string frontend_id_;
    std::string uid_;
    rapidjson::Document settings_;
    SessionService service_;
    Host host_;
};

using SessionPtr = std::shared_ptr<Session>;

// Pomelo's BackendSessionService, from any server: looks sessions up on their frontend over RPC (sys
// sessionRemote getBackendSessionBySid / getBackendSessionsByUid) and returns copies, as Pomelo's
// BackendSession: id, frontend id, uid and settings as the frontend had them. Their bind, push,
// kick, ... (the StatusFn forms) reach the real session again over RPC, or at once on its frontend.
//
//   shd::BackendSessionService sessions(host());
//   sessions.get_by_uid("connector-server-1", "alice", [](shd_status s, std::vector<shd::SessionPtr> found) {
//       if (s == SHD_ERR_NOT_FOUND) return;          // no session of alice there
//       for (auto &session : found) session->kick("bye", [](shd_status) {});
//   });
//
// done runs exactly once, on the logic thread: SHD_OK with what was found; SHD_ERR_NOT_FOUND when the
// frontend has no such session (uid: none at all); the RPC's status when the frontend could not be
// asked (SHD_ERR_NOT_FOUND "no server" too, SHD_ERR_TIMEOUT, SHD_ERR_IO, ...); SHD_ERR_UNSUPPORTED at
// once when this server has no shd.rpc/1.
class BackendSessionService {
public:
    using OneFn = std::function<void(shd_status, SessionPtr)>;
    using ManyFn = std::function<void(shd_status, std::vector<SessionPtr>)>;
    using StatusFn = Session::StatusFn;

    explicit BackendSessionService(const Host &host) : host_(host) {}

    // Pomelo's get(frontendId, sid, cb).
    void get(std::string_view frontend_id, uint64_t sid, OneFn done) const {
        lookup(frontend_id, "getBackendSessionBySid", "[" + std::to_string(sid) + "]",
               [done = std::move(done)](shd_status s, std::vector<SessionPtr> found) {
                   done(s, found.empty() ? nullptr : std::move(found.front()));
               });
    }
    // Pomelo's getByUid(frontendId, uid, cb): every session of the uid on that frontend.
    void get_by_uid(std::string_view frontend_id, std::string_view uid, ManyFn done) const {
        lookup(frontend_id, "getBackendSessionsByUid", "[" + json_quote(uid) + "]", std::move(done));
    }
    // Pomelo's kickBySid / kickByUid(frontendId, ..., reason, cb).
    void kick_by_sid(std::string_view frontend_id, uint64_t sid, std::string_view reason, StatusFn done) const {
        status_call(frontend_id, "kickBySid", "[" + std::to_string(sid) + "," + json_quote(reason) + "]", std::move(done));
    }
    void kick_by_uid(std::string_view frontend_id, std::string_view uid, std::string_view reason, StatusFn done) const {
        status_call(frontend_id, "kickByUid", "[" + json_quote(uid) + "," + json_quote(reason) + "]", std::move(done));
    }

    // One exported session: {"id","frontendId","uid","settings"}.
    struct Fields {
        uint64_t id = 0;
        std::string frontend_id, uid, settings_json;
    };

    // A lookup's result ([null, session], [null, null], [null, [sessions]] or [{"code": ...}]): the
    // status (SHD_ERR_NOT_FOUND for none) and the sessions' fields. Anything malformed is
    // SHD_ERR_INTERNAL with nothing in out.
    static shd_status parse_lookup(std::string_view result_json, std::vector<Fields> &out) {
        rapidjson::Document d;
        d.Parse(result_json.data(), result_json.size());
        if (d.HasParseError() || !d.IsArray() || d.Empty()) return SHD_ERR_INTERNAL;
        if (!d[0].IsNull()) return Session::remote_status(result_json);
        if (d.Size() < 2 || d[1].IsNull()) return SHD_ERR_NOT_FOUND;
        std::vector<Fields> found;
        if (d[1].IsObject()) {
            if (!add_fields(d[1], found)) return SHD_ERR_INTERNAL;
        } else if (d[1].IsArray()) {
            for (const auto &one : d[1].GetArray())
                if (!add_fields(one, found)) return SHD_ERR_INTERNAL;
        } else {
            return SHD_ERR_INTERNAL;
        }
        if (found.empty()) return SHD_ERR_NOT_FOUND;
        out = std::move(found);
        return SHD_OK;
    }

private:
    static bool add_fields(const rapidjson::Value &v, std::vector<Fields> &out) {
        if (!v.IsObject() || !v.HasMember("id") || !v["id"].IsUint64()) return false;
        if (v.HasMember("settings") && !v["settings"].IsObject()) return false;
        Fields f;
        f.id = v["id"].GetUint64();
        f.frontend_id = json_string(v, "frontendId");
        f.uid = json_string(v, "uid");
        f.settings_json = v.HasMember("settings") ? to_json(v["settings"]) : "{}";
        out.push_back(std::move(f));
        return true;
    }

    // A Session for this host: one of this very server acts on the local session service; the
    // others go over RPC to their frontend.
    static SessionPtr make_session(const Host &host, const Fields &f) {
        shd_session_view_v1 view{};
        stamp(view);
        view.id = f.id;
        view.frontend_id = to_shd(f.frontend_id);
        view.uid = to_shd(f.uid);
        view.settings_json = to_shd(f.settings_json);
        SessionService local = f.frontend_id == host.server().id ? SessionService(host) : SessionService();
        return std::make_shared<Session>(view, local, host);
    }

    void lookup(std::string_view frontend_id, const char *method, const std::string &args, ManyFn done) const {
        struct Box {
            Host host;
            ManyFn done;
        };
        auto [rpc, ctx] = host_.find<shd_rpc_v1>(SHD_RPC_SERVICE_ID);
        if (!rpc) return done(SHD_ERR_UNSUPPORTED, {});
        rpc->invoke(ctx, to_shd(frontend_id), to_shd(""), to_shd("sys"), to_shd("sessionRemote"), to_shd(method),
                    to_shd(args), 0,
                    [](void *ud, shd_status status, shd_str result) {
                        std::unique_ptr<Box> box(static_cast<Box *>(ud));
                        std::vector<SessionPtr> found;
                        if (status == SHD_OK) {
                            try {
                                std::vector<Fields> fields;
                                status = parse_lookup(to_view(result), fields);
                                for (const Fields &f : fields) found.push_back(make_session(box->host, f));
                            } catch (...) {
                                status = SHD_ERR_INTERNAL;
                                found.clear();
                            }
                        }
                        try {
                            box->done(status, std::move(found));
                        } catch (...) {
                        }
                    },
                    new Box{host_, std::move(done)});
    }

    void status_call(std::string_view frontend_id, const char *method, const std::string &args, StatusFn done) const {
        auto [rpc, ctx] = host_.find<shd_rpc_v1>(SHD_RPC_SERVICE_ID);
        if (!rpc) return done(SHD_ERR_UNSUPPORTED);
        rpc->invoke(ctx, to_shd(frontend_id), to_shd(""), to_shd("sys"), to_shd("sessionRemote"), to_shd(method),
                    to_shd(args), 0,
                    [](void *ud, shd_status status, shd_str result) {
                        std::unique_ptr<StatusFn> fn(static_cast<StatusFn *>(ud));
                        if (status == SHD_OK) status = Session::remote_status(to_view(result));
                        try {
                            (*fn)(status);
                        } catch (...) {
                        }
                    },
                    new StatusFn(std::move(done)));
    }

    Host host_;
};

}  // namespace shd
