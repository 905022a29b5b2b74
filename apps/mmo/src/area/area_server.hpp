// An area server: one scene (world::Area) behind lordofpomelo's area routes. It ticks the scene every
// 100 ms, turns the scene's pushes into pushes to the players' frontends, checks every request
// (playerFilter: present and alive; the body's types and ranges; a per-player rate) and saves the
// players it holds (write-behind every second, directly on leave).
//
// Routes: area.playerHandler.{enterScene, changeView, move, pickItem, npcTalk, changeArea, useItem,
// dropItem, learnSkill, upgradeSkill}, area.equipHandler.{equip, unEquip}, area.fightHandler.{attack,
// useSkill}, area.taskHandler.{getNewTask, startTask, handoverTask, getHistoryTasks},
// area.resourceHandler.{loadResource, loadAreaResource}, area.teamHandler.{createTeam, disbandTeam,
// leaveTeam, inviteJoinTeam, inviteJoinTeamReply, applyJoinTeam, applyJoinTeamReply, kickOut} (on the
// manager's teamRemote); remote playerRemote.playerLeave.
// Logic thread only.
#pragma once
#include "area/area_module.hpp"
#include "area/player_records.hpp"
#include "world/area.hpp"

#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/rpc.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace shd {
class ChannelService;
}

namespace mmo {

struct AppContext;

class AreaServer : public WorldModule, public world::PushSink {
public:
    // A scene server (area_id > 0), or an instance server (0: areas made on the manager's request,
    // areaRemote.create). Throws (naming the file) when the game data or a map cannot be read.
    AreaServer(AppContext &ctx, int area_id);
    ~AreaServer() override;
    void start() override;
    void stop(std::function<void()> done) override;
    void push(const std::vector<world::EntityId> &to, const char *route, const std::string &body) override;

private:
    struct Client {
        std::string uid;
        std::string frontend;
        std::int64_t player_id = 0;
        world::Area *area = nullptr;
        std::string instance;  // "" on a scene server
        std::string quoted_uid;  // the uid as a JSON string, quoted once for every push's uid list
    };
    void install_handlers();
    void tick();
    void save_dirty();
    // playerFilter: the session's player, present and alive; answers the error itself and returns
    // nullptr otherwise. `rate` also takes a request token.
    world::Player *filter(const shd::RequestPtr &req, world::Area *&area, bool rate = true);
    // A player here, and its area; nullptr when absent.
    world::Player *player_of(std::int64_t player_id, world::Area **area);
    // The area a session's requests are for: the scene, or the session's instance (nullptr: none here).
    world::Area *area_of(shd::Session &s);
    world::Area &make_area(int area_id, const std::string &instance);
    void create_instance(const std::string &args, const shd::RpcReply &reply);
    void close_idle_instances();
    void move_area_chat(shd::Session &s, const std::string &name, std::int64_t player_id, int from, int to);
    std::int64_t session_player_id(shd::Session &s) const;
    void leave(std::int64_t player_id, std::function<void()> done);

    void enter_scene(const shd::RequestPtr &req);
    void change_view(const shd::RequestPtr &req);
    void move(const shd::RequestPtr &req);
    void attack(const shd::RequestPtr &req);
    void use_skill(const shd::RequestPtr &req);
    void pick_item(const shd::RequestPtr &req);
    void npc_talk(const shd::RequestPtr &req);
    void load_resource(const shd::RequestPtr &req);
    void change_area(const shd::RequestPtr &req);
    void use_item(const shd::RequestPtr &req);
    void drop_item(const shd::RequestPtr &req);
    void equip(const shd::RequestPtr &req);
    void unequip(const shd::RequestPtr &req);
    void learn_skill(const shd::RequestPtr &req);
    void upgrade_skill(const shd::RequestPtr &req);
    void get_new_task(const shd::RequestPtr &req);
    void start_task(const shd::RequestPtr &req);
    void hand_over_task(const shd::RequestPtr &req);
    void get_history_tasks(const shd::RequestPtr &req);
    // Takes the player out of the scene and saves it now (moved to new_area's birth place when > 0);
    // done(the record, once saved; nullopt if the player was not here or the save failed).
    void remove_and_save(std::int64_t player_id, int new_area,
                         std::function<void(std::optional<world::PlayerRecord>)> done);
    void load_area_resource(const shd::RequestPtr &req);

