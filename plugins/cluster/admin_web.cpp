#include "admin_web.hpp"

#include "admin_web_figures.hpp"
#include "dashboard_assets.hpp"
#include "link_crypto.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <algorithm>
#include <string_view>

namespace shd::cluster {

namespace bhttp = boost::beast::http;

namespace {

// Every page and script comes from the master itself; nothing inline, nothing framed.
const char *const kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

HttpAnswer answer(unsigned status, std::string body) {
    HttpAnswer a;
    a.status = status;
    a.body = std::move(body);
    a.fields.emplace_back("Cache-Control", "no-store");
    return a;
}

HttpAnswer refused(unsigned status, const std::string &error) {
    return answer(status, R"({"ok":false,"error":)" + json_quote(error) + "}");
}

std::string_view field(const http::RequestMessage &m, std::string_view name) {
    auto it = m.find(boost::beast::string_view(name.data(), name.size()));
    return it == m.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

bool method_is(const HttpCall &call, bhttp::verb verb, HttpAnswer &refusal) {
    const bhttp::verb got = call.message.method();
    if (got == verb || (verb == bhttp::verb::get && got == bhttp::verb::head)) return true;
    refusal = refused(405, std::string("use ") + (verb == bhttp::verb::get ? "GET" : "POST"));
    refusal.fields.emplace_back("Allow", verb == bhttp::verb::get ? "GET, HEAD" : "POST");
    return false;
}

// A browser says where a request comes from: Origin (sent with every POST) must be this very
// origin, http://<Host>, and Sec-Fetch-Site, when sent, "same-origin" (or "none": typed by the user).
bool same_origin(const HttpCall &call) {
    const std::string_view origin = field(call.message, "Origin"), host = field(call.message, "Host");
    if (!origin.empty() && (host.empty() || origin != "http://" + std::string(host))) return false;
    const std::string_view site = field(call.message, "Sec-Fetch-Site");
    return site.empty() || site == "same-origin" || site == "none";
}

// The body of a POST as a JSON object.
bool json_body(const HttpCall &call, rapidjson::Document &doc, HttpAnswer &refusal) {
    const std::string_view type = field(call.message, "Content-Type");
    if (type.substr(0, type.find(';')) != "application/json") {
        refusal = refused(415, "send the body as Content-Type: application/json");
        return false;
    }
    if (!pomelo::parse_json(call.body, doc) || !doc.IsObject()) {
        refusal = refused(400, "the body must be a JSON object");
        return false;
    }
    return true;
}

// A string member of at most 256 bytes; false when absent, not a string or longer.
bool short_string(const rapidjson::Value &o, const char *key, std::string &out) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() > 256) return false;
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
}

// The value of cookie `name` in a Cookie field ("a=1; b=2").
std::string_view cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const size_t end = header.find(';');
        std::string_view pair = header.substr(0, end);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        const size_t eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
        if (end == std::string_view::npos) break;
        header.remove_prefix(end + 1);
    }
    return {};
}

bool is_hex(std::string_view s, size_t size) {
    return s.size() == size &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

AdminWeb::AdminWeb(MasterRole &master) : m_(master), worker_([this] { work(); }) {}

AdminWeb::~AdminWeb() {
    stop();
}

void AdminWeb::stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
        jobs_.clear();
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void AdminWeb::work() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
}

bool AdminWeb::enqueue(std::function<void()> job) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_ || jobs_.size() >= kMaxQueuedChecks) return false;
        jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
}

void AdminWeb::add_routes() {
    for (size_t i = 0; i < kDashboardAssetCount; ++i) {
        const DashboardAsset &a = kDashboardAssets[i];
        std::string path = a.path;
        if (path == "/index.html") path = "/";
        MasterRole::HttpRoute route;
        route.answer = [&a](const http::RequestMessage &) {
            Answer out;
            out.content_type = a.content_type;
            out.body.assign(reinterpret_cast<const char *>(a.data), a.size);
            out.fields = {{"Content-Security-Policy", kPolicy},
                          {"X-Frame-Options", "DENY"},
                          {"Referrer-Policy", "no-referrer"},
                          {"Cache-Control", "no-cache"}};
            return out;
        };
        m_.add_http_route(path, std::move(route));
    }
    auto add = [this](const std::string &path, void (AdminWeb::*fn)(const Call &, const Respond &)) {
        MasterRole::HttpRoute route;
        route.call = [this, fn](const Call &call, Respond respond) { (this->*fn)(call, respond); };
        m_.add_http_route(path, std::move(route));
    };
    add("/api/login", &AdminWeb::login);
    add("/api/logout", &AdminWeb::logout);
    add("/api/session", &AdminWeb::session);
    add("/api/servers", &AdminWeb::servers);
    add("/api/stats", &AdminWeb::stats);
    add("/api/command", &AdminWeb::command);
}

std::string AdminWeb::cookie_name() const {
    // Cookies do not tell ports apart: two clusters on one machine keep a session each.
    return "shd_session_" + std::to_string(m_.http_ ? m_.http_->port() : m_.options_.admin_http_port);
}

