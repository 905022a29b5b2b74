// One scene: its entities, the tower AOI, the map, mob zones and the 100 ms tick (LORDOFPOMELO.md
// §3.2-3.6, §4). Pure game logic: the area server calls it on its logic thread and hands the pushes
// it makes (PushSink) to the players' sessions. Time comes from the caller (tick(now_ms)), so tests
// run minutes of game in microseconds.
#pragma once
#include "world/entity.hpp"
#include "world/game_data.hpp"
#include "world/scene_map.hpp"

#include <shaddock/aoi/tower_aoi.hpp>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace mmo::world {

// Where the pushes go. `to` are player entity ids; body is the JSON text of the push.
class PushSink {
public:
    virtual ~PushSink() = default;
    virtual void push(const std::vector<EntityId> &to, const char *route, const std::string &body) = 0;
};

// A player as the store keeps it (LORDOFPOMELO.md §1.4), given to add_player and read back for saves.
struct PlayerRecord {
    std::int64_t id = 0, user_id = 0;
    int kind_id = 210;
    std::string name;
    int level = 1;
    std::int64_t experience = 0;
    int hp = 0, mp = 0, max_hp = 0, max_mp = 0;
    int attack = 0, defence = 0, hit_rate = 0, dodge_rate = 0;
    double walk_speed = 240, attack_speed = 1.2;
    int area_id = 1;
    double x = 0, y = 0;
    int skill_point = 0;
    std::vector<BagSlot> bag;               // 20 slots; id 0 = empty
    std::map<std::string, int> equipments;  // slot -> equipment id
    std::map<int, int> skills;              // skill id -> level
    std::vector<TaskState> tasks;
    // The team, from the session (not stored: teams live on the manager).
    std::int64_t team_id = 0;
    bool is_captain = false;
    // A new character of a kind at a point (the kind's stats, skill 1, an empty bag).
    static PlayerRecord fresh(const CharacterKind &kind, std::int64_t id, const std::string &name, double x, double y);
};

struct AreaOptions {
    std::uint32_t seed = 1;
    int min_drops = 0;             // at least this many drops per kill (tests; 0 = the formula alone)
    double move_slack = 1.5;       // a client path may be this much longer than walkSpeed allows since the last move
    double start_tolerance = 100;  // px between the player and a client path's first point
    size_t max_path_points = 64;
    double max_path_seconds = 10;  // a client path may be at most this many seconds of walking (times the slack)
    double rate_per_second = 10;   // requests a player may make per second on average
    double rate_burst = 20;
    std::int64_t item_life_ms = 30000;
    std::int64_t revive_ms = 5000;
    std::int64_t respawn_ms = 5000;
};

enum class MoveCheck { ok, bad_path, far_start, blocked, too_long, dead };
const char *to_string(MoveCheck c);

struct AttackOutcome {
    int result = kAttackError;
    int damage = 0;
    double distance = 0;
};

class Area {
public:
    Area(const GameData &data, const AreaKind &kind, SceneMap map, PushSink &sink, AreaOptions options = {});
    ~Area();
    Area(const Area &) = delete;
    Area &operator=(const Area &) = delete;

    // One tick: mob zones, item expiry, revives, moves, AI. Call every 100 ms.
    void tick(std::int64_t now_ms);
    std::int64_t now() const { return now_; }
    int id() const { return kind_.id; }
    const AreaKind &kind() const { return kind_; }
    const SceneMap &map() const { return map_; }
    SceneMap &map() { return map_; }
    const GameData &data() const { return data_; }

    // Players. add_player puts the record's player in the scene (a random birth point when its
    // saved position is not walkable) and tells the watchers; the player must not be there yet.
    Player &add_player(const PlayerRecord &record);
    void remove_player(EntityId id);
    PlayerRecord record_of(const Player &p) const;
    // Players whose state changed since the last call (write-behind saves).
    std::vector<Player *> take_dirty();
    // enterScene's body: {entities, curPlayer, map} (§2.3).
    std::string enter_scene_json(const Player &p) const;

    Entity *entity(EntityId id) const;
    Player *player(EntityId id) const;
    Player *player_by_id(std::int64_t player_id) const;
    // The players who see p (p included): the receivers of its AOI-scoped pushes.
    std::vector<EntityId> watchers_of(const Player &p) const { return player_watchers(p.pos()); }
    size_t player_count() const { return players_.size(); }
    std::vector<Mob *> mobs() const;
    std::vector<GroundItem *> ground_items() const;

