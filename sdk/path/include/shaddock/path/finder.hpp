// A* on a Grid: pomelo-pathfinding's buildFinder(map) -> finder(sx, sy, gx, gy).
//
// Same answer as pomelo-pathfinding 0.1.0: the cheapest path under the grid's neighbour and weight
// rules (grid.hpp), as the list of tiles from start to goal, and its cost (the sum over the steps of
// the entered tile's weight times the step's length). Like pomelo-pathfinding, the start tile's own
// weight is never looked at (a unit standing on a blocked tile can walk off it), a blocked goal
// fails at once, and start == goal is a path of one tile and cost 0. Where several paths cost the
// same, the one returned may differ from pomelo-pathfinding's.
//
// A Finder keeps its working arrays between searches (no allocation once warm). It reads the grid it
// was made with at each search, so weight changes are seen; the grid must outlive it. One Finder per
// thread; any number of Finders may share a grid that nobody changes meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <shaddock/path/grid.hpp>

namespace shd::path {

enum class Status {
    found,
    out_of_map,     // start or goal outside the map
    start_blocked,  // (TileMap::find_path only: the tile search lets a unit leave a blocked tile)
    goal_blocked,   // the goal tile is blocked
    unreachable,    // no path joins them
};

const char *to_string(Status status);

struct TilePath {
    Status status = Status::unreachable;
    std::vector<Tile> tiles;  // start first, goal last; empty unless found
    double cost = 0;

    bool found() const { return status == Status::found; }
};

class Finder {
public:
    explicit Finder(const Grid &grid) : grid_(&grid) {}

    TilePath find(Tile start, Tile goal);
    // The same, into `out` (its vector's capacity is reused).
    void find(Tile start, Tile goal, TilePath &out);

    const Grid &grid() const { return *grid_; }

    // Tiles taken off the open list by the last search (each expanded once): a measure of its work.
    size_t expanded() const { return expanded_; }

private:
    struct Open {
        double f;
        double g;
        uint32_t index;
    };

    void prepare();
    double estimate(Tile from, Tile goal) const;

    // What a search knows of one tile, kept together so that a visit touches one cache line.
    struct Visit {
        double cost;      // best known cost from the start, valid where seen == round_
        uint32_t parent;  // tile index of the previous tile on that path
        uint32_t seen;    // round in which cost and parent were set
        uint32_t closed;  // round in which the tile was expanded
    };

    const Grid *grid_;
    std::vector<Visit> visits_;  // one per tile
    std::vector<Open> open_;     // binary heap, lowest f first; stale entries skipped on pop
    uint32_t round_ = 0;
    size_t expanded_ = 0;
};

}  // namespace shd::path