std::string AdminWeb::cookie(const std::string &value, long max_age_s) const {
    return cookie_name() + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
}

AdminWeb::Session *AdminWeb::authenticate(const Call &call, bool changes, Answer &refusal) {
    const std::string_view value = cookie_value(field(call.message, "Cookie"), cookie_name());
    const size_t dot = value.find('.');
    auto it = dot == std::string_view::npos || !is_hex(value.substr(0, dot), 32)
                  ? sessions_.end()
                  : sessions_.find(std::string(value.substr(0, dot)));
    if (it == sessions_.end() || !equal_ct(value.substr(dot + 1), it->second.secret)) {
        refusal = refused(401, "log in first");
        return nullptr;
    }
    if (it->second.expires_ms <= m_.host_.now_ms()) {
        sessions_.erase(it);
        refusal = refused(401, "the session has expired: log in again");
        refusal.fields.emplace_back("Set-Cookie", cookie("", 0));
        return nullptr;
    }
    if (changes) {
        if (!same_origin(call)) {
            refusal = refused(403, "cross-origin request refused");
            return nullptr;
        }
        if (!equal_ct(field(call.message, "X-CSRF-Token"), it->second.csrf)) {
            refusal = refused(403, "the X-CSRF-Token header is missing or wrong (GET /api/session gives it)");
            return nullptr;
        }
    }
    return &it->second;
}

void AdminWeb::login(const Call &call, const Respond &respond) {
    Answer no;
    rapidjson::Document doc;
    if (!method_is(call, bhttp::verb::post, no)) return respond(no);
    // A login form posted from another site would log the browser in as the attacker's user.
    if (!same_origin(call)) return respond(refused(403, "cross-origin request refused"));
    if (!json_body(call, doc, no)) return respond(no);
    std::string user, password;
    if (!short_string(doc, "username", user) || !short_string(doc, "password", password) || user.empty())
        return respond(refused(400, "expected {\"username\": string, \"password\": string} (at most 256 bytes each)"));
    const std::string &address = call.address;
    if (m_.admin_locked(address)) {
        m_.audit(user, address, "http login", "refused (address locked out after failed logins)");
        Answer a = refused(429, "too many failed logins from this address; try again later");
        a.fields.emplace_back("Retry-After", std::to_string(std::max(1, m_.options_.admin_lockout_ms / 1000)));
        return respond(a);
    }
    // An unknown user is checked like one with a plain or md5 password, against a key nobody has.
    auto it = m_.users_.find(user);
    const bool known = it != m_.users_.end();
    AdminUser u;
    if (known) {
        u = it->second;
    } else {
        u.kdf = "md5";
        u.key = to_hex(link_mac(m_.decoy_key_, "decoy", {user}));
    }
    const uint64_t started_ms = m_.host_.now_ms();
    const bool queued = enqueue([this, u, password, known, user, address, respond, started_ms] {
        const std::string k = u.kdf == "pbkdf2" ? pbkdf2_sha256(password, u.salt, u.iterations) : md5_hex(password);
        const bool ok = known && equal_ct(k, u.key);
        m_.host_.post([this, ok, user, level = u.level, address, respond, started_ms] {
            finish_login(ok, user, level, address, started_ms, respond);
        });
    });
    if (!queued) {
        Answer a = refused(503, "too many logins at once; try again");
        a.fields.emplace_back("Retry-After", "1");
        respond(a);
    }
}

void AdminWeb::finish_login(bool ok, const std::string &user, int level, const std::string &address,
                            uint64_t started_ms, const Respond &respond) {
    if (!ok) {
        m_.audit(user, address, "http login", "refused (wrong user name or password)");
        m_.admin_failed(address);
        // A failure is answered adminFailDelay after the request came, however long its check took: a
        // PBKDF2 user's slower check would otherwise tell that user apart from an unknown one.
        const uint64_t delay = static_cast<uint64_t>(m_.options_.admin_fail_delay_ms),
                       spent = m_.host_.now_ms() - started_ms;
        m_.host_.after(spent < delay ? delay - spent : 0,
                       [respond] { respond(refused(401, "wrong user name or password")); });
        return;
    }
    const uint64_t now = m_.host_.now_ms();
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = it->second.expires_ms <= now ? sessions_.erase(it) : std::next(it);
    // The user's oldest session makes room first; the oldest of all only past kMaxSessions (more than
    // kMaxSessions / kMaxSessionsPerUser users logged in).
    auto oldest = [this](const std::string *of_user) {
        auto found = sessions_.end();
        for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
            if ((!of_user || it->second.user == *of_user) &&
                (found == sessions_.end() || it->second.serial < found->second.serial))
                found = it;
        return found;
    };
    while (std::count_if(sessions_.begin(), sessions_.end(), [&](const auto &e) { return e.second.user == user; }) >=
           static_cast<std::ptrdiff_t>(kMaxSessionsPerUser))
        sessions_.erase(oldest(&user));
    while (sessions_.size() >= kMaxSessions) sessions_.erase(oldest(nullptr));
    std::string id, secret, csrf;
    try {
        id = to_hex(random_bytes(16));
        secret = to_hex(random_bytes(32));
        csrf = to_hex(random_bytes(16));
    } catch (const std::exception &e) {
        m_.host_.error(std::string("admin HTTP: no random bytes for a session: ") + e.what());
        return respond(refused(500, "cannot make a session"));
    }
    const long ttl = m_.options_.admin_session_ttl_s;
    sessions_[id] = Session{secret, user, csrf, level, now + static_cast<uint64_t>(ttl) * 1000, next_serial_++};
    m_.audit(user, address, "http login", "ok");
    Answer a = answer(200, R"({"ok":true,"user":)" + json_quote(user) + R"(,"level":)" + std::to_string(level) +
                               R"(,"csrf":")" + csrf + R"(","expiresInMs":)" + std::to_string(ttl * 1000) + "}");
    a.fields.emplace_back("Set-Cookie", cookie(id + "." + secret, ttl));
    respond(a);
}

