#include "platform/connector_logins.hpp"

#include "platform/app_context.hpp"
#include "platform/codes.hpp"
#include "platform/hero_kinds.hpp"
#include "platform/player_store.hpp"
#include "world/game_data.hpp"

#include <shaddock/cpp/cluster.hpp>
#include <shaddock/cpp/session.hpp>

#include <cctype>
#include <cmath>
#include <functional>
#include <random>
#include <unordered_map>
#include <unordered_set>

namespace mmo {
namespace {

// Hero names: 1..9 characters, each an ASCII letter, digit or '_' or a CJK ideograph (U+4E00-U+9FFF).
bool valid_hero_name(const std::string &s) {
    size_t chars = 0;
    for (size_t i = 0; i < s.size(); ++chars) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (!(std::isalnum(c) || c == '_')) return false;
            ++i;
            continue;
        }
        // Only three-byte sequences can be CJK ideographs.
        if ((c & 0xf0) != 0xe0 || i + 2 >= s.size()) return false;
        unsigned char c1 = static_cast<unsigned char>(s[i + 1]), c2 = static_cast<unsigned char>(s[i + 2]);
        if ((c1 & 0xc0) != 0x80 || (c2 & 0xc0) != 0x80) return false;
        uint32_t cp = ((c & 0x0fu) << 12) | ((c1 & 0x3fu) << 6) | (c2 & 0x3fu);
        if (cp < 0x4e00 || cp > 0x9fff) return false;
        i += 3;
    }
    return chars >= 1 && chars <= kMaxHeroNameChars;
}

int64_t int_of(const rapidjson::Value &o, const char *key) {
    auto it = o.FindMember(key);
    return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

}  // namespace

class ConnectorLogins : public std::enable_shared_from_this<ConnectorLogins> {
public:
    // Throws naming the file when the game data cannot be read (the connector does not start).
    explicit ConnectorLogins(AppContext &ctx)
        : ctx_(ctx), data_(world::GameData::load(ctx.server.app_dir)), rng_(std::random_device{}()) {}

    void install() {
        auto self = shared_from_this();
        std::weak_ptr<ConnectorLogins> weak = self;
        ctx_.handlers->on("connector.entryHandler.entry", [weak](shd::RequestPtr req) {
            if (auto s = weak.lock()) s->entry(req);
        });
        ctx_.handlers->on("connector.roleHandler.createPlayer", [weak](shd::RequestPtr req) {
            if (auto s = weak.lock()) s->create_player(req);
        });
        ctx_.handlers->on("connector.timeSyncHandler.timeSync",
                          [](shd::RequestPtr req) { req->respond(code_body(code::ok)); });
    }

private:
    // What the connector remembers of a logged-in session until it closes.
    struct Login {
        uint64_t uid = 0;
        std::string user_name;
        int64_t player_id = 0;  // 0 until the user has a hero
        std::string player_name;
    };

    // Names one login to the chat server, so an older session's close cannot undo a newer login.
    std::string session_tag(uint64_t sid) const { return ctx_.server.id + "#" + std::to_string(sid); }

    static std::string refused(int c) { return "{\"code\":" + std::to_string(c) + ",\"player\":null}"; }

    void entry(const shd::RequestPtr &req) {
        rapidjson::Document body = req->json();
        std::string token = shd::json_string(body, "token");
        if (token.empty()) return req->respond(refused(code::entry_token_invalid));
        if (!req->session().uid().empty()) return req->respond(refused(code::fail));  // entered already
        if (!ctx_.rpc) return req->respond(refused(code::fail));
        auto self = shared_from_this();
        ctx_.rpc->call("auth", "{}", "authRemote", "auth", "[" + shd::json_quote(token) + "]",
                       [self, req](shd_status s, const std::string &result) { self->authenticated(req, s, result); });
    }

