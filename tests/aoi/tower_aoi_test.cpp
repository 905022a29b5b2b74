// shd::aoi::TowerAoi, case by case: the grid, windows at the borders, range 0 and the range limit,
// positions outside the map, each change's sets, queries, config errors, and no allocation once warm.
#include <shaddock/aoi/tower_aoi.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>
#include <stdexcept>
#include <vector>

#include <cppunit/extensions/HelperMacros.h>

// Counts heap allocations while `counting` is set (the steady-state test below).
namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

void *operator new(std::size_t size) {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
    if (void *p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
// Out of line, so the compiler does not pair an inlined free() with a call to operator new.
__attribute__((noinline)) void operator delete(void *p) noexcept {
    std::free(p);
}
__attribute__((noinline)) void operator delete(void *p, std::size_t) noexcept {
    std::free(p);
}

namespace shd::aoi {
namespace {

enum : TypeId { kPlayer, kMob, kItem };

std::vector<EntityId> sorted_ids(View<EntityRef> v) {
    std::vector<EntityId> out;
    for (const EntityRef &r : v) out.push_back(r.id);
    std::sort(out.begin(), out.end());
    return out;
}
std::vector<EntityId> sorted_ids(const std::vector<EntityRef> &v) {
    return sorted_ids(View<EntityRef>(v));
}
std::vector<EntityId> sorted(std::vector<EntityId> v) {
    std::sort(v.begin(), v.end());
    return v;
}
using Ids = std::vector<EntityId>;

// 10 x 10 towers of 100 x 100 on a 1000 x 1000 map.
Config ten_by_ten() {
    Config c;
    c.width = 1000;
    c.height = 1000;
    c.tower_width = 100;
    c.tower_height = 100;
    c.types = 3;
    return c;
}
// The centre of tower (x, y) on that map.
Position at(int x, int y) {
    return {x * 100.0 + 50, y * 100.0 + 50};
}

class TowerAoiTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TowerAoiTest);
    CPPUNIT_TEST(gridIsCeilOfMapOverTower);
    CPPUNIT_TEST(windowsShiftInwardAtBorders);
    CPPUNIT_TEST(rangeZeroWatchesItsOwnTower);
    CPPUNIT_TEST(rangeLimitClampsWatchersAndRefusesIdsByRange);
    CPPUNIT_TEST(windowWiderThanTheMapCoversIt);
    CPPUNIT_TEST(mapBordersBelongToTheMapOnlyBelowWidth);
    CPPUNIT_TEST(watcherOutsideTheMapTakesTheNearestTower);
    CPPUNIT_TEST(nonFinitePositionsAreRefused);
    CPPUNIT_TEST(objectChangesReportWatchers);
    CPPUNIT_TEST(watcherChangesReportObjects);
    CPPUNIT_TEST(rangeChangeAboveTheLimitMovesWithoutSets);
    CPPUNIT_TEST(entityBothObjectAndWatcherSeesItself);
    CPPUNIT_TEST(idsAreUniqueAndKnown);
    CPPUNIT_TEST(queriesFilterByType);
    CPPUNIT_TEST(idZeroAndLargeIds);
    CPPUNIT_TEST(badConfigThrowsNamingTheField);
    CPPUNIT_TEST(storageIsChosenByTheNumberOfTowers);
    CPPUNIT_TEST(sparseStoreServesAHugeMap);
    CPPUNIT_TEST(noAllocationOnceWarm);
    CPPUNIT_TEST_SUITE_END();

public:
    void gridIsCeilOfMapOverTower() {
        Config c = ten_by_ten();
        c.width = 1001;
        c.height = 999;
        TowerAoi aoi(c);
        CPPUNIT_ASSERT_EQUAL(11, aoi.columns());
        CPPUNIT_ASSERT_EQUAL(10, aoi.rows());
        int x = -1, y = -1;
        CPPUNIT_ASSERT(aoi.tower_of({1000.5, 998.9}, x, y));
        CPPUNIT_ASSERT_EQUAL(10, x);
        CPPUNIT_ASSERT_EQUAL(9, y);
        CPPUNIT_ASSERT(aoi.tower_of({199.999, 200}, x, y));
        CPPUNIT_ASSERT_EQUAL(1, x);
        CPPUNIT_ASSERT_EQUAL(2, y);
    }

    void windowsShiftInwardAtBorders() {
        // Range 2 at the corner tower (0, 0) watches towers 0..4 on each axis, not 0..2.
        TowerAoi aoi(ten_by_ten());
        CPPUNIT_ASSERT(aoi.add_watcher(1, kPlayer, at(0, 0), 2) == Status::ok);
        CPPUNIT_ASSERT(aoi.add_watcher(2, kPlayer, at(9, 9), 2) == Status::ok);
        CPPUNIT_ASSERT(aoi.add_watcher(3, kPlayer, at(5, 1), 2) == Status::ok);
        std::vector<EntityRef> w;
        CPPUNIT_ASSERT(aoi.watchers_of(at(2, 4), w) == Status::ok);
        CPPUNIT_ASSERT(sorted_ids(w) == (Ids{1}));
        CPPUNIT_ASSERT(aoi.watchers_of(at(5, 5), w) == Status::ok);
        CPPUNIT_ASSERT(sorted_ids(w) == (Ids{2}));
        aoi.watchers_of(at(5, 4), w);  // watcher 3: x 3..7, y 0..4
        CPPUNIT_ASSERT(sorted_ids(w) == (Ids{3}));
        aoi.watchers_of(at(3, 3), w);
        CPPUNIT_ASSERT(sorted_ids(w) == (Ids{1, 3}));
        aoi.watchers_of(at(8, 0), w);
        CPPUNIT_ASSERT(w.empty());
        aoi.watchers_of(at(2, 5), w);
        CPPUNIT_ASSERT(w.empty());
    }

    void rangeZeroWatchesItsOwnTower() {
        TowerAoi aoi(ten_by_ten());
        CPPUNIT_ASSERT(aoi.add_watcher(7, kMob, at(3, 3), 0) == Status::ok);
        CPPUNIT_ASSERT(sorted_ids(aoi.add_object(1, kPlayer, at(3, 3)).entered) == (Ids{7}));
        CPPUNIT_ASSERT(aoi.add_object(2, kPlayer, at(4, 3)).entered.empty());
        CPPUNIT_ASSERT(aoi.add_object(3, kPlayer, at(2, 2)).entered.empty());
        // At the corner, range 0 is still the one tower.
        CPPUNIT_ASSERT(aoi.add_watcher(8, kMob, at(0, 0), 0) == Status::ok);
        CPPUNIT_ASSERT(aoi.add_object(4, kPlayer, at(1, 0)).entered.empty());
        CPPUNIT_ASSERT(sorted_ids(aoi.add_object(5, kPlayer, {0, 0}).entered) == (Ids{8}));
        Ids got;
        CPPUNIT_ASSERT(aoi.ids_by_pos(at(3, 3), 0, got) == Status::ok);
        CPPUNIT_ASSERT(sorted(got) == (Ids{1}));
    }

    void rangeLimitClampsWatchersAndRefusesIdsByRange() {
        Config c = ten_by_ten();
        c.width = c.height = 2000;  // 20 x 20 towers
        TowerAoi aoi(c);
        CPPUNIT_ASSERT_EQUAL(5, aoi.range_limit());
        CPPUNIT_ASSERT(aoi.add_watcher(1, kPlayer, at(10, 10), 9) == Status::ok);  // as 5: towers 5..15
        std::vector<EntityRef> w;
        aoi.watchers_of(at(15, 5), w);
        CPPUNIT_ASSERT(sorted_ids(w) == (Ids{1}));
        aoi.watchers_of(at(16, 10), w);
        CPPUNIT_ASSERT(w.empty());
        aoi.watchers_of(at(10, 4), w);
        CPPUNIT_ASSERT(w.empty());
        aoi.add_object(2, kItem, at(16, 10));
        aoi.add_object(3, kItem, at(15, 10));
        Ids ids;
        CPPUNIT_ASSERT(aoi.ids_by_pos(at(10, 10), 9, ids) == Status::ok);  // clamped, as getIdsByPos
        CPPUNIT_ASSERT(sorted(ids) == (Ids{3}));
        std::vector<EntityRef> refs;
        CPPUNIT_ASSERT(aoi.ids_by_range(at(10, 10), 5, {kItem}, refs) == Status::ok);
        CPPUNIT_ASSERT(sorted_ids(refs) == (Ids{3}));
        CPPUNIT_ASSERT(aoi.ids_by_range(at(10, 10), 6, {kItem}, refs) == Status::bad_range);  // getIdsByRange: []
        CPPUNIT_ASSERT(refs.empty());
        CPPUNIT_ASSERT(aoi.ids_by_range(at(10, 10), -1, {kItem}, refs) == Status::bad_range);
        CPPUNIT_ASSERT(aoi.ids_by_pos(at(10, 10), -1, ids) == Status::bad_range);
        CPPUNIT_ASSERT(aoi.add_watcher(4, kPlayer, at(1, 1), -1) == Status::bad_range);
        CPPUNIT_ASSERT(!aoi.has_watcher(4));
        // Another limit, for a map where 5 towers is too little.
        c.range_limit = 7;
        TowerAoi wide(c);
        wide.add_watcher(1, kPlayer, at(10, 10), 9);
        wide.watchers_of(at(17, 10), w);
        CPPUNIT_ASSERT(sorted_ids(w) == (Ids{1}));
        wide.watchers_of(at(18, 10), w);
        CPPUNIT_ASSERT(w.empty());
    }

    void windowWiderThanTheMapCoversIt() {
        Config c = ten_by_ten();
        c.width = 300;  // 3 x 2 towers
        c.height = 150;
        c.range_limit = 1000000000;
        TowerAoi aoi(c);
        CPPUNIT_ASSERT(aoi.add_watcher(1, kPlayer, {10, 10}, 999999999) == Status::ok);
        CPPUNIT_ASSERT(aoi.add_watcher(2, kPlayer, {250, 120}, 1) == Status::ok);  // 2r+1 = 3 > 2 rows
        for (int x = 0; x < 3; ++x)
            for (int y = 0; y < 2; ++y) {
                std::vector<EntityRef> w;
                aoi.watchers_of({x * 100.0, y * 100.0}, w);
                CPPUNIT_ASSERT(sorted_ids(w) == (Ids{1, 2}));
            }
    }

    void mapBordersBelongToTheMapOnlyBelowWidth() {
        TowerAoi aoi(ten_by_ten());
        CPPUNIT_ASSERT(aoi.add_object(1, kPlayer, {0, 0}).ok());
        CPPUNIT_ASSERT(aoi.add_object(2, kPlayer, {std::nextafter(1000.0, 0.0), 999}).ok());
        CPPUNIT_ASSERT(aoi.add_object(3, kPlayer, {1000, 5}).status == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.add_object(3, kPlayer, {5, 1000}).status == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.add_object(3, kPlayer, {-0.001, 5}).status == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.add_object(3, kPlayer, {-0.0, 5}).ok());  // -0 >= 0, as in JS
        CPPUNIT_ASSERT(aoi.update_object(1, {1000, 0}).status == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.update_object(1, {999.5, 0}).ok());
        int x, y;
        CPPUNIT_ASSERT(aoi.tower_of({999.5, 0}, x, y));
        CPPUNIT_ASSERT_EQUAL(9, x);
        CPPUNIT_ASSERT(aoi.add_watcher(9, kPlayer, at(5, 5), 1) == Status::ok);
        CPPUNIT_ASSERT(aoi.update_watcher(9, {500, 1000}, 1).status == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.update_watcher(9, {500, -1}, 1).status == Status::out_of_map);
        Ids ids;
        CPPUNIT_ASSERT(aoi.ids_by_pos({1000, 0}, 1, ids) == Status::out_of_map);
        std::vector<EntityRef> refs;
        CPPUNIT_ASSERT(aoi.watchers_of({0, -5}, refs) == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.ids_by_range({-5, 0}, 1, {kPlayer}, refs) == Status::out_of_map);
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, aoi.object_count());
    }

    void watcherOutsideTheMapTakesTheNearestTower() {
        // Pomelo's addWatcher does not check the position; its window is the one of the nearest tower.
        TowerAoi aoi(ten_by_ten());
        CPPUNIT_ASSERT(aoi.add_watcher(1, kPlayer, {-5000, 5000}, 1) == Status::ok);  // as tower (0, 9)
        CPPUNIT_ASSERT(sorted_ids(aoi.add_object(10, kItem, at(2, 7)).entered) == (Ids{1}));
        CPPUNIT_ASSERT(aoi.add_object(11, kItem, at(3, 9)).entered.empty());
        CPPUNIT_ASSERT(aoi.add_object(12, kItem, at(0, 6)).entered.empty());
        // Once inside, it moves as any other; its old window is left.
        Change c = aoi.update_watcher(1, at(5, 5), 0);
        CPPUNIT_ASSERT(c.ok() && c.moved);
        CPPUNIT_ASSERT(c.entered.empty());
        CPPUNIT_ASSERT(sorted_ids(c.left) == (Ids{10}));
        CPPUNIT_ASSERT(aoi.remove_watcher(1) == Status::ok);
    }

    void nonFinitePositionsAreRefused() {
        TowerAoi aoi(ten_by_ten());
        const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
        CPPUNIT_ASSERT(aoi.add_object(1, kPlayer, {nan, 5}).status == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.add_object(1, kPlayer, {5, inf}).status == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.add_watcher(1, kPlayer, {nan, 5}, 1) == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.add_watcher(1, kPlayer, {-inf, 5}, 1) == Status::out_of_map);
        CPPUNIT_ASSERT(aoi.add_object(1, kPlayer, {5, 5}).ok());
        CPPUNIT_ASSERT(aoi.update_object(1, {5, nan}).status == Status::out_of_map);
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, aoi.watcher_count());
    }

    void objectChangesReportWatchers() {
        TowerAoi aoi(ten_by_ten());
        aoi.add_watcher(100, kPlayer, at(2, 2), 1);  // towers 1..3
        aoi.add_watcher(101, kMob, at(5, 2), 1);     // towers 4..6 x 1..3
        aoi.add_watcher(102, kPlayer, at(3, 2), 2);  // 1..5 x 0..4
        Change c = aoi.add_object(1, kPlayer, at(3, 2));
        CPPUNIT_ASSERT(c.ok() && c.moved);
        CPPUNIT_ASSERT(sorted_ids(c.entered) == (Ids{100, 102}));
        CPPUNIT_ASSERT(c.left.empty());
        // Within a tower: nothing.
        c = aoi.update_object(1, {399, 299});
        CPPUNIT_ASSERT(c.ok() && !c.moved && c.entered.empty() && c.left.empty());
        // To tower (4, 2): 100 loses it, 101 gains it, 102 keeps it.
        c = aoi.update_object(1, at(4, 2));
        CPPUNIT_ASSERT(c.ok() && c.moved);
        CPPUNIT_ASSERT(sorted_ids(c.entered) == (Ids{101}));
        CPPUNIT_ASSERT(sorted_ids(c.left) == (Ids{100}));
        // The whole watcher set, as Pomelo's 'update' newWatchers.
        std::vector<EntityRef> w;
        aoi.watchers_of(at(4, 2), w);
        CPPUNIT_ASSERT(sorted_ids(w) == (Ids{101, 102}));
        c = aoi.remove_object(1);
        CPPUNIT_ASSERT(c.ok() && c.moved && c.entered.empty());
        CPPUNIT_ASSERT(sorted_ids(c.left) == (Ids{101, 102}));
        c = aoi.remove_object(1);
        CPPUNIT_ASSERT(c.status == Status::unknown_id && !c.moved && c.left.empty());
        CPPUNIT_ASSERT(aoi.update_object(1, at(1, 1)).status == Status::unknown_id);
    }

    void watcherChangesReportObjects() {
        TowerAoi aoi(ten_by_ten());
        aoi.add_object(1, kMob, at(0, 0));
        aoi.add_object(2, kMob, at(3, 0));
        aoi.add_object(3, kItem, at(4, 0));
        aoi.add_object(4, kItem, at(2, 5));
        CPPUNIT_ASSERT(aoi.add_watcher(9, kPlayer, at(1, 1), 1) == Status::ok);  // 0..2 x 0..2
        // One tower right: 1..3 x 0..2.
        Change c = aoi.update_watcher(9, at(2, 1), 1);
        CPPUNIT_ASSERT(c.ok() && c.moved);
        CPPUNIT_ASSERT(sorted_ids(c.entered) == (Ids{2}));
        CPPUNIT_ASSERT(sorted_ids(c.left) == (Ids{1}));
        CPPUNIT_ASSERT(c.entered[0].type == kMob);
        // Same tower, same range: nothing, as Pomelo returns early.
        c = aoi.update_watcher(9, {299, 199}, 1);
        CPPUNIT_ASSERT(c.ok() && !c.moved && c.entered.empty());
        // A wider view where it stands: 0..4 x 0..3.
        c = aoi.update_watcher(9, at(2, 1), 2);
        CPPUNIT_ASSERT(c.ok() && c.moved);
        CPPUNIT_ASSERT(sorted_ids(c.entered) == (Ids{1, 3}));
        CPPUNIT_ASSERT(c.left.empty());
        // At the border the window does not move when the tower does: an event without sets.
        c = aoi.update_watcher(9, at(1, 1), 2);
        CPPUNIT_ASSERT(c.ok() && c.moved && c.entered.empty() && c.left.empty());
        CPPUNIT_ASSERT(aoi.update_watcher(9, at(1, 1), -1).status == Status::bad_range);
        CPPUNIT_ASSERT(aoi.update_watcher(77, at(1, 1), 1).status == Status::unknown_id);
        // add/remove_watcher report nothing; the view is read with ids_by_range.
        std::vector<EntityRef> seen;
        CPPUNIT_ASSERT(aoi.ids_by_range(at(1, 1), 2, {kMob, kItem}, seen) == Status::ok);
        CPPUNIT_ASSERT(sorted_ids(seen) == (Ids{1, 2, 3}));
        CPPUNIT_ASSERT(aoi.remove_watcher(9) == Status::ok);
        CPPUNIT_ASSERT(aoi.remove_watcher(9) == Status::unknown_id);
        std::vector<EntityRef> w;
        aoi.watchers_of(at(0, 0), w);
        CPPUNIT_ASSERT(w.empty());
    }

    void rangeChangeAboveTheLimitMovesWithoutSets() {
        // Pomelo compares the ranges it was given before clamping them: 7 -> 8 is a change (an
        // 'updateWatcher' with nothing in it); 8 -> 8 is not.
        TowerAoi aoi(ten_by_ten());
        aoi.add_object(1, kMob, at(5, 5));
        CPPUNIT_ASSERT(aoi.add_watcher(9, kPlayer, at(5, 5), 7) == Status::ok);
        Change c = aoi.update_watcher(9, at(5, 5), 8);
        CPPUNIT_ASSERT(c.ok() && c.moved && c.entered.empty() && c.left.empty());
        c = aoi.update_watcher(9, at(5, 5), 8);
        CPPUNIT_ASSERT(c.ok() && !c.moved);
    }

    void entityBothObjectAndWatcherSeesItself() {
        TowerAoi aoi(ten_by_ten());
        aoi.add_object(5, kPlayer, at(2, 2));
        aoi.add_watcher(5, kPlayer, at(2, 2), 1);
        aoi.add_watcher(6, kPlayer, at(4, 2), 0);
        // A walking player: object first, then watcher (lordofpomelo's order). The object steps
        // out of its own (not yet moved) window, and the moved window finds it again.
        Change c = aoi.update_object(5, at(4, 2));
        CPPUNIT_ASSERT(sorted_ids(c.entered) == (Ids{6}));
        CPPUNIT_ASSERT(sorted_ids(c.left) == (Ids{5}));
        c = aoi.update_watcher(5, at(4, 2), 1);
        CPPUNIT_ASSERT(sorted_ids(c.entered) == (Ids{5}));
        CPPUNIT_ASSERT(c.left.empty());
        c = aoi.update_object(5, at(7, 2));
        CPPUNIT_ASSERT(c.entered.empty());
        CPPUNIT_ASSERT(sorted_ids(c.left) == (Ids{5, 6}));
        c = aoi.update_watcher(5, at(7, 2), 1);
        CPPUNIT_ASSERT(sorted_ids(c.entered) == (Ids{5}));
        CPPUNIT_ASSERT(c.left.empty());
    }

    void idsAreUniqueAndKnown() {
        TowerAoi aoi(ten_by_ten());
        CPPUNIT_ASSERT(aoi.add_object(1, kPlayer, at(1, 1)).ok());
        CPPUNIT_ASSERT(aoi.add_object(1, kMob, at(2, 2)).status == Status::duplicate_id);
        CPPUNIT_ASSERT(aoi.add_object(2, 3, at(2, 2)).status == Status::bad_type);
        CPPUNIT_ASSERT(aoi.add_watcher(1, kPlayer, at(1, 1), 1) == Status::ok);  // watcher ids are their own
        CPPUNIT_ASSERT(aoi.add_watcher(1, kPlayer, at(1, 1), 1) == Status::duplicate_id);
        CPPUNIT_ASSERT(aoi.add_watcher(2, 3, at(1, 1), 1) == Status::bad_type);
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, aoi.object_count());
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, aoi.watcher_count());
        // Removed ids can come back.
        CPPUNIT_ASSERT(aoi.remove_object(1).ok());
        CPPUNIT_ASSERT(sorted_ids(aoi.add_object(1, kMob, at(2, 2)).entered) == (Ids{1}));
        CPPUNIT_ASSERT(std::string(to_string(Status::out_of_map)) == "position outside the map");
    }

    void queriesFilterByType() {
        TowerAoi aoi(ten_by_ten());
        aoi.add_object(1, kPlayer, at(1, 1));
        aoi.add_object(2, kMob, at(1, 1));
        aoi.add_object(3, kItem, at(2, 2));
        aoi.add_object(4, kItem, at(6, 6));
        aoi.add_watcher(10, kPlayer, at(1, 1), 1);
        aoi.add_watcher(11, kMob, at(1, 1), 0);
        std::vector<EntityRef> refs;
        CPPUNIT_ASSERT(aoi.ids_by_range(at(1, 1), 1, {kItem, kPlayer}, refs) == Status::ok);
        CPPUNIT_ASSERT(sorted_ids(refs) == (Ids{1, 3}));
        CPPUNIT_ASSERT(aoi.ids_by_range(at(1, 1), 1, {}, refs) == Status::ok);
        CPPUNIT_ASSERT(refs.empty());
        Ids ids;
        aoi.ids_by_pos(at(1, 1), 1, ids);
        CPPUNIT_ASSERT(sorted(ids) == (Ids{1, 2, 3}));
        aoi.watchers_of(at(1, 1), {kMob}, refs);
        CPPUNIT_ASSERT(sorted_ids(refs) == (Ids{11}));
        aoi.watchers_of(at(2, 2), {kMob, kPlayer}, refs);
        CPPUNIT_ASSERT(sorted_ids(refs) == (Ids{10}));
        aoi.watchers_of(at(1, 1), refs);
        CPPUNIT_ASSERT(sorted_ids(refs) == (Ids{10, 11}));
    }

    void idZeroAndLargeIds() {
        // Pomelo's Tower.remove skips id 0 (a falsy key); here every id is an id.
        TowerAoi aoi(ten_by_ten());
        const EntityId big = ~EntityId{0};
        aoi.add_watcher(big, kPlayer, at(0, 0), 0);
        CPPUNIT_ASSERT(aoi.add_object(0, kPlayer, at(0, 0)).ok());
        CPPUNIT_ASSERT(aoi.add_object(big, kPlayer, at(0, 0)).ok());
        CPPUNIT_ASSERT(sorted_ids(aoi.remove_object(0).left) == (Ids{big}));
        Ids ids;
        aoi.ids_by_pos(at(0, 0), 0, ids);
        CPPUNIT_ASSERT(ids == (Ids{big}));
        // Many ids through the table: growth and removal in the middle of probe runs.
        for (EntityId id = 1; id <= 5000; ++id) CPPUNIT_ASSERT(aoi.add_object(id * 64, kMob, at(int(id % 10), 3)).ok());
        for (EntityId id = 1; id <= 5000; id += 2) CPPUNIT_ASSERT(aoi.remove_object(id * 64).ok());
        for (EntityId id = 1; id <= 5000; ++id) CPPUNIT_ASSERT_EQUAL(id % 2 == 0, aoi.has_object(id * 64));
        CPPUNIT_ASSERT_EQUAL(std::size_t{2501}, aoi.object_count());
    }

    void badConfigThrowsNamingTheField() {
        auto message = [](Config c) -> std::string {
            try {
                TowerAoi aoi(c);
            } catch (const std::invalid_argument &e) {
                return e.what();
            }
            return "no exception";
        };
        Config c = ten_by_ten();
        c.tower_width = 0;
        CPPUNIT_ASSERT(message(c).find("tower_width") != std::string::npos);
        c = ten_by_ten();
        c.height = std::numeric_limits<double>::quiet_NaN();
        CPPUNIT_ASSERT(message(c).find("height") != std::string::npos);
        c = ten_by_ten();
        c.types = 0;
        CPPUNIT_ASSERT(message(c).find("types") != std::string::npos);
        c = ten_by_ten();
        c.range_limit = -1;
        CPPUNIT_ASSERT(message(c).find("range_limit") != std::string::npos);
        c = ten_by_ten();
        c.width = c.height = 1e9;
        c.tower_width = c.tower_height = 1;
        CPPUNIT_ASSERT(message(c).find("towers") != std::string::npos);
    }

    void storageIsChosenByTheNumberOfTowers() {
        Config c = ten_by_ten();
        c.width = c.height = 102400;  // 1024 x 1024 towers: 2^20
        CPPUNIT_ASSERT(!TowerAoi(c).sparse());
        c.width = 102401;
        CPPUNIT_ASSERT(TowerAoi(c).sparse());
        c.storage = Storage::dense;
        CPPUNIT_ASSERT(!TowerAoi(c).sparse());
        c = ten_by_ten();
        c.storage = Storage::sparse;
        CPPUNIT_ASSERT(TowerAoi(c).sparse());
        c.width = c.height = 1e7;  // 10^10 towers: too many for either
        c.tower_width = c.tower_height = 0.1;
        bool threw = false;
        try {
            TowerAoi aoi(c);
        } catch (const std::invalid_argument &) {
            threw = true;
        }
        CPPUNIT_ASSERT(threw);
    }

    void sparseStoreServesAHugeMap() {
        // 40,000 x 40,000 towers (1.6 * 10^9) would take 77 GB dense; sparse keeps only those in use.
        Config c;
        c.width = c.height = 12e6;
        c.tower_width = c.tower_height = 300;
        TowerAoi aoi(c);
        CPPUNIT_ASSERT(aoi.sparse());
        CPPUNIT_ASSERT_EQUAL(40000, aoi.columns());
        const Position corner{12e6 - 1, 12e6 - 1}, centre{6e6, 6e6};
        CPPUNIT_ASSERT(aoi.add_watcher(1, 0, corner, 2) == Status::ok);
        CPPUNIT_ASSERT(sorted_ids(aoi.add_object(2, 0, {12e6 - 1500, 12e6 - 1}).entered) == (Ids{1}));
        CPPUNIT_ASSERT(aoi.add_object(3, 0, centre).entered.empty());
        Change m = aoi.update_object(2, {6e6 + 300, 6e6});
        CPPUNIT_ASSERT(m.entered.empty() && sorted_ids(m.left) == (Ids{1}));
        m = aoi.update_watcher(1, centre, 1);
        CPPUNIT_ASSERT(sorted_ids(m.entered) == (Ids{2, 3}) && m.left.empty());
        Ids ids;
        aoi.ids_by_pos(corner, 5, ids);
        CPPUNIT_ASSERT(ids.empty());
        aoi.ids_by_pos(centre, 1, ids);
        CPPUNIT_ASSERT(sorted(ids) == (Ids{2, 3}));
        CPPUNIT_ASSERT(aoi.remove_watcher(1) == Status::ok);
        std::vector<EntityRef> w;
        CPPUNIT_ASSERT(aoi.watchers_of(centre, w) == Status::ok && w.empty());
    }

    void noAllocationOnceWarm() {
        // A list grows only when it reaches a size it never had; a walk that repeats one already made
        // from the same start reaches no new size, so it must not allocate at all (the dense store;
        // the sparse one may hand a tower a recycled slot whose lists are smaller).
        Config c = ten_by_ten();
        c.width = c.height = 3000;
        c.storage = Storage::dense;
        TowerAoi aoi(c);
        std::vector<Position> start(500), pos;
        std::vector<EntityId> ids;
        unsigned s = 12345;
        auto next = [&s]() { return (s = s * 1103515245u + 12345u) >> 8; };
        for (EntityId id = 0; id < start.size(); ++id) {
            start[id] = {double(next() % 3000), double(next() % 3000)};
            aoi.add_object(id, kPlayer, start[id]);
            aoi.add_watcher(id, kPlayer, start[id], 2);
        }
        auto back_to_start = [&]() {
            pos = start;
            for (EntityId id = 0; id < pos.size(); ++id) {
                aoi.update_object(id, pos[id]);
                aoi.update_watcher(id, pos[id], 2);
            }
            s = 777;
        };
        auto walk = [&]() {
            long events = 0;
            for (int r = 0; r < 40; ++r)
                for (EntityId id = 0; id < pos.size(); ++id) {
                    Position &p = pos[id];
                    p.x = std::fmod(p.x + 37 + next() % 50, 3000.0);
                    p.y = std::fmod(p.y + 3000 - 29 - next() % 40, 3000.0);
                    Change ch = aoi.update_object(id, p);
                    events += long(ch.entered.size() + ch.left.size());
                    ch = aoi.update_watcher(id, p, 2);
                    events += long(ch.entered.size() + ch.left.size());
                    aoi.ids_by_pos(p, 1, ids);
                }
            return events;
        };
        back_to_start();
        long first = walk();
        back_to_start();
        counting = true;
        long second = walk();
        counting = false;
        CPPUNIT_ASSERT(first > 10000);
        CPPUNIT_ASSERT_EQUAL(first, second);
        CPPUNIT_ASSERT_EQUAL(0L, allocations.load());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TowerAoiTest);

}  // namespace
}  // namespace shd::aoi
