// The MMO's game model (apps/mmo/src/world) without a server: the formulas, the committed game data and
// maps, and areas driven tick by tick with a simulated clock (100 ms a tick), their pushes recorded.
#include "world/area.hpp"
#include "world/formula.hpp"

#include <shaddock/path/tiled_map.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <cppunit/extensions/HelperMacros.h>

namespace mmo::world {
namespace {

struct Pushed {
    std::vector<EntityId> to;
    std::string route;
    std::string body;
};

class RecordingSink : public PushSink {
public:
    void push(const std::vector<EntityId> &to, const char *route, const std::string &body) override {
        pushes.push_back({to, route, body});
    }
    // Pushes of a route that went to `who` (0: to anyone).
    std::vector<Pushed> of(const std::string &route, EntityId who = 0) const {
        std::vector<Pushed> out;
        for (const Pushed &p : pushes) {
            if (p.route != route) continue;
            if (who && std::find(p.to.begin(), p.to.end(), who) == p.to.end()) continue;
            out.push_back(p);
        }
        return out;
    }
    std::vector<Pushed> pushes;
};

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

const GameData &data() {
    static const GameData d = GameData::load(MMO_APP_DIR);
    return d;
}

// A 3000 x 3000 open field with the birth rectangle at the top left.
AreaKind field_kind() {
    AreaKind k;
    k.id = 1;
    k.name = "field";
    k.width = k.height = 3000;
    return k;
}

SceneMap field_map() {
    return SceneMap::blank(3000, 3000, Rect{100, 100, 40, 40});
}

PlayerRecord hero(std::int64_t id, double x, double y) {
    return PlayerRecord::fresh(*data().character(210), id, "hero" + std::to_string(id), x, y);
}

// Runs ticks of 100 ms until cond holds or `limit_ms` of game time passed.
template <class Cond>
bool run_until(Area &area, Cond cond, std::int64_t limit_ms = 60000) {
    const std::int64_t end = area.now() + limit_ms;
    while (area.now() < end) {
        area.tick(area.now() + 100);
        if (cond()) return true;
    }
    return false;
}

}  // namespace

class WorldTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(WorldTest);
    CPPUNIT_TEST(formulas);
    CPPUNIT_TEST(game_data_tables);
    CPPUNIT_TEST(scene_maps);
    CPPUNIT_TEST(players_see_each_other);
    CPPUNIT_TEST(move_is_verified);
    CPPUNIT_TEST(move_walks_at_walk_speed);
    CPPUNIT_TEST(killing_a_mob_gives_exp_and_drops);
    CPPUNIT_TEST(level_up);
    CPPUNIT_TEST(zone_respawns_after_five_seconds);
    CPPUNIT_TEST(mob_chases_and_attacks_a_player);
    CPPUNIT_TEST(dead_player_revives);
    CPPUNIT_TEST(npc_talk_and_traverse);
    CPPUNIT_TEST(rate_limit);
    CPPUNIT_TEST(enter_scene_body);
    CPPUNIT_TEST(player_kills_a_desert_mob);
    CPPUNIT_TEST(bag_equipment_and_skills);
    CPPUNIT_TEST(tasks);
    CPPUNIT_TEST_SUITE_END();

public:
    void formulas() {
        // Worked by hand: A=23, D=9: m = sqrt(14)/5 + 1 = 1.74833; f = (14/5)^-0.33 = 0.71179;
        // base = ceil(23 * 0.71179 * 1.74833 * 1.0) = ceil(28.62) = 29.
        CPPUNIT_ASSERT_EQUAL(29, formula::damage(23, 9, 1.0, 1.0, 1000));
        CPPUNIT_ASSERT_EQUAL(35, formula::damage(23, 9, 1.0, 1.2, 1000));  // ceil(1.2 * 29)
        CPPUNIT_ASSERT_EQUAL(10, formula::damage(23, 9, 1.0, 1.0, 10));    // never more than the target's hp
        // A <= D: m = 0.8 / (sqrt(0)/5 + 1) = 0.8; f = 4^-0.33 = 0.63290; ceil(15 * 0.6329 * 0.8) = 8.
        CPPUNIT_ASSERT_EQUAL(8, formula::damage(15, 15, 1.0, 1.0, 1000));
        CPPUNIT_ASSERT_EQUAL(1, formula::damage(0, 500, 1.0, 1.0, 1000));  // at least 1
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.3, formula::skill_factor(1.1, 0.1, 3), 1e-9);
        CPPUNIT_ASSERT_EQUAL(104, formula::mob_stat(80, 0.3, 2));  // round(80 * 1.3)
        CPPUNIT_ASSERT_EQUAL(80, formula::mob_stat(80, 0.3, 1));
        // Same level: d = 0, m = 1/1 -> base * level. Level 1 player, level 3 mob: m = 2^1.5/6 + 1.
        CPPUNIT_ASSERT_EQUAL(std::int64_t(8), formula::kill_exp(8, 1, 1));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(std::floor(6 * 3 * (std::pow(2, 1.5) / 6 + 1))), formula::kill_exp(6, 1, 3));
        // A player far above the mob gets little, but at least 1.
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), formula::kill_exp(8, 60, 1));
        // Far below: capped at 5 times.
        CPPUNIT_ASSERT_EQUAL(std::int64_t(8 * 90 * 5), formula::kill_exp(8, 1, 90));
        CPPUNIT_ASSERT_EQUAL(66, formula::level_up_gain(0.3, 220));
        CPPUNIT_ASSERT_EQUAL(0, formula::drop_count(0.47));
        CPPUNIT_ASSERT_EQUAL(1, formula::drop_count(0.5));
        CPPUNIT_ASSERT_EQUAL(2, formula::drop_count(0.99));
        CPPUNIT_ASSERT_EQUAL(30, formula::equipment_drop_level(40, 30, 0));      // s = 0: 30 - floor(25/81)
        CPPUNIT_ASSERT_EQUAL(6, formula::equipment_drop_level(40, 30, 3.9999));  // 30 - floor(24.997)
        CPPUNIT_ASSERT_EQUAL(1, formula::equipment_drop_level(1, 1, 3.9));
    }

    void game_data_tables() {
        const GameData &d = data();
        const CharacterKind *angle = d.character(210);
        CPPUNIT_ASSERT(angle && angle->playable);
        CPPUNIT_ASSERT_EQUAL(220, angle->hp);
        CPPUNIT_ASSERT_EQUAL(23, angle->attack);
        CPPUNIT_ASSERT_EQUAL(9, angle->defence);
        CPPUNIT_ASSERT_EQUAL(240.0, angle->walk_speed);
        const CharacterKind *alchemist = d.character(211);
        CPPUNIT_ASSERT(alchemist && alchemist->playable);
        CPPUNIT_ASSERT_EQUAL(60, alchemist->mp);
        CPPUNIT_ASSERT_EQUAL(15000, d.character(203)->hp);
        CPPUNIT_ASSERT(!d.character(203)->playable);
        CPPUNIT_ASSERT_EQUAL(200.0, d.skill(8)->distance);
        CPPUNIT_ASSERT_EQUAL(100.0, d.skill(1)->distance);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(58), d.next_level_exp(1));
        CPPUNIT_ASSERT(d.next_level_exp(50) > d.next_level_exp(49));
        CPPUNIT_ASSERT_EQUAL(100, d.max_level());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), d.next_level_exp(100));
        CPPUNIT_ASSERT_EQUAL(size_t(13), d.items().size());
        CPPUNIT_ASSERT_EQUAL(size_t(112), d.equipments().size());
        CPPUNIT_ASSERT_EQUAL(2, d.npc(301)->target_area);
        CPPUNIT_ASSERT_EQUAL(0, d.npc(304)->kind_type);
        CPPUNIT_ASSERT(d.talk(301) != nullptr);
        CPPUNIT_ASSERT_EQUAL(size_t(5), d.areas().size());
    }

    void scene_maps() {
        // id, size, zones, npcs, collision objects (LORDOFPOMELO.md §1.3).
        const struct {
            int id;
            double w, h;
            size_t zones, npcs, collisions;
        } want[] = {{1, 4200, 2800, 8, 4, 70},
                    {2, 6000, 4000, 12, 4, 145},
                    {3, 6500, 4800, 15, 4, 131},
                    {4, 1600, 1100, 1, 1, 3},
                    {5, 2560, 1440, 7, 1, 11}};
        for (const auto &w : want) {
            const AreaKind &kind = *data().area(w.id);
            const std::string file = data().app_dir + kind.map_path;
            const shd::path::TiledMap tiled = shd::path::load_tiled_map(file);
            CPPUNIT_ASSERT_EQUAL(w.collisions, tiled.layer("collision")->objects.size());
            SceneMap m = SceneMap::load(file, kind.width, kind.height);
            CPPUNIT_ASSERT_EQUAL(w.w, m.width());
            CPPUNIT_ASSERT_EQUAL(w.h, m.height());
            CPPUNIT_ASSERT_EQUAL(w.zones, m.zones().size());
            CPPUNIT_ASSERT_EQUAL(w.npcs, m.npcs().size());
            // Everything important stands on walkable ground and can be walked to from the birth place.
            const Point birth{m.birth().x + m.birth().width / 2, m.birth().y + m.birth().height / 2};
            CPPUNIT_ASSERT(m.reachable(birth.x, birth.y));
            std::mt19937 rng(7);
            for (const MobZoneSpec &z : m.zones()) {
                Point p;
                CPPUNIT_ASSERT(m.random_point(z.rect, rng, p));
                CPPUNIT_ASSERT_MESSAGE(file + ": zone " + std::to_string(z.id), m.find_path(birth, p).found());
            }
            for (const NpcSpec &n : m.npcs()) CPPUNIT_ASSERT(m.find_path(birth, {n.x, n.y}).found());
            // Some tiles are blocked, and the client's weightMap lists them.
            CPPUNIT_ASSERT(contains(m.client_json(kind.name), "\"length\":"));
        }
    }

    void players_see_each_other() {
        RecordingSink sink;
        Area area(data(), field_kind(), field_map(), sink);
        Player &a = area.add_player(hero(1, 500, 500));
        CPPUNIT_ASSERT(sink.of("onAddEntities").empty());  // nobody there to tell
        Player &b = area.add_player(hero(2, 600, 500));
        auto added = sink.of("onAddEntities", a.id);
        CPPUNIT_ASSERT_EQUAL(size_t(1), added.size());
        CPPUNIT_ASSERT(contains(added[0].body, "\"entityId\":" + std::to_string(b.id)));
        CPPUNIT_ASSERT(contains(added[0].body, "\"name\":\"hero2\""));
        CPPUNIT_ASSERT(sink.of("onAddEntities", b.id).empty());  // b learns of a from enterScene
        CPPUNIT_ASSERT(contains(area.enter_scene_json(b), "\"entityId\":" + std::to_string(a.id)));
        // b walks far away (range 2 = 5 x 5 towers of 300 px): a hears that b went out of view.
        sink.pushes.clear();
        CPPUNIT_ASSERT(area.move(b, {{600, 500}, {2600, 500}}) == MoveCheck::ok);
        CPPUNIT_ASSERT(run_until(area, [&] { return !b.move.active(); }));
        auto removed = sink.of("onRemoveEntities", a.id);
        CPPUNIT_ASSERT(!removed.empty());
        CPPUNIT_ASSERT(contains(removed.back().body, std::to_string(b.id)));
        // b walks back: a sees b again.
        sink.pushes.clear();
        CPPUNIT_ASSERT(area.move(b, {{2600, 500}, {700, 500}}) == MoveCheck::ok);
        CPPUNIT_ASSERT(run_until(area, [&] { return !b.move.active(); }));
        CPPUNIT_ASSERT(!sink.of("onAddEntities", a.id).empty());
        const EntityId b_id = b.id;
        area.remove_player(b_id);
        CPPUNIT_ASSERT(area.player(b_id) == nullptr);
        CPPUNIT_ASSERT(contains(sink.of("onRemoveEntities", a.id).back().body, "[" + std::to_string(b_id) + "]"));
    }

    void move_is_verified() {
        RecordingSink sink;
        SceneMap map = field_map();
        shd::path::block_rectangle(map.tiles(), 800, 0, 40, 1500);  // a wall from the top down to y 1500
        Area area(data(), field_kind(), std::move(map), sink);
        Player &p = area.add_player(hero(1, 500, 500));
        Player &watcher = area.add_player(hero(2, 560, 500));
        // Through the wall.
        CPPUNIT_ASSERT(area.move(p, {{500, 500}, {1100, 500}}) == MoveCheck::blocked);
        // A teleport: the path starts far from the player.
        CPPUNIT_ASSERT(area.move(p, {{1500, 2000}, {1600, 2000}}) == MoveCheck::far_start);
        // Too long for one request (walkSpeed 240 x 10 s x 1.5 = 3600 px).
        std::vector<Point> zigzag{{500, 500}};
        for (int i = 0; i < 12; ++i) zigzag.push_back({i % 2 ? 500.0 : 100.0, 500 + i * 20.0});
        zigzag.push_back({700, 2900});
        zigzag.push_back({100, 2900});
        CPPUNIT_ASSERT(area.move(p, zigzag) == MoveCheck::too_long);
        // Hostile shapes.
        CPPUNIT_ASSERT(area.move(p, {{500, 500}}) == MoveCheck::bad_path);
        CPPUNIT_ASSERT(area.move(p, {{500, 500}, {NAN, 10}}) == MoveCheck::bad_path);
        CPPUNIT_ASSERT(area.move(p, {{500, 500}, {-5, 10}}) == MoveCheck::bad_path);
        CPPUNIT_ASSERT(area.move(p, {{500, 500}, {5000, 10}}) == MoveCheck::bad_path);
        CPPUNIT_ASSERT(area.move(p, std::vector<Point>(65, Point{500, 500})) == MoveCheck::bad_path);
        CPPUNIT_ASSERT(sink.of("onMove").empty());
        // Around the wall's end is fine; the watcher hears of it, the mover does not.
        CPPUNIT_ASSERT(area.move(p, {{505, 500}, {700, 1600}, {1000, 1600}, {1000, 500}}) == MoveCheck::ok);
        auto moves = sink.of("onMove");
        CPPUNIT_ASSERT_EQUAL(size_t(1), moves.size());
        CPPUNIT_ASSERT(std::find(moves[0].to.begin(), moves[0].to.end(), watcher.id) != moves[0].to.end());
        CPPUNIT_ASSERT(std::find(moves[0].to.begin(), moves[0].to.end(), p.id) == moves[0].to.end());
        // The walk starts where the player stands, not 5 px away at path[0].
        CPPUNIT_ASSERT(contains(moves[0].body, "\"path\":[{\"x\":500,\"y\":500},{\"x\":505,\"y\":500}"));
        CPPUNIT_ASSERT(run_until(area, [&] { return !p.move.active(); }));
        CPPUNIT_ASSERT_EQUAL(1000.0, p.x);
        CPPUNIT_ASSERT_EQUAL(500.0, p.y);
        CPPUNIT_ASSERT(!sink.of("onPathCheckout", p.id).empty());
    }

    void move_walks_at_walk_speed() {
        RecordingSink sink;
        Area area(data(), field_kind(), field_map(), sink);
        Player &p = area.add_player(hero(1, 500, 500));
        area.tick(1000);
        CPPUNIT_ASSERT(area.move(p, {{500, 500}, {1500, 500}}) == MoveCheck::ok);
        for (int i = 1; i <= 10; ++i) area.tick(1000 + i * 100);  // one second
        CPPUNIT_ASSERT_DOUBLES_EQUAL(740.0, p.x, 1e-6);           // 240 px/s
        auto checkouts = sink.of("onPathCheckout", p.id);
        CPPUNIT_ASSERT_EQUAL(size_t(1), checkouts.size());  // every 10th tick
        CPPUNIT_ASSERT(contains(checkouts[0].body, "\"position\":{\"x\":740,\"y\":500}"));
    }

    void killing_a_mob_gives_exp_and_drops() {
        RecordingSink sink;
        AreaOptions options;
        options.min_drops = 1;
        Area area(data(), field_kind(), field_map(), sink, options);
        Player &p = area.add_player(hero(1, 500, 500));
        area.add_mob_for_test(201, 1, {1200, 500});  // out of aggro reach: another tower
        Mob *mob = area.mobs().at(0);
        const EntityId mob_id = mob->id;
        CPPUNIT_ASSERT(area.attack(p, mob_id));
        // The brain walks to it and attacks until it dies.
        CPPUNIT_ASSERT(run_until(area, [&] { return area.entity(mob_id) == nullptr; }));
        auto attacks = sink.of("onAttack", p.id);
        CPPUNIT_ASSERT(attacks.size() >= 2);
        const std::string &last = attacks.back().body;
        CPPUNIT_ASSERT(contains(last, "\"attacker\":" + std::to_string(p.id)));
        CPPUNIT_ASSERT(contains(last, "\"result\":{\"result\":2"));  // KILLED
        CPPUNIT_ASSERT(contains(last, "\"items\":["));
        CPPUNIT_ASSERT(contains(last, "\"exp\":8"));  // base 8 x level 1, same level
        CPPUNIT_ASSERT_EQUAL(std::int64_t(8), p.experience);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), std::int64_t(p.target));
        // The drop lies within 100 px; picking it walks there and puts it in the first bag slot.
        std::vector<GroundItem *> items = area.ground_items();
        CPPUNIT_ASSERT(!items.empty());
        const EntityId item_id = items[0]->id;
        const int kind = items[0]->kind_id;
        CPPUNIT_ASSERT(area.pick(p, item_id));
        CPPUNIT_ASSERT(run_until(area, [&] { return area.entity(item_id) == nullptr; }));
        auto picked = sink.of("onPickItem", p.id);
        CPPUNIT_ASSERT_EQUAL(size_t(1), picked.size());
        CPPUNIT_ASSERT(contains(picked[0].body, "\"item\":" + std::to_string(item_id) + ",\"index\":1"));
        CPPUNIT_ASSERT_EQUAL(kind, p.bag[0].id);
        // A ground item not picked vanishes after 30 s.
        area.add_mob_for_test(201, 1, {600, 560});
        EntityId second = area.mobs().back()->id;
        CPPUNIT_ASSERT(area.attack(p, second));
        CPPUNIT_ASSERT(run_until(area, [&] { return area.entity(second) == nullptr; }));
        CPPUNIT_ASSERT(!area.ground_items().empty());
        CPPUNIT_ASSERT(run_until(
            area, [&] { return area.ground_items().empty(); }, 31000));
        CPPUNIT_ASSERT(!area.pick(p, 999999));  // no such item
    }

    void level_up() {
        RecordingSink sink;
        Area area(data(), field_kind(), field_map(), sink);
        PlayerRecord r = hero(1, 500, 500);
        r.experience = 55;  // level 1 needs 58
        Player &p = area.add_player(r);
        area.add_mob_for_test(201, 1, {540, 500});
        const EntityId mob_id = area.mobs().at(0)->id;
        CPPUNIT_ASSERT(area.attack(p, mob_id));
        CPPUNIT_ASSERT(run_until(area, [&] { return area.entity(mob_id) == nullptr; }));
        CPPUNIT_ASSERT_EQUAL(2, p.level);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(55 + 8 - 58), p.experience);  // progress within the new level
        CPPUNIT_ASSERT_EQUAL(220 + 66, p.max_hp);
        CPPUNIT_ASSERT_EQUAL(p.max_hp, p.hp);
        CPPUNIT_ASSERT_EQUAL(23 + 7, p.attack);  // round(0.3 * 23)
        CPPUNIT_ASSERT_EQUAL(1, p.skill_point);
        CPPUNIT_ASSERT_EQUAL(data().next_level_exp(2), p.next_level_exp);
        auto up = sink.of("onUpgrade", p.id);
        CPPUNIT_ASSERT_EQUAL(size_t(1), up.size());
        CPPUNIT_ASSERT(contains(up[0].body, "\"level\":2"));
        CPPUNIT_ASSERT(contains(up[0].body, "\"skillPoint\":1"));
        CPPUNIT_ASSERT_EQUAL(2, area.record_of(p).level);
    }

    void zone_respawns_after_five_seconds() {
        RecordingSink sink;
        SceneMap map = field_map();
        map.zones().push_back(MobZoneSpec{1, Rect{1500, 1500, 200, 200}, 201, 1, 3});
        Area area(data(), field_kind(), std::move(map), sink);
        CPPUNIT_ASSERT_EQUAL(size_t(3), area.mobs().size());  // zones start full
        PlayerRecord r = hero(1, 1400, 1400);
        r.attack = 5000;  // one blow
        Player &p = area.add_player(r);
        const EntityId first = area.mobs().at(0)->id;
        CPPUNIT_ASSERT(area.attack(p, first));
        CPPUNIT_ASSERT(run_until(area, [&] { return area.entity(first) == nullptr; }));
        const std::int64_t killed_at = area.now();
        CPPUNIT_ASSERT_EQUAL(size_t(2), area.mobs().size());
        CPPUNIT_ASSERT(run_until(
            area, [&] { return area.mobs().size() == 3; }, 10000));
        const std::int64_t after = area.now() - killed_at;
        CPPUNIT_ASSERT_MESSAGE(std::to_string(after), after >= 5000 && after <= 5200);
        Mob *fresh = area.mobs().back();
        CPPUNIT_ASSERT(fresh->id != first);
        CPPUNIT_ASSERT(fresh->x >= 1500 && fresh->x <= 1700 && fresh->y >= 1500 && fresh->y <= 1700);
    }

    void mob_chases_and_attacks_a_player() {
        RecordingSink sink;
        Area area(data(), field_kind(), field_map(), sink);
        area.add_mob_for_test(205, 5, {1250, 1250});  // tower (4, 4)
        Mob &mob = *area.mobs().at(0);
        Player &p = area.add_player(hero(1, 700, 1250));  // another tower: not noticed
        for (int i = 0; i < 5; ++i) area.tick(area.now() + 100);
        CPPUNIT_ASSERT_EQUAL(EntityId(0), mob.target);
        // The player walks into the mob's tower: it is hated, chased and bitten.
        CPPUNIT_ASSERT(area.move(p, {{700, 1250}, {1210, 1250}}) == MoveCheck::ok);
        CPPUNIT_ASSERT(run_until(area, [&] { return mob.target == p.id; }));
        const int hp = p.hp;
        CPPUNIT_ASSERT(run_until(area, [&] { return p.hp < hp; }));
        auto bites = sink.of("onAttack", p.id);
        CPPUNIT_ASSERT(!bites.empty());
        CPPUNIT_ASSERT(contains(bites.back().body,
                                "\"attacker\":" + std::to_string(mob.id) + ",\"target\":" + std::to_string(p.id)));
        // The player runs away; the mob follows while it is near home.
        CPPUNIT_ASSERT(area.move(p, {{p.x, p.y}, {p.x - 300, p.y}}) == MoveCheck::ok);
        CPPUNIT_ASSERT(run_until(area, [&] { return mob.x < 1150; }));
        // Far from home (more than 500 px) it gives up and walks back.
        CPPUNIT_ASSERT(area.move(p, {{p.x, p.y}, {200, 1250}}) == MoveCheck::ok);
        CPPUNIT_ASSERT(run_until(
            area, [&] { return mob.target == 0; }, 20000));
        CPPUNIT_ASSERT(run_until(
            area, [&] { return std::fabs(mob.x - 1250) < 300; }, 20000));
    }

    void dead_player_revives() {
        RecordingSink sink;
        Area area(data(), field_kind(), field_map(), sink);
        PlayerRecord r = hero(1, 1220, 1250);
        r.hp = 1;
        Player &p = area.add_player(r);
        Player &watcher = area.add_player(hero(2, 300, 120));
        area.add_mob_for_test(205, 5, {1250, 1250});  // aggroes the player already in its tower
        CPPUNIT_ASSERT(run_until(area, [&] { return p.died; }));
        auto killed = sink.of("onAttack", p.id);
        CPPUNIT_ASSERT(contains(killed.back().body, "\"result\":{\"result\":2"));
        CPPUNIT_ASSERT(contains(killed.back().body, "\"reviveTime\":5000"));
        const std::int64_t died_at = area.now();
        CPPUNIT_ASSERT(area.move(p, {{p.x, p.y}, {p.x - 10, p.y}}) == MoveCheck::dead);
        CPPUNIT_ASSERT(run_until(
            area, [&] { return !p.died; }, 10000));
        CPPUNIT_ASSERT(area.now() - died_at >= 5000);
        CPPUNIT_ASSERT_EQUAL(p.max_hp / 2, p.hp);
        // At the birth rectangle, where the watcher stands, which is told.
        CPPUNIT_ASSERT(p.x >= 100 && p.x <= 140 && p.y >= 100 && p.y <= 140);
        auto revived = sink.of("onRevive", watcher.id);
        CPPUNIT_ASSERT_EQUAL(size_t(1), revived.size());
        CPPUNIT_ASSERT(contains(revived[0].body, "\"entityId\":" + std::to_string(p.id)));
        CPPUNIT_ASSERT(contains(revived[0].body, "\"hp\":" + std::to_string(p.max_hp / 2)));
    }

    void npc_talk_and_traverse() {
        RecordingSink sink;
        SceneMap map = field_map();
        map.npcs().push_back(NpcSpec{301, 900, 500});
        map.npcs().push_back(NpcSpec{304, 400, 520});
        Area area(data(), field_kind(), std::move(map), sink);
        Player &p = area.add_player(hero(1, 500, 500));
        std::vector<EntityId> npcs;
        for (EntityId id = 1; id < 100000 && npcs.size() < 2; ++id)
            if (Entity *e = area.entity(id); e && e->type == EntityType::npc) npcs.push_back(id);
        CPPUNIT_ASSERT_EQUAL(size_t(2), npcs.size());
        CPPUNIT_ASSERT(area.npc_talk(p, npcs[0]));
        CPPUNIT_ASSERT(run_until(area, [&] { return !sink.of("onNPCTalk", p.id).empty(); }));
        const std::string body = sink.of("onNPCTalk", p.id)[0].body;
        CPPUNIT_ASSERT(contains(body, "\"action\":\"changeArea\",\"params\":{\"target\":2}"));
        CPPUNIT_ASSERT(std::hypot(p.x - 900, p.y - 500) <= 100);
        CPPUNIT_ASSERT(area.near_traverse_npc(p, 2, 200));
        CPPUNIT_ASSERT(!area.near_traverse_npc(p, 3, 200));
        sink.pushes.clear();
        CPPUNIT_ASSERT(area.npc_talk(p, npcs[1]));
        CPPUNIT_ASSERT(run_until(area, [&] { return !sink.of("onNPCTalk", p.id).empty(); }));
        CPPUNIT_ASSERT(!contains(sink.of("onNPCTalk", p.id)[0].body, "changeArea"));
        CPPUNIT_ASSERT(!area.npc_talk(p, p.id));  // not an NPC
    }

    void rate_limit() {
        RecordingSink sink;
        Area area(data(), field_kind(), field_map(), sink);
        Player &p = area.add_player(hero(1, 500, 500));
        int allowed = 0;
        for (int i = 0; i < 100; ++i) allowed += area.allow_request(p) ? 1 : 0;
        CPPUNIT_ASSERT_EQUAL(20, allowed);  // the burst
        area.tick(area.now() + 1000);
        allowed = 0;
        for (int i = 0; i < 100; ++i) allowed += area.allow_request(p) ? 1 : 0;
        CPPUNIT_ASSERT_EQUAL(10, allowed);  // 10 a second afterwards
    }

    void enter_scene_body() {
        RecordingSink sink;
        const AreaKind &desert = *data().area(1);
        Area area(data(), desert, SceneMap::load(data().app_dir + desert.map_path, desert.width, desert.height), sink);
        CPPUNIT_ASSERT(area.mobs().size() > 40);  // the zones start full
        PlayerRecord r = hero(7, -50, 99999);     // an unreachable saved position: a birth point instead
        Player &p = area.add_player(r);
        CPPUNIT_ASSERT(p.x >= 346 && p.x <= 471 && p.y >= 81 && p.y <= 209);
        const std::string body = area.enter_scene_json(p);
        CPPUNIT_ASSERT(contains(body, "{\"entities\":{\"player\":[{\"id\":7,"));
        CPPUNIT_ASSERT(contains(body, "\"npc\":[{\"entityId\":"));
        CPPUNIT_ASSERT(contains(body, "\"curPlayer\":{\"id\":7,"));
        CPPUNIT_ASSERT(contains(body, "\"nextLevelExp\":58"));
        CPPUNIT_ASSERT(contains(body, "\"bag\":{\"id\":7,\"itemCount\":20,\"items\":[]}"));
        CPPUNIT_ASSERT(contains(body, "\"equipments\":{\"weapon\":0,"));
        CPPUNIT_ASSERT(contains(body, "\"fightSkills\":[{\"id\":1,\"level\":1}]"));
        CPPUNIT_ASSERT(contains(body,
                                "\"map\":{\"name\":\"desert\",\"width\":4200,\"height\":2800,\"tileW\":20,\"tileH\":20,"
                                "\"weightMap\":[{\"collisions\":"));
    }

    // On the real desert map, with its walls, for many seeds: a player walks from the birth place to
    // the nearest level-1 mob and kills it (a tough one: the mobs it passes may gang up on it).
    void player_kills_a_desert_mob() {
        const AreaKind &desert = *data().area(1);
        const SceneMap map = SceneMap::load(data().app_dir + desert.map_path, desert.width, desert.height);
        for (std::uint32_t seed = 1; seed <= 30; ++seed) {
            RecordingSink sink;
            AreaOptions options;
            options.seed = seed;
            Area area(data(), desert, map, sink, options);
            PlayerRecord tough = hero(1, 400, 150);
            tough.hp = tough.max_hp = 100000;
            Player &p = area.add_player(tough);
            Mob *nearest = nullptr;
            for (Mob *m : area.mobs())
                if (m->level == 1 &&
                    (!nearest || std::hypot(m->x - p.x, m->y - p.y) < std::hypot(nearest->x - p.x, nearest->y - p.y)))
                    nearest = m;
            CPPUNIT_ASSERT(nearest);
            const EntityId id = nearest->id;
            CPPUNIT_ASSERT(area.attack(p, id));
            CPPUNIT_ASSERT_MESSAGE("seed " + std::to_string(seed) + " mob at " + std::to_string(nearest->x) + "," +
                                       std::to_string(nearest->y) + " player at " + std::to_string(p.x) + "," +
                                       std::to_string(p.y),
                                   run_until(
                                       area, [&] { return area.entity(id) == nullptr; }, 40000));
        }
    }

    void bag_equipment_and_skills() {
        RecordingSink sink;
        Area area(data(), field_kind(), field_map(), sink);
        PlayerRecord r = hero(1, 500, 500);
        r.hp = 50;
        r.bag[0] = BagSlot{1, EntityType::item};          // Minor Potion: +100 hp, level 1
        r.bag[1] = BagSlot{13, EntityType::item};         // Divine Potion: level 90
        r.bag[2] = BagSlot{1001, EntityType::equipment};  // Rusty Blade: level 1 weapon
        r.bag[3] = BagSlot{1010, EntityType::equipment};  // Bronze Blade: level 5 weapon
        Player &p = area.add_player(r);
        CPPUNIT_ASSERT(area.use_item(p, 1));
        CPPUNIT_ASSERT_EQUAL(150, p.hp);
        CPPUNIT_ASSERT_EQUAL(0, p.bag[0].id);
        CPPUNIT_ASSERT(!area.use_item(p, 1));  // empty now
        CPPUNIT_ASSERT(!area.use_item(p, 2));  // level too low
        CPPUNIT_ASSERT(!area.use_item(p, 3));  // not an item
        CPPUNIT_ASSERT(!area.use_item(p, 0));
        CPPUNIT_ASSERT(!area.use_item(p, 999));
        const int base = p.total_attack();
        int bag_index = -1;
        CPPUNIT_ASSERT(area.equip(p, 3, bag_index));
        CPPUNIT_ASSERT_EQUAL(0, bag_index);
        CPPUNIT_ASSERT_EQUAL(1001, p.equipments["weapon"]);
        CPPUNIT_ASSERT_EQUAL(base + data().equipment(1001)->attack, p.total_attack());
        CPPUNIT_ASSERT(!area.equip(p, 4, bag_index));  // level 5 piece
        CPPUNIT_ASSERT(!area.equip(p, 2, bag_index));  // a potion
        p.level = 5;
        CPPUNIT_ASSERT(area.equip(p, 4, bag_index));  // the old blade goes back to that slot
        CPPUNIT_ASSERT_EQUAL(4, bag_index);
        CPPUNIT_ASSERT_EQUAL(1001, p.bag[3].id);
        CPPUNIT_ASSERT_EQUAL(base + data().equipment(1010)->attack, p.total_attack());
        CPPUNIT_ASSERT(area.unequip(p, "weapon", true, bag_index));
        CPPUNIT_ASSERT_EQUAL(1, bag_index);
        CPPUNIT_ASSERT_EQUAL(base, p.total_attack());
        CPPUNIT_ASSERT(!area.unequip(p, "weapon", true, bag_index));
        CPPUNIT_ASSERT(!area.unequip(p, "crown", true, bag_index));
        CPPUNIT_ASSERT(area.drop_item(p, 1));
        CPPUNIT_ASSERT(!area.drop_item(p, 1));
        // Skills: learning needs the level, upgrading a point and required + 5 x skill level.
        CPPUNIT_ASSERT(area.learn_skill(p, 3));   // level 5 skill
        CPPUNIT_ASSERT(!area.learn_skill(p, 3));  // known
        CPPUNIT_ASSERT(!area.learn_skill(p, 4));  // level 15
        CPPUNIT_ASSERT(!area.learn_skill(p, 99));
        CPPUNIT_ASSERT(!area.upgrade_skill(p, 3));  // no skill point
        p.skill_point = 2;
        CPPUNIT_ASSERT(!area.upgrade_skill(p, 3));  // level 5 < 5 + 5
        p.level = 10;
        CPPUNIT_ASSERT(area.upgrade_skill(p, 3));
        CPPUNIT_ASSERT_EQUAL(2, p.skills[3]);
        CPPUNIT_ASSERT_EQUAL(1, p.skill_point);
        CPPUNIT_ASSERT(!area.upgrade_skill(p, 3));  // 10 < 5 + 10
        // Skill 3 works on a target: 10 mp, factor 1.5.
        area.add_mob_for_test(204, 1, {540, 500});
        CPPUNIT_ASSERT(area.attack(p, area.mobs().at(0)->id));
        p.mp = 0;
        CPPUNIT_ASSERT_EQUAL(int(kNoEnoughMp), area.use_skill(p, 3).result);
        p.mp = 20;
        const AttackOutcome hit = area.use_skill(p, 3);
        CPPUNIT_ASSERT_EQUAL(int(kSuccess), hit.result);
        CPPUNIT_ASSERT_EQUAL(10, p.mp);
        CPPUNIT_ASSERT_EQUAL(int(kNotCooldown), area.use_skill(p, 3).result);
        CPPUNIT_ASSERT_EQUAL(int(kAttackError), area.use_skill(p, 5).result);  // not learned
        // A traverse NPC near the player is the way out.
        CPPUNIT_ASSERT(!area.near_traverse_npc(p, 2, 200));
    }

    void tasks() {
        RecordingSink sink;
        Area area(data(), field_kind(), field_map(), sink);
        PlayerRecord r = hero(1, 500, 500);
        r.attack = 5000;  // one blow a mob
        r.hp = r.max_hp = 100000;
        Player &p = area.add_player(r);
        const TaskKind *first = area.next_task(p);
        CPPUNIT_ASSERT(first && first->id == 1);
        CPPUNIT_ASSERT_EQUAL(201, first->mob_kind);
        CPPUNIT_ASSERT_EQUAL(5, first->count);
        CPPUNIT_ASSERT(!area.can_start_task(p, 2));  // not the next one
        CPPUNIT_ASSERT(area.can_start_task(p, 1));
        area.start_task(p, 1, 77);
        CPPUNIT_ASSERT(!area.can_start_task(p, 1));      // taken
        CPPUNIT_ASSERT_EQUAL(1, area.next_task(p)->id);  // still the unfinished one
        CPPUNIT_ASSERT(contains(area.enter_scene_json(p), "\"curTasks\":[{\"acceptTalk\":"));
        // A mob of another kind does not count; five scorpions do.
        area.add_mob_for_test(202, 1, {540, 500});
        EntityId other = area.mobs().back()->id;
        CPPUNIT_ASSERT(area.attack(p, other));
        CPPUNIT_ASSERT(run_until(area, [&] { return area.entity(other) == nullptr; }));
        CPPUNIT_ASSERT(sink.of("onUpdateTaskData", p.id).empty());
        for (int i = 0; i < 5; ++i) {
            area.add_mob_for_test(201, 1, {540, 500});
            EntityId id = area.mobs().back()->id;
            CPPUNIT_ASSERT(area.attack(p, id));
            CPPUNIT_ASSERT(run_until(area, [&] { return area.entity(id) == nullptr; }));
        }
        auto updates = sink.of("onUpdateTaskData", p.id);
        CPPUNIT_ASSERT_EQUAL(size_t(5), updates.size());
        CPPUNIT_ASSERT_EQUAL(std::string("{\"77\":{\"mobKilled\":5,\"playerKilled\":0}}"), updates.back().body);
        CPPUNIT_ASSERT_EQUAL(size_t(1), sink.of("onTaskCompleted", p.id).size());
        CPPUNIT_ASSERT_EQUAL(1, p.tasks[0].state);
        const std::int64_t exp = p.experience;
        const int level = p.level;
        const size_t items = area.ground_items().size();
        std::vector<std::int64_t> ids = area.hand_over_tasks(p);
        CPPUNIT_ASSERT_EQUAL(size_t(1), ids.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(77), ids[0]);
        CPPUNIT_ASSERT(p.level > level || p.experience == exp + 60);
        CPPUNIT_ASSERT_EQUAL(items + 2, area.ground_items().size());  // its two reward pieces
        CPPUNIT_ASSERT(contains(sink.of("onDropItems", p.id).at(0).body, "{\"dropItems\":[{\"entityId\":"));
        CPPUNIT_ASSERT(area.hand_over_tasks(p).empty());  // once
        CPPUNIT_ASSERT_EQUAL(2, area.next_task(p)->id);
        p.level = 9;
        CPPUNIT_ASSERT(!area.can_start_task(p, 2));  // level 10
        p.level = 10;
        CPPUNIT_ASSERT(area.can_start_task(p, 2));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(WorldTest);

}  // namespace mmo::world
