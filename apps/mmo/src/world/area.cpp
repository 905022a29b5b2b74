#include "world/area.hpp"

#include "world/brain.hpp"
#include "world/formula.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mmo::world {

namespace {

using shd::aoi::EntityRef;
using shd::aoi::TypeId;

TypeId aoi_type(EntityType t) {
    return static_cast<TypeId>(t);
}
constexpr TypeId kPlayerType = static_cast<TypeId>(EntityType::player);
constexpr TypeId kMobType = static_cast<TypeId>(EntityType::mob);

shd::aoi::Config aoi_config(const AreaKind &kind, const SceneMap &map) {
    shd::aoi::Config c;
    c.width = map.width();
    c.height = map.height();
    c.tower_width = kind.tower_width > 0 ? kind.tower_width : 300;
    c.tower_height = kind.tower_height > 0 ? kind.tower_height : 300;
    c.types = kEntityTypes;
    return c;
}

}  // namespace

const char *to_string(MoveCheck c) {
    switch (c) {
        case MoveCheck::ok: return "ok";
        case MoveCheck::bad_path: return "a path needs 2 to 64 points inside the map";
        case MoveCheck::far_start: return "the path does not start where the player is";
        case MoveCheck::blocked: return "the path crosses a wall";
        case MoveCheck::too_long: return "the path is longer than the player can walk";
        case MoveCheck::dead: return "the player is dead";
    }
    return "?";
}

PlayerRecord PlayerRecord::fresh(const CharacterKind &kind, std::int64_t id, const std::string &name, double x,
                                 double y) {
    PlayerRecord r;
    r.id = id;
    r.kind_id = kind.id;
    r.name = name;
    r.hp = r.max_hp = kind.hp;
    r.mp = r.max_mp = kind.mp;
    r.attack = kind.attack;
    r.defence = kind.defence;
    r.hit_rate = kind.hit_rate;
    r.dodge_rate = kind.dodge_rate;
    r.walk_speed = kind.walk_speed;
    r.attack_speed = kind.attack_speed;
    r.x = x;
    r.y = y;
    r.bag.resize(20);
    r.skills[1] = 1;
    return r;
}

Area::Area(const GameData &data, const AreaKind &kind, SceneMap map, PushSink &sink, AreaOptions options)
    : data_(data),
      kind_(kind),
      map_(std::move(map)),
      sink_(sink),
      options_(options),
      rng_(options.seed),
      aoi_(aoi_config(kind, map_)) {
    for (const MobZoneSpec &spec : map_.zones()) {
        if (!data_.character(spec.mob_kind)) continue;  // a zone of an unknown kind spawns nothing
        auto z = std::make_unique<Zone>();
        z->spec = spec;
        z->last_generation = -options_.respawn_ms;
        zones_.push_back(std::move(z));
    }
    for (const NpcSpec &spec : map_.npcs()) {
        auto n = std::make_unique<Npc>();
        n->id = next_id();
        n->type = EntityType::npc;
        n->kind_id = spec.kind;
        if (const NpcKind *k = data_.npc(spec.kind)) n->kind_name = k->name;
        n->x = spec.x;
        n->y = spec.y;
        add_entity(std::move(n));
    }
    // Zones start full; afterwards they refill by the rule of §3.5 (≤ 3 every 5 s).
    for (size_t i = 0; i < zones_.size(); ++i) {
        Zone &z = *zones_[i];
        while (z.count < z.spec.limit) {
            Point at;
            if (!map_.random_point(z.spec.rect, rng_, at)) break;
            spawn_mob(i, z.spec.mob_kind, z.spec.level, at);
        }
    }
}

Area::~Area() = default;

EntityId Area::next_id() {
    static EntityId counter = 0;  // process-wide, from 1, as Lord of Pomelo's entity ids
    return ++counter;
}

void Area::push(const std::vector<EntityId> &to, const char *route, const std::string &body) {
    if (!to.empty()) sink_.push(to, route, body);
}

