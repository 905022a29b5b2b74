// The game tables of config/data, read once at start into plain structs the game model uses by value.
// Immutable after load: an area holds a const reference.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mmo::world {

struct CharacterKind {
    int id = 0;
    std::string name;
    std::string english_name;
    bool playable = false;
    int hp = 0, mp = 0, attack = 0, defence = 0, hit_rate = 0, dodge_rate = 0;
    double attack_speed = 1;  // attacks per second: the normal attack's cooldown is cooltime / this
    double walk_speed = 0;    // px per second
    double upgrade_param = 0;
    int base_exp = 0;
};

struct SkillKind {
    int id = 0;
    std::string name;
    int player_level = 1;
    double cooltime = 1;  // seconds
    int mp = 0;
    double attack_param = 1;
    double upgrade_param = 0.1;
    double distance = 100;
};

struct ItemKind {
    int id = 0;
    std::string name;
    int hero_level = 1;
    int hp = 0, mp = 0;
};

struct EquipmentKind {
    int id = 0;
    std::string name;
    std::string slot;  // weapon, armor, helmet, necklace, ring, belt, shoes, legguard, amulet
    int hero_level = 1;
    int attack = 0, defence = 0, hp = 0, mp = 0;
};

struct NpcKind {
    int id = 0;
    std::string name;
    int kind_type = 0;  // 0 talks, 1 traverses to target_area
    int target_area = 0;
};

struct AreaKind {
    int id = 0;
    std::string name;
    int type = 1;  // 1 scene, 2 single instance, 3 team instance
    int level = 0;
    double width = 0, height = 0;
    std::string map_path;  // relative to the app folder, e.g. /config/map/desert.json
    double tower_width = 300, tower_height = 300;
};

// A task (§3.7): kill `count` mobs of `mob_kind` (type 0) or `count` players of one's level or above
// (type 1); rewards exp and equipment pieces. `row_json` is the task.json row as an object, as
// getNewTask answers it.
struct TaskKind {
    int id = 0;
    std::string name;
    int type = 0;
    int level = 1;
    int mob_kind = 0;
    int count = 1;
    std::int64_t exp = 0;
    std::vector<int> items;
    std::string accept_talk, work_talk, finish_talk, complete_condition, item_text;
    std::string row_json;
};

struct TalkRow {
    std::string npc_word, my_word;
};

class GameData {
public:
    // Reads <app_dir>/config/data. Throws shd::gamedata::DataError (file, line, column) or
    // std::runtime_error for a table that loads but breaks a rule of the game (named in the message).
    static GameData load(const std::string &app_dir);

    const CharacterKind *character(int id) const;
    const SkillKind *skill(int id) const;
    const ItemKind *item(int id) const;
    const EquipmentKind *equipment(int id) const;
    const NpcKind *npc(int id) const;
    const AreaKind *area(int id) const;
    const TalkRow *talk(int npc_kind) const;  // the first talk row of that NPC kind
    const TaskKind *task(int id) const;
    const std::map<int, TaskKind> &tasks() const { return tasks_; }
    // Experience a player of `level` needs for the next level (0 at the cap).
    std::int64_t next_level_exp(int level) const;
    int max_level() const { return static_cast<int>(level_exp_.size()) + 1; }

    const std::map<int, ItemKind> &items() const { return items_; }
    const std::map<int, EquipmentKind> &equipments() const { return equipments_; }
    const std::map<int, SkillKind> &skills() const { return skills_; }
    const std::map<int, AreaKind> &areas() const { return areas_; }
    // team.json's names in file order (the manager names teams with them in turn).
    const std::vector<std::string> &team_names() const { return team_names_; }

    std::string app_dir;

    // For tests that build data by hand.
    std::map<int, CharacterKind> characters_;
    std::map<int, SkillKind> skills_;
    std::map<int, ItemKind> items_;
    std::map<int, EquipmentKind> equipments_;
    std::map<int, NpcKind> npcs_;
    std::map<int, AreaKind> areas_;
    std::map<int, TalkRow> talks_;
    std::map<int, TaskKind> tasks_;
    std::vector<std::int64_t> level_exp_;  // [L-1] = what level L needs to reach L+1
    std::vector<std::string> team_names_;
};

}  // namespace mmo::world
