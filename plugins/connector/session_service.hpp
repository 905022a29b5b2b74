// "shd.session/1" (shaddock/ext/session.h) over the session registry: bindings, settings, kicks and
// pushes. Pushes are encoded once and the one buffer is shared by every recipient. [logic] only.
#pragma once

#include "connector_metrics.hpp"
#include "protocol_encoder.hpp"
#include "session_registry.hpp"

#include <shaddock/ext/session.h>

namespace shd::connector {

class SessionService {
public:
    explicit SessionService(SessionRegistry &sessions) : sessions_(sessions) {}

    // Null until the protocol is set up (start) and again after stop: pushes and kicks then fail
    // with SHD_ERR_SHUTDOWN.
    void set_encoder(const ProtocolEncoder *encoder) { encoder_ = encoder; }
    // Pushes are counted there (sent, and dropped for want of a session).
    void set_metrics(const ConnectorMetrics *metrics) { metrics_ = metrics; }

    const shd_session_service_v1 *vtable() const { return &vtable_; }
    const Host &host() const { return sessions_.host(); }  // where the table's entries report a failure

    // Sends already-encoded bytes to sessions (shd.connector/1 send_encoded and the pushes here).
    size_t send_to(const SharedBytes &bytes, const uint64_t *sids, size_t count);

private:
    static SessionService *self(void *ctx) { return static_cast<SessionService *>(ctx); }
    static shd_status bind(SessionService *ctx, uint64_t sid, shd_str uid);
    static shd_status unbind(SessionService *ctx, uint64_t sid, shd_str uid);
    static shd_status set(SessionService *ctx, uint64_t sid, shd_str key, shd_str value_json);
    static shd_status set_all(SessionService *ctx, uint64_t sid, shd_str settings_json);
    static shd_status get(SessionService *ctx, uint64_t sid, shd_session_fn sink, void *ud);
    static void sids_by_uid(SessionService *ctx, shd_str uid, shd_sid_fn sink, void *ud);
    static uint64_t count(SessionService *ctx, int32_t bound_only);
    static shd_status on_closed(SessionService *ctx, uint64_t sid, shd_closed_fn fn, void *ud);
    static shd_status kick_by_sid(SessionService *ctx, uint64_t sid, shd_str reason);
    static shd_status kick_by_uid(SessionService *ctx, shd_str uid, shd_str reason);
    static shd_status push_to_sids(SessionService *ctx, shd_str route, shd_str body, const uint64_t *sids, size_t count,
                                   size_t *out_missed);
    static shd_status push_to_uids(SessionService *ctx, shd_str route, shd_str body, const shd_str *uids, size_t count,
                                   shd_text_fn missed_sink, void *ud);
    static shd_status broadcast(SessionService *ctx, shd_str route, shd_str body, int32_t bound_only);

    void kick(Session &s, const SharedBytes &notice, std::string_view reason);
    static shd_session_service_v1 make_vtable();

    SessionRegistry &sessions_;
    const ProtocolEncoder *encoder_ = nullptr;
    const ConnectorMetrics *metrics_ = nullptr;
    const shd_session_service_v1 vtable_ = make_vtable();
};

}  // namespace shd::connector
