#include "session_service.hpp"

#include <shaddock/cpp/service.hpp>

#include <string>
#include <vector>

namespace shd::connector {

shd_session_service_v1 SessionService::make_vtable() {
    shd_session_service_v1 v{};
    shd::stamp(v);
    v.bind = shd::guard<&SessionService::bind>;
    v.unbind = shd::guard<&SessionService::unbind>;
    v.set = shd::guard<&SessionService::set>;
    v.set_all = shd::guard<&SessionService::set_all>;
    v.get = shd::guard<&SessionService::get>;
    v.sids_by_uid = shd::guard<&SessionService::sids_by_uid>;
    v.count = shd::guard<&SessionService::count>;
    v.on_closed = shd::guard<&SessionService::on_closed>;
    v.kick_by_sid = shd::guard<&SessionService::kick_by_sid>;
    v.kick_by_uid = shd::guard<&SessionService::kick_by_uid>;
    v.push_to_sids = shd::guard<&SessionService::push_to_sids>;
    v.push_to_uids = shd::guard<&SessionService::push_to_uids>;
    v.broadcast = shd::guard<&SessionService::broadcast>;
    return v;
}

size_t SessionService::send_to(const SharedBytes &bytes, const uint64_t *sids, size_t count) {
    size_t missed = 0;
    for (size_t i = 0; i < count; ++i) {
        Session *s = sessions_.find(sids[i]);
        if (s)
            s->link->send(bytes);
        else
            ++missed;
    }
    if (metrics_) {
        metrics_->pushes_sent.add(static_cast<int64_t>(count - missed));
        metrics_->pushes_dropped.add(static_cast<int64_t>(missed));
    }
    return missed;
}

shd_status SessionService::bind(SessionService *ctx, uint64_t sid, shd_str uid) {
    return self(ctx)->sessions_.bind(sid, to_view(uid));
}

shd_status SessionService::unbind(SessionService *ctx, uint64_t sid, shd_str uid) {
    return self(ctx)->sessions_.unbind(sid, to_view(uid));
}

shd_status SessionService::set(SessionService *ctx, uint64_t sid, shd_str key, shd_str value_json) {
    return self(ctx)->sessions_.set(sid, to_view(key), to_view(value_json));
}

shd_status SessionService::set_all(SessionService *ctx, uint64_t sid, shd_str settings_json) {
    return self(ctx)->sessions_.set_all(sid, to_view(settings_json));
}

shd_status SessionService::get(SessionService *ctx, uint64_t sid, shd_session_fn sink, void *ud) {
    Session *s = self(ctx)->sessions_.find(sid);
    if (!s) return SHD_ERR_NOT_FOUND;
    if (sink) {
        shd_session_view_v1 v = self(ctx)->sessions_.view(*s);
        sink(ud, &v);
    }
    return SHD_OK;
}

void SessionService::sids_by_uid(SessionService *ctx, shd_str uid, shd_sid_fn sink, void *ud) {
    if (!sink) return;
    // A copy: the sink may bind or kick and so change the list.
    std::vector<uint64_t> sids = self(ctx)->sessions_.sids_of(to_view(uid));
    for (uint64_t sid : sids) sink(ud, sid);
}

uint64_t SessionService::count(SessionService *ctx, int32_t bound_only) {
    return self(ctx)->sessions_.count(bound_only != 0);
}

shd_status SessionService::on_closed(SessionService *ctx, uint64_t sid, shd_closed_fn fn, void *ud) {
    return self(ctx)->sessions_.on_closed(sid, fn, ud);
}

// Pomelo sends {"reason":...} and closes on the next tick; here the close follows once the kick
// (and whatever was queued before it) has been written.
void SessionService::kick(Session &s, const SharedBytes &notice, std::string_view reason) {
    s.link->close_after(notice, std::string(reason));
}

shd_status SessionService::kick_by_sid(SessionService *ctx, uint64_t sid, shd_str reason) {
    SessionService *me = self(ctx);
    Session *s = me->sessions_.find(sid);
    if (!s) return SHD_ERR_NOT_FOUND;
    if (!me->encoder_) return SHD_ERR_SHUTDOWN;
    std::string_view why = reason.size ? to_view(reason) : std::string_view("kick");
    me->kick(*s, me->encoder_->kick(why), why);
    return SHD_OK;
}

shd_status SessionService::kick_by_uid(SessionService *ctx, shd_str uid, shd_str reason) {
    SessionService *me = self(ctx);
    std::vector<uint64_t> sids = me->sessions_.sids_of(to_view(uid));
    if (sids.empty()) return SHD_ERR_NOT_FOUND;
    if (!me->encoder_) return SHD_ERR_SHUTDOWN;
    std::string_view why = reason.size ? to_view(reason) : std::string_view("kick");
    SharedBytes notice = me->encoder_->kick(why);
    for (uint64_t sid : sids)
        if (Session *s = me->sessions_.find(sid)) me->kick(*s, notice, why);
    return SHD_OK;
}

shd_status SessionService::push_to_sids(SessionService *ctx, shd_str route, shd_str body, const uint64_t *sids,
                                        size_t count, size_t *out_missed) {
    SessionService *me = self(ctx);
    if (out_missed) *out_missed = count;
    if (!me->encoder_) return SHD_ERR_SHUTDOWN;
    if (count && !sids) return SHD_ERR_INVALID;
    SharedBytes bytes = me->encoder_->push(to_view(route), to_view(body));
    if (!bytes) return SHD_ERR_INVALID;
    size_t missed = me->send_to(bytes, sids, count);
    if (out_missed) *out_missed = missed;
    return SHD_OK;
}

shd_status SessionService::push_to_uids(SessionService *ctx, shd_str route, shd_str body, const shd_str *uids,
                                        size_t count, shd_text_fn missed_sink, void *ud) {
    SessionService *me = self(ctx);
    if (!me->encoder_) return SHD_ERR_SHUTDOWN;
    if (count && !uids) return SHD_ERR_INVALID;
    SharedBytes bytes = me->encoder_->push(to_view(route), to_view(body));
    if (!bytes) return SHD_ERR_INVALID;
    for (size_t i = 0; i < count; ++i) {
        const std::vector<uint64_t> &sids = me->sessions_.sids_of(to_view(uids[i]));
        if (sids.empty()) {
            if (me->metrics_) me->metrics_->pushes_dropped.add();
            if (missed_sink) missed_sink(ud, uids[i]);
            continue;
        }
        me->send_to(bytes, sids.data(), sids.size());
    }
    return SHD_OK;
}

shd_status SessionService::broadcast(SessionService *ctx, shd_str route, shd_str body, int32_t bound_only) {
    SessionService *me = self(ctx);
    if (!me->encoder_) return SHD_ERR_SHUTDOWN;
    SharedBytes bytes = me->encoder_->push(to_view(route), to_view(body));
    if (!bytes) return SHD_ERR_INVALID;
    int64_t sent = 0;
    me->sessions_.for_each([&](const Session &s) {
        if (!bound_only || !s.uid.empty()) {
            s.link->send(bytes);
            ++sent;
        }
    });
    if (me->metrics_) me->metrics_->pushes_sent.add(sent);
    return SHD_OK;
}

}  // namespace shd::connector