void AdminWeb::logout(const Call &call, const Respond &respond) {
    Answer no;
    if (!method_is(call, bhttp::verb::post, no)) return respond(no);
    Session *s = authenticate(call, true, no);
    if (!s) return respond(no);
    m_.audit(s->user, call.address, "http logout", "ok");
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
        if (&it->second == s) {
            sessions_.erase(it);
            break;
        }
    Answer a = answer(200, R"({"ok":true})");
    a.fields.emplace_back("Set-Cookie", cookie("", 0));
    respond(a);
}

void AdminWeb::session(const Call &call, const Respond &respond) {
    Answer no;
    if (!method_is(call, bhttp::verb::get, no)) return respond(no);
    Session *s = authenticate(call, false, no);
    if (!s) return respond(no);
    respond(answer(200, R"({"ok":true,"user":)" + json_quote(s->user) + R"(,"level":)" + std::to_string(s->level) +
                            R"(,"csrf":")" + s->csrf + R"(","expiresInMs":)" +
                            std::to_string(s->expires_ms - m_.host_.now_ms()) + "}"));
}

void AdminWeb::servers(const Call &call, const Respond &respond) {
    Answer no;
    if (!method_is(call, bhttp::verb::get, no)) return respond(no);
    if (!authenticate(call, false, no)) return respond(no);
    respond(answer(200, R"({"ok":true,"nowMs":)" + std::to_string(m_.host_.now_ms()) + R"(,"master":)" +
                            m_.master_status_json() + R"(,"servers":)" + m_.servers_status_json() + "}"));
}

void AdminWeb::stats(const Call &call, const Respond &respond) {
    Answer no;
    if (!method_is(call, bhttp::verb::get, no)) return respond(no);
    if (!authenticate(call, false, no)) return respond(no);
    std::string out = R"({"ok":true,"nowMs":)" + std::to_string(m_.host_.now_ms()) + R"(,"servers":[)";
    const ServerInfo me = m_.host_.server();
    auto add = [&out](const std::string &id, const std::string &type, const std::string &json) {
        rapidjson::Document doc;
        if (!pomelo::parse_json(json, doc) || !doc.IsArray()) return;
        if (out.back() != '[') out += ",";
        out += server_figures_json(ServerMetrics{id, type, &doc});
    };
    add(me.id, me.type, m_.own_stats_ ? m_.own_stats_->snapshot() : "[]");
    for (const auto &id : m_.order_) {
        auto it = m_.figures_.find(id);
        if (it != m_.figures_.end()) add(id, m_.children_.at(id).type, it->second.metrics_json);
    }
    respond(answer(200, out + "]}"));
}

void AdminWeb::command(const Call &call, const Respond &respond) {
    Answer no;
    rapidjson::Document doc;
    if (!method_is(call, bhttp::verb::post, no)) return respond(no);
    Session *s = authenticate(call, true, no);
    if (!s) return respond(no);
    if (!json_body(call, doc, no)) return respond(no);
    std::string cmd;
    if (!short_string(doc, "cmd", cmd) || cmd.empty())
        return respond(
            refused(400, "expected {\"cmd\": string, ...} (docs/operations.md, \"Dashboard and HTTP API\")"));
    MasterRole::AdminCaller caller;
    caller.user = s->user;
    caller.level = s->level;
    caller.address = call.address;
    const bool reader = s->level > 1 && cmd != "list";
    caller.answer = [respond, reader](const std::string &result) {
        rapidjson::Document r;
        const bool ok =
            pomelo::parse_json(result, r) && r.IsObject() && r.HasMember("ok") && r["ok"].IsBool() && r["ok"].GetBool();
        // Refused for the user's level: 403; any other refusal (an unknown id, a stopping master): 422.
        respond(answer(ok ? 200 : reader ? 403 : 422, result));
    };
    m_.admin_command(caller, doc);
}

}  // namespace shd::cluster
