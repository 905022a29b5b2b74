#include "platform/login_web.hpp"

#include "platform/app_context.hpp"
#include "platform/codes.hpp"
#include "platform/credentials.hpp"
#include "platform/database.hpp"
#include "platform/mmo_config.hpp"
#include "platform/utf8.hpp"

#include "file_responder.hpp"
#include "file_serving.hpp"

#include <shaddock/cpp/cluster.hpp>
#include <shaddock/http/http_server.hpp>

#include <Poco/Data/Session.h>

#include <boost/beast/http/verb.hpp>

#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <unordered_map>

namespace mmo {
namespace bhttp = boost::beast::http;
using namespace Poco::Data::Keywords;

namespace {

uint64_t wall_ms() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

// Names and passwords as the endpoint accepts them: 1..32 bytes of printable characters (strict
// UTF-8, no control characters) for a name, 1..128 bytes for a password.
bool sane_text(const std::string &s, size_t max) {
    if (s.empty() || s.size() > max || !valid_utf8(s)) return false;
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

// "application/json", any case, with or without parameters ("; charset=utf-8").
bool json_content_type(boost::beast::string_view value) {
    std::string_view v(value.data(), value.size());
    std::string_view type = v.substr(0, v.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    constexpr std::string_view want = "application/json";
    if (type.size() != want.size()) return false;
    for (size_t i = 0; i < want.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(type[i])) != want[i]) return false;
    return true;
}

shd::http::Response json_answer(bhttp::status status, unsigned version, const std::string &body) {
    return shd::http::text_response(status, version, body, true, "application/json; charset=utf-8");
}

// Fixed one-minute windows of counts per key (a client address, an account name).
class AttemptLimiter {
public:
    explicit AttemptLimiter(int per_minute) : per_minute_(per_minute) {}
    // Counts one and tells whether it is within the limit.
    bool allow(const std::string &key, uint64_t now) {
        std::lock_guard<std::mutex> lock(mutex_);
        return ++window(key, now).count <= per_minute_;
    }
    // Whether the key has reached the limit, without counting.
    bool exhausted(const std::string &key, uint64_t now) {
        std::lock_guard<std::mutex> lock(mutex_);
        return window(key, now).count >= per_minute_;
    }
    void add(const std::string &key, uint64_t now) {
        std::lock_guard<std::mutex> lock(mutex_);
        ++window(key, now).count;
    }

private:
    struct Window {
        uint64_t start = 0;
        int count = 0;
    };
    Window &window(const std::string &key, uint64_t now) {
        if (windows_.size() > 100000) windows_.clear();  // a flood of keys: start over
        Window &w = windows_[key];
        if (now - w.start >= 60000) w = Window{now, 0};
        return w;
    }
    int per_minute_;
    std::mutex mutex_;  // the I/O thread counts attempts, the logic thread wrong passwords
    std::unordered_map<std::string, Window> windows_;
};

}  // namespace

class LoginWeb {
public:
    LoginWeb(AppContext &ctx, const MmoConfig &config, Database &db)
        : ctx_(ctx),
          config_(config),
          db_(db),
          files_((std::filesystem::path(ctx.server.app_dir) / "web-server" / "public").string()),
          limiter_(config.attempts_per_minute),
          failures_(config.failures_per_name) {}

    void start() {
        rapidjson::Document me = shd::parse_json_or_empty(ctx_.server.json);
        auto port = me.FindMember("httpPort");
        if (port == me.MemberEnd() || !port->value.IsInt() || port->value.GetInt() < 0 || port->value.GetInt() > 65535)
            throw std::runtime_error("config/servers.json: " + ctx_.server.id + ".httpPort: expected a port number");
        std::string host = shd::json_string(me, "httpHost", ctx_.server.host.empty() ? "127.0.0.1" : ctx_.server.host);
        shd::http::Limits limits;
        limits.max_body_bytes = config_.max_body_bytes;
        limits.max_header_bytes = 4096;
        server_ = std::make_unique<shd::http::Server>(
            limits, [this](const shd::http::Request &r, shd::http::Reply reply) { handle(r, std::move(reply)); },
            [h = ctx_.host](const std::string &line) { h.warn("login web: " + line); });
        server_->start(host, port->value.GetInt());
        ctx_.host.info("login web on " + host + ":" + std::to_string(server_->port()) + ", files from " +
                       files_.root());
    }
    void stop() {
        if (server_) server_->stop();
    }

private:
    // [I/O thread]
    void handle(const shd::http::Request &r, shd::http::Reply reply) {
        const auto &m = r.message;
        const unsigned version = m.version();
        if (m.method() == bhttp::verb::post) {
            std::string_view target(m.target().data(), m.target().size());
            if (target != "/register" && target != "/login")
                return reply(json_answer(bhttp::status::not_found, version, code_body(code::fail)));
            // Only what a page of this origin sends: another site's page can POST text/plain (a form,
            // a no-cors fetch) from its visitors' browsers without asking, but application/json
            // needs a CORS preflight, which this server never grants.
            if (!json_content_type(m[bhttp::field::content_type]))
                return reply(json_answer(bhttp::status::unsupported_media_type, version,
                                         R"({"code":500,"error":"expected Content-Type: application/json"})"));
            if (!limiter_.allow(limit_key(r.remote_address), wall_ms()))
                return reply(json_answer(bhttp::status::too_many_requests, version,
                                         R"({"code":500,"error":"too many attempts, wait a minute"})"));
            rapidjson::Document body = shd::parse_json_or_empty(r.body);
            bool reg = target == "/register";
            std::string name = shd::json_string(body, reg ? "name" : "username");
            std::string password = shd::json_string(body, "password");
            if (!sane_text(name, 32) || !sane_text(password, 128))
                return reply(
                    json_answer(bhttp::status::bad_request, version,
                                R"({"code":500,"error":"expected a JSON object with a name and a password"})"));
            // Guesses at one account from many addresses (each under its own limit): the name rests
            // for the rest of the minute, even for its owner's right password.
            if (!reg && failures_.exhausted(name, wall_ms()))
                return reply(
                    json_answer(bhttp::status::too_many_requests, version,
                                R"({"code":500,"error":"too many wrong passwords for this name, wait a minute"})"));
            // Each request costs a password hash on the one database thread: a flood from many
            // addresses (each under its own limit) would queue them without end and hold every
            // login behind it. Beyond the bound the answer is at once.
            if (pending_.fetch_add(1) >= config_.max_pending_hashes) {
                pending_.fetch_sub(1);
                return reply(json_answer(bhttp::status::service_unavailable, version,
                                         R"({"code":500,"error":"the server is busy, try again"})"));
            }
            // The slot is given back when the reply is gone, answered or dropped.
            std::shared_ptr<void> slot(nullptr, [this](void *) { pending_.fetch_sub(1); });
            shd::http::Reply done = [slot, reply = std::move(reply)](shd::http::Response res) {
                reply(std::move(res));
            };
            if (reg)
                register_user(name, password, version, std::move(done));
            else
                login(name, password, version, std::move(done));
            return;
        }
        reply(shd::web::serve_file(files_, m));
    }

