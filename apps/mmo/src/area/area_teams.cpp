// The team routes (LORDOFPOMELO.md §2.1 area.teamHandler.*, §3.7) on top of the manager's teamRemote.
// The acting player is always the session's (lordofpomelo reads playerId from the body); the body's
// ids must name the player's own team and players in this area. An invitation or application is
// remembered until its reply, so a reply without one is refused. The routes are notifies in
// lordofpomelo; each still answers {code, result} (or {code:500, error}) for a client that requests.
#include "area/area_server.hpp"

#include "platform/app_context.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/session.hpp>

namespace mmo {

namespace {

constexpr int kTeamInstance = 3;  // area type: a team instance (the cave)

void fail(const shd::RequestPtr &req, const std::string &error) {
    req->respond("{\"code\":500,\"error\":" + shd::json_quote(error) + "}");
}

void done_with(const shd::RequestPtr &req, int result) {
    req->respond("{\"code\":" + std::string(result == 1 ? "200" : "500") + ",\"result\":" + std::to_string(result) +
                 "}");
}

// A positive id below 2^53 under key; 0 when absent or anything else.
std::int64_t body_id(const rapidjson::Value &body, const char *key) {
    if (!body.IsObject()) return 0;
    auto it = body.FindMember(key);
    if (it == body.MemberEnd() || !it->value.IsInt64()) return 0;
    const std::int64_t v = it->value.GetInt64();
    return v > 0 && v < (std::int64_t(1) << 53) ? v : 0;
}

// reply: 1 accept, 0 reject; -1 for anything else.
int body_reply(const rapidjson::Value &body) {
    if (!body.IsObject()) return -1;
    auto it = body.FindMember("reply");
    if (it == body.MemberEnd() || !it->value.IsInt()) return -1;
    const int v = it->value.GetInt();
    return v == 0 || v == 1 ? v : -1;
}

int result_of(const rapidjson::Value *r) {
    return r && r->HasMember("result") && (*r)["result"].IsInt() ? (*r)["result"].GetInt() : -4;
}

}  // namespace

void AreaServer::install_team_handlers() {
    shd::Handlers &h = *ctx_.handlers;
    // Each route first passes the filter and the rate, then the player's team is checked with the
    // manager (a team may have ended elsewhere: the captain logged out, a kick on another server).
    auto on = [this, &h](const char *route, void (AreaServer::*fn)(const shd::RequestPtr &)) {
        h.on(route, [this, fn](shd::RequestPtr r) {
            world::Area *area = nullptr;
            world::Player *p = filter(r, area);
            if (!p) return;
            refresh_team(p->player_id, [this, fn, r] { (this->*fn)(r); });
        });
    };
    on("area.teamHandler.createTeam", &AreaServer::create_team);
    on("area.teamHandler.leaveTeam", &AreaServer::leave_team);
    on("area.teamHandler.disbandTeam", &AreaServer::disband_team);
    on("area.teamHandler.inviteJoinTeam", &AreaServer::invite_join_team);
    on("area.teamHandler.inviteJoinTeamReply", &AreaServer::invite_join_team_reply);
    on("area.teamHandler.applyJoinTeam", &AreaServer::apply_join_team);
    on("area.teamHandler.applyJoinTeamReply", &AreaServer::apply_join_team_reply);
    on("area.teamHandler.kickOut", &AreaServer::kick_out);
}

void AreaServer::refresh_team(std::int64_t player_id, std::function<void()> then) {
    world::Player *p = player_of(player_id, nullptr);
    if (!p || p->team_id <= 0) return then();
    const std::int64_t team = p->team_id;
    team_call("getTeam", "[" + std::to_string(team) + "]", [this, player_id, team, then](const rapidjson::Value *r) {
        world::Player *p = player_of(player_id, nullptr);
        // Only a definite answer changes the keys (not a manager out of reach).
        if (p && r && p->team_id == team) {
            bool member = false;
            const rapidjson::Value *t =
                result_of(r) == 1 && r->HasMember("team") && (*r)["team"].IsObject() ? &(*r)["team"] : nullptr;
            if (t && t->HasMember("members") && (*t)["members"].IsArray())
                for (const rapidjson::Value &m : (*t)["members"].GetArray())
                    member = member || (m.IsObject() && m.HasMember("playerId") && m["playerId"].IsInt64() &&
                                        m["playerId"].GetInt64() == player_id);
            const bool captain = t && t->HasMember("captainId") && (*t)["captainId"].IsInt64() &&
                                 (*t)["captainId"].GetInt64() == player_id;
            if (t && member) team_names_[team] = shd::json_string(*t, "teamName");  // made on another server, maybe
            if (!member)
                set_team(*p, 0, false);
            else if (captain != p->is_captain)
                set_team(*p, team, captain);
        }
        then();
    });
}

void AreaServer::team_call(const char *method, const std::string &args,
                           std::function<void(const rapidjson::Value *)> done) {
    if (!ctx_.rpc) return done(nullptr);
    ctx_.rpc->call("manager", "{}", "teamRemote", method, args, [done](shd_status s, const std::string &result) {
        rapidjson::Document r = shd::parse_json_or_empty(result);
        const bool ok = s == SHD_OK && r.IsArray() && r.Size() > 1 && r[1].IsObject();
        done(ok ? &r[1] : nullptr);
    });
}

std::string AreaServer::team_member_json(const world::Player &p) const {
    auto c = clients_.find(p.id);
    const Client empty;
    const Client &cl = c == clients_.end() ? empty : c->second;
    return "{\"playerId\":" + std::to_string(p.player_id) + ",\"uid\":" + shd::json_quote(cl.uid) +
           ",\"frontendId\":" + shd::json_quote(cl.frontend) + ",\"name\":" + shd::json_quote(p.name) +
           ",\"kindId\":" + std::to_string(p.kind_id) + ",\"level\":" + std::to_string(p.level) +
           ",\"hp\":" + std::to_string(p.hp) + ",\"mp\":" + std::to_string(p.mp) +
           ",\"maxHp\":" + std::to_string(p.max_hp) + ",\"maxMp\":" + std::to_string(p.max_mp) +
           ",\"instanceId\":" + (cl.instance.empty() ? std::string("null") : shd::json_quote(cl.instance)) +
           ",\"areaServerId\":" + shd::json_quote(ctx_.server.id) + "}";
}

void AreaServer::set_team(world::Player &p, std::int64_t team_id, bool captain) {
    p.team_id = team_id;
    p.is_captain = team_id > 0 && captain;
    auto c = clients_.find(p.id);
    if (c == clients_.end()) return;
    auto name = team_names_.find(team_id);
    const std::string body = "{\"playerId\":" + std::to_string(p.player_id) + ",\"teamId\":" + std::to_string(team_id) +
                             ",\"isCaptain\":" + (p.is_captain ? "1" : "0") +
                             ",\"teamName\":" + shd::json_quote(name == team_names_.end() ? "" : name->second) + "}";
    if (c->second.area)
        push(c->second.area->watchers_of(p), captain ? "onTeamCaptainStatusChange" : "onTeamMemberStatusChange", body);
    // The frontend session keeps the keys: chat's team scope and the next area read them.
    const std::string team = std::to_string(team_id), cap = p.is_captain ? "1" : "0";
    shd::BackendSessionService(ctx_.host).get_by_uid(c->second.frontend, c->second.uid,
                                                     [team, cap](shd_status s, std::vector<shd::SessionPtr> found) {
                                                         if (s != SHD_OK) return;
                                                         for (shd::SessionPtr &session : found) {
                                                             session->set("teamId", team);
                                                             session->set("isCaptain", cap);
                                                             session->push("teamId", [](shd_status) {});
                                                             session->push("isCaptain", [](shd_status) {});
                                                         }
                                                     });
}

void AreaServer::team_left(const std::string &args, const shd::RpcReply &reply) {
    rapidjson::Document a = shd::parse_json_or_empty(args);
    if (!a.IsArray() || a.Size() != 2 || !a[0].IsInt64() || !a[1].IsInt64() || a[1].GetInt64() <= 0)
        return reply.fail(SHD_ERR_INVALID, R"("teamLeft needs [playerId, teamId]")");
    world::Player *p = player_of(a[0].GetInt64(), nullptr);
    if (p && p->team_id == a[1].GetInt64()) set_team(*p, 0, false);
    reply.ok(R"([null,{"result":1}])");
}

void AreaServer::clear_team(std::int64_t team_id) {
    for (auto &[entity, client] : clients_) {
        (void)entity;
        world::Player *p = client.area ? client.area->player_by_id(client.player_id) : nullptr;
        if (p && p->team_id == team_id) set_team(*p, 0, false);
    }
    team_names_.erase(team_id);
}

void AreaServer::update_team_member(const world::Player &p) {
    if (p.team_id <= 0) return;
    std::string member = team_member_json(p);
    std::string &sent = team_sent_[p.player_id];
    if (sent == member) return;
    sent = member;
    // A definite "no" means the team ended or dropped the player while it changed area (the manager's
    // teamLeft went to the server it left): it is in no team.
    team_call("updateMemberInfo", "[" + std::to_string(p.team_id) + "," + member + "]",
              [this, pid = p.player_id, team = p.team_id](const rapidjson::Value *r) {
                  if (!r || result_of(r) == 1) return;
                  if (world::Player *q = player_of(pid, nullptr); q && q->team_id == team) set_team(*q, 0, false);
              });
}

void AreaServer::forget_team_offers(std::int64_t player_id) {
    for (auto *offers : {&invites_, &applies_})
        for (auto it = offers->begin(); it != offers->end();)
            it = it->first.first == player_id || it->first.second == player_id ? offers->erase(it) : std::next(it);
}

void AreaServer::create_team(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area, false);
    if (!p) return;
    if (p->team_id > 0) return fail(req, "already in a team");
    const std::int64_t pid = p->player_id;
    team_call("createTeam", "[" + team_member_json(*p) + "]", [this, req, pid](const rapidjson::Value *r) {
        const int result = result_of(r);
        world::Area *area = nullptr;
        world::Player *p = player_of(pid, &area);
        if (result == 1 && p && (*r).HasMember("teamId") && (*r)["teamId"].IsInt64()) {
            const std::int64_t team = (*r)["teamId"].GetInt64();
            team_names_[team] = shd::json_string(*r, "teamName");
            set_team(*p, team, true);
            return req->respond("{\"code\":200,\"result\":1,\"teamId\":" + std::to_string(team) + "}");
        }
        done_with(req, result == 1 ? -4 : result);
    });
}

