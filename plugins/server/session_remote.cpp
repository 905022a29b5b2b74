#include "session_remote.hpp"

#include <shaddock/cpp/handler.hpp>
#include <shaddock/ext/rpc.h>
#include <shaddock/ext/session.h>

#include <rapidjson/document.h>

namespace shd::server {

namespace {

std::string error_result(shd_status s, const char *what) {
    return std::string(R"([{"code":)") + std::to_string(s) + R"(,"message":)" + json_quote(what) + "}]";
}

// A session as Pomelo's FrontendSession.export() gives it: {"id","frontendId","uid","settings"}.
std::string export_session(const shd_session_view_v1 &v) {
    std::string settings(to_view(v.settings_json));
    if (settings.empty()) settings = "{}";
    return R"({"id":)" + std::to_string(v.id) + R"(,"frontendId":)" + json_quote(to_view(v.frontend_id)) +
           R"(,"uid":)" + json_quote(to_view(v.uid)) + R"(,"settings":)" + settings + "}";
}

// A shd_session_fn writing the export into the std::string at ud.
void SHD_CALL export_to(void *ud, const shd_session_view_v1 *v) {
    *static_cast<std::string *>(ud) = export_session(*v);
}

// getBackendSessionBySid / getBackendSessionsByUid: lookups, where "none" is an answer, not an error.
void lookup(const SessionRemote::Method &remote, const rapidjson::Document &a, const shd_rpc_responder_v1 *r) {
    const shd_session_service_v1 *vt = remote.sessions;
    if (remote.method == "getBackendSessionBySid") {
        if (a.Size() < 1 || !a[0].IsUint64())
            return r->reply(r->ctx, SHD_OK, to_shd(error_result(SHD_ERR_INVALID, "sid expected")));
        std::string one;
        shd_status s = vt->get(remote.sctx, a[0].GetUint64(), &export_to, &one);
        return r->reply(r->ctx, SHD_OK, to_shd("[null," + (s == SHD_OK && !one.empty() ? one : "null") + "]"));
    }
    if (a.Size() < 1 || !a[0].IsString())
        return r->reply(r->ctx, SHD_OK, to_shd(error_result(SHD_ERR_INVALID, "uid expected")));
    struct Found {
        const SessionRemote::Method *remote;
        std::string list;
    } found{&remote, {}};
    vt->sids_by_uid(
        remote.sctx, to_shd(std::string_view(a[0].GetString(), a[0].GetStringLength())),
        [](void *ud, uint64_t sid) {
            auto *f = static_cast<Found *>(ud);
            std::string one;
            f->remote->sessions->get(f->remote->sctx, sid, &export_to, &one);
            if (one.empty()) return;
            if (!f->list.empty()) f->list.push_back(',');
            f->list += one;
        },
        &found);
    r->reply(r->ctx, SHD_OK, to_shd("[null,[" + found.list + "]]"));
}

void SHD_CALL serve(void *ud, shd_str, shd_str args_json, const shd_rpc_responder_v1 *r) {
    auto *remote = static_cast<SessionRemote::Method *>(ud);
    rapidjson::Document a;
    a.Parse(args_json.data, args_json.size);
    auto answer = [r](shd_status s, const char *what) {
        r->reply(r->ctx, SHD_OK, to_shd(s == SHD_OK ? std::string("[null]") : error_result(s, what)));
    };
    if (a.HasParseError() || !a.IsArray()) return answer(SHD_ERR_INVALID, "bad arguments");
    if (remote->method.rfind("getBackendSession", 0) == 0) return lookup(*remote, a, r);
    if (a.Size() < 2) return answer(SHD_ERR_INVALID, "bad arguments");
    const std::string &m = remote->method;
    const shd_session_service_v1 *vt = remote->sessions;
    auto str = [&](rapidjson::SizeType i) {
        return a[i].IsString() ? std::string(a[i].GetString(), a[i].GetStringLength()) : std::string();
    };
    if (m == "kickByUid") return answer(vt->kick_by_uid(remote->sctx, to_shd(str(0)), to_shd(str(1))), "no such uid");
    if (!a[0].IsUint64()) return answer(SHD_ERR_INVALID, "sid expected");
    uint64_t sid = a[0].GetUint64();
    shd_status s = SHD_ERR_INVALID;
    if (m == "bind") s = vt->bind(remote->sctx, sid, to_shd(str(1)));
    else if (m == "unbind") s = vt->unbind(remote->sctx, sid, to_shd(str(1)));
    else if (m == "kickBySid") s = vt->kick_by_sid(remote->sctx, sid, to_shd(str(1)));
    else if (m == "push" && a.Size() >= 3) s = vt->set(remote->sctx, sid, to_shd(str(1)), to_shd(to_json(a[2])));
    else if (m == "pushAll") s = vt->set_all(remote->sctx, sid, to_shd(to_json(a[1])));
    answer(s, s == SHD_ERR_NOT_FOUND ? "no such session" : s == SHD_ERR_EXISTS ? "already bound" : "refused");
}

}  // namespace

bool SessionRemote::publish(const Host &host) {
    auto [rpc, rctx] = host.find<shd_rpc_v1>(SHD_RPC_SERVICE_ID);
    auto [sessions, sctx] = host.find<shd_session_service_v1>(SHD_SESSION_SERVICE_ID);
    if (!rpc || !sessions) return false;
    for (const char *method : {"bind", "unbind", "push", "pushAll", "kickBySid", "kickByUid", "getBackendSessionBySid",
                               "getBackendSessionsByUid"}) {
        methods_.push_back(std::make_unique<Method>(Method{sessions, sctx, method}));
        rpc->add_remote(rctx, to_shd("sys"), to_shd("sessionRemote"), to_shd(method), &serve, methods_.back().get());
    }
    return true;
}

}  // namespace shd::server
