// Seeded random tile grids and queries for the path tests, the driver and the benchmark: the same
// seed gives the same maps on every machine (own generator, no std distributions).
#pragma once

#include <cstdint>
#include <vector>

#include <shaddock/path/grid.hpp>

namespace shd::path::testing {

class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next() {  // splitmix64
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    int below(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
    double unit() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }

private:
    uint64_t state_;
};

// A width x height grid with about `blocked_share` of its tiles blocked (in short walls, so that
// maps have corridors and dead ends), and, when `weighted`, free tiles of weight 1, 2, 3 or 5.
inline Grid random_grid(Rng &rng, int width, int height, double blocked_share, bool weighted, Neighbours n) {
    Grid grid(width, height, 1.0, n);
    const int tiles = width * height;
    int to_block = static_cast<int>(blocked_share * tiles);
    while (to_block > 0) {
        int x = rng.below(width), y = rng.below(height);
        const bool horizontal = rng.below(2) == 0;
        const int length = 1 + rng.below(6);
        for (int i = 0; i < length && to_block > 0; ++i) {
            if (grid.contains(Tile{x, y}) && grid.walkable(Tile{x, y})) {
                grid.block(Tile{x, y});
                --to_block;
            }
            (horizontal ? x : y) += 1;
        }
    }
    if (weighted) {
        static const double weights[] = {1, 2, 3, 5};
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                if (grid.walkable(Tile{x, y})) grid.set_weight(Tile{x, y}, weights[rng.below(4)]);
            }
        }
    }
    return grid;
}

struct Query {
    Tile start;
    Tile goal;
};

// Mostly tiles inside the grid (blocked ones included, as they come), a few just outside it when
// `outside` is set.
inline std::vector<Query> random_queries(Rng &rng, const Grid &grid, int count, bool outside) {
    std::vector<Query> queries;
    auto tile = [&] {
        if (outside && rng.below(20) == 0) {
            return rng.below(2) ? Tile{-1, rng.below(grid.height())} : Tile{rng.below(grid.width()), grid.height()};
        }
        return Tile{rng.below(grid.width()), rng.below(grid.height())};
    };
    for (int i = 0; i < count; ++i) queries.push_back(Query{tile(), tile()});
    return queries;
}

}  // namespace shd::path::testing