std::vector<EntityId> Area::player_watchers(Point at) const {
    std::vector<EntityRef> refs;
    aoi_.watchers_of({at.x, at.y}, {kPlayerType}, refs);
    std::vector<EntityId> out;
    out.reserve(refs.size());
    for (const EntityRef &r : refs) out.push_back(r.id);
    return out;
}

std::vector<EntityId> Area::all_players() const {
    std::vector<EntityId> out;
    out.reserve(players_.size());
    for (const auto &kv : players_) out.push_back(kv.first);
    return out;
}

// onAddEntities: {type: [entity...]} of the given entities, to each recipient but `except`.
void Area::push_add(const std::vector<EntityId> &to, const std::vector<EntityId> &ids, EntityId except) {
    std::vector<EntityId> recipients;
    for (EntityId r : to)
        if (r != except) recipients.push_back(r);
    if (recipients.empty() || ids.empty()) return;
    std::string by_type[kEntityTypes];
    for (EntityId id : ids) {
        const Entity *e = entity(id);
        if (!e) continue;
        std::string &s = by_type[static_cast<int>(e->type)];
        s += s.empty() ? "[" : ",";
        e->write_json(s);
    }
    std::string body = "{";
    for (int t = 0; t < kEntityTypes; ++t) {
        if (by_type[t].empty()) continue;
        if (body.size() > 1) body += ",";
        body += "\"" + std::string(type_name(static_cast<EntityType>(t))) + "\":" + by_type[t] + "]";
    }
    body += "}";
    if (body.size() > 2) push(recipients, "onAddEntities", body);
}

void Area::push_remove(const std::vector<EntityId> &to, const std::vector<EntityId> &ids, EntityId except) {
    std::vector<EntityId> recipients;
    for (EntityId r : to)
        if (r != except) recipients.push_back(r);
    if (recipients.empty() || ids.empty()) return;
    std::string body = "{\"entities\":[";
    for (size_t i = 0; i < ids.size(); ++i) body += (i ? "," : "") + std::to_string(ids[i]);
    body += "]}";
    push(recipients, "onRemoveEntities", body);
}

// A mob watches only its own tower: a live player coming into it is hated (+1), and taken as the
// target by a mob without one (§3.6).
void Area::aggro(const std::vector<EntityId> &mob_watchers, Player &p) {
    if (p.died) return;
    for (EntityId id : mob_watchers) {
        Entity *e = entity(id);
        if (!e || e->type != EntityType::mob) continue;
        auto &mob = static_cast<Mob &>(*e);
        if (mob.died) continue;
        mob.add_hate(p.id, 1);
        if (!mob.target) mob.target = p.id;
    }
}

void Area::add_entity(std::unique_ptr<Entity> owned) {
    Entity &e = *owned;
    const EntityId id = e.id;
    entities_[id] = std::move(owned);
    const shd::aoi::Position at{e.x, e.y};
    shd::aoi::Change added = aoi_.add_object(id, aoi_type(e.type), at);
    if (!added.ok()) throw std::logic_error(std::string("aoi add_object: ") + shd::aoi::to_string(added.status));
    std::vector<EntityId> players, mobs;
    for (const EntityRef &w : added.entered) (w.type == kPlayerType ? players : mobs).push_back(w.id);
    if (e.type == EntityType::player) {
        auto &p = static_cast<Player &>(e);
        players_[id] = &p;
        aoi_.add_watcher(id, kPlayerType, at, p.range);
        push_add(players, {id}, id);
        aggro(mobs, p);
    } else if (e.type == EntityType::mob) {
        aoi_.add_watcher(id, kMobType, at, 0);
        push_add(players, {id});
        // A new mob without a target takes a player already in its tower.
        std::vector<EntityRef> here;
        aoi_.ids_by_range(at, 0, {kPlayerType}, here);
        auto &mob = static_cast<Mob &>(e);
        for (const EntityRef &r : here) {
            Player *p = player(r.id);
            if (p && !p->died) {
                mob.add_hate(p->id, 1);
                if (!mob.target) mob.target = p->id;
            }
        }
    }
    // Items, equipment and NPCs: nothing; viewers learn drops from onAttack and from their own moves.
}

