// shd::path::Grid and Finder: A* against a plain Dijkstra written here on random maps (four and eight
// neighbours, weights 1 or blocked and weighted ones), every path checked step by step; blocked
// starts and goals, unreachable goals, ends outside the grid, start == goal, weight rules.
#include <shaddock/path/finder.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <cmath>
#include <functional>
#include <queue>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "random_maps.hpp"

using namespace shd::path;
using shd::path::testing::Rng;

namespace {

// The reference: Dijkstra over the same rules, written out without the library's neighbour code.
// The start's own weight is not counted, as in pomelo-pathfinding. Returns -1 when there is no path.
double dijkstra(const Grid &grid, Tile start, Tile goal) {
    if (!grid.contains(start) || !grid.contains(goal) || !(grid.weight(goal) < blocked)) return -1;
    const int w = grid.width(), h = grid.height();
    std::vector<double> dist(static_cast<size_t>(w) * h, blocked);
    using Entry = std::pair<double, int>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
    dist[start.y * w + start.x] = 0;
    queue.push({0, start.y * w + start.x});
    const bool eight = grid.neighbours() == Neighbours::eight;
    while (!queue.empty()) {
        auto [d, i] = queue.top();
        queue.pop();
        if (d > dist[i]) continue;
        const int x = i % w, y = i / w;
        if (x == goal.x && y == goal.y) return d;
        for (int dy = -1; dy <= 1; ++dy) {
            for (int dx = -1; dx <= 1; ++dx) {
                if (dx == 0 && dy == 0) continue;
                const bool diagonal = dx != 0 && dy != 0;
                if (diagonal && !eight) continue;
                const int nx = x + dx, ny = y + dy;
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                const double weight = grid.weight(Tile{nx, ny});
                if (weight == blocked) continue;
                if (diagonal && (grid.weight(Tile{nx, y}) == blocked || grid.weight(Tile{x, ny}) == blocked)) continue;
                const double nd = d + weight * (diagonal ? std::sqrt(2.0) : 1.0);
                if (nd < dist[ny * w + nx]) {
                    dist[ny * w + nx] = nd;
                    queue.push({nd, ny * w + nx});
                }
            }
        }
    }
    return -1;
}

// The path's steps are allowed moves and its cost is theirs.
void check_path(const Grid &grid, Tile start, Tile goal, const TilePath &path, const std::string &what) {
    CPPUNIT_ASSERT_MESSAGE(what, !path.tiles.empty());
    CPPUNIT_ASSERT_MESSAGE(what, path.tiles.front() == start);
    CPPUNIT_ASSERT_MESSAGE(what, path.tiles.back() == goal);
    double cost = 0;
    for (size_t i = 1; i < path.tiles.size(); ++i) {
        const Tile a = path.tiles[i - 1], b = path.tiles[i];
        const int dx = std::abs(b.x - a.x), dy = std::abs(b.y - a.y);
        CPPUNIT_ASSERT_MESSAGE(what, dx <= 1 && dy <= 1 && dx + dy > 0);
        CPPUNIT_ASSERT_MESSAGE(what, grid.walkable(b));
        if (dx && dy) {
            CPPUNIT_ASSERT_MESSAGE(what, grid.neighbours() == Neighbours::eight);
            CPPUNIT_ASSERT_MESSAGE(what, grid.walkable(Tile{b.x, a.y}) && grid.walkable(Tile{a.x, b.y}));
        }
        cost += grid.weight(b) * ((dx && dy) ? std::sqrt(2.0) : 1.0);
    }
    CPPUNIT_ASSERT_DOUBLES_EQUAL_MESSAGE(what, cost, path.cost, 1e-9 * std::max(1.0, cost));
}

Grid parse(const std::vector<std::string> &rows, Neighbours n = Neighbours::four) {
    Grid grid(static_cast<int>(rows[0].size()), static_cast<int>(rows.size()), 1.0, n);
    for (size_t y = 0; y < rows.size(); ++y) {
        for (size_t x = 0; x < rows[y].size(); ++x) {
            const char c = rows[y][x];
            if (c == '#') grid.block(Tile{int(x), int(y)});
            if (c >= '2' && c <= '9') grid.set_weight(Tile{int(x), int(y)}, c - '0');
        }
    }
    return grid;
}

}  // namespace

class FinderTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FinderTest);
    CPPUNIT_TEST(same_cost_as_dijkstra_on_random_maps);
    CPPUNIT_TEST(four_neighbours_go_around_corners);
    CPPUNIT_TEST(eight_neighbours_cut_no_blocked_corner);
    CPPUNIT_TEST(weights_make_detours_cheaper);
    CPPUNIT_TEST(unreachable_goal);
    CPPUNIT_TEST(blocked_goal_fails_blocked_start_walks_off);
    CPPUNIT_TEST(ends_outside_the_grid);
    CPPUNIT_TEST(start_is_goal);
    CPPUNIT_TEST(weights_below_one_are_refused);
    CPPUNIT_TEST(weight_changes_are_seen_and_grid_resizes);
    CPPUNIT_TEST_SUITE_END();

public:
    void same_cost_as_dijkstra_on_random_maps() {
        Rng rng(7);
        int found = 0, none = 0;
        for (int m = 0; m < 300; ++m) {
            const Neighbours n = m % 2 ? Neighbours::eight : Neighbours::four;
            const Grid grid = shd::path::testing::random_grid(rng, 3 + rng.below(30), 3 + rng.below(30),
                                                              0.05 * rng.below(10), m % 3 == 0, n);
            Finder finder(grid);
            for (const auto &q : shd::path::testing::random_queries(rng, grid, 30, true)) {
                const std::string what = "map " + std::to_string(m) + " (" + std::to_string(q.start.x) + "," +
                                         std::to_string(q.start.y) + ")->(" + std::to_string(q.goal.x) + "," +
                                         std::to_string(q.goal.y) + ")";
                const double expected = dijkstra(grid, q.start, q.goal);
                const TilePath path = finder.find(q.start, q.goal);
                if (expected < 0) {
                    CPPUNIT_ASSERT_MESSAGE(what, !path.found());
                    CPPUNIT_ASSERT_MESSAGE(what, path.tiles.empty());
                    ++none;
                    continue;
                }
                CPPUNIT_ASSERT_MESSAGE(what, path.found());
                CPPUNIT_ASSERT_DOUBLES_EQUAL_MESSAGE(what, expected, path.cost, 1e-9 * std::max(1.0, expected));
                check_path(grid, q.start, q.goal, path, what);
                ++found;
            }
        }
        // Both kinds of answer came up often.
        CPPUNIT_ASSERT(found > 3000);
        CPPUNIT_ASSERT(none > 500);
    }

    void four_neighbours_go_around_corners() {
        const Grid grid = parse({
            "....",
            ".##.",
            ".#..",
            "....",
        });
        Finder finder(grid);
        const TilePath p = finder.find(Tile{0, 0}, Tile{2, 2});
        CPPUNIT_ASSERT(p.found());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(6.0, p.cost, 1e-12);  // right 3, down 2, left 1
        check_path(grid, Tile{0, 0}, Tile{2, 2}, p, "around");
        CPPUNIT_ASSERT_EQUAL(size_t(7), p.tiles.size());
    }

    void eight_neighbours_cut_no_blocked_corner() {
        // (0,0) -> (1,1): the diagonal passes between (1,0) and (0,1); one of them is blocked.
        Grid grid = parse({"..", "#."}, Neighbours::eight);
        Finder finder(grid);
        TilePath p = finder.find(Tile{0, 0}, Tile{1, 1});
        CPPUNIT_ASSERT(p.found());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2.0, p.cost, 1e-12);
        // Both free: one diagonal step of sqrt(2).
        grid.set_weight(Tile{0, 1}, 1);
        p = finder.find(Tile{0, 0}, Tile{1, 1});
        CPPUNIT_ASSERT_DOUBLES_EQUAL(std::sqrt(2.0), p.cost, 1e-12);
        CPPUNIT_ASSERT_EQUAL(size_t(2), p.tiles.size());
        // Two blocked tiles touching at a corner wall off the diagonal completely.
        const Grid wall = parse({".#", "#."}, Neighbours::eight);
        Finder wall_finder(wall);
        CPPUNIT_ASSERT(wall_finder.find(Tile{0, 0}, Tile{1, 1}).status == Status::unreachable);
    }

    void weights_make_detours_cheaper() {
        // Through the 9 costs 9 + 1; around costs 1+1+1+1.
        const Grid grid = parse({
            "...",
            ".9.",
            "...",
        });
        Finder finder(grid);
        const TilePath p = finder.find(Tile{1, 0}, Tile{1, 2});
        CPPUNIT_ASSERT_DOUBLES_EQUAL(4.0, p.cost, 1e-12);
        // The entered tile's weight counts, not the left one's: leaving the 9 costs 1.
        const TilePath out = finder.find(Tile{1, 1}, Tile{1, 2});
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, out.cost, 1e-12);
        const TilePath in = finder.find(Tile{1, 2}, Tile{1, 1});
        CPPUNIT_ASSERT_DOUBLES_EQUAL(9.0, in.cost, 1e-12);
    }

    void unreachable_goal() {
        const Grid grid = parse({
            "..#..",
            "..#..",
            "..#..",
        });
        Finder finder(grid);
        const TilePath p = finder.find(Tile{0, 0}, Tile{4, 2});
        CPPUNIT_ASSERT(p.status == Status::unreachable);
        CPPUNIT_ASSERT(p.tiles.empty());
        CPPUNIT_ASSERT_EQUAL(size_t(6), finder.expanded());  // the whole left side, nothing more
        // The same finder answers the next query normally.
        CPPUNIT_ASSERT(finder.find(Tile{0, 0}, Tile{1, 2}).found());
    }

    void blocked_goal_fails_blocked_start_walks_off() {
        const Grid grid = parse({
            "...",
            ".#.",
            "...",
        });
        Finder finder(grid);
        TilePath p = finder.find(Tile{0, 0}, Tile{1, 1});
        CPPUNIT_ASSERT(p.status == Status::goal_blocked);
        CPPUNIT_ASSERT_EQUAL(size_t(0), finder.expanded());  // refused before searching
        // pomelo-pathfinding never looks at the start's weight: a unit on a blocked tile walks off it.
        p = finder.find(Tile{1, 1}, Tile{1, 2});
        CPPUNIT_ASSERT(p.found());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, p.cost, 1e-12);
        CPPUNIT_ASSERT(finder.find(Tile{1, 1}, Tile{1, 1}).status == Status::goal_blocked);
    }

    void ends_outside_the_grid() {
        const Grid grid(4, 3);
        Finder finder(grid);
        for (const auto &[s, g] : std::vector<std::pair<Tile, Tile>>{
                 {{-1, 0}, {1, 1}}, {{1, 1}, {4, 0}}, {{0, 3}, {0, 0}}, {{0, 0}, {0, -1}}, {{100000, 5}, {0, 0}}}) {
            const TilePath p = finder.find(s, g);
            CPPUNIT_ASSERT(p.status == Status::out_of_map);
            CPPUNIT_ASSERT(p.tiles.empty());
        }
        CPPUNIT_ASSERT_EQUAL(blocked, grid.weight(Tile{-1, 0}));
        CPPUNIT_ASSERT(!grid.walkable(Tile{4, 0}));
        const Grid empty;
        Finder none(empty);
        CPPUNIT_ASSERT(none.find(Tile{0, 0}, Tile{0, 0}).status == Status::out_of_map);
    }

    void start_is_goal() {
        const Grid grid(3, 3);
        Finder finder(grid);
        const TilePath p = finder.find(Tile{2, 1}, Tile{2, 1});
        CPPUNIT_ASSERT(p.found());
        CPPUNIT_ASSERT_EQUAL(size_t(1), p.tiles.size());
        CPPUNIT_ASSERT_EQUAL(0.0, p.cost);
    }

    void weights_below_one_are_refused() {
        Grid grid(2, 2);
        CPPUNIT_ASSERT_THROW(grid.set_weight(Tile{0, 0}, 0.5), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(grid.set_weight(Tile{0, 0}, std::nan("")), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(grid.set_weight(Tile{0, 0}, -blocked), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(grid.set_weight(Tile{2, 0}, 1), std::out_of_range);
        CPPUNIT_ASSERT_THROW(Grid(2, 2, 0.0), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(Grid(-1, 2), std::invalid_argument);
        grid.set_weight(Tile{1, 1}, 1e6);
        CPPUNIT_ASSERT_EQUAL(1e6, grid.weight(Tile{1, 1}));
    }

    void weight_changes_are_seen_and_grid_resizes() {
        Grid grid(5, 1);
        Finder finder(grid);
        CPPUNIT_ASSERT(finder.find(Tile{0, 0}, Tile{4, 0}).found());
        grid.block(Tile{2, 0});
        CPPUNIT_ASSERT(finder.find(Tile{0, 0}, Tile{4, 0}).status == Status::unreachable);
        grid = Grid(9, 9);
        const TilePath p = finder.find(Tile{0, 0}, Tile{8, 8});
        CPPUNIT_ASSERT(p.found());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(16.0, p.cost, 1e-12);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FinderTest);
