#include <shaddock/path/finder.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace shd::path {

namespace {

const double kSqrt2 = std::sqrt(2.0);

// Lowest f on top; among equal f, the deeper entry (higher g), which is nearer the goal.
struct OpenAfter {
    template <class Open>
    bool operator()(const Open &a, const Open &b) const {
        return a.f > b.f || (a.f == b.f && a.g < b.g);
    }
};

}  // namespace

const char *to_string(Status status) {
    switch (status) {
        case Status::found: return "found";
        case Status::out_of_map: return "out_of_map";
        case Status::start_blocked: return "start_blocked";
        case Status::goal_blocked: return "goal_blocked";
        case Status::unreachable: return "unreachable";
    }
    return "unknown";
}

TilePath Finder::find(Tile start, Tile goal) {
    TilePath out;
    find(start, goal, out);
    return out;
}

void Finder::prepare() {
    const size_t n = grid_->tile_count();
    if (visits_.size() != n) {
        visits_.assign(n, Visit{0.0, 0, 0, 0});
        round_ = 0;
    }
    if (++round_ == 0) {  // wrapped: old stamps could match again
        std::fill(visits_.begin(), visits_.end(), Visit{0.0, 0, 0, 0});
        round_ = 1;
    }
    open_.clear();
    expanded_ = 0;
}

// A lower bound of the cost left (every weight is at least 1): the fewest steps' length. Never more
// than the true cost, so A* stays exact; tighter than pomelo-pathfinding's straight-line distance,
// so it expands fewer tiles for the same answer.
double Finder::estimate(Tile from, Tile goal) const {
    const double dx = std::abs(from.x - goal.x);
    const double dy = std::abs(from.y - goal.y);
    if (grid_->neighbours() == Neighbours::four) return dx + dy;
    const double lo = std::min(dx, dy);
    return (std::max(dx, dy) - lo) + kSqrt2 * lo;
}

void Finder::find(Tile start, Tile goal, TilePath &out) {
    out.tiles.clear();
    out.cost = 0;
    const Grid &grid = *grid_;
    if (!grid.contains(start) || !grid.contains(goal)) {
        out.status = Status::out_of_map;
        return;
    }
    if (!grid.walkable(goal)) {
        out.status = Status::goal_blocked;
        return;
    }
    prepare();
    const uint32_t start_index = static_cast<uint32_t>(grid.index(start));
    const uint32_t goal_index = static_cast<uint32_t>(grid.index(goal));
    visits_[start_index] = Visit{0.0, start_index, round_, 0};
    open_.push_back(Open{estimate(start, goal), 0.0, start_index});

    bool found = false;
    while (!open_.empty()) {
        std::pop_heap(open_.begin(), open_.end(), OpenAfter{});
        const Open top = open_.back();
        open_.pop_back();
        Visit &visit = visits_[top.index];
        if (visit.closed == round_ || top.g > visit.cost) continue;  // stale entry
        if (top.index == goal_index) {
            found = true;
            break;
        }
        visit.closed = round_;
        ++expanded_;
        const Tile here = grid.tile_at(top.index);
        grid.for_each_neighbour(here, [&](Tile next, double weight) {
            const uint32_t i = static_cast<uint32_t>(grid.index(next));
            Visit &v = visits_[i];
            if (v.closed == round_) return;
            const bool diagonal = next.x != here.x && next.y != here.y;
            const double g = top.g + weight * (diagonal ? kSqrt2 : 1.0);
            if (v.seen == round_ && !(g < v.cost)) return;
            v.seen = round_;
            v.cost = g;
            v.parent = top.index;
            open_.push_back(Open{g + estimate(next, goal), g, i});
            std::push_heap(open_.begin(), open_.end(), OpenAfter{});
        });
    }
    if (!found) {
        out.status = Status::unreachable;
        return;
    }
    out.status = Status::found;
    out.cost = visits_[goal_index].cost;
    for (uint32_t i = goal_index;; i = visits_[i].parent) {
        out.tiles.push_back(grid.tile_at(i));
        if (i == start_index) break;
    }
    std::reverse(out.tiles.begin(), out.tiles.end());
}

}  // namespace shd::path