    void authenticated(const shd::RequestPtr &req, shd_status s, const std::string &result) {
        rapidjson::Document r = shd::parse_json_or_empty(result);
        if (s != SHD_OK || !r.IsArray() || r.Size() < 3 || !r[1].IsInt()) return req->respond(refused(code::fail));
        if (r[1].GetInt() != code::ok || !r[2].IsObject()) return req->respond(refused(r[1].GetInt()));
        Login login;
        login.uid = static_cast<uint64_t>(int_of(r[2], "id"));
        login.user_name = shd::json_string(r[2], "name");
        auto self = shared_from_this();
        ctx_.players->players_of_user(login.uid, [self, req, login](bool ok, const std::string &players) {
            if (!ok) return req->respond(refused(code::fail));
            self->kick_elsewhere(login.uid, [self, req, login, players] { self->bind(req, login, players); });
        });
    }

    // One session per user across the connectors: a client may connect to any connector, not only
    // the gate's choice, so the user's sessions on the other connectors are kicked before this one
    // is bound (their close tells the areas, the chat and the manager). then() runs once every other
    // connector answered; one that cannot be asked holds no live session to keep.
    void kick_elsewhere(uint64_t uid, std::function<void()> then) {
        std::vector<std::string> others;
        for (const shd::ServerEntry &c : shd::Cluster(ctx_.host).servers_by_type("connector"))
            if (c.id != ctx_.server.id) others.push_back(c.id);
        if (others.empty()) return then();
        auto left = std::make_shared<size_t>(others.size());
        auto done = std::make_shared<std::function<void()>>(std::move(then));
        shd::BackendSessionService sessions(ctx_.host);
        for (const std::string &id : others)
            sessions.kick_by_uid(id, std::to_string(uid), "logged in elsewhere", [left, done](shd_status) {
                if (--*left == 0) (*done)();
            });
    }

    void bind(const shd::RequestPtr &req, Login login, const std::string &players_json) {
        shd::Session &session = req->session();
        std::string uid = std::to_string(login.uid);
        // One session per user: the older one goes (its close tells the areas and the chat).
        shd::SessionService sessions = ctx_.handlers->sessions();
        for (uint64_t sid : sessions.sids_by_uid(uid))
            if (sid != session.id()) sessions.kick_by_sid(sid, "logged in elsewhere");
        if (session.bind(uid) != SHD_OK) return req->respond(refused(code::fail));
        uint64_t sid = session.id();
        logins_[sid] = login;
        std::weak_ptr<ConnectorLogins> weak = shared_from_this();
        session.on_closed([weak, sid](const std::string &, const std::string &) {
            if (auto self = weak.lock()) self->closed(sid);
        });
        rapidjson::Document players = shd::parse_json_or_empty(players_json);
        if (!players.IsArray() || players.Empty()) return req->respond(R"({"code":200,"player":null})");
        std::string player = shd::to_json(players[0]);
        after_login(session, players[0]);
        req->respond(R"({"code":200,"player":)" + player + "}");
    }

    // The session keys of a hero and its chat channels.
    void after_login(shd::Session &session, const rapidjson::Value &player) {
        auto it = logins_.find(session.id());
        if (it == logins_.end()) return;
        Login &login = it->second;
        login.player_id = int_of(player, "id");
        login.player_name = shd::json_string(player, "name");
        int area = static_cast<int>(int_of(player, "areaId"));
        if (!ctx_.areas.has(area)) area = kBornArea;  // a scene no server holds (an instance): back to the first
        session.set_string("serverId", ctx_.areas.server_of(area));
        session.set("playerId", std::to_string(login.player_id));
        session.set_string("playername", login.player_name);
        session.set("areaId", std::to_string(area));
        session.push_all();
        std::string uid = std::to_string(login.uid);
        for (const std::string &channel : {std::string("pomelo"), "area_" + std::to_string(area)})
            ctx_.rpc->call("chat", "{}", "chatRemote", "add",
                           "[" + shd::json_quote(uid) + "," + shd::json_quote(login.player_name) + "," +
                               shd::json_quote(ctx_.server.id) + "," + shd::json_quote(channel) + "," +
                               std::to_string(login.player_id) + "," + shd::json_quote(session_tag(session.id())) + "]",
                           [](shd_status, const std::string &) {});
    }