// leaveTeam / disbandTeam {playerId, teamId}: the player's own team, never inside a team instance.
void AreaServer::leave_team(const shd::RequestPtr &req) {
    leave_or_disband(req, false);
}
void AreaServer::disband_team(const shd::RequestPtr &req) {
    leave_or_disband(req, true);
}

void AreaServer::leave_or_disband(const shd::RequestPtr &req, bool disband) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area, false);
    if (!p) return;
    rapidjson::Document body = req->json();
    const std::int64_t team = body_id(body, "teamId");
    if (team <= 0 || team != p->team_id) return fail(req, "teamId is not the player's team");
    if (body_id(body, "playerId") && body_id(body, "playerId") != p->player_id)
        return fail(req, "playerId is not the player");
    if (disband && !p->is_captain) return fail(req, "only the captain disbands the team");
    if (area->kind().type == kTeamInstance) return fail(req, "not inside a team instance");
    const std::int64_t pid = p->player_id;
    const bool captain = p->is_captain;
    const std::string args = "[" + std::to_string(team) + "," + std::to_string(pid) + "]";
    team_call(disband ? "disbandTeam" : "leaveTeam", args, [this, req, pid, team, captain](const rapidjson::Value *r) {
        const int result = result_of(r);
        if (result == 1) {
            // The captain leaving ends the team (the manager disbands it).
            // (The manager's teamLeft may have come first: then the player is in no team already.)
            if (captain) {
                clear_team(team);
            } else if (world::Player *p = player_of(pid, nullptr); p && p->team_id == team) {
                set_team(*p, 0, false);
            }
        }
        done_with(req, result);
    });
}

