#include "world/entity.hpp"

#include <cmath>
#include <cstdio>

namespace mmo::world {

const char *const kEquipSlots[9] = {"weapon", "armor", "helmet",   "necklace", "ring",
                                    "belt",   "shoes", "legguard", "amulet"};

const char *type_name(EntityType t) {
    switch (t) {
        case EntityType::player: return "player";
        case EntityType::mob: return "mob";
        case EntityType::npc: return "npc";
        case EntityType::item: return "item";
        case EntityType::equipment: return "equipment";
    }
    return "unknown";
}

void json_quote(std::string &out, const std::string &s) {
    out.push_back('"');
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
}

namespace {

// Positions are whole pixels on the wire, as Lord of Pomelo floors them.
std::string px(double v) {
    return std::to_string(static_cast<long long>(std::floor(v)));
}

void field(std::string &out, const char *name, long long v) {
    out += ",\"";
    out += name;
    out += "\":";
    out += std::to_string(v);
}

void field(std::string &out, const char *name, double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    out += ",\"";
    out += name;
    out += "\":";
    out += buf;
}

void field(std::string &out, const char *name, const std::string &v) {
    out += ",\"";
    out += name;
    out += "\":";
    json_quote(out, v);
}

}  // namespace

void Character::add_hate(EntityId who, int points) {
    haters[who] += points;
}

EntityId Character::most_hated() const {
    EntityId best = 0;
    int hate = 0;
    for (const auto &[id, h] : haters) {
        if (h > hate) {
            best = id;
            hate = h;
        }
    }
    return best;
}

int Player::bag_free_slot() const {
    for (size_t i = 0; i < bag.size(); ++i)
        if (bag[i].id == 0) return static_cast<int>(i);
    return -1;
}

// The fields both forms start with, from the DB id to the level (the object left open).
void Player::write_head(std::string &out) const {
    out += "{\"id\":" + std::to_string(player_id);
    field(out, "entityId", static_cast<long long>(id));
    field(out, "name", name);
    field(out, "kindId", static_cast<long long>(kind_id));
    field(out, "kindName", kind_name);
    field(out, "type", std::string("player"));
    out += ",\"x\":" + px(x) + ",\"y\":" + px(y);
    field(out, "hp", static_cast<long long>(hp));
    field(out, "mp", static_cast<long long>(mp));
    field(out, "maxHp", static_cast<long long>(max_hp));
    field(out, "maxMp", static_cast<long long>(max_mp));
    field(out, "level", static_cast<long long>(level));
}

void Player::write_json(std::string &out) const {
    write_head(out);
    field(out, "walkSpeed", walk_speed);
    field(out, "areaId", static_cast<long long>(area_id));
    field(out, "range", static_cast<long long>(range));
    out += ",\"teamId\":" + std::to_string(team_id) + ",\"isCaptain\":" + (is_captain ? "1" : "0") + "}";
}

void Player::write_stripped(std::string &out) const {
    write_head(out);
    field(out, "experience", static_cast<long long>(experience));
    field(out, "attackValue", static_cast<long long>(total_attack()));
    field(out, "defenceValue", static_cast<long long>(total_defence()));
    field(out, "walkSpeed", walk_speed);
    field(out, "attackSpeed", attack_speed);
    field(out, "areaId", static_cast<long long>(area_id));
    field(out, "hitRate", static_cast<long long>(hit_rate));
    field(out, "dodgeRate", static_cast<long long>(dodge_rate));
    field(out, "nextLevelExp", static_cast<long long>(next_level_exp));
    field(out, "skillPoint", static_cast<long long>(skill_point));
    out += ",\"teamId\":" + std::to_string(team_id) + ",\"isCaptain\":" + (is_captain ? "1" : "0") + "}";
}

void Mob::write_json(std::string &out) const {
    out += "{\"id\":" + std::to_string(id);
    field(out, "entityId", static_cast<long long>(id));
    field(out, "kindId", static_cast<long long>(kind_id));
    field(out, "kindName", kind_name);
    field(out, "englishName", english_name);
    out += ",\"x\":" + px(x) + ",\"y\":" + px(y);
    field(out, "hp", static_cast<long long>(hp));
    field(out, "mp", static_cast<long long>(mp));
    field(out, "maxHp", static_cast<long long>(max_hp));
    field(out, "maxMp", static_cast<long long>(max_mp));
    field(out, "type", std::string("mob"));
    field(out, "level", static_cast<long long>(level));
    field(out, "zoneId", static_cast<long long>(zone));
    field(out, "walkSpeed", walk_speed);
    out += "}";
}

void Npc::write_json(std::string &out) const {
    out += "{\"entityId\":" + std::to_string(id);
    field(out, "kindId", static_cast<long long>(kind_id));
    field(out, "kindName", kind_name);
    out += ",\"x\":" + px(x) + ",\"y\":" + px(y) + ",\"type\":\"npc\"}";
}

void GroundItem::write_json(std::string &out) const {
    out += "{\"entityId\":" + std::to_string(id);
    field(out, "kindId", static_cast<long long>(kind_id));
    field(out, "kindName", kind_name);
    out += ",\"x\":" + px(x) + ",\"y\":" + px(y);
    field(out, "playerId", static_cast<long long>(player_id));
    field(out, "type", std::string(type_name(type)));
    out += "}";
}

}  // namespace mmo::world
