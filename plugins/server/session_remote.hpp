// Pomelo's sys sessionRemote on frontends: backends reach the real sessions through it
// (BackendSession bind/unbind/push/pushAll, kickBySid/kickByUid). Published on shd.rpc/1 when this
// server has both RPC and the connector's shd.session/1. [logic] only.
//
// Remote methods (args -> result):
//   bind [sid, uid] · unbind [sid, uid] · push [sid, key, value] · pushAll [sid, settings]
//   kickBySid [sid, reason] · kickByUid [uid, reason]           -> [null] or [{"code":..,"message":..}]
//   getBackendSessionBySid [sid]    -> [null, {"id","frontendId","uid","settings"}], [null, null] if none
//   getBackendSessionsByUid [uid]   -> [null, [{"id","frontendId","uid","settings"}, ...]] ([] if none)
// (Pomelo's two lookups answer an empty callback for "none"; JSON has no undefined, so null and [].)
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/ext/session.h>

#include <memory>
#include <string>
#include <vector>

namespace shd::server {

class SessionRemote {
public:
    // Returns false when this server lacks RPC or sessions (backends), true once published.
    bool publish(const Host &host);
    struct Method {  // one published method
        const shd_session_service_v1 *sessions;
        void *sctx;
        std::string method;
    };

private:
    std::vector<std::unique_ptr<Method>> methods_;  // must outlive the RPC plugin's use of them
};

}  // namespace shd::server