// inviteJoinTeam {inviteeId, teamId}: the captain invites a player of this area in no team.
void AreaServer::invite_join_team(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area, false);
    if (!p) return;
    rapidjson::Document body = req->json();
    const std::int64_t team = body_id(body, "teamId"), invitee_id = body_id(body, "inviteeId");
    if (team <= 0 || team != p->team_id || !p->is_captain) return fail(req, "teamId is not a team the player leads");
    world::Area *there = nullptr;
    world::Player *invitee = invitee_id == p->player_id ? nullptr : player_of(invitee_id, &there);
    if (!invitee || there != area) return fail(req, "inviteeId is not a player in this area");
    if (invitee->team_id > 0) return done_with(req, -3);
    invites_[{invitee_id, p->player_id}] = team;
    push({invitee->id}, "onInviteJoinTeam",
         "{\"id\":" + std::to_string(p->player_id) + ",\"name\":" + shd::json_quote(p->name) +
             ",\"level\":" + std::to_string(p->level) + ",\"teamId\":" + std::to_string(team) + "}");
    req->respond(R"({"code":200})");
}

// inviteJoinTeamReply {captainId, teamId, reply}: the invitee answers an invitation it has.
void AreaServer::invite_join_team_reply(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area, false);
    if (!p) return;
    rapidjson::Document body = req->json();
    const std::int64_t team = body_id(body, "teamId"), captain_id = body_id(body, "captainId");
    const int reply = body_reply(body);
    if (reply < 0) return fail(req, "reply is 0 (reject) or 1 (accept)");
    auto offer = invites_.find({p->player_id, captain_id});
    if (team <= 0 || offer == invites_.end() || offer->second != team)
        return fail(req, "no invitation from that captain to that team");
    invites_.erase(offer);
    finish_join(req, reply, *p, team, captain_id, "onInviteJoinTeamReply");
}