void Area::remove_entity(EntityId id) {
    auto it = entities_.find(id);
    if (it == entities_.end()) return;
    Entity &e = *it->second;
    shd::aoi::Change removed = aoi_.remove_object(id);
    std::vector<EntityId> players;
    for (const EntityRef &w : removed.entered) players.push_back(w.id);  // remove reports its watchers here
    for (const EntityRef &w : removed.left) players.push_back(w.id);
    std::vector<EntityId> watchers;
    for (EntityId w : players)
        if (player(w)) watchers.push_back(w);
    if (aoi_.has_watcher(id)) aoi_.remove_watcher(id);
    if (e.type == EntityType::player || e.type == EntityType::mob) push_remove(watchers, {id}, id);
    // Nobody keeps hating or targeting what left.
    for (auto &kv : entities_) {
        if (kv.first == id) continue;
        if (kv.second->type != EntityType::player && kv.second->type != EntityType::mob) continue;
        auto &c = static_cast<Character &>(*kv.second);
        c.haters.erase(id);
        if (c.target == id) c.target = 0;
    }
    players_.erase(id);
    entities_.erase(it);
}

void Area::set_position(Entity &e, Point p) {
    e.x = p.x;
    e.y = p.y;
    const shd::aoi::Position at{p.x, p.y};
    shd::aoi::Change moved = aoi_.update_object(e.id, at);
    if (moved.ok() && moved.moved) {
        std::vector<EntityId> add_to, remove_from, mobs;
        for (const EntityRef &w : moved.entered) (w.type == kPlayerType ? add_to : mobs).push_back(w.id);
        for (const EntityRef &w : moved.left)
            if (w.type == kPlayerType) remove_from.push_back(w.id);
        push_add(add_to, {e.id}, e.id);
        push_remove(remove_from, {e.id}, e.id);
        if (e.type == EntityType::player) aggro(mobs, static_cast<Player &>(e));
    }
    if (e.type == EntityType::player || e.type == EntityType::mob) {
        const int range = e.type == EntityType::player ? static_cast<Player &>(e).range : 0;
        shd::aoi::Change view = aoi_.update_watcher(e.id, at, range);
        if (view.ok() && e.type == EntityType::player) {
            std::vector<EntityId> in, out;
            for (const EntityRef &o : view.entered)
                if (o.id != e.id) in.push_back(o.id);
            for (const EntityRef &o : view.left)
                if (o.id != e.id) out.push_back(o.id);
            push_add({e.id}, in);
            push_remove({e.id}, out);
        }
    }
    if (e.type == EntityType::player) static_cast<Player &>(e).dirty = true;
}

Entity *Area::entity(EntityId id) const {
    auto it = entities_.find(id);
    return it == entities_.end() ? nullptr : it->second.get();
}

Player *Area::player(EntityId id) const {
    auto it = players_.find(id);
    return it == players_.end() ? nullptr : it->second;
}

Player *Area::player_by_id(std::int64_t player_id) const {
    for (const auto &kv : players_)
        if (kv.second->player_id == player_id) return kv.second;
    return nullptr;
}

std::vector<Mob *> Area::mobs() const {
    std::vector<Mob *> out;
    for (const auto &kv : entities_)
        if (kv.second->type == EntityType::mob) out.push_back(static_cast<Mob *>(kv.second.get()));
    std::sort(out.begin(), out.end(), [](Mob *a, Mob *b) { return a->id < b->id; });
    return out;
}

std::vector<GroundItem *> Area::ground_items() const {
    std::vector<GroundItem *> out;
    for (const auto &kv : entities_)
        if (kv.second->type == EntityType::item || kv.second->type == EntityType::equipment)
            out.push_back(static_cast<GroundItem *>(kv.second.get()));
    std::sort(out.begin(), out.end(), [](GroundItem *a, GroundItem *b) { return a->id < b->id; });
    return out;
}

Point Area::random_birth_point() {
    Point p;
    if (map_.random_point(map_.birth(), rng_, p, 50)) return p;
    return {map_.birth().x, map_.birth().y};
}

