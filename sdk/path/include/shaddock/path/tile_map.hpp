// A map in pixels over a grid of tiles: Lord of Pomelo's area map (app/domain/map/map.js) with its
// path handling. Lord of Pomelo uses 20 x 20 px tiles, weights 1 or blocked and four neighbours.
//
//   find_path    a walkable path between two points: the straight line if it is clear, else A* over
//                the tiles, tile centres, then compressed (collinear points dropped, three passes of
//                shortcuts, collinear points dropped again); the cost is the polyline's length.
//   verify_path  what a server checks of a path a client sends: at least two points, each on a
//                walkable tile inside the map, each segment clear.
//   segment_clear  a straight segment crosses only walkable tiles.
//
// Differences from Lord of Pomelo, on purpose (docs/path.md):
//   * segment_clear looks at every tile the segment touches (and at both tiles beside a corner it
//     passes exactly through). Lord of Pomelo samples every 10 px with a corner probe, never looks
//     at horizontal or vertical segments at all (any such segment passes, walls or not), and skips
//     the last piece shorter than 10 px.
//   * find_path starts at the exact start point and ends at the exact end point (as Lord of Pomelo's
//     client does); its server version starts and ends at tile centres. Every path find_path returns
//     passes verify_path.
//   * the shortcut pass keeps the last point of a two-point path (Lord of Pomelo's drops it).
//
// Thread rules as for Grid: const member functions may run on many threads at once.
#pragma once

#include <cstddef>
#include <vector>

#include <shaddock/path/finder.hpp>
#include <shaddock/path/grid.hpp>

namespace shd::path {

struct Point {
    double x = 0;
    double y = 0;
    friend bool operator==(Point a, Point b) { return a.x == b.x && a.y == b.y; }
    friend bool operator!=(Point a, Point b) { return !(a == b); }
};

struct PointPath {
    Status status = Status::unreachable;
    std::vector<Point> points;  // from the start point to the end point; empty unless found
    double cost = 0;            // the polyline's length in pixels

    bool found() const { return status == Status::found; }
};

class TileMap {
public:
    TileMap() = default;
    // A width x height px map (both > 0) of tile_width x tile_height px tiles (both > 0), all free:
    // ceil(width / tile_width) x ceil(height / tile_height) tiles. Throws std::invalid_argument.
    TileMap(double width, double height, double tile_width = 20, double tile_height = 20,
            Neighbours neighbours = Neighbours::four);

    double width() const { return width_; }
    double height() const { return height_; }
    double tile_width() const { return tile_width_; }
    double tile_height() const { return tile_height_; }
    const Grid &grid() const { return grid_; }
    Grid &grid() { return grid_; }

    // The tile holding a point (floor of pixel / tile size), and a tile's centre (of the part inside
    // the map, for the last column and row of a map whose size is not a multiple of the tile size).
    Tile tile_of(Point p) const;
    Point centre_of(Tile t) const;

    // 0 <= x < width and 0 <= y < height.
    bool inside(Point p) const { return p.x >= 0 && p.y >= 0 && p.x < width_ && p.y < height_; }
    // Inside, on a walkable tile.
    bool reachable(Point p) const { return inside(p) && grid_.walkable(tile_of(p)); }
    // Both ends reachable and every tile the segment touches walkable.
    bool segment_clear(Point a, Point b) const;
    // At least two points, every point reachable, every segment clear.
    bool verify_path(const std::vector<Point> &path) const;

    // Lord of Pomelo's compressPath2: drops each inner point whose step from the previous point
    // equals the step to the next (evenly spaced points on a line, as tile centres are).
    static std::vector<Point> compress_collinear(const std::vector<Point> &path);
    // Lord of Pomelo's compressPath1: `passes` times, walk the path and replace a point and its
    // successor by the one after when the shortcut is clear.
    std::vector<Point> compress_shortcuts(std::vector<Point> path, int passes) const;

    // The path from `from` to `to` (see the top of this file). Not found: out_of_map, start_blocked,
    // goal_blocked (the point's tile is blocked) or unreachable. `finder` must be made on grid()
    // (std::invalid_argument otherwise: a programming error, the only throw here). The search uses
    // the weights; the straight line and the shortcuts only ask whether tiles are walkable, as in
    // Lord of Pomelo, whose maps have no other weight than 1.
    PointPath find_path(Finder &finder, Point from, Point to) const;
    void find_path(Finder &finder, Point from, Point to, PointPath &out) const;

    static double length(const std::vector<Point> &path);

private:
    double width_ = 0;
    double height_ = 0;
    double tile_width_ = 20;
    double tile_height_ = 20;
    Grid grid_;
};

}  // namespace shd::path
