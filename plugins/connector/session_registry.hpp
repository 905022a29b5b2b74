// The frontend's real sessions (Pomelo's SessionService state): one per connection that completed
// its handshake, with its uid binding, settings and closed callbacks. [logic] only.
#pragma once

#include "client_link.hpp"

#include <shaddock/ext/session.h>
#include <shaddock/cpp/host.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace shd::connector {

// What only some sessions have; allocated on first use so that a plain connected client costs less.
struct SessionExtras {
    // Settings in insertion order (a JS object's order), each value as JSON text.
    std::vector<std::pair<std::string, std::string>> settings;
    std::string settings_json = "{}";  // kept in step with `settings` for cheap views
    std::vector<std::pair<shd_closed_fn, void *>> closed_callbacks;
};

struct Session {
    uint64_t id = 0;
    std::string uid;  // "" when not bound
    std::shared_ptr<ClientLink> link;
    std::unique_ptr<SessionExtras> extras;

    SessionExtras &more() {
        if (!extras) extras = std::make_unique<SessionExtras>();
        return *extras;
    }
};

class SessionRegistry {
public:
    SessionRegistry(const Host &host, std::string frontend_id, bool single_session)
        : host_(host), frontend_id_(std::move(frontend_id)), single_session_(single_session) {}
    const Host &host() const { return host_; }

    const std::string &frontend_id() const { return frontend_id_; }

    void add(uint64_t sid, std::shared_ptr<ClientLink> link);
    // The session's connection closed: runs its closed callbacks, emits "close_session". No-op for
    // an unknown sid.
    void remove(uint64_t sid, const std::string &reason);
    // Closes every remaining session as if its connection had closed with `reason`.
    void remove_all(const std::string &reason);
    // Forgets every session without callbacks or events (teardown after stop).
    void clear() {
        sessions_.clear();
        by_uid_.clear();
        bound_count_ = 0;
    }

    Session *find(uint64_t sid);
    // A borrowed view of the session, valid until the session changes.
    shd_session_view_v1 view(const Session &s) const;

    shd_status bind(uint64_t sid, std::string_view uid);
    shd_status unbind(uint64_t sid, std::string_view uid);
    shd_status set(uint64_t sid, std::string_view key, std::string_view value_json);
    shd_status set_all(uint64_t sid, std::string_view settings_json);
    shd_status on_closed(uint64_t sid, shd_closed_fn fn, void *user_data);

    // The sessions of uid (empty when none).
    const std::vector<uint64_t> &sids_of(std::string_view uid) const;
    uint64_t count(bool bound_only) const { return bound_only ? bound_count_ : sessions_.size(); }
    template <class F>
    void for_each(F &&f) const {
        for (const auto &[sid, s] : sessions_) f(s);
    }

private:
    void emit(const char *event, const Session &s, const std::string *reason) const;
    static void render_settings(SessionExtras &e);
    void drop_uid(const Session &s);

    Host host_;
    std::string frontend_id_;
    bool single_session_;
    std::unordered_map<uint64_t, Session> sessions_;
    std::unordered_map<std::string, std::vector<uint64_t>> by_uid_;
    uint64_t bound_count_ = 0;
};

}  // namespace shd::connector
