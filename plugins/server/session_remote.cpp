#include "session_remote.hpp"

#include <shaddock/cpp/handler.hpp>
#include <shaddock/ext/rpc.h>
#include <shaddock/ext/session.h>

#include <rapidjson/document.h>

namespace shd::server {

namespace {


}  // namespace

namespace {

std::string error_result(shd_status s, const char *what) {
    return std::string(R"([{"code":)") + std::to_string(s) + R"(,"message":)" + json_quote(what) + "}]";
}

void SHD_CALL serve(void *ud, shd_str, shd_str args_json, const shd_rpc_responder_v1 *r) {
    auto *remote = static_cast<SessionRemote::Method *>(ud);
    rapidjson::Document a;
    a.Parse(args_json.data, args_json.size);
    auto answer = [r](shd_status s, const char *what) {
        r->reply(r->ctx, SHD_OK, to_shd(s == SHD_OK ? std::string("[null]") : error_result(s, what)));
    };
    if (a.HasParseError() || !a.IsArray() || a.Size() < 2) return answer(SHD_ERR_INVALID, "bad arguments");
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
    for (const char *method : {"bind", "unbind", "push", "pushAll", "kickBySid", "kickByUid"}) {
        methods_.push_back(std::make_unique<Method>(Method{sessions, sctx, method}));
        rpc->add_remote(rctx, to_shd("sys"), to_shd("sessionRemote"), to_shd(method), &serve, methods_.back().get());
    }
    return true;
}

}  // namespace shd::server
