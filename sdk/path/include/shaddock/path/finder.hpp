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

    const Grid *grid_;
    std::vector<double> cost_;      // best known cost from the start, valid where seen_ == round_
    std::vector<uint32_t> parent_;  // tile index of the previous tile on that path
    std::vector<uint32_t> seen_;    // round in which cost_/parent_ were set
    std::vector<uint32_t> closed_;  // round in which the tile was expanded
    std::vector<Open> open_;        // binary heap, lowest f first; stale entries skipped on pop
    uint32_t round_ = 0;
    size_t expanded_ = 0;
};

}  // namespace shd::path
