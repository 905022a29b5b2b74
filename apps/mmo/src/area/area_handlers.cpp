// The area routes (LORDOFPOMELO.md §2.1). Every body is hostile: each field is checked for its type
// and range before the game sees it, and a bad one gets {code:500, error} naming what was wrong.
#include "area/area_server.hpp"

#include "platform/app_context.hpp"

#include <shaddock/cpp/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace mmo {

namespace {

void fail(const shd::RequestPtr &req, const std::string &error) {
    req->respond("{\"code\":500,\"error\":" + shd::json_quote(error) + "}");
}

// A positive integer id (entity ids are below 2^53, as JSON numbers are exact up to there).
bool read_id(const rapidjson::Value &body, const char *key, std::uint64_t &out) {
    if (!body.IsObject()) return false;
    auto it = body.FindMember(key);
    if (it == body.MemberEnd() || !it->value.IsUint64()) return false;
    out = it->value.GetUint64();
    return out > 0 && out < (1ull << 53);
}

bool read_number(const rapidjson::Value &body, const char *key, double &out) {
    if (!body.IsObject()) return false;
    auto it = body.FindMember(key);
    if (it == body.MemberEnd() || !it->value.IsNumber()) return false;
    out = it->value.GetDouble();
    return std::isfinite(out);
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

void AreaServer::install_handlers() {
    shd::Handlers &h = *ctx_.handlers;
    h.on("area.playerHandler.enterScene", [this](shd::RequestPtr r) { enter_scene(r); });
    h.on("area.playerHandler.changeView", [this](shd::RequestPtr r) { change_view(r); });
    h.on("area.playerHandler.move", [this](shd::RequestPtr r) { move(r); });
    h.on("area.playerHandler.pickItem", [this](shd::RequestPtr r) { pick_item(r); });
    h.on("area.playerHandler.npcTalk", [this](shd::RequestPtr r) { npc_talk(r); });
    h.on("area.fightHandler.attack", [this](shd::RequestPtr r) { attack(r); });
    h.on("area.fightHandler.useSkill", [this](shd::RequestPtr r) { use_skill(r); });
    h.on("area.resourceHandler.loadResource", [this](shd::RequestPtr r) { load_resource(r); });
    h.on("area.resourceHandler.loadAreaResource", [this](shd::RequestPtr r) { load_area_resource(r); });
    if (ctx_.rpc) {
        // playerRemote.playerLeave({playerId, instanceId}) or (playerId): the connector, on a closed session.
        ctx_.rpc->remote("playerRemote", "playerLeave", [this](const std::string &args, shd::RpcReply reply) {
            rapidjson::Document a = shd::parse_json_or_empty(args);
            std::int64_t pid = 0;
            if (a.IsArray() && !a.Empty()) {
                const rapidjson::Value &first = a[0];
                if (first.IsInt64()) pid = first.GetInt64();
                else if (first.IsObject() && first.HasMember("playerId") && first["playerId"].IsInt64())
                    pid = first["playerId"].GetInt64();
            }
            if (pid <= 0) return reply.ok(R"(["playerLeave needs [{playerId}]"])");
            leave(pid, [reply] { reply.ok("[null]"); });
        });
    }
}

void AreaServer::enter_scene(const shd::RequestPtr &req) {
    const std::int64_t pid = session_player_id(req->session());
    if (pid <= 0) return fail(req, "the session has no player");
    const std::string uid = req->session().uid();
    const std::string frontend = req->session().frontend_id();
    const std::string name = req->session().get_string("playername").value_or("player" + std::to_string(pid));
    // Entering again (a reconnect): the old entity goes first, saved.
    auto enter = [this, req, pid, uid, frontend, name] {
        records_->load(pid, name, [this, req, pid, uid, frontend](std::optional<world::PlayerRecord> rec, const std::string &error) {
            if (!rec) return fail(req, error.empty() ? "no such player" : error);
            if (by_player_.count(pid)) return fail(req, "the player entered twice at once");
            world::Player &p = area_->add_player(*rec);
            clients_[p.id] = Client{uid, frontend, pid};
            by_player_[pid] = p.id;
            req->respond(area_->enter_scene_json(p));
        });
    };
    if (by_player_.count(pid)) return leave(pid, enter);
    enter();
}

void AreaServer::change_view(const shd::RequestPtr &req) {
    world::Player *p = filter(req);
    if (!p) return;
    rapidjson::Document body = req->json();
    double w = 0, h = 0;
    if (!read_number(body, "width", w) || !read_number(body, "height", h) || w < 0 || h < 0 || w > 100000 || h > 100000)
        return fail(req, "changeView needs {width, height}: numbers of canvas pixels");
    area_->change_view(*p, w, h);
    req->respond(R"({"code":200})");
}

void AreaServer::move(const shd::RequestPtr &req) {
    world::Player *p = filter(req);
    if (!p) return;
    rapidjson::Document body = req->json();
    if (!body.IsObject() || !body.HasMember("path") || !body["path"].IsArray())
        return fail(req, "move needs {path: [{x, y}, ...]}");
    const rapidjson::Value &path = body["path"];
    if (path.Size() < 2 || path.Size() > 64) return fail(req, "a path has 2 to 64 points");
    std::vector<world::Point> points;
    points.reserve(path.Size());
    for (const rapidjson::Value &pt : path.GetArray()) {
        double x = 0, y = 0;
        if (!read_number(pt, "x", x) || !read_number(pt, "y", y)) return fail(req, "a path point is {x, y} with numbers");
        points.push_back({x, y});
    }
    const world::MoveCheck check = area_->move(*p, points);
    if (check != world::MoveCheck::ok) return fail(req, world::to_string(check));
    req->respond(R"({"route":"area.playerHandler.move","code":200})");
}

void AreaServer::attack(const shd::RequestPtr &req) {
    world::Player *p = filter(req);
    if (!p) return;
    std::uint64_t target = 0;
    if (!read_id(req->json(), "targetId", target)) return fail(req, "attack needs {targetId}: an entity id");
    if (!area_->attack(*p, target)) return fail(req, "no such target to attack");
    req->respond(R"({"code":200})");
}

void AreaServer::use_skill(const shd::RequestPtr &req) {
    world::Player *p = filter(req);
    if (!p) return;
    std::uint64_t skill = 0;
    // The player is the session's, never the body's playerId (lordofpomelo trusts the body).
    if (!read_id(req->json(), "skillId", skill) || skill > 1000) return fail(req, "useSkill needs {skillId}");
    const world::AttackOutcome out = area_->use_skill(*p, static_cast<int>(skill));
    req->respond("{\"code\":200,\"result\":" + std::to_string(out.result) + "}");
}

void AreaServer::pick_item(const shd::RequestPtr &req) {
    world::Player *p = filter(req);
    if (!p) return;
    std::uint64_t target = 0;
    if (!read_id(req->json(), "targetId", target)) return fail(req, "pickItem needs {targetId}: an entity id");
    if (!area_->pick(*p, target)) return fail(req, "no such item");
    req->respond(R"({"code":200})");
}

void AreaServer::npc_talk(const shd::RequestPtr &req) {
    world::Player *p = filter(req);
    if (!p) return;
    std::uint64_t target = 0;
    if (!read_id(req->json(), "targetId", target)) return fail(req, "npcTalk needs {targetId}: an entity id");
    if (!area_->npc_talk(*p, target)) return fail(req, "no such NPC");
    req->respond(R"({"code":200})");
}

// {version:{table: mtime}} -> {data:{table: rows}, version:{table: mtime}}: the tables the client
// lacks or has in another version (lordofpomelo compares file times too).
void AreaServer::load_resource(const shd::RequestPtr &req) {
    static const char *const tables[] = {"fightskill", "equipment", "item", "character", "npc"};
    rapidjson::Document body = req->json();
    const rapidjson::Value *have = body.IsObject() && body.HasMember("version") && body["version"].IsObject() ? &body["version"] : nullptr;
    std::string data = "{", version = "{";
    for (const char *t : tables) {
        const std::string file = ctx_.server.app_dir + "/config/data/" + t + ".json";
        std::error_code ec;
        const auto mtime = std::filesystem::last_write_time(file, ec);
        const long long stamp = ec ? 0 : static_cast<long long>(mtime.time_since_epoch().count() / 1000000);
        if (version.size() > 1) version += ",";
        version += "\"" + std::string(t) + "\":" + std::to_string(stamp);
        const bool current = have && have->HasMember(t) && (*have)[t].IsInt64() && (*have)[t].GetInt64() == stamp;
        if (current) continue;
        if (data.size() > 1) data += ",";
        const std::string text = read_file(file);
        data += "\"" + std::string(t) + "\":" + (text.empty() ? "[]" : text);
    }
    req->respond("{\"code\":200,\"data\":" + data + "},\"version\":" + version + "}}");
}

// The kinds present in the scene, so the client loads their art first.
void AreaServer::load_area_resource(const shd::RequestPtr &req) {
    std::set<int> players, mobs, npcs, items, equipments;
    for (world::Mob *m : area_->mobs()) mobs.insert(m->kind_id);
    for (const world::NpcSpec &n : area_->map().npcs()) npcs.insert(n.kind);
    for (world::GroundItem *g : area_->ground_items())
        (g->type == world::EntityType::item ? items : equipments).insert(g->kind_id);
    players.insert(210);
    players.insert(211);
    auto list = [](const std::set<int> &s) {
        std::string out = "[";
        for (int v : s) out += (out.size() > 1 ? "," : "") + std::to_string(v);
        return out + "]";
    };
    req->respond("{\"code\":200,\"players\":" + list(players) + ",\"mobs\":" + list(mobs) + ",\"npcs\":" + list(npcs) +
                 ",\"items\":" + list(items) + ",\"equipments\":" + list(equipments) + ",\"mapName\":" +
                 shd::json_quote(area_->kind().name) + "}");
}

}  // namespace mmo