    void register_user(const std::string &name, const std::string &password, unsigned version, shd::http::Reply reply) {
        struct Out {
            int code = code::fail;
            uint64_t uid = 0;
        };
        auto out = std::make_shared<Out>();
        int iterations = config_.password_iterations;
        db_.run(
            [out, name, password, iterations](Poco::Data::Session &s) {
                std::vector<Poco::Int64> found;
                std::string n = name;
                s << sql_text(s, "SELECT id FROM mmo_user WHERE name = ?"), use(n), into(found), now;
                if (!found.empty()) {
                    out->code = code::duplicate;
                    return;
                }
                std::string hash = hash_password(password, iterations);
                Poco::Int64 t = static_cast<Poco::Int64>(wall_ms());
                std::vector<Poco::Int64> id;
                s << sql_text(
                    s,
                    "INSERT INTO mmo_user (name, password, loginCount, origin, lastLoginTime) VALUES (?, ?, 1, '', ?) "
                    "RETURNING id"),
                    use(n), use(hash), use(t), into(id), now;
                if (id.empty()) return;
                out->uid = static_cast<uint64_t>(id[0]);
                out->code = code::ok;
            },
            [this, out, version, reply](bool ok, const std::string &error) {
                if (!ok) ctx_.host.warn("register: " + error);
                answer(ok ? out->code : code::fail, out->uid, version, reply);
            });
    }

    void login(const std::string &name, const std::string &password, unsigned version, shd::http::Reply reply) {
        struct Out {
            int code = code::fail;
            uint64_t uid = 0;
        };
        auto out = std::make_shared<Out>();
        db_.run(
            [out, name, password](Poco::Data::Session &s) {
                std::vector<Poco::Int64> ids;
                std::vector<std::string> hashes;
                std::string n = name;
                s << sql_text(s, "SELECT id, password FROM mmo_user WHERE name = ?"), use(n), into(ids), into(hashes),
                    now;
                if (ids.empty()) return;  // 500: no such user, as lordofpomelo
                if (!verify_password(password, hashes[0])) {
                    out->code = code::duplicate;  // 501: wrong password
                    return;
                }
                Poco::Int64 t = static_cast<Poco::Int64>(wall_ms()), id = ids[0];
                s << sql_text(s, "UPDATE mmo_user SET loginCount = loginCount + 1, lastLoginTime = ? WHERE id = ?"),
                    use(t), use(id), now;
                out->uid = static_cast<uint64_t>(id);
                out->code = code::ok;
            },
            [this, out, name, version, reply](bool ok, const std::string &error) {
                if (!ok) ctx_.host.warn("login: " + error);
                if (ok && out->code == code::duplicate) failures_.add(name, wall_ms());
                answer(ok ? out->code : code::fail, out->uid, version, reply);
            });
    }

    // [logic thread]
    void answer(int c, uint64_t uid, unsigned version, const shd::http::Reply &reply) {
        if (c != code::ok) return reply(json_answer(bhttp::status::ok, version, code_body(c)));
        std::string token = make_token(config_.token_secret, uid, wall_ms());
        reply(
            json_answer(bhttp::status::ok, version,
                        R"({"code":200,"token":)" + shd::json_quote(token) + R"(,"uid":)" + std::to_string(uid) + "}"));
    }

    AppContext &ctx_;
    const MmoConfig &config_;
    Database &db_;
    shd::web::FileResponder files_;
    AttemptLimiter limiter_;       // attempts per client address
    AttemptLimiter failures_;      // wrong passwords per account name
    std::atomic<int> pending_{0};  // register/login requests at the database thread
    std::unique_ptr<shd::http::Server> server_;
};

std::shared_ptr<LoginWeb> start_login_web(AppContext &ctx, const MmoConfig &config, Database &db) {
    auto web = std::make_shared<LoginWeb>(ctx, config, db);
    web->start();
    return web;
}

void stop_login_web(LoginWeb &web) {
    web.stop();
}

}  // namespace mmo
