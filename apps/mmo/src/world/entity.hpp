// The entities of an area (LORDOFPOMELO.md §3.1): players and mobs (characters), NPCs and the items
// and equipment lying on the ground. Owned by their Area, touched on its logic thread only.
#pragma once
#include <shaddock/bt/node.hpp>
#include <shaddock/path/tile_map.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mmo::world {

using EntityId = std::uint64_t;
using shd::path::Point;

// Also the AOI type ids.
enum class EntityType : std::uint16_t { player = 0, mob = 1, npc = 2, item = 3, equipment = 4 };
constexpr int kEntityTypes = 5;
const char *type_name(EntityType t);

// Lord of Pomelo's attack results (consts.AttackResult).
enum AttackResult : int {
    kSuccess = 1,
    kKilled = 2,
    kMiss = 3,
    kNotInRange = 4,
    kNoEnoughMp = 5,
    kNotCooldown = 6,
    kAttackerConfused = 7,
    kAttackError = -1,
};

// Appends s as a JSON string literal.
void json_quote(std::string &out, const std::string &s);

struct Entity {
    virtual ~Entity() = default;
    EntityId id = 0;
    EntityType type = EntityType::npc;
    int kind_id = 0;
    std::string kind_name;
    double x = 0, y = 0;
    Point pos() const { return {x, y}; }
    // The entity as enterScene and onAddEntities carry it (§2.3).
    virtual void write_json(std::string &out) const = 0;
};

// A walk along a path at walk_speed, advanced by the area tick.
struct Move {
    std::vector<Point> path;
    size_t next = 1;           // index of the point being walked to
    int ticks = 0;             // ticks since the start (onPathCheckout every 10th)
    std::int64_t last_ms = 0;  // when it last advanced
    bool by_server = false;
    bool active() const { return next < path.size(); }
    void stop() {
        path.clear();
        next = 1;
        ticks = 0;
    }
};

struct Character : Entity {
    int level = 1;
    int hp = 0, mp = 0, max_hp = 0, max_mp = 0;
    int attack = 0, defence = 0, hit_rate = 0, dodge_rate = 0;
    double walk_speed = 200, attack_speed = 1;
    std::int64_t experience = 0;
    bool died = false;
    EntityId target = 0;
    std::map<EntityId, int> haters;        // entity -> hate
    std::map<int, int> skills;             // skill id -> level
    std::map<int, std::int64_t> ready_at;  // skill id -> ms when its cooldown ends
    Move move;
    double distance_limit = 200;  // the brain's chase distance (the skill's range)
    Point chase_goal;             // where the last chase path led
    std::unique_ptr<shd::bt::Node> brain;
    virtual int total_attack() const { return attack; }
    virtual int total_defence() const { return defence; }
    // Adds hate; a mob takes its most hated as target.
    void add_hate(EntityId who, int points);
    EntityId most_hated() const;
};

struct BagSlot {
    int id = 0;  // 0: empty
    EntityType type = EntityType::item;
};

// A player's task (§3.7). state: 0 running, 1 done but not handed over, 2 handed over.
struct TaskState {
    std::int64_t row_id = 0;  // the database row
    int kind = 0;
    int state = 0;
    std::int64_t start_time = 0;
    int mob_killed = 0, player_killed = 0;
    bool dirty = false;  // changed since the last save
};

// The 9 equipment slots, in the order Lord of Pomelo lists them.
extern const char *const kEquipSlots[9];

struct Player : Character {
    std::int64_t player_id = 0;  // the database id
    std::int64_t user_id = 0;
    std::string name;
    int area_id = 0;
    int skill_point = 0;
    std::int64_t next_level_exp = 0;
    int range = 2;             // AOI range in towers
    // The team (the manager's; 0 none) as the session keys teamId and isCaptain say.
    std::int64_t team_id = 0;
    bool is_captain = false;
    std::vector<BagSlot> bag;  // slot i is key i+1
    std::map<std::string, int> equipments;
    std::vector<TaskState> tasks;
    int equip_attack = 0, equip_defence = 0;  // sums of the equipped pieces
    std::int64_t revive_at = 0;               // when dead: the ms of the revive
    bool dirty = false;                       // changed since the last save
    // Rate limit of client requests (a token bucket refilled by the area clock).
    double tokens = 20;
    std::int64_t tokens_at = 0;
    int total_attack() const override { return attack + equip_attack; }
    int total_defence() const override { return defence + equip_defence; }
    int bag_free_slot() const;  // index, or -1
    void write_json(std::string &out) const override;
    // The stripped player of enterScene's curPlayer and onUpgrade (without bag, equipments, skills).
    void write_stripped(std::string &out) const;

private:
    void write_head(std::string &out) const;
};

struct Mob : Character {
    size_t zone = 0;  // index in Area's zones
    std::string english_name;
    Point spawn;
    std::vector<Point> patrol;  // the loop it walks when idle
    size_t patrol_next = 0;
    int rest_ticks = 0;
    void write_json(std::string &out) const override;
};

struct Npc : Entity {
    void write_json(std::string &out) const override;
};

// An item or a piece of equipment on the ground.
struct GroundItem : Entity {
    std::int64_t player_id = 0;   // the killer's (not enforced on pick-up, as in Lord of Pomelo)
    std::int64_t expires_at = 0;  // ms
    void write_json(std::string &out) const override;
};

}  // namespace mmo::world
