#include "session_registry.hpp"

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

#include <algorithm>

namespace shd::connector {

namespace {

const std::vector<uint64_t> kNoSessions;

}  // namespace

void SessionRegistry::add(uint64_t sid, std::shared_ptr<ClientLink> link) {
    Session s;
    s.id = sid;
    s.link = std::move(link);
    sessions_.emplace(sid, std::move(s));
}

void SessionRegistry::remove(uint64_t sid, const std::string &reason) {
    auto it = sessions_.find(sid);
    if (it == sessions_.end()) return;
    Session s = std::move(it->second);
    sessions_.erase(it);
    drop_uid(s);
    // Callbacks may call back into the service; the session is already gone from every index.
    if (s.extras) {
        for (auto &[fn, ud] : s.extras->closed_callbacks) {
            try {
                fn(ud, SHD_OK, sid, to_shd(s.uid), to_shd(reason));
            } catch (...) {
            }
        }
    }
    emit("close_session", s, &reason);
}

void SessionRegistry::remove_all(const std::string &reason) {
    std::vector<uint64_t> sids;
    sids.reserve(sessions_.size());
    for (const auto &[sid, s] : sessions_) sids.push_back(sid);
    for (uint64_t sid : sids) remove(sid, reason);
}

Session *SessionRegistry::find(uint64_t sid) {
    auto it = sessions_.find(sid);
    return it == sessions_.end() ? nullptr : &it->second;
}

shd_session_view_v1 SessionRegistry::view(const Session &s) const {
    shd_session_view_v1 v{};
    shd::stamp(v);
    v.id = s.id;
    v.frontend_id = to_shd(frontend_id_);
    v.uid = to_shd(s.uid);
    v.settings_json = s.extras ? to_shd(s.extras->settings_json) : to_shd("{}");
    return v;
}

shd_status SessionRegistry::bind(uint64_t sid, std::string_view uid) {
    Session *s = find(sid);
    if (!s) return SHD_ERR_NOT_FOUND;
    if (uid.empty()) return SHD_ERR_INVALID;
    if (s->uid == uid) return SHD_OK;
    if (!s->uid.empty()) return SHD_ERR_EXISTS;
    auto &list = by_uid_[std::string(uid)];
    if (single_session_ && !list.empty()) return SHD_ERR_EXISTS;
    list.push_back(sid);
    s->uid = std::string(uid);
    ++bound_count_;
    emit("bind_session", *s, nullptr);
    return SHD_OK;
}

shd_status SessionRegistry::unbind(uint64_t sid, std::string_view uid) {
    Session *s = find(sid);
    if (!s) return SHD_ERR_NOT_FOUND;
    if (s->uid.empty() || s->uid != uid) return SHD_ERR_INVALID;
    drop_uid(*s);
    emit("unbind_session", *s, nullptr);
    s->uid.clear();
    return SHD_OK;
}

void SessionRegistry::drop_uid(const Session &s) {
    if (s.uid.empty()) return;
    auto it = by_uid_.find(s.uid);
    if (it == by_uid_.end()) return;
    auto &list = it->second;
    list.erase(std::remove(list.begin(), list.end(), s.id), list.end());
    if (list.empty()) by_uid_.erase(it);
    --bound_count_;
}

shd_status SessionRegistry::set(uint64_t sid, std::string_view key, std::string_view value_json) {
    Session *s = find(sid);
    if (!s) return SHD_ERR_NOT_FOUND;
    rapidjson::Document check;
    check.Parse(value_json.data(), value_json.size());
    if (check.HasParseError()) return SHD_ERR_INVALID;
    std::string value = to_json(check);  // normalised: no stray whitespace in the rendered object
    SessionExtras &e = s->more();
    auto it = std::find_if(e.settings.begin(), e.settings.end(), [&](const auto &kv) { return kv.first == key; });
    if (it != e.settings.end())
        it->second = std::move(value);
    else
        e.settings.emplace_back(std::string(key), std::move(value));
    render_settings(e);
    return SHD_OK;
}

shd_status SessionRegistry::set_all(uint64_t sid, std::string_view settings_json) {
    Session *s = find(sid);
    if (!s) return SHD_ERR_NOT_FOUND;
    rapidjson::Document doc;
    doc.Parse(settings_json.data(), settings_json.size());
    if (doc.HasParseError() || !doc.IsObject()) return SHD_ERR_INVALID;
    SessionExtras &e = s->more();
    e.settings.clear();
    for (const auto &m : doc.GetObject())
        e.settings.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()), to_json(m.value));
    render_settings(e);
    return SHD_OK;
}

void SessionRegistry::render_settings(SessionExtras &e) {
    std::string out = "{";
    for (const auto &[k, v] : e.settings) {
        if (out.size() > 1) out += ',';
        out += json_quote(k);
        out += ':';
        out += v;
    }
    out += '}';
    e.settings_json = std::move(out);
}

shd_status SessionRegistry::on_closed(uint64_t sid, shd_closed_fn fn, void *user_data) {
    if (!fn) return SHD_ERR_INVALID;
    Session *s = find(sid);
    if (!s) {
        // The registration stands (SHD_OK) and completes exactly once, later on the logic thread,
        // with SHD_ERR_NOT_FOUND; callers free user_data in the callback either way.
        auto call = [fn, user_data, sid] { fn(user_data, SHD_ERR_NOT_FOUND, sid, to_shd(""), to_shd("")); };
        if (!host_.post(call)) call();
        return SHD_OK;
    }
    s->more().closed_callbacks.emplace_back(fn, user_data);
    return SHD_OK;
}

const std::vector<uint64_t> &SessionRegistry::sids_of(std::string_view uid) const {
    auto it = by_uid_.find(std::string(uid));
    return it == by_uid_.end() ? kNoSessions : it->second;
}

void SessionRegistry::emit(const char *event, const Session &s, const std::string *reason) const {
    std::string payload =
        "{\"sid\":" + std::to_string(s.id) + ",\"uid\":" + json_quote(s.uid) + ",\"frontendId\":" + json_quote(frontend_id_);
    if (reason) payload += ",\"reason\":" + json_quote(*reason);
    payload += '}';
    host_.emit(event, payload);
}

}  // namespace shd::connector
