// The area routes (LORDOFPOMELO.md §2.1). Every body is hostile: each field is checked for its type
// and range before the game sees it, and a bad one gets {code:500, error} naming what was wrong.
#include "area/area_server.hpp"

#include "platform/app_context.hpp"

#include <shaddock/cpp/cluster.hpp>
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

// A session key holding a JSON integer; 0 otherwise.
std::int64_t session_int(shd::Session &s, const char *key) {
    rapidjson::Document d = shd::parse_json_or_empty(s.get(key).value_or(""));
    return d.IsInt64() ? d.GetInt64() : 0;
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
    h.on("area.playerHandler.changeArea", [this](shd::RequestPtr r) { change_area(r); });
    h.on("area.playerHandler.useItem", [this](shd::RequestPtr r) { use_item(r); });
    h.on("area.playerHandler.dropItem", [this](shd::RequestPtr r) { drop_item(r); });
    h.on("area.playerHandler.learnSkill", [this](shd::RequestPtr r) { learn_skill(r); });
    h.on("area.playerHandler.upgradeSkill", [this](shd::RequestPtr r) { upgrade_skill(r); });
    h.on("area.equipHandler.equip", [this](shd::RequestPtr r) { equip(r); });
    h.on("area.equipHandler.unEquip", [this](shd::RequestPtr r) { unequip(r); });
    h.on("area.taskHandler.getNewTask", [this](shd::RequestPtr r) { get_new_task(r); });
    h.on("area.taskHandler.startTask", [this](shd::RequestPtr r) { start_task(r); });
    h.on("area.taskHandler.handoverTask", [this](shd::RequestPtr r) { hand_over_task(r); });
    h.on("area.taskHandler.getHistoryTasks", [this](shd::RequestPtr r) { get_history_tasks(r); });
    install_team_handlers();
    if (ctx_.rpc) {
        // playerRemote.playerLeave({playerId, instanceId}) or (playerId): the connector, on a closed session.
        ctx_.rpc->remote("playerRemote", "playerLeave", [this](const std::string &args, shd::RpcReply reply) {
            rapidjson::Document a = shd::parse_json_or_empty(args);
            std::int64_t pid = 0;
            if (a.IsArray() && !a.Empty()) {
                const rapidjson::Value &first = a[0];
                if (first.IsInt64())
                    pid = first.GetInt64();
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
    if (!area_of(req->session())) return fail(req, "no area here for this session");
    // Entering loads the record from the database: once a second per player at most.
    const std::int64_t now = static_cast<std::int64_t>(ctx_.host.now_ms());
    auto last = last_enter_.find(pid);
    if (last != last_enter_.end() && now - last->second < 1000) return fail(req, "too many requests");
    last_enter_[pid] = now;
    // Entering again (a reconnect): the old entity goes first, saved.
    auto enter = [this, req, pid, uid, frontend, name] {
        records_->load(
            pid, name,
            [this, req, pid, uid, frontend](std::optional<world::PlayerRecord> rec, const std::string &error) {
                if (!rec) return fail(req, error.empty() ? "no such player" : error);
                world::Area *area = area_of(req->session());
                if (!area) return fail(req, "no area here for this session");
                // The session's serverId (set by the servers only) sent the player here. A record of
                // another area (a logout inside a dungeon: the connector sends the player to the first
                // scene) starts at this area's birth place.
                if (rec->area_id != area->id()) {
                    rec->area_id = area->id();
                    rec->x = rec->y = -1;
                }
                if (by_player_.count(pid)) return fail(req, "the player entered twice at once");
                // The team is the session's (set by the area that made or joined it).
                const std::int64_t team = session_int(req->session(), "teamId");
                rec->team_id = team > 0 ? team : 0;
                rec->is_captain = team > 0 && session_int(req->session(), "isCaptain") == 1;
                world::Player &p = area->add_player(*rec);
                clients_[p.id] = Client{uid, frontend, pid, area, req->session().get_string("instanceId").value_or(""),
                                        shd::json_quote(uid)};
                by_player_[pid] = p.id;
                req->respond(area->enter_scene_json(p));
                // The team sees where the member is now (its instanceId).
                update_team_member(p);
            });
    };
    if (by_player_.count(pid)) return leave(pid, enter);
    enter();
}

void AreaServer::change_view(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    rapidjson::Document body = req->json();
    double w = 0, h = 0;
    if (!read_number(body, "width", w) || !read_number(body, "height", h) || w < 0 || h < 0 || w > 100000 || h > 100000)
        return fail(req, "changeView needs {width, height}: numbers of canvas pixels");
    area->change_view(*p, w, h);
    req->respond(R"({"code":200})");
}

void AreaServer::move(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
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
        if (!read_number(pt, "x", x) || !read_number(pt, "y", y))
            return fail(req, "a path point is {x, y} with numbers");
        points.push_back({x, y});
    }
    const world::MoveCheck check = area->move(*p, points);
    // A refusal says where the server has the player, so that the client puts its hero back there
    // (its next path would otherwise start where only the client believes it stands).
    if (check != world::MoveCheck::ok)
        return req->respond("{\"code\":500,\"error\":" + shd::json_quote(world::to_string(check)) +
                            ",\"position\":{\"x\":" + std::to_string(std::lround(p->x)) +
                            ",\"y\":" + std::to_string(std::lround(p->y)) + "}}");
    req->respond(R"({"route":"area.playerHandler.move","code":200})");
}

void AreaServer::attack(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t target = 0;
    if (!read_id(req->json(), "targetId", target)) return fail(req, "attack needs {targetId}: an entity id");
    if (!area->attack(*p, target)) return fail(req, "no such target to attack");
    req->respond(R"({"code":200})");
}

void AreaServer::use_skill(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t skill = 0;
    // The player is the session's, never the body's playerId (lordofpomelo trusts the body).
    if (!read_id(req->json(), "skillId", skill) || skill > 1000) return fail(req, "useSkill needs {skillId}");
    const world::AttackOutcome out = area->use_skill(*p, static_cast<int>(skill));
    req->respond("{\"code\":200,\"result\":" + std::to_string(out.result) + "}");
}

void AreaServer::pick_item(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t target = 0;
    if (!read_id(req->json(), "targetId", target)) return fail(req, "pickItem needs {targetId}: an entity id");
    if (!area->pick(*p, target)) return fail(req, "no such item");
    req->respond(R"({"code":200})");
}

void AreaServer::npc_talk(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t target = 0;
    if (!read_id(req->json(), "targetId", target)) return fail(req, "npcTalk needs {targetId}: an entity id");
    if (!area->npc_talk(*p, target)) return fail(req, "no such NPC");
    req->respond(R"({"code":200})");
}

// The area chat channel follows the player (the chat server's chatRemote, as the connector joins it
// at login): out of area_<from>, into area_<to>.
void AreaServer::move_area_chat(shd::Session &s, const std::string &name, std::int64_t player_id, int from, int to) {
    if (!ctx_.rpc) return;
    const std::string uid = shd::json_quote(s.uid());
    ctx_.rpc->call("chat", "{}", "chatRemote", "kick",
                   "[" + uid + "," + shd::json_quote("area_" + std::to_string(from)) + "]",
                   [](shd_status, const std::string &) {});
    ctx_.rpc->call("chat", "{}", "chatRemote", "add",
                   "[" + uid + "," + shd::json_quote(name) + "," + shd::json_quote(s.frontend_id()) + "," +
                       shd::json_quote("area_" + std::to_string(to)) + "," + std::to_string(player_id) + "," +
                       shd::json_quote(s.frontend_id() + "#" + std::to_string(s.id())) + "]",
                   [](shd_status, const std::string &) {});
}

// changeArea {target} -> {areaId, target, success}: only to an area a traverse NPC near the player
// leads to (lordofpomelo trusts the client's word). A scene: its server; a dungeon: an instance the
// manager allocates (instanceRemote.create, keyed by the player's id, or by the team's for a team
// instance, which only a captain opens and its members then follow into). The
// record is saved at the new area's birth place before the session points at the new server; the
// client then enters the scene again.
void AreaServer::change_area(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t target = 0;
    if (!read_id(req->json(), "target", target) || target > 1000)
        return fail(req, "changeArea needs {target}: an area id");
    const int from = area->id();
    auto refuse = [req, from, target](const std::string &why) {
        req->respond("{\"code\":500,\"areaId\":" + std::to_string(from) + ",\"target\":" + std::to_string(target) +
                     ",\"success\":false,\"error\":" + shd::json_quote(why) + "}");
    };
    const world::AreaKind *kind = data_->area(static_cast<int>(target));
    if (!kind || kind->id == from) return refuse("no such area to go to");
    // A team instance is the team's: the captain opens it through its NPC and drags the members, who
    // follow from wherever they are once it is open.
    const bool team_instance = kind->type == 3;
    if (team_instance && p->team_id <= 0) return refuse("a team instance needs a team");
    const bool follower = team_instance && !p->is_captain;
    if (!follower && !area->near_traverse_npc(*p, kind->id, 150)) return refuse("no way to that area from here");
    const std::int64_t pid = p->player_id;
    const std::int64_t team = p->team_id;
    // Saved where it goes, then the session follows: serverId, areaId, instanceId.
    std::function<void(const std::string &, const std::string &)> move = [this, req, refuse, pid, from, target](
                                                                             const std::string &server,
                                                                             const std::string &instance) {
        remove_and_save(
            pid, static_cast<int>(target),
            [this, req, refuse, server, instance, from, target](std::optional<world::PlayerRecord> saved) {
                if (!saved) return refuse("the player could not be saved");
                shd::Session &s = req->session();
                s.set_string("serverId", server);
                s.set("areaId", std::to_string(target));
                s.set("instanceId", instance.empty() ? "null" : shd::json_quote(instance));
                move_area_chat(s, saved->name, saved->id, from, static_cast<int>(target));
                s.push_all([req, from, target](shd_status status) {
                    if (status != SHD_OK)
                        return req->respond(R"({"code":500,"success":false,"error":"the session could not be moved"})");
                    req->respond("{\"code\":200,\"areaId\":" + std::to_string(from) +
                                 ",\"target\":" + std::to_string(target) + ",\"success\":true}");
                });
            });
    };
    if (kind->type == 1) {
        const std::string server = ctx_.areas.server_of(kind->id);
        if (server.empty()) return refuse("no server holds that area");
        return move(server, "");
    }
    const std::vector<std::string> managers = shd::Cluster(ctx_.host).server_ids_by_type("manager");
    if (managers.empty() || !ctx_.rpc) return refuse("no manager to open an instance");
    const std::string id = std::to_string(team_instance ? team : pid);
    if (follower) {
        // A member only enters an instance its captain opened.
        return ctx_.rpc->to_server(
            managers.front(), "manager", "instanceRemote", "find",
            "[" + shd::json_quote(std::to_string(target) + "_" + id) + "]",
            [refuse, move, instance = std::to_string(target) + "_" + id](shd_status status, const std::string &result) {
                rapidjson::Document r = shd::parse_json_or_empty(result);
                const std::string server = status == SHD_OK && r.IsArray() && r.Size() >= 2 && r[1].IsObject()
                                               ? shd::json_string(r[1], "serverId")
                                               : "";
                if (server.empty()) return refuse("the captain has not opened the team instance");
                move(server, instance);
            });
    }
    if (team_instance) {
        // Once the captain is on its way, the members are told to follow (onDragMember2gameCopy).
        move = [this, move, team, pid, target](const std::string &server, const std::string &instance) {
            move(server, instance);
            ctx_.rpc->call("manager", "{}", "teamRemote", "dragMember2gameCopy",
                           "[" + std::to_string(team) + "," + std::to_string(pid) + "," + std::to_string(target) + "]",
                           [](shd_status, const std::string &) {});
        };
    }
    ctx_.rpc->to_server(managers.front(), "manager", "instanceRemote", "create",
                        "[{\"areaId\":" + std::to_string(target) + ",\"id\":" + id + "}]",
                        [refuse, move](shd_status status, const std::string &result) {
                            rapidjson::Document r = shd::parse_json_or_empty(result);
                            const bool made = status == SHD_OK && r.IsArray() && r.Size() >= 2 && r[1].IsObject() &&
                                              r[1].HasMember("code") && r[1]["code"].IsInt() &&
                                              r[1]["code"].GetInt() == 200;
                            if (!made) return refuse("no instance could be opened");
                            const std::string server = shd::json_string(r[1], "serverId");
                            const std::string instance = shd::json_string(r[1], "instanceId");
                            if (server.empty() || instance.empty()) return refuse("no instance could be opened");
                            move(server, instance);
                        });
}

void AreaServer::use_item(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t index = 0;
    if (!read_id(req->json(), "index", index) || index > 1000) return fail(req, "useItem needs {index}: a bag slot");
    const bool ok = area->use_item(*p, static_cast<int>(index));
    req->respond(std::string("{\"code\":200,\"status\":") + (ok ? "true" : "false") +
                 ",\"hp\":" + std::to_string(p->hp) + ",\"mp\":" + std::to_string(p->mp) + "}");
}

void AreaServer::drop_item(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t index = 0;
    if (!read_id(req->json(), "index", index) || index > 1000) return fail(req, "dropItem needs {index}: a bag slot");
    const bool ok = area->drop_item(*p, static_cast<int>(index));
    req->respond(std::string("{\"code\":200,\"status\":") + (ok ? "true" : "false") + "}");
}

void AreaServer::equip(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t index = 0;
    if (!read_id(req->json(), "index", index) || index > 1000) return fail(req, "equip needs {index}: a bag slot");
    int bag_index = 0;
    const bool ok = area->equip(*p, static_cast<int>(index), bag_index);
    req->respond(std::string("{\"code\":200,\"status\":") + (ok ? "true" : "false") +
                 ",\"bagIndex\":" + std::to_string(bag_index) + "}");
}

void AreaServer::unequip(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    rapidjson::Document body = req->json();
    const std::string slot = shd::json_string(body, "type");
    if (slot.empty() || slot.size() > 16) return fail(req, "unEquip needs {type: a slot name, putInBag}");
    const bool put =
        body.IsObject() && body.HasMember("putInBag") && body["putInBag"].IsBool() ? body["putInBag"].GetBool() : true;
    int bag_index = 0;
    const bool ok = area->unequip(*p, slot, put, bag_index);
    req->respond(std::string("{\"code\":200,\"status\":") + (ok ? "true" : "false") +
                 ",\"bagIndex\":" + std::to_string(bag_index) + "}");
}

void AreaServer::learn_skill(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t skill = 0;
    if (!read_id(req->json(), "skillId", skill) || skill > 1000) return fail(req, "learnSkill needs {skillId}");
    if (!area->learn_skill(*p, static_cast<int>(skill))) return req->respond(R"({"code":200,"status":false})");
    records_->save_skill(p->player_id, static_cast<int>(skill), 1);
    req->respond("{\"code\":200,\"status\":true,\"skill\":{\"id\":" + std::to_string(skill) + ",\"level\":1}}");
}

void AreaServer::upgrade_skill(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t skill = 0;
    if (!read_id(req->json(), "skillId", skill) || skill > 1000) return fail(req, "upgradeSkill needs {skillId}");
    if (!area->upgrade_skill(*p, static_cast<int>(skill))) return req->respond(R"({"code":200,"status":false})");
    records_->save_skill(p->player_id, static_cast<int>(skill), p->skills[static_cast<int>(skill)]);
    req->respond(R"({"code":200,"status":true})");
}

// Tasks: the player is always the session's (lordofpomelo reads playerId from the body).
void AreaServer::get_new_task(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    const world::TaskKind *next = area->next_task(*p);
    req->respond("{\"code\":200,\"task\":" + (next ? next->row_json : std::string("null")) + "}");
}

void AreaServer::start_task(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::uint64_t kind = 0;
    if (!read_id(req->json(), "taskId", kind) || kind > 100000)
        return fail(req, "startTask needs {taskId}: a task kind");
    const std::int64_t pid = p->player_id;
    if (starting_task_.count(pid) || !area->can_start_task(*p, static_cast<int>(kind)))
        return fail(req, "that task cannot be started now");
    starting_task_[pid] = static_cast<int>(kind);
    records_->create_task(pid, static_cast<int>(kind), static_cast<std::int64_t>(ctx_.host.now_ms()),
                          [this, req, pid, kind](std::int64_t row) {
                              starting_task_.erase(pid);
                              world::Area *area = nullptr;
                              world::Player *p = player_of(pid, &area);
                              if (!p || row <= 0 || !area->can_start_task(*p, static_cast<int>(kind)))
                                  return fail(req, "the task could not be started");
                              const world::TaskState &t = area->start_task(*p, static_cast<int>(kind), row);
                              req->respond("{\"code\":200,\"taskData\":" + area->task_json(t) + "}");
                          });
}

void AreaServer::hand_over_task(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::string ids = "[";
    for (std::int64_t id : area->hand_over_tasks(*p)) ids += (ids.size() > 1 ? "," : "") + std::to_string(id);
    req->respond("{\"code\":200,\"ids\":" + ids + "]}");
}

void AreaServer::get_history_tasks(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area);
    if (!p) return;
    std::string tasks = "[";
    for (const world::TaskState &t : p->tasks)
        if (t.state == 2) tasks += (tasks.size() > 1 ? "," : "") + area->task_json(t);
    req->respond("{\"code\":200,\"route\":\"onGetHistoryTasks\",\"reTasks\":" + tasks + "]}");
}

// {version:{table: mtime}} -> {data:{table: rows}, version:{table: mtime}}: the tables the client
// lacks or has in another version (lordofpomelo compares file times too).
void AreaServer::load_resource(const shd::RequestPtr &req) {
    // The tables are read once: the game data does not change while the server runs.
    if (resources_.empty()) {
        for (const char *t : {"fightskill", "equipment", "item", "character", "npc"}) {
            const std::string file = ctx_.server.app_dir + "/config/data/" + t + ".json";
            std::error_code ec;
            const auto mtime = std::filesystem::last_write_time(file, ec);
            const std::string text = read_file(file);
            resources_.push_back(Resource{t,
                                          ec ? 0 : static_cast<long long>(mtime.time_since_epoch().count() / 1000000),
                                          text.empty() ? "[]" : text});
        }
    }
    rapidjson::Document body = req->json();
    const rapidjson::Value *have =
        body.IsObject() && body.HasMember("version") && body["version"].IsObject() ? &body["version"] : nullptr;
    std::string data = "{", version = "{";
    for (const Resource &r : resources_) {
        if (version.size() > 1) version += ",";
        version += "\"" + r.name + "\":" + std::to_string(r.stamp);
        const char *name = r.name.c_str();
        if (have && have->HasMember(name) && (*have)[name].IsInt64() && (*have)[name].GetInt64() == r.stamp) continue;
        if (data.size() > 1) data += ",";
        data += "\"" + r.name + "\":" + r.text;
    }
    req->respond("{\"code\":200,\"data\":" + data + "},\"version\":" + version + "}}");
}

// The kinds present in the scene, so the client loads their art first.
void AreaServer::load_area_resource(const shd::RequestPtr &req) {
    world::Area *area = area_of(req->session());
    if (!area) return fail(req, "no area here for this session");
    std::set<int> players, mobs, npcs, items, equipments;
    for (world::Mob *m : area->mobs()) mobs.insert(m->kind_id);
    for (const world::NpcSpec &n : area->map().npcs()) npcs.insert(n.kind);
    for (world::GroundItem *g : area->ground_items())
        (g->type == world::EntityType::item ? items : equipments).insert(g->kind_id);
    players.insert(210);
    players.insert(211);
    auto list = [](const std::set<int> &s) {
        std::string out = "[";
        for (int v : s) out += (out.size() > 1 ? "," : "") + std::to_string(v);
        return out + "]";
    };
    req->respond("{\"code\":200,\"players\":" + list(players) + ",\"mobs\":" + list(mobs) + ",\"npcs\":" + list(npcs) +
                 ",\"items\":" + list(items) + ",\"equipments\":" + list(equipments) +
                 ",\"mapName\":" + shd::json_quote(area->kind().name) + "}");
}

}  // namespace mmo
