#include "world/game_data.hpp"

#include "world/entity.hpp"

#include <shaddock/gamedata/database.hpp>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace mmo::world {

namespace gd = shd::gamedata;

namespace {

gd::Catalog catalog() {
    gd::Catalog c;
    c.table("area")
        .description_row()
        .integer("id")
        .string("name")
        .integer("type")
        .integer("level")
        .number("width")
        .number("height")
        .string("path")
        .number("towerWidth")
        .number("towerHeight");
    c.table("character")
        .description_row()
        .integer("id")
        .string("name")
        .string("englishName")
        .string("kindType")
        .integer("hp")
        .integer("mp")
        .integer("attackValue")
        .integer("defenceValue")
        .integer("hitRate")
        .integer("dodgeRate")
        .number("attackSpeed")
        .number("walkSpeed")
        .number("upgradeParam")
        .integer("baseExp");
    c.table("fightskill")
        .description_row()
        .integer("id")
        .string("name")
        .integer("playerLevel")
        .number("cooltime")
        .integer("mp")
        .number("attackParam")
        .number("upgradeParam")
        .number("distance");
    c.table("experience").description_row().integer("id").integer("exp");
    c.table("item").description_row().integer("id").string("name").integer("heroLevel").integer("hp").integer("mp");
    c.table("equipment")
        .description_row()
        .integer("id")
        .string("name")
        .string("kind")
        .integer("heroLevel")
        .integer("attackValue")
        .integer("defenceValue")
        .integer("hp")
        .integer("mp");
    c.table("npc").description_row().integer("id").string("name").integer("kindType").integer("targetArea");
    c.table("talk").description_row().integer("id").integer("npc").string("npcword").string("myword");
    c.table("task")
        .description_row()
        .integer("id")
        .string("name")
        .integer("type")
        .integer("npc")
        .integer("level")
        .string("desc")
        .string("completeCondition")
        .integer("exp")
        .string("item")
        .string("acceptTalk")
        .string("workTalk")
        .string("finishTalk");
    c.table("team").description_row().integer("id").string("teamName");
    return c;
}

template <class Map>
const typename Map::mapped_type *lookup(const Map &m, int id) {
    auto it = m.find(id);
    return it == m.end() ? nullptr : &it->second;
}

}  // namespace