// applyJoinTeam {captainId, teamId}: a player in no team asks the captain of a team in this area.
void AreaServer::apply_join_team(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area, false);
    if (!p) return;
    rapidjson::Document body = req->json();
    const std::int64_t team = body_id(body, "teamId"), captain_id = body_id(body, "captainId");
    if (p->team_id > 0) return done_with(req, p->team_id == team ? -2 : -3);
    world::Area *there = nullptr;
    world::Player *captain = player_of(captain_id, &there);
    if (!captain || there != area || team <= 0 || captain->team_id != team || !captain->is_captain)
        return fail(req, "captainId is not the captain of teamId in this area");
    applies_[{captain_id, p->player_id}] = team;
    push({captain->id}, "onApplyJoinTeam",
         "{\"id\":" + std::to_string(p->player_id) + ",\"name\":" + shd::json_quote(p->name) +
             ",\"level\":" + std::to_string(p->level) + ",\"teamId\":" + std::to_string(team) + "}");
    req->respond(R"({"code":200})");
}

// applyJoinTeamReply {applicantId, teamId, reply}: the captain answers an application it has.
void AreaServer::apply_join_team_reply(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area, false);
    if (!p) return;
    rapidjson::Document body = req->json();
    const std::int64_t team = body_id(body, "teamId"), applicant_id = body_id(body, "applicantId");
    const int reply = body_reply(body);
    if (reply < 0) return fail(req, "reply is 0 (reject) or 1 (accept)");
    if (team <= 0 || team != p->team_id || !p->is_captain) return fail(req, "teamId is not a team the player leads");
    auto offer = applies_.find({p->player_id, applicant_id});
    if (offer == applies_.end() || offer->second != team) return fail(req, "no application from that player");
    applies_.erase(offer);
    world::Area *there = nullptr;
    world::Player *applicant = player_of(applicant_id, &there);
    if (!applicant) return fail(req, "the applicant is not here any more");
    finish_join(req, reply, *applicant, team, applicant_id, "onApplyJoinTeamReply");
}

void AreaServer::finish_join(const shd::RequestPtr &req, int reply, const world::Player &joiner, std::int64_t team,
                             std::int64_t told, const char *route) {
    auto tell = [this, told, route](int code) {
        if (world::Player *t = player_of(told, nullptr))
            push({t->id}, route, "{\"reply\":" + std::to_string(code) + "}");
    };
    if (reply == 0) {
        tell(0);
        return req->respond(R"({"code":200,"result":0})");
    }
    const std::int64_t joiner_id = joiner.player_id;
    team_call("joinTeam", "[" + std::to_string(team) + "," + team_member_json(joiner) + "]",
              [this, req, joiner_id, team, tell](const rapidjson::Value *r) {
                  const int result = result_of(r);
                  world::Player *j = player_of(joiner_id, nullptr);
                  if (result == 1 && j) set_team(*j, team, false);
                  tell(result);
                  done_with(req, result);
              });
}

// kickOut {teamId, kickedPlayerId}: the captain only (the manager checks it again).
void AreaServer::kick_out(const shd::RequestPtr &req) {
    world::Area *area = nullptr;
    world::Player *p = filter(req, area, false);
    if (!p) return;
    rapidjson::Document body = req->json();
    const std::int64_t team = body_id(body, "teamId"), kicked = body_id(body, "kickedPlayerId");
    if (team <= 0 || team != p->team_id || !p->is_captain) return fail(req, "only the team's captain kicks out");
    if (kicked <= 0 || kicked == p->player_id) return fail(req, "kickedPlayerId is another player's id");
    if (area->kind().type == kTeamInstance) return fail(req, "not inside a team instance");
    const std::string args =
        "[" + std::to_string(team) + "," + std::to_string(p->player_id) + "," + std::to_string(kicked) + "]";
    team_call("kickOut", args, [this, req, team, kicked](const rapidjson::Value *r) {
        const int result = result_of(r);
        if (result == 1)
            if (world::Player *k = player_of(kicked, nullptr); k && k->team_id == team) set_team(*k, 0, false);
        done_with(req, result);
    });
}

}  // namespace mmo
