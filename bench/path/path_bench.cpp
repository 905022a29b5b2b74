// The path-finding micro-benchmark's C++ half (bench/path/run.js drives it and runs pomelo-pathfinding
// on the same queries): builds a seeded random map, writes it and the queries to a JSON file for the
// Node half, then times shd::path::Finder on the queries, repeating the set until at least
// `--min-seconds` have passed, and prints one JSON line:
//   {"neighbours":4,"queries":500,"rounds":R,"seconds":s,"paths_per_second":p,"found":f,
//    "expanded_per_query":e,"costs":[...]}
//
//   shd_path_bench --out FILE [--size 200] [--queries 500] [--blocked 0.25] [--neighbours 4|8]
//                  [--seed S] [--min-seconds 1]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <shaddock/path/finder.hpp>

#include "random_maps.hpp"

using namespace shd::path;

int main(int argc, char **argv) {
    int size = 200, count = 500, neighbours = 4;
    double blocked_share = 0.25, min_seconds = 1.0;
    uint64_t seed = 42;
    const char *out = nullptr;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--size")
            size = std::atoi(argv[i + 1]);
        else if (a == "--queries")
            count = std::atoi(argv[i + 1]);
        else if (a == "--blocked")
            blocked_share = std::atof(argv[i + 1]);
        else if (a == "--neighbours")
            neighbours = std::atoi(argv[i + 1]);
        else if (a == "--seed")
            seed = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--min-seconds")
            min_seconds = std::atof(argv[i + 1]);
        else if (a == "--out")
            out = argv[i + 1];
        else {
            std::fprintf(stderr, "shd_path_bench: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (!out || size < 2 || count < 1 || (neighbours != 4 && neighbours != 8)) {
        std::fprintf(stderr, "usage: shd_path_bench --out FILE [--size N] [--queries N] [--neighbours 4|8] ...\n");
        return 2;
    }
    shd::path::testing::Rng rng(seed);
    const Grid grid = shd::path::testing::random_grid(rng, size, size, blocked_share, false,
                                                      neighbours == 4 ? Neighbours::four : Neighbours::eight);
    // Queries between walkable tiles (some pairs are cut off from each other, as on real maps).
    std::vector<shd::path::testing::Query> queries;
    while (static_cast<int>(queries.size()) < count) {
        const Tile a{rng.below(size), rng.below(size)}, b{rng.below(size), rng.below(size)};
        if (grid.walkable(a) && grid.walkable(b)) queries.push_back({a, b});
    }

    FILE *f = std::fopen(out, "w");
    if (!f) {
        std::perror(out);
        return 1;
    }
    std::fprintf(f, "{\"width\":%d,\"height\":%d,\"neighbours\":%d,\"blocked\":[", size, size, neighbours);
    bool first = true;
    for (size_t i = 0; i < grid.tile_count(); ++i) {
        if (grid.walkable(grid.tile_at(i))) continue;
        std::fprintf(f, "%s%zu", first ? "" : ",", i);
        first = false;
    }
    std::fprintf(f, "],\"queries\":[");
    for (size_t i = 0; i < queries.size(); ++i) {
        std::fprintf(f, "%s[%d,%d,%d,%d]", i ? "," : "", queries[i].start.x, queries[i].start.y, queries[i].goal.x,
                     queries[i].goal.y);
    }
    std::fprintf(f, "]}\n");
    std::fclose(f);

    Finder finder(grid);
    TilePath path;
    std::vector<double> costs(queries.size(), -1);
    int found = 0;
    size_t expanded = 0;
    long rounds = 0;
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    double seconds = 0;
    do {
        for (size_t i = 0; i < queries.size(); ++i) {
            finder.find(queries[i].start, queries[i].goal, path);
            if (rounds == 0) {
                costs[i] = path.found() ? path.cost : -1;
                found += path.found();
                expanded += finder.expanded();
            }
        }
        ++rounds;
        seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (seconds < min_seconds);
    std::printf(
        "{\"neighbours\":%d,\"queries\":%zu,\"rounds\":%ld,\"seconds\":%.6f,\"paths_per_second\":%.1f,\"found\":%d,"
        "\"expanded_per_query\":%.0f,\"costs\":[",
        neighbours, queries.size(), rounds, seconds, static_cast<double>(queries.size()) * rounds / seconds, found,
        static_cast<double>(expanded) / static_cast<double>(queries.size()));
    for (size_t i = 0; i < costs.size(); ++i) std::printf("%s%.17g", i ? "," : "", costs[i]);
    std::printf("]}\n");
    return 0;
}