Player &Area::add_player(const PlayerRecord &r) {
    auto p = std::make_unique<Player>();
    p->id = next_id();
    p->type = EntityType::player;
    p->player_id = r.id;
    p->user_id = r.user_id;
    p->kind_id = r.kind_id;
    const CharacterKind *kind = data_.character(r.kind_id);
    p->kind_name = kind ? kind->name : "";
    p->name = r.name;
    p->level = std::clamp(r.level, 1, data_.max_level());
    p->experience = std::max<std::int64_t>(0, r.experience);
    p->max_hp = std::max(1, r.max_hp);
    p->max_mp = std::max(0, r.max_mp);
    p->hp = std::clamp(r.hp, 0, p->max_hp);
    p->mp = std::clamp(r.mp, 0, p->max_mp);
    p->attack = r.attack;
    p->defence = r.defence;
    p->hit_rate = r.hit_rate;
    p->dodge_rate = r.dodge_rate;
    p->walk_speed = r.walk_speed > 0 ? r.walk_speed : 240;
    p->attack_speed = r.attack_speed > 0 ? r.attack_speed : 1.2;
    p->area_id = kind_.id;
    p->skill_point = r.skill_point;
    p->team_id = r.team_id;
    p->is_captain = r.is_captain;
    p->skills = r.skills.empty() ? std::map<int, int>{{1, 1}} : r.skills;
    p->bag = r.bag;
    p->bag.resize(std::max<size_t>(p->bag.size(), 20));
    p->equipments = r.equipments;
    p->tasks = r.tasks;
    for (const auto &[slot, equip_id] : p->equipments) {
        if (const EquipmentKind *k = data_.equipment(equip_id)) {
            p->equip_attack += k->attack;
            p->equip_defence += k->defence;
        }
    }
    p->next_level_exp = data_.next_level_exp(p->level);
    const Point at = map_.reachable(r.x, r.y) ? Point{std::floor(r.x), std::floor(r.y)} : random_birth_point();
    p->x = at.x;
    p->y = at.y;
    if (p->hp == 0) {  // saved dead: comes back as a revive would
        p->hp = std::max(1, p->max_hp / 2);
    }
    p->tokens = options_.rate_burst;
    p->tokens_at = now_;
    p->brain = make_player_brain(*this, *p);
    Player &ref = *p;
    add_entity(std::move(p));
    ref.dirty = true;
    return ref;
}

void Area::remove_player(EntityId id) {
    if (player(id)) remove_entity(id);
}

PlayerRecord Area::record_of(const Player &p) const {
    PlayerRecord r;
    r.id = p.player_id;
    r.user_id = p.user_id;
    r.kind_id = p.kind_id;
    r.name = p.name;
    r.level = p.level;
    r.experience = p.experience;
    r.hp = p.hp;
    r.mp = p.mp;
    r.max_hp = p.max_hp;
    r.max_mp = p.max_mp;
    r.attack = p.attack;
    r.defence = p.defence;
    r.hit_rate = p.hit_rate;
    r.dodge_rate = p.dodge_rate;
    r.walk_speed = p.walk_speed;
    r.attack_speed = p.attack_speed;
    r.area_id = p.area_id;
    r.x = std::floor(p.x);
    r.y = std::floor(p.y);
    r.skill_point = p.skill_point;
    r.bag = p.bag;
    r.equipments = p.equipments;
    r.skills = p.skills;
    r.tasks = p.tasks;
    return r;
}

std::vector<Player *> Area::take_dirty() {
    std::vector<Player *> out;
    for (auto &kv : players_) {
        if (kv.second->dirty) {
            kv.second->dirty = false;
            out.push_back(kv.second);
        }
    }
    return out;
}

