// "shd.session/1" (shaddock/ext/session.h) over the session registry: bindings, settings, kicks and
// pushes. Pushes are encoded once and the one buffer is shared by every recipient. [logic] only.
#pragma once

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

    const shd_session_service_v1 *vtable() const { return &vtable_; }

    // Sends already-encoded bytes to sessions (shd.connector/1 send_encoded and the pushes here).
    size_t send_to(const SharedBytes &bytes, const uint64_t *sids, size_t count);

private:
    static SessionService *self(void *ctx) { return static_cast<SessionService *>(ctx); }
    static shd_status SHD_CALL bind(void *ctx, uint64_t sid, shd_str uid);
    static shd_status SHD_CALL unbind(void *ctx, uint64_t sid, shd_str uid);
    static shd_status SHD_CALL set(void *ctx, uint64_t sid, shd_str key, shd_str value_json);
    static shd_status SHD_CALL set_all(void *ctx, uint64_t sid, shd_str settings_json);
    static shd_status SHD_CALL get(void *ctx, uint64_t sid, shd_session_fn sink, void *ud);
    static void SHD_CALL sids_by_uid(void *ctx, shd_str uid, shd_sid_fn sink, void *ud);
    static uint64_t SHD_CALL count(void *ctx, int32_t bound_only);
    static shd_status SHD_CALL on_closed(void *ctx, uint64_t sid, shd_closed_fn fn, void *ud);
    static shd_status SHD_CALL kick_by_sid(void *ctx, uint64_t sid, shd_str reason);
    static shd_status SHD_CALL kick_by_uid(void *ctx, shd_str uid, shd_str reason);
    static shd_status SHD_CALL push_to_sids(void *ctx, shd_str route, shd_str body, const uint64_t *sids, size_t count,
                                            size_t *out_missed);
    static shd_status SHD_CALL push_to_uids(void *ctx, shd_str route, shd_str body, const shd_str *uids, size_t count,
                                            shd_text_fn missed_sink, void *ud);
    static shd_status SHD_CALL broadcast(void *ctx, shd_str route, shd_str body, int32_t bound_only);

    void kick(Session &s, const SharedBytes &notice, std::string_view reason);
    static shd_session_service_v1 make_vtable();

    SessionRegistry &sessions_;
    const ProtocolEncoder *encoder_ = nullptr;
    const shd_session_service_v1 vtable_ = make_vtable();
};

}  // namespace shd::connector
