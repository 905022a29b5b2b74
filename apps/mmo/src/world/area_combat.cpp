// Combat, experience, drops, pick-up and NPC talk (LORDOFPOMELO.md §3.3, §3.4, §3.7).
#include "world/area.hpp"
#include "world/formula.hpp"

#include <algorithm>
#include <cmath>

namespace mmo::world {

namespace {

double distance(const Entity &a, const Entity &b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

}  // namespace

AttackOutcome Area::try_attack(Character &attacker, Character &target, int skill_id) {
    AttackOutcome out;
    auto level = attacker.skills.find(skill_id);
    const SkillKind *skill = data_.skill(skill_id);
    if (!skill || level == attacker.skills.end() || attacker.died || target.died || &attacker == &target) return out;
    out.distance = distance(attacker, target);
    if (out.distance > skill->distance) {
        out.result = kNotInRange;
        return out;
    }
    auto ready = attacker.ready_at.find(skill_id);
    if (ready != attacker.ready_at.end() && ready->second > now_) {
        out.result = kNotCooldown;
        return out;
    }
    if (attacker.mp < skill->mp) {
        // Lord of Pomelo's check never fails (it compares a value with itself); ours does.
        out.result = kNoEnoughMp;
        return out;
    }
    attacker.mp -= skill->mp;
    // The normal attack's cooldown shrinks with attack speed; the others' do not.
    const double cooldown_s = skill_id == 1 ? skill->cooltime / attacker.attack_speed : skill->cooltime;
    attacker.ready_at[skill_id] = now_ + static_cast<std::int64_t>(cooldown_s * 1000);
    const double u = std::uniform_real_distribution<double>(0.9, 1.1)(rng_);
    out.damage =
        formula::damage(attacker.total_attack(), target.total_defence(), u,
                        formula::skill_factor(skill->attack_param, skill->upgrade_param, level->second), target.hp);
    target.hp -= out.damage;
    // The victim hates its attacker; a mob hates more and turns on its most hated (§3.3).
    target.add_hate(attacker.id, 1);
    if (target.type == EntityType::mob) {
        target.add_hate(attacker.id, 5);
        target.target = target.most_hated();
    }
    if (attacker.type == EntityType::player) static_cast<Player &>(attacker).dirty = true;
    if (target.type == EntityType::player) static_cast<Player &>(target).dirty = true;

    std::string items = "[]";
    std::int64_t exp = -1;
    const EntityId target_id = target.id;
    const bool mob_target = target.type == EntityType::mob;
    out.result = kSuccess;
    if (target.hp <= 0) {
        target.hp = 0;
        out.result = kKilled;
        kill(attacker, target, items, exp);
    }
    std::string body = "{\"attacker\":" + std::to_string(attacker.id) + ",\"target\":" + std::to_string(target_id) +
                       ",\"skillId\":" + std::to_string(skill_id) +
                       ",\"result\":{\"result\":" + std::to_string(out.result) +
                       ",\"damage\":" + std::to_string(out.damage) + ",\"mpUse\":" + std::to_string(skill->mp);
    if (out.result == kKilled && items != "[]") body += ",\"items\":" + items;
    body += "}";
    if (exp >= 0) body += ",\"exp\":" + std::to_string(exp);
    if (out.result == kKilled && !mob_target) body += ",\"reviveTime\":" + std::to_string(options_.revive_ms);
    body += "}";
    push(player_watchers(attacker.pos()), "onAttack", body);
    // A dead mob leaves after the watchers heard of its death (they get onRemoveEntities next).
    if (out.result == kKilled && mob_target) remove_entity(target_id);
    return out;
}

void Area::kill(Character &attacker, Character &target, std::string &items_json, std::int64_t &exp_out) {
    target.died = true;
    target.target = 0;
    target.haters.clear();
    stop_moving(target);
    attacker.target = 0;
    if (target.type == EntityType::mob) {
        auto &mob = static_cast<Mob &>(target);
        if (attacker.type == EntityType::player) {
            auto &killer = static_cast<Player &>(attacker);
            const CharacterKind *k = data_.character(mob.kind_id);
            gain_exp(killer, formula::kill_exp(k ? k->base_exp : 1, killer.level, mob.level));
            exp_out = killer.experience;
            drop_items(killer, mob, items_json);
            count_kill(killer, mob);
        }
        if (mob.zone < zones_.size()) zones_[mob.zone]->count--;
        return;  // try_attack removes it once onAttack is out
    }
    auto &victim = static_cast<Player &>(target);
    if (attacker.type == EntityType::player) count_kill(static_cast<Player &>(attacker), victim);
    victim.revive_at = now_ + options_.revive_ms;
    victim.dirty = true;
    for (auto &kv : entities_) {
        if (kv.second->type != EntityType::mob && kv.second->type != EntityType::player) continue;
        auto &c = static_cast<Character &>(*kv.second);
        c.haters.erase(victim.id);
        if (c.target == victim.id) {
            c.target = c.most_hated();
            stop_moving(c);
        }
    }
}

void Area::gain_exp(Player &p, std::int64_t exp) {
    p.experience += exp;
    const CharacterKind *k = data_.character(p.kind_id);
    bool upgraded = false;
    while (p.next_level_exp > 0 && p.experience >= p.next_level_exp && p.level < data_.max_level()) {
        p.experience -= p.next_level_exp;
        p.level += 1;
        if (k) {
            p.max_hp += formula::level_up_gain(k->upgrade_param, k->hp);
            p.max_mp += formula::level_up_gain(k->upgrade_param, k->mp);
            p.attack += formula::level_up_gain(k->upgrade_param, k->attack);
            p.defence += formula::level_up_gain(k->upgrade_param, k->defence);
        }
        p.hp = p.max_hp;
        p.mp = p.max_mp;
        p.skill_point += 1;
        p.next_level_exp = data_.next_level_exp(p.level);
        upgraded = true;
    }
    p.dirty = true;
    if (upgraded) {
        std::string body;
        p.write_stripped(body);
        push({p.id}, "onUpgrade", body);
    }
}

void Area::drop_items(Player &killer, Mob &mob, std::string &items_json) {
    std::uniform_real_distribution<double> u(0, 1);
    const int count = std::max(options_.min_drops, formula::drop_count(u(rng_)));
    const int lv = std::min(mob.level, killer.level);
    items_json = "[";
    for (int i = 0; i < count; ++i) {
        auto g = std::make_unique<GroundItem>();
        if (u(rng_) < 0.6) {
            std::vector<const ItemKind *> fit;
            for (const auto &kv : data_.items())
                if (kv.second.hero_level <= std::max(lv, 1)) fit.push_back(&kv.second);
            if (fit.empty()) continue;
            const ItemKind *pick = fit[std::uniform_int_distribution<size_t>(0, fit.size() - 1)(rng_)];
            g->type = EntityType::item;
            g->kind_id = pick->id;
            g->kind_name = pick->name;
        } else {
            int level = formula::equipment_drop_level(mob.level, killer.level,
                                                      std::uniform_real_distribution<double>(0, 4)(rng_));
            std::vector<const EquipmentKind *> fit;
            for (; level >= 1 && fit.empty(); --level)
                for (const auto &kv : data_.equipments())
                    if (kv.second.hero_level == level) fit.push_back(&kv.second);
            if (fit.empty()) continue;
            const EquipmentKind *pick = fit[std::uniform_int_distribution<size_t>(0, fit.size() - 1)(rng_)];
            g->type = EntityType::equipment;
            g->kind_id = pick->id;
            g->kind_name = pick->name;
        }
        // A reachable point within 100 px of the mob (10 tries), else where it fell.
        Point at = mob.pos();
        std::uniform_int_distribution<int> off(-100, 100);
        for (int t = 0; t < 10; ++t) {
            Point p{std::floor(mob.x + off(rng_)), std::floor(mob.y + off(rng_))};
            if (map_.reachable(p.x, p.y)) {
                at = p;
                break;
            }
        }
        g->id = next_id();
        g->x = at.x;
        g->y = at.y;
        g->player_id = killer.player_id;
        g->expires_at = now_ + options_.item_life_ms;
        if (items_json.size() > 1) items_json += ",";
        g->write_json(items_json);
        add_entity(std::move(g));
    }
    items_json += "]";
}

bool Area::attack(Player &p, EntityId target) {
    Entity *e = entity(target);
    if (!e || (e->type != EntityType::mob && e->type != EntityType::player) || target == p.id) return false;
    if (static_cast<Character *>(e)->died) return false;
    stop_moving(p);
    p.target = target;
    return true;
}

AttackOutcome Area::use_skill(Player &p, int skill_id) {
    AttackOutcome out;
    Entity *e = entity(p.target);
    if (!e || (e->type != EntityType::mob && e->type != EntityType::player)) return out;
    return try_attack(p, static_cast<Character &>(*e), skill_id);
}

bool Area::pick(Player &p, EntityId item) {
    Entity *e = entity(item);
    if (!e || (e->type != EntityType::item && e->type != EntityType::equipment)) return false;
    stop_moving(p);
    p.target = item;
    return true;
}

int Area::try_pick(Player &p, GroundItem &item) {
    if (distance(p, item) > 200) return kPickNotInRange;
    const int slot = p.bag_free_slot();
    if (slot < 0) return kPickBagFull;
    p.bag[static_cast<size_t>(slot)] = BagSlot{item.kind_id, item.type};
    p.dirty = true;
    std::string body = "{\"player\":" + std::to_string(p.id) + ",\"item\":" + std::to_string(item.id) +
                       ",\"index\":" + std::to_string(slot + 1) + "}";
    // Watchers of the item, before it goes; the picker always learns it.
    std::vector<EntityId> to = player_watchers(item.pos());
    if (std::find(to.begin(), to.end(), p.id) == to.end()) to.push_back(p.id);
    if (p.target == item.id) p.target = 0;
    remove_entity(item.id);
    push(to, "onPickItem", body);
    return kSuccess;
}

bool Area::npc_talk(Player &p, EntityId npc) {
    Entity *e = entity(npc);
    if (!e || e->type != EntityType::npc) return false;
    stop_moving(p);
    p.target = npc;
    return true;
}

bool Area::try_talk(Player &p, Npc &npc) {
    if (distance(p, npc) > 100) return false;
    const TalkRow *talk = data_.talk(npc.kind_id);
    std::string body = "{\"npc\":" + std::to_string(npc.id) + ",\"npcword\":";
    json_quote(body, talk ? talk->npc_word : std::string());
    body += ",\"myword\":";
    json_quote(body, talk ? talk->my_word : std::string());
    body += ",\"player\":" + std::to_string(p.id) + ",\"kindId\":" + std::to_string(npc.kind_id);
    const NpcKind *kind = data_.npc(npc.kind_id);
    if (kind && kind->kind_type == 1 && kind->target_area > 0)
        body += ",\"action\":\"changeArea\",\"params\":{\"target\":" + std::to_string(kind->target_area) + "}";
    body += "}";
    p.target = 0;
    push({p.id}, "onNPCTalk", body);
    return true;
}

}  // namespace mmo::world