    // Requests (handlers validate types first; these check the game rules).
    // Consumes one request token; false when the player exceeds the rate.
    bool allow_request(Player &p);
    MoveCheck move(Player &p, const std::vector<Point> &path);
    bool attack(Player &p, EntityId target);           // false: no such live character
    AttackOutcome use_skill(Player &p, int skill_id);  // one attack on the current target
    bool pick(Player &p, EntityId item);               // false: no such item
    bool npc_talk(Player &p, EntityId npc);            // false: no such NPC
    void change_view(Player &p, double width, double height);
    // A traverse NPC to `target_area` within `distance` px of the player (the only way out of a scene).
    bool near_traverse_npc(const Player &p, int target_area, double distance) const;

    // The bag, equipment and skills (area_items.cpp). Indexes are bag keys (1..size); each returns
    // false, changing nothing, when the rules say no.
    bool use_item(Player &p, int index);
    bool drop_item(Player &p, int index);
    bool equip(Player &p, int index, int &bag_index);  // the old piece goes to that slot
    bool unequip(Player &p, const std::string &slot, bool put_in_bag, int &bag_index);
    bool learn_skill(Player &p, int skill_id);
    bool upgrade_skill(Player &p, int skill_id);

    // Tasks (area_tasks.cpp, §3.7). next_task: the unfinished one, else the next kind not taken
    // (nullptr: none left). can_start: that next kind, not taken, level enough.
    const TaskKind *next_task(const Player &p) const;
    bool can_start_task(const Player &p, int kind) const;
    TaskState &start_task(Player &p, int kind, std::int64_t row_id);
    // Hands over the done tasks: exp and their equipment dropped by the player (onDropItems);
    // returns their row ids.
    std::vector<std::int64_t> hand_over_tasks(Player &p);
    // {acceptTalk, workTalk, finishTalk, item, name, id, type, exp, taskData, taskState, completeCondition}
    std::string task_json(const TaskState &t) const;

    // The rules the brains and handlers share.
    AttackOutcome try_attack(Character &attacker, Character &target, int skill_id);
    int try_pick(Player &p, GroundItem &item);  // kSuccess, or 4 not in range, 5 bag full (PICK_* below)
    bool try_talk(Player &p, Npc &npc);
    // Starts a server-side walk to `goal` (the brain's chase); false if no path.
    bool walk_to(Character &c, Point goal);
    void stop_moving(Character &c);
    void add_mob_for_test(int kind, int level, Point at);  // a mob outside any zone

    // Stats of the AOI, for tests.
    const shd::aoi::TowerAoi &aoi() const { return aoi_; }

    static constexpr int kPickNotInRange = 4;
    static constexpr int kPickBagFull = 5;
    static constexpr int kPickVanish = 6;

private:
    struct Zone {
        MobZoneSpec spec;
        int count = 0;
        std::int64_t last_generation = 0;
    };

    EntityId next_id();
    void add_entity(std::unique_ptr<Entity> e);
    void remove_entity(EntityId id);
    void set_position(Entity &e, Point p);
    void spawn_zones();
    Mob &spawn_mob(size_t zone, int kind_id, int level, Point at);
    void expire_items();
    void revive_players();
    void advance_moves();
    void advance(Character &c);
    void think();
    void kill(Character &attacker, Character &target, std::string &items_json, std::int64_t &exp_out);
    void drop_items(Player &killer, Mob &mob, std::string &items_json);
    void gain_exp(Player &p, std::int64_t exp);
    void count_kill(Player &killer, const Character &victim);
    Point random_birth_point();

    // Pushes.
    void push(const std::vector<EntityId> &to, const char *route, const std::string &body);
    std::vector<EntityId> player_watchers(Point at) const;
    std::vector<EntityId> all_players() const;
    void push_add(const std::vector<EntityId> &to, const std::vector<EntityId> &entities, EntityId except = 0);
    void push_remove(const std::vector<EntityId> &to, const std::vector<EntityId> &entities, EntityId except = 0);
    void aggro(const std::vector<EntityId> &mob_watchers, Player &p);

    const GameData &data_;
    AreaKind kind_;
    SceneMap map_;
    PushSink &sink_;
    AreaOptions options_;
    std::mt19937 rng_;
    shd::aoi::TowerAoi aoi_;
    std::unordered_map<EntityId, std::unique_ptr<Entity>> entities_;
    std::unordered_map<EntityId, Player *> players_;
    std::vector<std::unique_ptr<Zone>> zones_;
    std::int64_t now_ = 0;
    std::int64_t ticks_ = 0;
};

}  // namespace mmo::world
