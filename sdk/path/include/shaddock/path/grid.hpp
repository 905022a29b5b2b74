// A weighted tile grid, the map that path finding searches: pomelo-pathfinding's `map` argument
// (getWeight and forAllReachable) as one value type.
//
// Weights follow pomelo-pathfinding: entering a tile costs its weight times the length of the step
// (1 across an edge, sqrt(2) across a corner), and an infinite weight blocks the tile. Lord of
// Pomelo's maps hold only 1 (free) and infinity (blocked). Finite weights must be at least 1: the
// search's estimate (straight-line distance in tiles, as pomelo-pathfinding's) is then never too
// high, so every path found is a cheapest one.
//
// Which tiles neighbour a tile is the map's choice in pomelo-pathfinding; here it is the grid's
// `Neighbours`: `four` (Lord of Pomelo's map: up, down, left, right) or `eight` (the four diagonals
// too, a diagonal step only when both tiles it passes between are walkable, so no path squeezes
// between two blocked tiles that touch at a corner).
//
// A plain value: copy it, share it read-only between threads, change it from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace shd::path {

// A tile's column and row; (0, 0) is the top-left tile.
struct Tile {
    int x = 0;
    int y = 0;
    friend bool operator==(Tile a, Tile b) { return a.x == b.x && a.y == b.y; }
    friend bool operator!=(Tile a, Tile b) { return !(a == b); }
};

enum class Neighbours { four, eight };

inline constexpr double blocked = std::numeric_limits<double>::infinity();

class Grid {
public:
    Grid() = default;
    // A width x height grid of tiles of weight `weight` (1: all free). Throws std::invalid_argument
    // on a negative size or a weight below 1 (or NaN).
    Grid(int width, int height, double weight = 1.0, Neighbours neighbours = Neighbours::four);

    int width() const { return width_; }
    int height() const { return height_; }
    Neighbours neighbours() const { return neighbours_; }
    void set_neighbours(Neighbours n) { neighbours_ = n; }

    bool contains(Tile t) const { return t.x >= 0 && t.y >= 0 && t.x < width_ && t.y < height_; }
    // The tile's weight; `blocked` (infinity) for a blocked tile and for one outside the grid.
    double weight(Tile t) const { return contains(t) ? weights_[index(t)] : blocked; }
    bool walkable(Tile t) const { return weight(t) < blocked; }

    // Sets one tile's weight: at least 1, or `blocked`. Throws std::out_of_range for a tile outside the
    // grid and std::invalid_argument for a weight below 1 (or NaN).
    void set_weight(Tile t, double weight);
    void block(Tile t) { set_weight(t, blocked); }

    // Row-major index (y * width + x) of a tile inside the grid, and back.
    size_t index(Tile t) const {
        return static_cast<size_t>(t.y) * static_cast<size_t>(width_) + static_cast<size_t>(t.x);
    }
    Tile tile_at(size_t index) const {
        return Tile{static_cast<int>(index % static_cast<size_t>(width_)),
                    static_cast<int>(index / static_cast<size_t>(width_))};
    }
    size_t tile_count() const { return weights_.size(); }

    // Calls visit(neighbour, weight) for each walkable neighbour of `t` the grid's rule allows, in a
    // fixed order: up, down, left, right, then (eight) up-left, up-right, down-left, down-right.
    template <class Visit>
    void for_each_neighbour(Tile t, Visit &&visit) const;

private:
    int width_ = 0;
    int height_ = 0;
    Neighbours neighbours_ = Neighbours::four;
    std::vector<double> weights_;
};

template <class Visit>
void Grid::for_each_neighbour(Tile t, Visit &&visit) const {
    static constexpr int dx[8] = {0, 0, -1, 1, -1, 1, -1, 1};
    static constexpr int dy[8] = {-1, 1, 0, 0, -1, -1, 1, 1};
    const int n = neighbours_ == Neighbours::eight ? 8 : 4;
    for (int i = 0; i < n; ++i) {
        const Tile to{t.x + dx[i], t.y + dy[i]};
        const double w = weight(to);
        if (!(w < blocked)) continue;
        if (i >= 4 && (!walkable(Tile{t.x + dx[i], t.y}) || !walkable(Tile{t.x, t.y + dy[i]}))) continue;
        visit(to, w);
    }
}

}  // namespace shd::path