std::string Area::enter_scene_json(const Player &p) const {
    std::vector<EntityRef> seen;
    aoi_.ids_by_range({p.x, p.y}, p.range, {0, 1, 2, 3, 4}, seen);
    std::string by_type[kEntityTypes];
    for (const EntityRef &r : seen) {
        const Entity *e = entity(r.id);
        if (!e) continue;
        std::string &s = by_type[static_cast<int>(e->type)];
        s += s.empty() ? "[" : ",";
        e->write_json(s);
    }
    std::string out = "{\"entities\":{";
    bool first = true;
    for (int t = 0; t < kEntityTypes; ++t) {
        if (!first) out += ",";
        first = false;
        out += "\"" + std::string(type_name(static_cast<EntityType>(t))) +
               "\":" + (by_type[t].empty() ? "[" : by_type[t]) + "]";
    }
    out += "},\"curPlayer\":";
    std::string cur;
    p.write_stripped(cur);
    cur.pop_back();  // reopen the object for bag, equipments, skills and tasks
    cur += ",\"bag\":{\"id\":" + std::to_string(p.player_id) + ",\"itemCount\":" + std::to_string(p.bag.size()) +
           ",\"items\":[";
    bool any = false;
    for (size_t i = 0; i < p.bag.size(); ++i) {
        if (!p.bag[i].id) continue;
        cur += std::string(any ? "," : "") + "{\"key\":" + std::to_string(i + 1) +
               ",\"id\":" + std::to_string(p.bag[i].id) + ",\"type\":\"" + type_name(p.bag[i].type) + "\"}";
        any = true;
    }
    cur += "]},\"equipments\":{";
    for (int i = 0; i < 9; ++i) {
        auto it = p.equipments.find(kEquipSlots[i]);
        cur += std::string(i ? "," : "") + "\"" + kEquipSlots[i] +
               "\":" + std::to_string(it == p.equipments.end() ? 0 : it->second);
    }
    cur += "},\"fightSkills\":[";
    any = false;
    for (const auto &[id, level] : p.skills) {
        cur +=
            std::string(any ? "," : "") + "{\"id\":" + std::to_string(id) + ",\"level\":" + std::to_string(level) + "}";
        any = true;
    }
    cur += "],\"curTasks\":[";
    any = false;
    for (const TaskState &t : p.tasks) {
        if (t.state >= 2) continue;
        if (any) cur += ",";
        cur += task_json(t);
        any = true;
    }
    cur += "]}";
    out += cur;
    out += ",\"map\":" + map_.client_json(kind_.name) + "}";
    return out;
}

bool Area::allow_request(Player &p) {
    const double elapsed = static_cast<double>(now_ - p.tokens_at) / 1000.0;
    p.tokens = std::min(options_.rate_burst, p.tokens + elapsed * options_.rate_per_second);
    p.tokens_at = now_;
    if (p.tokens < 1) return false;
    p.tokens -= 1;
    return true;
}

void Area::change_view(Player &p, double width, double height) {
    // Lord of Pomelo: range = ceil(max(width, height) / 600) towers, within the AOI's limit.
    const int range = std::clamp(static_cast<int>(std::ceil(std::max(width, height) / 600)), 1, aoi_.range_limit());
    if (range == p.range) return;
    p.range = range;
    shd::aoi::Change view = aoi_.update_watcher(p.id, {p.x, p.y}, range);
    if (!view.ok()) return;
    std::vector<EntityId> in, out;
    for (const EntityRef &o : view.entered)
        if (o.id != p.id) in.push_back(o.id);
    for (const EntityRef &o : view.left)
        if (o.id != p.id) out.push_back(o.id);
    push_add({p.id}, in);
    push_remove({p.id}, out);
}

void Area::spawn_zones() {
    for (size_t i = 0; i < zones_.size(); ++i) {
        Zone &z = *zones_[i];
        if (z.count >= z.spec.limit) {
            z.last_generation = now_;  // a full zone keeps resetting the clock: respawn 5 s after a kill
            continue;
        }
        if (now_ - z.last_generation < options_.respawn_ms) continue;
        z.last_generation = now_;
        for (int n = 0; n < 3 && z.count < z.spec.limit; ++n) {
            Point at;
            if (!map_.random_point(z.spec.rect, rng_, at)) break;
            spawn_mob(i, z.spec.mob_kind, z.spec.level, at);
        }
    }
}

