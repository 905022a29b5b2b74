// Walking: client paths checked before they are walked (the server is the authority: the start must
// be where the player is, every segment clear, the length bounded), server paths for the AI, and the
// per-tick advance (LORDOFPOMELO.md §3.2, §5).
#include "world/area.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mmo::world {

namespace {

std::string path_json(const std::vector<Point> &path) {
    std::string out = "[";
    for (size_t i = 0; i < path.size(); ++i) {
        if (i) out += ",";
        out += "{\"x\":" + std::to_string(static_cast<long long>(std::floor(path[i].x))) +
               ",\"y\":" + std::to_string(static_cast<long long>(std::floor(path[i].y))) + "}";
    }
    return out + "]";
}

std::string speed_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

MoveCheck Area::move(Player &p, const std::vector<Point> &path) {
    if (p.died) return MoveCheck::dead;
    if (path.size() < 2 || path.size() > options_.max_path_points) return MoveCheck::bad_path;
    for (const Point &pt : path)
        if (!std::isfinite(pt.x) || !std::isfinite(pt.y) || !map_.tiles().inside(pt)) return MoveCheck::bad_path;
    if (std::hypot(path[0].x - p.x, path[0].y - p.y) > options_.start_tolerance) return MoveCheck::far_start;
    if (!map_.tiles().verify_path(path)) return MoveCheck::blocked;
    // The walk starts where the player stands, not at path[0]: no short teleports either.
    std::vector<Point> walk;
    walk.reserve(path.size() + 1);
    walk.push_back(p.pos());
    if (path[0] != p.pos()) {
        if (!map_.tiles().segment_clear(p.pos(), path[0])) return MoveCheck::blocked;
        walk.push_back(path[0]);
    }
    walk.insert(walk.end(), path.begin() + 1, path.end());
    if (shd::path::TileMap::length(walk) > p.walk_speed * options_.max_path_seconds * options_.move_slack)
        return MoveCheck::too_long;
    p.target = 0;  // a move aborts an attack or a pick (Lord of Pomelo aborts the brain's action)
    p.move.path = std::move(walk);
    p.move.next = 1;
    p.move.ticks = 0;
    p.move.last_ms = now_;
    p.move.by_server = false;
    // Watchers of path[0] but the mover (it plays its own move).
    {
        std::vector<EntityId> to = player_watchers(path[0]);
        to.erase(std::remove(to.begin(), to.end(), p.id), to.end());
        push(to, "onMove",
             "{\"entityId\":" + std::to_string(p.id) + ",\"path\":" + path_json(p.move.path) +
                 ",\"speed\":" + speed_text(p.walk_speed) + "}");
    }
    return MoveCheck::ok;
}

bool Area::walk_to(Character &c, Point goal) {
    shd::path::PointPath found = map_.find_path(c.pos(), goal);
    if (!found.found() || found.points.size() < 2) return false;
    c.move.path = std::move(found.points);
    c.move.next = 1;
    c.move.ticks = 0;
    c.move.last_ms = now_;
    c.move.by_server = true;
    c.chase_goal = goal;
    push(player_watchers(c.pos()), "onMove",
         "{\"entityId\":" + std::to_string(c.id) + ",\"path\":" + path_json(c.move.path) +
             ",\"speed\":" + speed_text(c.walk_speed) + "}");
    return true;
}

void Area::stop_moving(Character &c) {
    c.move.stop();
}

void Area::advance_moves() {
    std::vector<EntityId> moving;
    for (const auto &kv : entities_) {
        if (kv.second->type != EntityType::player && kv.second->type != EntityType::mob) continue;
        if (static_cast<Character &>(*kv.second).move.active()) moving.push_back(kv.first);
    }
    std::sort(moving.begin(), moving.end());
    for (EntityId id : moving)
        if (Entity *e = entity(id)) advance(static_cast<Character &>(*e));
}

void Area::advance(Character &c) {
    Move &m = c.move;
    // Never more than half a second of walking in one tick, however late the tick is.
    const double elapsed = std::min<double>(500, static_cast<double>(now_ - m.last_ms)) / 1000.0;
    m.last_ms = now_;
    double budget = c.walk_speed * std::max(0.0, elapsed);
    Point at = c.pos();
    while (budget > 0 && m.next < m.path.size()) {
        const Point goal = m.path[m.next];
        const double d = std::hypot(goal.x - at.x, goal.y - at.y);
        if (d <= budget) {
            at = goal;
            budget -= d;
            ++m.next;
        } else {
            at = {at.x + (goal.x - at.x) * budget / d, at.y + (goal.y - at.y) * budget / d};
            budget = 0;
        }
    }
    set_position(c, at);
    ++m.ticks;
    if (c.type == EntityType::player && m.ticks % 10 == 0) {
        push({c.id}, "onPathCheckout",
             "{\"entityId\":" + std::to_string(c.id) +
                 ",\"position\":{\"x\":" + std::to_string(static_cast<long long>(std::floor(at.x))) +
                 ",\"y\":" + std::to_string(static_cast<long long>(std::floor(at.y))) + "}}");
    }
    if (!m.active()) m.stop();
}

}  // namespace mmo::world
