#include <shaddock/path/tile_map.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

namespace shd::path {

TileMap::TileMap(double width, double height, double tile_width, double tile_height, Neighbours neighbours)
    : width_(width), height_(height), tile_width_(tile_width), tile_height_(tile_height) {
    // Written so that NaN fails too.
    if (!(width > 0 && height > 0 && tile_width > 0 && tile_height > 0) || !std::isfinite(width) ||
        !std::isfinite(height)) {
        throw std::invalid_argument("path map: sizes must be positive, got " + std::to_string(width) + " x " +
                                    std::to_string(height) + " px with " + std::to_string(tile_width) + " x " +
                                    std::to_string(tile_height) + " px tiles");
    }
    const double columns = std::ceil(width / tile_width);
    const double rows = std::ceil(height / tile_height);
    if (columns * rows > 1e8) {
        throw std::invalid_argument("path map: " + std::to_string(columns) + " x " + std::to_string(rows) +
                                    " tiles is too many (at most 1e8)");
    }
    grid_ = Grid(static_cast<int>(columns), static_cast<int>(rows), 1.0, neighbours);
}

Tile TileMap::tile_of(Point p) const {
    return Tile{static_cast<int>(std::floor(p.x / tile_width_)), static_cast<int>(std::floor(p.y / tile_height_))};
}

// The centre of the part of the tile inside the map: the last column and row may stick out of a map
// whose size is not a multiple of the tile size, and a path point must stay on the map.
Point TileMap::centre_of(Tile t) const {
    const double x0 = t.x * tile_width_, y0 = t.y * tile_height_;
    const double x1 = std::min(x0 + tile_width_, width_), y1 = std::min(y0 + tile_height_, height_);
    return Point{(x0 + x1) / 2, (y0 + y1) / 2};
}

// Walks the tiles the segment passes through, in order (a grid traversal in tile units). Where it
// crosses a tile corner exactly, both tiles beside the corner are looked at as well, so a segment
// cannot slip between two blocked tiles that touch at a corner.
bool TileMap::segment_clear(Point a, Point b) const {
    if (!reachable(a) || !reachable(b)) return false;
    const double ax = a.x / tile_width_, ay = a.y / tile_height_;
    const double bx = b.x / tile_width_, by = b.y / tile_height_;
    Tile t = tile_of(a);
    const Tile end = tile_of(b);
    const int step_x = end.x > t.x ? 1 : -1;
    const int step_y = end.y > t.y ? 1 : -1;
    const double dx = bx - ax, dy = by - ay;
    const double inf = std::numeric_limits<double>::infinity();
    // Segment parameter (0..1) at which the next vertical / horizontal tile edge is crossed, and the
    // parameter distance between two such edges.
    double next_x = inf, next_y = inf, delta_x = inf, delta_y = inf;
    if (t.x != end.x) {
        next_x = ((step_x > 0 ? t.x + 1 : t.x) - ax) / dx;
        delta_x = 1.0 / std::abs(dx);
    }
    if (t.y != end.y) {
        next_y = ((step_y > 0 ? t.y + 1 : t.y) - ay) / dy;
        delta_y = 1.0 / std::abs(dy);
    }
    // Each step moves one tile closer on one axis (two at a corner): at most this many steps.
    int steps = std::abs(end.x - t.x) + std::abs(end.y - t.y);
    while (steps > 0 && t != end) {
        if (t.x != end.x && (t.y == end.y || next_x < next_y)) {
            t.x += step_x;
            next_x += delta_x;
            --steps;
        } else if (t.y != end.y && (t.x == end.x || next_y < next_x)) {
            t.y += step_y;
            next_y += delta_y;
            --steps;
        } else {  // through a corner: both tiles beside it, then the diagonal one
            if (!grid_.walkable(Tile{t.x + step_x, t.y}) || !grid_.walkable(Tile{t.x, t.y + step_y})) return false;
            t.x += step_x;
            t.y += step_y;
            next_x += delta_x;
            next_y += delta_y;
            steps -= 2;
        }
        if (!grid_.walkable(t)) return false;
    }
    return true;
}

bool TileMap::verify_path(const std::vector<Point> &path) const {
    if (path.size() < 2) return false;
    for (const Point &p : path) {
        if (!reachable(p)) return false;
    }
    for (size_t i = 1; i < path.size(); ++i) {
        if (!segment_clear(path[i - 1], path[i])) return false;
    }
    return true;
}

std::vector<Point> TileMap::compress_collinear(const std::vector<Point> &path) {
    if (path.size() < 3) return path;
    std::vector<Point> out;
    out.reserve(path.size());
    out.push_back(path.front());
    for (size_t i = 1; i + 1 < path.size(); ++i) {
        const Point &p0 = path[i - 1], &p1 = path[i], &p2 = path[i + 1];
        const bool even_step = p1.x - p0.x == p2.x - p1.x && p1.y - p0.y == p2.y - p1.y;
        if (!even_step) out.push_back(p1);
    }
    out.push_back(path.back());
    return out;
}

std::vector<Point> TileMap::compress_shortcuts(std::vector<Point> path, int passes) const {
    for (int pass = 0; pass < passes && path.size() > 2; ++pass) {
        std::vector<Point> out;
        out.reserve(path.size());
        out.push_back(path.front());
        size_t i = 0;
        while (i + 2 < path.size()) {
            if (segment_clear(path[i], path[i + 2])) {
                out.push_back(path[i + 2]);
                i += 2;
            } else {
                out.push_back(path[i + 1]);
                i += 1;
            }
        }
        if (i + 2 == path.size()) out.push_back(path.back());
        path.swap(out);
    }
    return path;
}

double TileMap::length(const std::vector<Point> &path) {
    double total = 0;
    for (size_t i = 1; i < path.size(); ++i) total += std::hypot(path[i].x - path[i - 1].x, path[i].y - path[i - 1].y);
    return total;
}

PointPath TileMap::find_path(Finder &finder, Point from, Point to) const {
    PointPath out;
    find_path(finder, from, to, out);
    return out;
}

void TileMap::find_path(Finder &finder, Point from, Point to, PointPath &out) const {
    if (&finder.grid() != &grid_) throw std::invalid_argument("path map: find_path with a Finder made on another grid");
    out.points.clear();
    out.cost = 0;
    if (!inside(from) || !inside(to)) {
        out.status = Status::out_of_map;
        return;
    }
    if (!reachable(from)) {
        out.status = Status::start_blocked;
        return;
    }
    if (!reachable(to)) {
        out.status = Status::goal_blocked;
        return;
    }
    if (segment_clear(from, to)) {
        out.status = Status::found;
        out.points = {from, to};
        out.cost = length(out.points);
        return;
    }
    const TilePath tiles = finder.find(tile_of(from), tile_of(to));
    if (!tiles.found()) {
        out.status = tiles.status;
        return;
    }
    std::vector<Point> points;
    points.reserve(tiles.tiles.size());
    for (const Tile &t : tiles.tiles) points.push_back(centre_of(t));
    // The exact ends in place of their tiles' centres. The first and last steps stay clear: a point
    // and the centre of a neighbouring walkable tile lie in the two tiles' union.
    points.front() = from;
    points.back() = to;
    points = compress_collinear(points);
    if (points.size() > 2) points = compress_collinear(compress_shortcuts(std::move(points), 3));
    out.status = Status::found;
    out.points = std::move(points);
    out.cost = length(out.points);
}

}  // namespace shd::path