GameData GameData::load(const std::string &app_dir) {
    gd::LoadOptions options;
    options.skip_undeclared = true;
    gd::Database db = gd::load_directory(app_dir + "/config/data", catalog(), options);
    GameData g;
    g.app_dir = app_dir;
    for (const gd::Row &r : db.table("area").rows()) {
        AreaKind a;
        a.id = static_cast<int>(r.id());
        a.name = r.string("name");
        a.type = static_cast<int>(r.integer("type"));
        a.level = static_cast<int>(r.integer("level"));
        a.width = r.number("width");
        a.height = r.number("height");
        a.map_path = r.string("path");
        a.tower_width = r.number("towerWidth");
        a.tower_height = r.number("towerHeight");
        g.areas_[a.id] = a;
    }
    for (const gd::Row &r : db.table("character").rows()) {
        CharacterKind k;
        k.id = static_cast<int>(r.id());
        k.name = r.string("name");
        k.english_name = r.string("englishName");
        k.playable = r.string("kindType") == "player";
        k.hp = static_cast<int>(r.integer("hp"));
        k.mp = static_cast<int>(r.integer("mp"));
        k.attack = static_cast<int>(r.integer("attackValue"));
        k.defence = static_cast<int>(r.integer("defenceValue"));
        k.hit_rate = static_cast<int>(r.integer("hitRate"));
        k.dodge_rate = static_cast<int>(r.integer("dodgeRate"));
        k.attack_speed = r.number("attackSpeed");
        k.walk_speed = r.number("walkSpeed");
        k.upgrade_param = r.number("upgradeParam");
        k.base_exp = static_cast<int>(r.integer("baseExp"));
        if (k.attack_speed <= 0 || k.walk_speed <= 0)
            throw std::runtime_error("config/data/character.json: kind " + std::to_string(k.id) +
                                     ": attackSpeed and walkSpeed must be above 0");
        g.characters_[k.id] = k;
    }
    for (const gd::Row &r : db.table("fightskill").rows()) {
        SkillKind s;
        s.id = static_cast<int>(r.id());
        s.name = r.string("name");
        s.player_level = static_cast<int>(r.integer("playerLevel"));
        s.cooltime = r.number("cooltime");
        s.mp = static_cast<int>(r.integer("mp"));
        s.attack_param = r.number("attackParam");
        s.upgrade_param = r.number("upgradeParam");
        s.distance = r.number("distance");
        g.skills_[s.id] = s;
    }
    const gd::Table &exp = db.table("experience");
    // Row L holds what level L-1 needs; row 1 (level 1 needs nothing to be reached) is skipped.
    for (std::int64_t level = 2; exp.find(level); ++level) g.level_exp_.push_back(exp.row(level).integer("exp"));
    if (g.level_exp_.empty()) throw std::runtime_error("config/data/experience.json: needs rows 1, 2, ...");
    for (const gd::Row &r : db.table("item").rows()) {
        ItemKind i;
        i.id = static_cast<int>(r.id());
        i.name = r.string("name");
        i.hero_level = static_cast<int>(r.integer("heroLevel"));
        i.hp = static_cast<int>(r.integer("hp"));
        i.mp = static_cast<int>(r.integer("mp"));
        g.items_[i.id] = i;
    }
    for (const gd::Row &r : db.table("equipment").rows()) {
        EquipmentKind e;
        e.id = static_cast<int>(r.id());
        e.name = r.string("name");
        e.slot = r.string("kind");
        e.hero_level = static_cast<int>(r.integer("heroLevel"));
        e.attack = static_cast<int>(r.integer("attackValue"));
        e.defence = static_cast<int>(r.integer("defenceValue"));
        e.hp = static_cast<int>(r.integer("hp"));
        e.mp = static_cast<int>(r.integer("mp"));
        g.equipments_[e.id] = e;
    }
    for (const gd::Row &r : db.table("npc").rows()) {
        NpcKind n;
        n.id = static_cast<int>(r.id());
        n.name = r.string("name");
        n.kind_type = static_cast<int>(r.integer("kindType"));
        n.target_area = static_cast<int>(r.integer("targetArea"));
        g.npcs_[n.id] = n;
    }
    for (const gd::Row &r : db.table("talk").rows()) {
        const int npc = static_cast<int>(r.integer("npc"));
        if (!g.talks_.count(npc)) g.talks_[npc] = TalkRow{r.string("npcword"), r.string("myword")};
    }
    for (const gd::Row &r : db.table("team").rows()) g.team_names_.push_back(r.string("teamName"));
    for (const gd::Row &r : db.table("task").rows()) {
        TaskKind t;
        t.id = static_cast<int>(r.id());
        t.name = r.string("name");
        t.type = static_cast<int>(r.integer("type"));
        t.level = static_cast<int>(r.integer("level"));
        t.exp = r.integer("exp");
        t.accept_talk = r.string("acceptTalk");
        t.work_talk = r.string("workTalk");
        t.finish_talk = r.string("finishTalk");
        t.complete_condition = r.string("completeCondition");
        t.item_text = r.string("item");
        // desc = "text;mobKind"; completeCondition = {"<mobKind or player>": count}.
        const std::string &desc = r.string("desc");
        const size_t semi = desc.rfind(';');
        if (semi != std::string::npos) t.mob_kind = std::atoi(desc.c_str() + semi + 1);
        const size_t colon = t.complete_condition.find(':');
        if (colon != std::string::npos) t.count = std::max(1, std::atoi(t.complete_condition.c_str() + colon + 1));
        for (size_t at = 0; at < t.item_text.size();) {
            const size_t end = std::min(t.item_text.find(';', at), t.item_text.size());
            if (const int id = std::atoi(t.item_text.substr(at, end - at).c_str())) t.items.push_back(id);
            at = end + 1;
        }
        auto q = [](const std::string &v) {
            std::string out;
            json_quote(out, v);
            return out;
        };
        t.row_json = "{\"id\":" + std::to_string(t.id) + ",\"name\":" + q(t.name) +
                     ",\"type\":" + std::to_string(t.type) + ",\"npc\":" + std::to_string(r.integer("npc")) +
                     ",\"level\":" + std::to_string(t.level) + ",\"desc\":" + q(desc) +
                     ",\"completeCondition\":" + q(t.complete_condition) + ",\"exp\":" + std::to_string(t.exp) +
                     ",\"item\":" + q(t.item_text) + ",\"acceptTalk\":" + q(t.accept_talk) +
                     ",\"workTalk\":" + q(t.work_talk) + ",\"finishTalk\":" + q(t.finish_talk) + "}";
        g.tasks_[t.id] = t;
    }
    return g;
}

const CharacterKind *GameData::character(int id) const {
    return lookup(characters_, id);
}
const SkillKind *GameData::skill(int id) const {
    return lookup(skills_, id);
}
const ItemKind *GameData::item(int id) const {
    return lookup(items_, id);
}
const EquipmentKind *GameData::equipment(int id) const {
    return lookup(equipments_, id);
}
const NpcKind *GameData::npc(int id) const {
    return lookup(npcs_, id);
}
const AreaKind *GameData::area(int id) const {
    return lookup(areas_, id);
}
const TalkRow *GameData::talk(int npc_kind) const {
    return lookup(talks_, npc_kind);
}
const TaskKind *GameData::task(int id) const {
    return lookup(tasks_, id);
}

std::int64_t GameData::next_level_exp(int level) const {
    if (level < 1 || level > static_cast<int>(level_exp_.size())) return 0;
    return level_exp_[static_cast<size_t>(level - 1)];
}

}  // namespace mmo::world
