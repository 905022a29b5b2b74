#include "channel_remote.hpp"

#include <shaddock/cpp/handler.hpp>

#include <rapidjson/document.h>

namespace shd::channel {

namespace {

void collect_sid(void *ud, uint64_t sid) {
    static_cast<std::vector<uint64_t> *>(ud)->push_back(sid);
}

void collect_bytes(void *ud, shd_bytes b) {
    static_cast<std::string *>(ud)->assign(reinterpret_cast<const char *>(b.data), b.size);
}

std::string string_at(const rapidjson::Value &a, rapidjson::SizeType i) {
    return a[i].IsString() ? std::string(a[i].GetString(), a[i].GetStringLength()) : std::string();
}

// The route, and the body as JSON text, of [route, body, ...]; false when malformed.
bool route_and_body(const rapidjson::Document &a, std::string &route, std::string &body) {
    if (!a.IsArray() || a.Size() < 3 || !a[0].IsString() || a[0].GetStringLength() == 0) return false;
    route = string_at(a, 0);
    body = to_json(a[1]);
    return true;
}

}  // namespace

bool ChannelRemote::attach() {
    std::tie(connector_, connector_ctx_) = host_.find<shd_connector_v1>(SHD_CONNECTOR_SERVICE_ID);
    std::tie(sessions_, sessions_ctx_) = host_.find<shd_session_service_v1>(SHD_SESSION_SERVICE_ID);
    return available();
}

shd_status ChannelRemote::push_to_uids(std::string_view route, std::string_view body_json,
                                       const std::vector<std::string> &uids, std::vector<std::string> &failed) const {
    if (!available()) {
        failed.insert(failed.end(), uids.begin(), uids.end());
        return SHD_ERR_UNSUPPORTED;
    }
    const size_t first_failed = failed.size();
    std::vector<uint64_t> sids;
    sids.reserve(uids.size());
    for (const std::string &uid : uids) {
        size_t before = sids.size();
        sessions_->sids_by_uid(sessions_ctx_, to_shd(uid), &collect_sid, &sids);
        if (sids.size() == before) failed.push_back(uid);
    }
    if (sids.empty()) return SHD_OK;
    std::string encoded;
    shd_status s = connector_->encode_push(connector_ctx_, to_shd(route), to_shd(body_json), &collect_bytes, &encoded);
    if (s == SHD_OK)
        s = connector_->send_encoded(connector_ctx_, sids.data(), sids.size(),
                                     shd_bytes{reinterpret_cast<const uint8_t *>(encoded.data()), encoded.size()},
                                     nullptr);
    if (s != SHD_OK) {
        // Nothing was sent: every uid failed (each listed once).
        failed.resize(first_failed);
        failed.insert(failed.end(), uids.begin(), uids.end());
    }
    return s;
}

shd_status ChannelRemote::broadcast(std::string_view route, std::string_view body_json, bool bound_only) const {
    if (!available()) return SHD_ERR_UNSUPPORTED;
    return sessions_->broadcast(sessions_ctx_, to_shd(route), to_shd(body_json), bound_only ? 1 : 0);
}

shd_status ChannelRemote::publish(const shd_rpc_v1 *rpc, void *rctx) {
    if (!available()) return SHD_ERR_UNSUPPORTED;
    shd_status s =
        rpc->add_remote(rctx, to_shd("sys"), to_shd("channelRemote"), to_shd("pushMessage"), &serve_push, this);
    if (s != SHD_OK) return s;
    return rpc->add_remote(rctx, to_shd("sys"), to_shd("channelRemote"), to_shd("broadcast"), &serve_broadcast, this);
}

void SHD_CALL ChannelRemote::serve_push(void *ud, shd_str, shd_str args_json, const shd_rpc_responder_v1 *r) {
    auto *self = static_cast<ChannelRemote *>(ud);
    rapidjson::Document a;
    a.Parse(args_json.data, args_json.size);
    std::string route, body;
    if (a.HasParseError() || !route_and_body(a, route, body) || !a[2].IsArray()) {
        r->reply(r->ctx, SHD_ERR_INVALID, to_shd("\"pushMessage needs [route, body, [uid, ...]]\""));
        return;
    }
    std::vector<std::string> uids;
    uids.reserve(a[2].Size());
    for (const auto &u : a[2].GetArray())
        uids.push_back(u.IsString() ? std::string(u.GetString(), u.GetStringLength()) : to_json(u));
    std::vector<std::string> failed;
    shd_status s = self->push_to_uids(route, body, uids, failed);
    if (s != SHD_OK) {
        r->reply(r->ctx, s, to_shd(json_quote("push " + route + " not sent: " + status_name(s))));
        return;
    }
    std::string result = "[null,[";
    for (size_t i = 0; i < failed.size(); ++i) result += (i ? "," : "") + json_quote(failed[i]);
    result += "]]";
    r->reply(r->ctx, SHD_OK, to_shd(result));
}

void SHD_CALL ChannelRemote::serve_broadcast(void *ud, shd_str, shd_str args_json, const shd_rpc_responder_v1 *r) {
    auto *self = static_cast<ChannelRemote *>(ud);
    rapidjson::Document a;
    a.Parse(args_json.data, args_json.size);
    std::string route, body;
    if (a.HasParseError() || !route_and_body(a, route, body)) {
        r->reply(r->ctx, SHD_ERR_INVALID, to_shd("\"broadcast needs [route, body, boundOnly]\""));
        return;
    }
    // Pomelo passes {binded: bool, ...} as its third argument; a plain boolean is ours.
    const rapidjson::Value &opt = a[2];
    bool bound_only = opt.IsTrue() || (opt.IsObject() && opt.HasMember("binded") && opt["binded"].IsTrue());
    shd_status s = self->broadcast(route, body, bound_only);
    if (s != SHD_OK) {
        r->reply(r->ctx, s, to_shd(json_quote("broadcast " + route + " not sent: " + status_name(s))));
        return;
    }
    r->reply(r->ctx, SHD_OK, to_shd("[null]"));
}

}  // namespace shd::channel
