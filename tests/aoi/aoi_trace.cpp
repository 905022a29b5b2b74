// aoi_trace <seed> <operations>: drives shd::aoi::TowerAoi through a random world and prints, one JSON
// line each, the world and every operation with what TowerAoi answered. pomelo_aoi_compare.js replays
// the lines in the npm pomelo-aoi package and compares the answers.
//
// The operations are those a Pomelo caller can make: objects and watchers are added when absent and
// moved or removed when present (pomelo-aoi keeps no ids, the caller passes the old position), and a
// watcher placed outside the map is only removed, never moved (pomelo-aoi refuses to move it from
// there; see docs/aoi.md). Coordinates are finite (JSON has no NaN); ids start at 1 (pomelo-aoi cannot
// remove id 0). Ranges, borders and positions outside the map are all exercised.
#include <shaddock/aoi/tower_aoi.hpp>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace shd::aoi;

const char *status_name(Status s) {
    switch (s) {
        case Status::ok: return "ok";
        case Status::out_of_map: return "out_of_map";
        case Status::unknown_id: return "unknown_id";
        case Status::duplicate_id: return "duplicate_id";
        case Status::bad_type: return "bad_type";
        case Status::bad_range: return "bad_range";
    }
    return "?";
}

std::string refs(View<EntityRef> v) {
    std::string s = "[";
    for (const EntityRef &r : v) {
        if (s.size() > 1) s += ',';
        s += "[" + std::to_string(r.id) + "," + std::to_string(r.type) + "]";
    }
    return s + "]";
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

struct Watcher {
    Position pos;
    int range;
    bool outside;
};

class Trace {
public:
    explicit Trace(std::uint64_t seed) : rng_(seed) {
        c_.tower_width = pick(0, 2) == 0 ? 300 : pick(20, 400);
        c_.tower_height = pick(0, 2) == 0 ? 300 : pick(20, 400);
        int columns = pick(1, 40), rows = pick(1, 40);
        c_.width = chance(50) ? columns * c_.tower_width : pick(1, int(columns * c_.tower_width));
        c_.height = chance(50) ? rows * c_.tower_height : uniform(1, rows * c_.tower_height);
        c_.types = static_cast<TypeId>(pick(1, 4));
        pool_ = chance(30) ? 30 : 300;
        c_.storage = seed % 2 ? Storage::dense : Storage::sparse;  // both stores, the same answers
        aoi_ = std::make_unique<TowerAoi>(c_);
        std::printf("{\"world\":{\"width\":%s,\"height\":%s,\"towerWidth\":%s,\"towerHeight\":%s,\"types\":%d}}\n",
                    num(c_.width).c_str(), num(c_.height).c_str(), num(c_.tower_width).c_str(),
                    num(c_.tower_height).c_str(), int(c_.types));
    }

    void step() {
        int k = pick(1, 100);
        EntityId id = static_cast<EntityId>(pick(1, pool_));
        if (k <= 40) {
            object_op(id);
        } else if (k <= 92) {
            watcher_op(id);
        } else {
            query();
        }
    }

private:
    double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(int percent) { return pick(1, 100) <= percent; }

    double coordinate(double size, double tower) {
        int k = pick(1, 100);
        if (k <= 45) return std::floor(uniform(0, size));
        if (k <= 80) return uniform(0, size);
        if (k <= 88) {
            double b = tower * pick(0, static_cast<int>(std::ceil(size / tower)));
            return chance(50) ? b : std::nextafter(b, 0.0);
        }
        if (k <= 93) return chance(50) ? 0.0 : std::nextafter(size, 0.0);
        if (k <= 97) return chance(50) ? -uniform(0.001, 2 * tower) : size + uniform(0, 2 * tower);
        return size;
    }
    Position anywhere() { return {coordinate(c_.width, c_.tower_width), coordinate(c_.height, c_.tower_height)}; }
    // A walk: a short step from where the entity was, mostly kept on the map; sometimes a jump.
    Position near(Position from) {
        if (chance(10)) return anywhere();
        Position p{std::floor(from.x + uniform(-1.5, 1.5) * c_.tower_width),
                   std::floor(from.y + uniform(-1.5, 1.5) * c_.tower_height)};
        if (!inside(p) && chance(80))
            p = {std::floor(std::clamp(p.x, 0.0, std::nextafter(c_.width, 0.0))),
                 std::floor(std::clamp(p.y, 0.0, std::nextafter(c_.height, 0.0)))};
        return p;
    }
    bool inside(Position p) const { return p.x >= 0 && p.y >= 0 && p.x < c_.width && p.y < c_.height; }
    int range() {
        int k = pick(1, 100);
        if (k <= 4) return -1;
        if (k <= 20) return 0;
        if (k <= 90) return pick(1, 3);
        return pick(5, 8);
    }

    void print_change(const char *op, EntityId id, int type, Position p, const char *extra, const Change &c) {
        std::printf("{\"op\":\"%s\",\"id\":%" PRIu64
                    ",\"type\":%d,\"x\":%s,\"y\":%s%s,\"status\":\"%s\","
                    "\"moved\":%s,\"entered\":%s,\"left\":%s}\n",
                    op, id, type, num(p.x).c_str(), num(p.y).c_str(), extra, status_name(c.status),
                    c.moved ? "true" : "false", refs(c.entered).c_str(), refs(c.left).c_str());
    }

    void object_op(EntityId id) {
        auto it = objects_.find(id);
        if (it == objects_.end()) {
            Position p = anywhere();
            TypeId type = static_cast<TypeId>(pick(0, c_.types - 1));
            Change c = aoi_->add_object(id, type, p);
            print_change("addObject", id, type, p, "", c);
            if (c.ok()) objects_[id] = {p, type};
        } else if (chance(15)) {
            Change c = aoi_->remove_object(id);
            print_change("removeObject", id, it->second.second, it->second.first, "", c);
            objects_.erase(it);
        } else {
            Position p = near(it->second.first);
            Change c = aoi_->update_object(id, p);
            print_change("updateObject", id, it->second.second, p, "", c);
            if (c.ok()) it->second.first = p;
        }
    }

    void watcher_op(EntityId id) {
        auto it = watchers_.find(id);
        std::string extra;
        if (it == watchers_.end()) {
            Position p = chance(90) ? Position{uniform(0, c_.width), uniform(0, c_.height)} : anywhere();
            TypeId type = static_cast<TypeId>(pick(0, c_.types - 1));
            int r = range();
            Status s = aoi_->add_watcher(id, type, p, r);
            Change c;
            c.status = s;
            print_change("addWatcher", id, type, p, (",\"range\":" + std::to_string(r)).c_str(), c);
            if (s == Status::ok) watchers_[id] = {{p, r, !inside(p)}, type};
        } else if (chance(10) || it->second.first.outside) {
            Status s = aoi_->remove_watcher(id);
            Change c;
            c.status = s;
            const Watcher &w = it->second.first;
            print_change("removeWatcher", id, it->second.second, w.pos,
                         (",\"range\":" + std::to_string(w.range)).c_str(), c);
            watchers_.erase(it);
        } else {
            Watcher &w = it->second.first;
            Position p = near(w.pos);
            int r = chance(85) ? w.range : range();
            Change c = aoi_->update_watcher(id, p, r);
            print_change("updateWatcher", id, it->second.second, p, (",\"range\":" + std::to_string(r)).c_str(), c);
            if (c.ok()) w = {p, r, false};
        }
    }

    void query() {
        Position p = chance(90) ? Position{uniform(0, c_.width), uniform(0, c_.height)} : anywhere();
        int r = range();
        std::vector<TypeId> types;
        std::string types_json = "[";
        for (TypeId t = 0; t < c_.types; ++t)
            if (chance(60)) {
                types.push_back(t);
                types_json += (types_json.size() > 1 ? "," : "") + std::to_string(t);
            }
        types_json += "]";
        std::vector<EntityId> ids;
        Status s = aoi_->ids_by_pos(p, r, ids);
        std::string list = "[";
        for (EntityId id : ids) list += (list.size() > 1 ? "," : "") + std::to_string(id);
        list += "]";
        std::printf("{\"op\":\"getIdsByPos\",\"x\":%s,\"y\":%s,\"range\":%d,\"status\":\"%s\",\"ids\":%s}\n",
                    num(p.x).c_str(), num(p.y).c_str(), r, status_name(s), list.c_str());
        std::vector<EntityRef> out;
        s = aoi_->ids_by_range(p, r, types, out);
        std::printf(
            "{\"op\":\"getIdsByRange\",\"x\":%s,\"y\":%s,\"range\":%d,\"types\":%s,\"status\":\"%s\",\"refs\":%s}\n",
            num(p.x).c_str(), num(p.y).c_str(), r, types_json.c_str(), status_name(s), refs(out).c_str());
        s = aoi_->watchers_of(p, types, out);
        std::printf("{\"op\":\"getWatchers\",\"x\":%s,\"y\":%s,\"types\":%s,\"status\":\"%s\",\"refs\":%s}\n",
                    num(p.x).c_str(), num(p.y).c_str(), types_json.c_str(), status_name(s), refs(out).c_str());
    }

    std::mt19937_64 rng_;
    Config c_;
    std::unique_ptr<TowerAoi> aoi_;
    int pool_ = 300;
    std::map<EntityId, std::pair<Position, TypeId>> objects_;
    std::map<EntityId, std::pair<Watcher, TypeId>> watchers_;
};

}  // namespace

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: aoi_trace <seed> <operations>\n");
        return 2;
    }
    Trace trace(std::strtoull(argv[1], nullptr, 10));
    long n = std::strtol(argv[2], nullptr, 10);
    for (long i = 0; i < n; ++i) trace.step();
    return 0;
}