    void create_player(const shd::RequestPtr &req) {
        shd::Session &session = req->session();
        auto it = logins_.find(session.id());
        if (session.uid().empty() || it == logins_.end()) return req->respond(code_body(code::fail));  // no entry yet
        if (it->second.player_id != 0) return req->respond(code_body(code::fail));  // one hero per user
        rapidjson::Document body = req->json();
        auto role = body.IsObject() ? body.FindMember("roleId") : body.MemberEnd();
        const world::CharacterKind *kind = nullptr;
        if (body.IsObject() && role != body.MemberEnd() && role->value.IsInt()) kind = data_.character(role->value.GetInt());
        if (kind && !kind->playable) kind = nullptr;
        std::string name = shd::json_string(body, "name");
        if (!kind || !valid_hero_name(name)) return req->respond(code_body(code::fail));
        if (creating_.count(session.id())) return req->respond(code_body(code::fail));  // one at a time
        creating_.insert(session.id());

        std::uniform_int_distribution<int> rx(kBornMinX, kBornMaxX), ry(kBornMinY, kBornMaxY);
        std::string player =
            "{\"userId\":" + std::to_string(it->second.uid) + ",\"kindId\":" + std::to_string(kind->id) +
            ",\"name\":" + shd::json_quote(name) + ",\"kindName\":" + shd::json_quote(kind->name) +
            ",\"country\":0,\"rank\":0,\"level\":1,\"experience\":0,\"attackValue\":" + std::to_string(kind->attack) +
            ",\"defenceValue\":" + std::to_string(kind->defence) + ",\"hitRate\":" + std::to_string(kind->hit_rate) +
            ",\"dodgeRate\":" + std::to_string(kind->dodge_rate) +
            ",\"walkSpeed\":" + std::to_string(std::lround(kind->walk_speed)) +
            ",\"attackSpeed\":" + std::to_string(kind->attack_speed) + ",\"hp\":" + std::to_string(kind->hp) +
            ",\"mp\":" + std::to_string(kind->mp) + ",\"maxHp\":" + std::to_string(kind->hp) +
            ",\"maxMp\":" + std::to_string(kind->mp) + ",\"areaId\":" + std::to_string(kBornArea) +
            ",\"x\":" + std::to_string(rx(rng_)) + ",\"y\":" + std::to_string(ry(rng_)) + ",\"skillPoint\":0}";
        auto self = shared_from_this();
        uint64_t sid = session.id();
        ctx_.players->create_player(player, kBagSlots, [self, req, sid](int c, const std::string &created) {
            self->creating_.erase(sid);
            auto it = self->logins_.find(sid);
            if (c != code::ok || it == self->logins_.end())
                return req->respond(code_body(c == code::ok ? code::fail : c));
            rapidjson::Document p = shd::parse_json_or_empty(created);
            self->after_login(req->session(), p);
            req->respond(R"({"code":200,"user":{"id":)" + std::to_string(it->second.uid) + R"(,"name":)" +
                         shd::json_quote(it->second.user_name) + R"(},"player":)" + created + "}");
        });
    }

    void closed(uint64_t sid) {
        auto it = logins_.find(sid);
        if (it == logins_.end()) return;
        Login login = it->second;
        logins_.erase(it);
        creating_.erase(sid);
        if (!ctx_.rpc) return;
        if (login.player_id != 0)
            ctx_.rpc->to_server("*", "area", "playerRemote", "playerLeave",
                                R"([{"playerId":)" + std::to_string(login.player_id) + R"(,"instanceId":null}])",
                                [](shd_status, const std::string &) {});
        ctx_.rpc->call(
            "chat", "{}", "chatRemote", "kick",
            "[" + shd::json_quote(std::to_string(login.uid)) + ",null," + shd::json_quote(session_tag(sid)) + "]",
            [](shd_status, const std::string &) {});
        if (login.player_id != 0)
            ctx_.rpc->call("manager", "{}", "teamRemote", "memberOffline", "[" + std::to_string(login.player_id) + "]",
                           [](shd_status, const std::string &) {});
    }

    AppContext &ctx_;
    world::GameData data_;  // the playable kinds and their base stats (config/data/character.json)
    std::unordered_map<uint64_t, Login> logins_;  // by session id
    std::unordered_set<uint64_t> creating_;       // sessions with a createPlayer in flight
    std::mt19937 rng_;
};

std::shared_ptr<ConnectorLogins> install_connector_logins(AppContext &ctx) {
    auto logins = std::make_shared<ConnectorLogins>(ctx);
    logins->install();
    return logins;
}

}  // namespace mmo