    // Teams (area_teams.cpp).
    void install_team_handlers();
    void create_team(const shd::RequestPtr &req);
    void leave_team(const shd::RequestPtr &req);
    void disband_team(const shd::RequestPtr &req);
    void leave_or_disband(const shd::RequestPtr &req, bool disband);
    // Asks the manager whether the player is still in its team (and captain), fixes the keys, then().
    void refresh_team(std::int64_t player_id, std::function<void()> then);
    void invite_join_team(const shd::RequestPtr &req);
    void invite_join_team_reply(const shd::RequestPtr &req);
    void apply_join_team(const shd::RequestPtr &req);
    void apply_join_team_reply(const shd::RequestPtr &req);
    // The end of an answer to an invitation or an application: a refusal (reply 0) is told to
    // player `told` at once; an acceptance asks the manager to add `joiner` to `team`, then tells
    // `told` the manager's result (1 joined, or lordofpomelo's negative codes) on `route` and
    // answers the request with it.
    void finish_join(const shd::RequestPtr &req, int reply, const world::Player &joiner, std::int64_t team,
                     std::int64_t told, const char *route);
    void kick_out(const shd::RequestPtr &req);
    // Calls the manager's teamRemote.<method>; done(the answer's object, or null when it failed).
    void team_call(const char *method, const std::string &args, std::function<void(const rapidjson::Value *)> done);
    std::string team_member_json(const world::Player &p) const;
    // The player's team keys: its entity, its frontend session (teamId, isCaptain) and an AOI push.
    void set_team(world::Player &p, std::int64_t team_id, bool captain);
    // areaRemote.teamLeft [playerId, teamId] (the manager's): the player, if here and still in that
    // team, is in none now (a kick, a leave or a disband handled on another area server).
    void team_left(const std::string &args, const shd::RpcReply &reply);
    // Every player here in that team leaves it (the team ended).
    void clear_team(std::int64_t team_id);
    void forget_team_offers(std::int64_t player_id);
    // The manager's copy of a team member (teamRemote.updateMemberInfo -> onUpdateTeam), sent when its
    // level, hp, mp or instance changed since the last one.
    void update_team_member(const world::Player &p);

    AppContext &ctx_;
    std::unique_ptr<world::GameData> data_;
    std::map<std::string, std::unique_ptr<world::Area>> areas_;  // by instance id ("": the scene of a scene server)
    std::map<std::string, std::int64_t> idle_since_;             // instances without players: since when (ms)
    bool instance_server_ = false;
    std::uint64_t idle_timer_ = 0;
    std::unique_ptr<PlayerRecords> records_;
    std::unordered_map<world::EntityId, Client> clients_;          // entity id -> where its pushes go
    std::unordered_map<std::int64_t, world::EntityId> by_player_;  // player id -> entity id
    std::unique_ptr<shd::ChannelService> channels_;
    std::uint64_t tick_timer_ = 0;
    std::uint64_t save_timer_ = 0;
    std::int64_t started_ms_ = 0;
    std::unordered_map<std::int64_t, int> starting_task_;
    std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> invites_;  // (invitee, captain) -> team
    std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> applies_;  // (captain, applicant) -> team
    std::map<std::int64_t, std::string> team_names_;                         // the teams made here
    std::unordered_map<std::int64_t, std::string> team_sent_;  // player id -> the member last sent
    std::unordered_map<std::int64_t, std::int64_t> last_enter_;              // player id -> ms of its last enterScene
    struct Resource {
        std::string name;
        long long stamp;
        std::string text;
    };
    std::vector<Resource>
        resources_;  // the tables loadResource sends, read on first use  // player id -> task kind being created
};

}  // namespace mmo
