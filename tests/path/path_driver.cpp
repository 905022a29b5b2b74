// Prints seeded random grids and this library's answers to queries on them, as JSON lines, for
// pomelo_compare.js to put the same queries to the npm pomelo-pathfinding package:
//   {"map":<n>,"width":w,"height":h,"neighbours":4|8,"weights":[...]}   0 stands for blocked
//   {"map":<n>,"start":[x,y],"goal":[x,y],"status":"found","cost":c,"expanded":e,"tiles":[x0,y0,x1,y1,...]}
//
//   path_driver [--maps N] [--queries Q] [--seed S] [--tiled FILE]
// --tiled adds the map built from a Tiled JSON file (its collision layer, 20 px tiles) as map 0.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include <shaddock/path/finder.hpp>
#include <shaddock/path/tiled_map.hpp>

#include "random_maps.hpp"

using namespace shd::path;
using shd::path::testing::Rng;

namespace {

void print_map(int n, const Grid &grid) {
    std::printf("{\"map\":%d,\"width\":%d,\"height\":%d,\"neighbours\":%d,\"weights\":[", n, grid.width(),
                grid.height(), grid.neighbours() == Neighbours::four ? 4 : 8);
    for (size_t i = 0; i < grid.tile_count(); ++i) {
        const double w = grid.weight(grid.tile_at(i));
        std::printf("%s%.17g", i ? "," : "", w < blocked ? w : 0.0);
    }
    std::printf("]}\n");
}

void print_answer(int n, Finder &finder, Tile start, Tile goal) {
    const TilePath path = finder.find(start, goal);
    std::printf(
        "{\"map\":%d,\"start\":[%d,%d],\"goal\":[%d,%d],\"status\":\"%s\",\"cost\":%.17g,\"expanded\":%zu,\"tiles\":[",
        n, start.x, start.y, goal.x, goal.y, to_string(path.status), path.cost, finder.expanded());
    for (size_t i = 0; i < path.tiles.size(); ++i) {
        std::printf("%s%d,%d", i ? "," : "", path.tiles[i].x, path.tiles[i].y);
    }
    std::printf("]}\n");
}

void run(int n, const Grid &grid, Rng &rng, int queries) {
    print_map(n, grid);
    Finder finder(grid);
    for (const auto &q : shd::path::testing::random_queries(rng, grid, queries, true)) {
        print_answer(n, finder, q.start, q.goal);
    }
}

}  // namespace

int main(int argc, char **argv) {
    int maps = 60, queries = 40;
    uint64_t seed = 20261204;
    const char *tiled = nullptr;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--maps"))
            maps = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--queries"))
            queries = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seed"))
            seed = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--tiled"))
            tiled = argv[i + 1];
        else {
            std::fprintf(stderr, "path_driver: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    Rng rng(seed);
    int n = 0;
    try {
        if (tiled) run(n++, build_tile_map(load_tiled_map(tiled)).map.grid(), rng, queries * 4);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "path_driver: %s\n", e.what());
        return 1;
    }
    for (int i = 0; i < maps; ++i) {
        const int width = 5 + rng.below(40), height = 5 + rng.below(40);
        const double share = 0.05 * rng.below(9);  // 0 .. 40 % blocked
        const bool weighted = i % 3 == 2;
        const Neighbours neighbours = i % 2 ? Neighbours::eight : Neighbours::four;
        run(n++, shd::path::testing::random_grid(rng, width, height, share, weighted, neighbours), rng, queries);
    }
    return 0;
}
