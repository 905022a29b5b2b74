// The bag, equipment and fight skills (LORDOFPOMELO.md §2.1, §3.3): what a player may do with what it
// owns. Nothing here trusts a client's word about an item: every index names the player's own bag.
#include "world/area.hpp"

#include <algorithm>
#include <cmath>

namespace mmo::world {

namespace {

BagSlot *slot_at(Player &p, int index) {
    if (index < 1 || index > static_cast<int>(p.bag.size())) return nullptr;
    BagSlot &s = p.bag[static_cast<size_t>(index - 1)];
    return s.id ? &s : nullptr;
}

bool valid_slot(const std::string &slot) {
    for (const char *s : kEquipSlots)
        if (slot == s) return true;
    return false;
}

}  // namespace

bool Area::near_traverse_npc(const Player &p, int target_area, double distance) const {
    for (const auto &kv : entities_) {
        const Entity &e = *kv.second;
        if (e.type != EntityType::npc) continue;
        const NpcKind *k = data_.npc(e.kind_id);
        if (k && k->kind_type == 1 && k->target_area == target_area && std::hypot(e.x - p.x, e.y - p.y) <= distance)
            return true;
    }
    return false;
}

bool Area::use_item(Player &p, int index) {
    BagSlot *s = slot_at(p, index);
    if (!s || s->type != EntityType::item) return false;
    const ItemKind *k = data_.item(s->id);
    if (!k || k->hero_level > p.level) return false;
    p.hp = std::min(p.max_hp, p.hp + k->hp);
    p.mp = std::min(p.max_mp, p.mp + k->mp);
    *s = BagSlot{};
    p.dirty = true;
    return true;
}

bool Area::drop_item(Player &p, int index) {
    BagSlot *s = slot_at(p, index);
    if (!s) return false;
    *s = BagSlot{};
    p.dirty = true;
    return true;
}

bool Area::equip(Player &p, int index, int &bag_index) {
    BagSlot *s = slot_at(p, index);
    if (!s || s->type != EntityType::equipment) return false;
    const EquipmentKind *k = data_.equipment(s->id);
    if (!k || k->hero_level > p.level || !valid_slot(k->slot)) return false;
    const int old = p.equipments.count(k->slot) ? p.equipments[k->slot] : 0;
    p.equipments[k->slot] = k->id;
    p.equip_attack += k->attack;
    p.equip_defence += k->defence;
    *s = BagSlot{};
    bag_index = 0;
    if (const EquipmentKind *was = old ? data_.equipment(old) : nullptr) {
        p.equip_attack -= was->attack;
        p.equip_defence -= was->defence;
        *s = BagSlot{old, EntityType::equipment};  // the old piece takes the freed slot
        bag_index = index;
    }
    p.dirty = true;
    return true;
}

bool Area::unequip(Player &p, const std::string &slot, bool put_in_bag, int &bag_index) {
    if (!valid_slot(slot)) return false;
    auto it = p.equipments.find(slot);
    if (it == p.equipments.end() || !it->second) return false;
    bag_index = 0;
    if (put_in_bag) {
        const int free = p.bag_free_slot();
        if (free < 0) return false;
        p.bag[static_cast<size_t>(free)] = BagSlot{it->second, EntityType::equipment};
        bag_index = free + 1;
    }
    if (const EquipmentKind *k = data_.equipment(it->second)) {
        p.equip_attack -= k->attack;
        p.equip_defence -= k->defence;
    }
    p.equipments.erase(it);
    p.dirty = true;
    return true;
}

bool Area::learn_skill(Player &p, int skill_id) {
    const SkillKind *k = data_.skill(skill_id);
    if (!k || p.skills.count(skill_id) || p.level < k->player_level) return false;
    p.skills[skill_id] = 1;
    p.dirty = true;
    return true;
}

// One skill point, and a level of at least the skill's requirement + 5 per level it has.
bool Area::upgrade_skill(Player &p, int skill_id) {
    const SkillKind *k = data_.skill(skill_id);
    auto it = p.skills.find(skill_id);
    if (!k || it == p.skills.end() || p.skill_point < 1 || p.level < k->player_level + 5 * it->second) return false;
    it->second += 1;
    p.skill_point -= 1;
    p.dirty = true;
    return true;
}

}  // namespace mmo::world