Mob &Area::spawn_mob(size_t zone, int kind_id, int level, Point at) {
    const CharacterKind &k = *data_.character(kind_id);
    auto m = std::make_unique<Mob>();
    m->id = next_id();
    m->type = EntityType::mob;
    m->kind_id = kind_id;
    m->kind_name = k.name;
    m->english_name = k.english_name;
    m->zone = zone;
    m->level = level;
    m->max_hp = m->hp = formula::mob_stat(k.hp, k.upgrade_param, level);
    m->max_mp = m->mp = formula::mob_stat(k.mp, k.upgrade_param, level);
    m->attack = formula::mob_stat(k.attack, k.upgrade_param, level);
    m->defence = formula::mob_stat(k.defence, k.upgrade_param, level);
    m->hit_rate = k.hit_rate;
    m->dodge_rate = k.dodge_rate;
    m->walk_speed = k.walk_speed;
    m->attack_speed = k.attack_speed;
    m->skills[1] = 1;
    m->x = at.x;
    m->y = at.y;
    m->spawn = at;
    // Patrol: 3 chained points 100-199 px away on both axes, each reachable, then back home.
    Point cur = at;
    std::uniform_int_distribution<int> off(100, 199), sign(0, 1);
    for (int i = 0; i < 3; ++i) {
        for (int attempt = 0; attempt < 10; ++attempt) {
            double nx = cur.x + (sign(rng_) ? 1 : -1) * off(rng_);
            double ny = cur.y + (sign(rng_) ? 1 : -1) * off(rng_);
            if (nx < 0 || nx >= map_.width()) nx = 2 * cur.x - nx;
            if (ny < 0 || ny >= map_.height()) ny = 2 * cur.y - ny;
            shd::path::PointPath p = map_.find_path(cur, {nx, ny});
            if (p.found() && p.cost <= 300) {
                m->patrol.push_back({nx, ny});
                cur = {nx, ny};
                break;
            }
        }
    }
    m->patrol.push_back(at);
    m->rest_ticks = std::uniform_int_distribution<int>(0, 50)(rng_);
    m->brain = make_mob_brain(*this, *m);
    Mob &ref = *m;
    if (zone < zones_.size()) zones_[zone]->count++;
    add_entity(std::move(m));
    return ref;
}

void Area::add_mob_for_test(int kind, int level, Point at) {
    spawn_mob(zones_.size(), kind, level, at);
}

void Area::expire_items() {
    std::vector<EntityId> gone;
    for (const auto &kv : entities_) {
        const Entity &e = *kv.second;
        if ((e.type == EntityType::item || e.type == EntityType::equipment) &&
            static_cast<const GroundItem &>(e).expires_at <= now_)
            gone.push_back(e.id);
    }
    if (gone.empty()) return;
    for (EntityId id : gone) remove_entity(id);
    push_remove(all_players(), gone);  // the area channel, as Lord of Pomelo's timer does
}

void Area::revive_players() {
    for (auto &kv : players_) {
        Player &p = *kv.second;
        if (!p.died || p.revive_at > now_) continue;
        p.died = false;
        p.hp = std::max(1, p.max_hp / 2);
        set_position(p, random_birth_point());
        p.dirty = true;
        push(player_watchers(p.pos()), "onRevive",
             "{\"entityId\":" + std::to_string(p.id) + ",\"x\":" + std::to_string(static_cast<long>(p.x)) +
                 ",\"y\":" + std::to_string(static_cast<long>(p.y)) + ",\"hp\":" + std::to_string(p.hp) + "}");
    }
}

void Area::tick(std::int64_t now_ms) {
    now_ = now_ms;
    ++ticks_;
    spawn_zones();
    expire_items();
    revive_players();
    advance_moves();
    think();
}

void Area::think() {
    // Ids first: a brain may kill, remove or spawn entities.
    std::vector<EntityId> ids;
    ids.reserve(entities_.size());
    for (const auto &kv : entities_)
        if (kv.second->type == EntityType::player || kv.second->type == EntityType::mob) ids.push_back(kv.first);
    std::sort(ids.begin(), ids.end());
    for (EntityId id : ids) {
        Entity *e = entity(id);
        if (!e) continue;
        auto &c = static_cast<Character &>(*e);
        if (!c.died && c.brain) c.brain->tick();
    }
}

}  // namespace mmo::world
