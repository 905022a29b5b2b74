// shd::aoi::TowerAoi against a brute-force reference on random worlds: every change's status,
// `moved` flag and entered/left sets, and every query, exactly as a model that keeps plain maps of
// objects and watchers and scans all of them computes them from the rules (pomelo-aoi's).
#include <shaddock/aoi/tower_aoi.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <cppunit/extensions/HelperMacros.h>

namespace shd::aoi {
namespace {

bool by_id(const EntityRef &a, const EntityRef &b) {
    return a.id != b.id ? a.id < b.id : a.type < b.type;
}

// The rules written out again, independently of the library: plain maps, a scan of everything.
class Reference {
public:
    explicit Reference(const Config &c)
        : c_(c),
          max_x_(static_cast<int>(std::ceil(c.width / c.tower_width)) - 1),
          max_y_(static_cast<int>(std::ceil(c.height / c.tower_height)) - 1) {}

    struct Result {
        Status status = Status::ok;
        bool moved = false;
        std::vector<EntityRef> entered, left;
    };

    Result add_object(EntityId id, TypeId type, Position p) {
        Result r;
        int x, y;
        if (type >= c_.types) return fail(Status::bad_type);
        if (!tower(p, x, y)) return fail(Status::out_of_map);
        if (objects_.count(id)) return fail(Status::duplicate_id);
        objects_[id] = {type, x, y};
        r.moved = true;
        r.entered = watchers_seeing(x, y);
        return r;
    }

    Result remove_object(EntityId id) {
        auto it = objects_.find(id);
        if (it == objects_.end()) return fail(Status::unknown_id);
        Result r;
        r.moved = true;
        r.left = watchers_seeing(it->second.x, it->second.y);
        objects_.erase(it);
        return r;
    }

    Result update_object(EntityId id, Position p) {
        auto it = objects_.find(id);
        if (it == objects_.end()) return fail(Status::unknown_id);
        int x, y;
        if (!tower(p, x, y)) return fail(Status::out_of_map);
        Result r;
        Obj &o = it->second;
        if (o.x == x && o.y == y) return r;
        r.moved = true;
        for (const auto &[wid, w] : watchers_) {
            bool saw = sees(w, o.x, o.y), sees_now = sees(w, x, y);
            if (sees_now && !saw) r.entered.push_back({wid, w.type});
            if (saw && !sees_now) r.left.push_back({wid, w.type});
        }
        o.x = x;
        o.y = y;
        return r;
    }

    Status add_watcher(EntityId id, TypeId type, Position p, int range) {
        if (type >= c_.types) return Status::bad_type;
        if (range < 0) return Status::bad_range;
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) return Status::out_of_map;
        if (watchers_.count(id)) return Status::duplicate_id;
        Watch w;
        w.type = type;
        w.x = nearest(p.x / c_.tower_width, max_x_);
        w.y = nearest(p.y / c_.tower_height, max_y_);
        w.range = std::min(range, c_.range_limit);
        w.requested = range;
        watchers_[id] = w;
        return Status::ok;
    }

    Status remove_watcher(EntityId id) { return watchers_.erase(id) ? Status::ok : Status::unknown_id; }

    Result update_watcher(EntityId id, Position p, int range) {
        auto it = watchers_.find(id);
        if (it == watchers_.end()) return fail(Status::unknown_id);
        int x, y;
        if (!tower(p, x, y)) return fail(Status::out_of_map);
        Watch &w = it->second;
        Result r;
        if (w.x == x && w.y == y && w.requested == range) return r;
        if (range < 0) return fail(Status::bad_range);
        Watch now = w;
        now.x = x;
        now.y = y;
        now.range = std::min(range, c_.range_limit);
        now.requested = range;
        r.moved = true;
        for (const auto &[oid, o] : objects_) {
            bool saw = sees(w, o.x, o.y), sees_now = sees(now, o.x, o.y);
            if (sees_now && !saw) r.entered.push_back({oid, o.type});
            if (saw && !sees_now) r.left.push_back({oid, o.type});
        }
        w = now;
        return r;
    }

    Status ids_by_pos(Position p, int range, std::vector<EntityId> &out) const {
        out.clear();
        int x, y;
        if (!tower(p, x, y)) return Status::out_of_map;
        if (range < 0) return Status::bad_range;
        Watch probe{0, x, y, std::min(range, c_.range_limit), range};
        for (const auto &[oid, o] : objects_)
            if (sees(probe, o.x, o.y)) out.push_back(oid);
        return Status::ok;
    }

    Status ids_by_range(Position p, int range, const std::vector<TypeId> &types, std::vector<EntityRef> &out) const {
        out.clear();
        int x, y;
        if (!tower(p, x, y)) return Status::out_of_map;
        if (range < 0 || range > c_.range_limit) return Status::bad_range;
        Watch probe{0, x, y, range, range};
        for (const auto &[oid, o] : objects_)
            if (sees(probe, o.x, o.y) && std::count(types.begin(), types.end(), o.type)) out.push_back({oid, o.type});
        return Status::ok;
    }

    Status watchers_of(Position p, const std::vector<TypeId> *types, std::vector<EntityRef> &out) const {
        out.clear();
        int x, y;
        if (!tower(p, x, y)) return Status::out_of_map;
        for (const EntityRef &w : watchers_seeing(x, y))
            if (!types || std::count(types->begin(), types->end(), w.type)) out.push_back(w);
        return Status::ok;
    }

    std::size_t objects() const { return objects_.size(); }
    std::size_t watchers() const { return watchers_.size(); }

private:
    struct Obj {
        TypeId type;
        int x, y;
    };
    struct Watch {
        TypeId type;
        int x, y, range, requested;
    };

    static Result fail(Status s) {
        Result r;
        r.status = s;
        return r;
    }

    bool tower(Position p, int &x, int &y) const {
        if (!(p.x >= 0 && p.y >= 0 && p.x < c_.width && p.y < c_.height)) return false;  // NaN fails too
        x = static_cast<int>(std::floor(p.x / c_.tower_width));
        y = static_cast<int>(std::floor(p.y / c_.tower_height));
        return true;
    }

    static int nearest(double t, int max) {
        double f = std::floor(t);
        return f < 0 ? 0 : f > max ? max : static_cast<int>(f);
    }

    // The window of range r around c on an axis of towers 0..max: 2r+1 towers pushed inside the map,
    // cut to it. Written as a formula rather than Pomelo's case analysis.
    static bool axis_covers(int c, int r, int max, int t) {
        int lo = std::max(0, std::min(c - r, max - 2 * r));
        int hi = std::min(max, std::max(c + r, 2 * r));
        return t >= lo && t <= hi;
    }

    bool sees(const Watch &w, int x, int y) const {
        return axis_covers(w.x, w.range, max_x_, x) && axis_covers(w.y, w.range, max_y_, y);
    }

    std::vector<EntityRef> watchers_seeing(int x, int y) const {
        std::vector<EntityRef> out;
        for (const auto &[wid, w] : watchers_)
            if (sees(w, x, y)) out.push_back({wid, w.type});
        return out;
    }

    Config c_;
    int max_x_, max_y_;
    std::map<EntityId, Obj> objects_;
    std::map<EntityId, Watch> watchers_;
};

std::string refs(std::vector<EntityRef> v) {
    std::sort(v.begin(), v.end(), by_id);
    std::ostringstream s;
    for (const EntityRef &r : v) s << r.id << ':' << r.type << ' ';
    return s.str();
}
std::string refs(View<EntityRef> v) {
    return refs(std::vector<EntityRef>(v.begin(), v.end()));
}
std::string ids(std::vector<EntityId> v) {
    std::sort(v.begin(), v.end());
    std::ostringstream s;
    for (EntityId id : v) s << id << ' ';
    return s.str();
}

// One random world and its operations.
class World {
public:
    World(std::uint64_t seed, Config c, int id_pool)
        : seed_(seed), rng_(seed), c_(c), aoi_(c), ref_(c), pool_(id_pool) {}

    // Runs n operations, checking each; counts them in the totals.
    void run(int n) {
        for (op_ = 0; op_ < n; ++op_) step();
    }

    long changes = 0, events = 0, queries = 0;

private:
    double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(int percent) { return pick(1, 100) <= percent; }

    double coordinate(double size, double tower) {
        int k = pick(1, 100);
        if (k <= 40) return std::floor(uniform(0, size));
        if (k <= 80) return uniform(0, size);
        if (k <= 87) {  // on a tower boundary or just before it
            double b = tower * pick(0, static_cast<int>(std::ceil(size / tower)));
            double v = chance(50) ? b : std::nextafter(b, 0.0);
            return v;
        }
        if (k <= 92) return chance(50) ? 0.0 : std::nextafter(size, 0.0);
        if (k <= 96) return chance(50) ? -uniform(0.001, 2 * tower) : size + uniform(0, 2 * tower);
        if (k <= 98) return chance(50) ? size : -0.0;
        return chance(50) ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
    }
    Position anywhere() { return {coordinate(c_.width, c_.tower_width), coordinate(c_.height, c_.tower_height)}; }
    // A walk: a short step from where the entity was, sometimes a jump.
    Position near(Position from) {
        if (!std::isfinite(from.x) || !std::isfinite(from.y) || chance(10)) return anywhere();
        double dx = uniform(-1.5, 1.5) * c_.tower_width, dy = uniform(-1.5, 1.5) * c_.tower_height;
        Position p{std::floor(from.x + dx), std::floor(from.y + dy)};
        if (!(p.x >= 0 && p.y >= 0 && p.x < c_.width && p.y < c_.height) && chance(80))  // mostly stay on the map
            p = {std::floor(std::clamp(p.x, 0.0, std::nextafter(c_.width, 0.0))),
                 std::floor(std::clamp(p.y, 0.0, std::nextafter(c_.height, 0.0)))};
        return p;
    }
    EntityId any_id() { return static_cast<EntityId>(pick(1, pool_)); }
    // Now and then one past the last type: bad_type.
    TypeId any_type() { return static_cast<TypeId>(chance(3) ? c_.types : pick(0, c_.types - 1)); }
    int any_range() {
        int k = pick(1, 100);
        if (k <= 5) return -pick(1, 3);
        if (k <= 20) return 0;
        if (k <= 90) return pick(1, 3);
        return c_.range_limit + pick(0, 4);
    }

    std::string where() const {
        std::ostringstream s;
        s << "world seed " << seed_ << " (" << (c_.storage == Storage::sparse ? "sparse " : "") << c_.width << "x"
          << c_.height << ", towers " << c_.tower_width << "x" << c_.tower_height << ", limit " << c_.range_limit
          << "), op " << op_ << ": ";
        return s.str();
    }

    void check(const char *what, const Change &got, const Reference::Result &want) {
        ++changes;
        std::string w = where() + what;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(w + " status", std::string(to_string(want.status)),
                                     std::string(to_string(got.status)));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(w + " moved", want.moved, got.moved);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(w + " entered", refs(want.entered), refs(got.entered));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(w + " left", refs(want.left), refs(got.left));
        // Each set is a set: no entity twice.
        CPPUNIT_ASSERT_EQUAL_MESSAGE(w + " entered size", want.entered.size(), got.entered.size());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(w + " left size", want.left.size(), got.left.size());
        if (!got.entered.empty() || !got.left.empty()) ++events;
    }
    void check_status(const char *what, Status got, Status want) {
        ++changes;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + what, std::string(to_string(want)), std::string(to_string(got)));
    }

    void step() {
        int k = pick(1, 100);
        EntityId id = any_id();
        if (k <= 14) {
            Position p = anywhere();
            TypeId t = any_type();
            Change got = aoi_.add_object(id, t, p);
            check("add_object", got, ref_.add_object(id, t, p));
            if (got.ok()) object_pos_[id] = p;
        } else if (k <= 22) {
            check("remove_object", aoi_.remove_object(id), ref_.remove_object(id));
            object_pos_.erase(id);
        } else if (k <= 55) {
            auto it = object_pos_.find(id);
            Position p = it == object_pos_.end() ? anywhere() : near(it->second);
            Change got = aoi_.update_object(id, p);
            check("update_object", got, ref_.update_object(id, p));
            if (got.ok()) object_pos_[id] = p;
        } else if (k <= 63) {
            Position p = chance(85) ? Position{uniform(0, c_.width), uniform(0, c_.height)} : anywhere();
            TypeId t = any_type();
            int r = any_range();
            Status got = aoi_.add_watcher(id, t, p, r);
            check_status("add_watcher", got, ref_.add_watcher(id, t, p, r));
            if (got == Status::ok) watcher_pos_[id] = p;
        } else if (k <= 68) {
            check_status("remove_watcher", aoi_.remove_watcher(id), ref_.remove_watcher(id));
            watcher_pos_.erase(id);
        } else if (k <= 94) {
            auto it = watcher_pos_.find(id);
            Position p = it == watcher_pos_.end() ? anywhere() : near(it->second);
            // Mostly the same range (a walking player), sometimes a new one (a resized view).
            int r = chance(80) && it != watcher_pos_.end() ? last_range_[id] : any_range();
            Change got = aoi_.update_watcher(id, p, r);
            check("update_watcher", got, ref_.update_watcher(id, p, r));
            if (got.ok()) {
                watcher_pos_[id] = p;
                last_range_[id] = r;
            }
        } else {
            query();
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "object count", ref_.objects(), aoi_.object_count());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "watcher count", ref_.watchers(), aoi_.watcher_count());
    }

    void query() {
        ++queries;
        Position p = chance(90) ? Position{uniform(0, c_.width), uniform(0, c_.height)} : anywhere();
        int r = any_range();
        std::vector<TypeId> types;
        for (TypeId t = 0; t <= c_.types; ++t)
            if (chance(50)) types.push_back(t);
        std::vector<EntityId> got_ids, want_ids;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "ids_by_pos status",
                                     std::string(to_string(ref_.ids_by_pos(p, r, want_ids))),
                                     std::string(to_string(aoi_.ids_by_pos(p, r, got_ids))));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "ids_by_pos", ids(want_ids), ids(got_ids));
        std::vector<EntityRef> got, want;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "ids_by_range status",
                                     std::string(to_string(ref_.ids_by_range(p, r, types, want))),
                                     std::string(to_string(aoi_.ids_by_range(p, r, types, got))));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "ids_by_range", refs(want), refs(got));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "watchers_of(types) status",
                                     std::string(to_string(ref_.watchers_of(p, &types, want))),
                                     std::string(to_string(aoi_.watchers_of(p, types, got))));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "watchers_of(types)", refs(want), refs(got));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "watchers_of status",
                                     std::string(to_string(ref_.watchers_of(p, nullptr, want))),
                                     std::string(to_string(aoi_.watchers_of(p, got))));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "watchers_of", refs(want), refs(got));
    }

    std::uint64_t seed_;
    std::mt19937_64 rng_;
    Config c_;
    TowerAoi aoi_;
    Reference ref_;
    int pool_;
    int op_ = 0;
    std::map<EntityId, Position> object_pos_, watcher_pos_;
    std::map<EntityId, int> last_range_;
};

class BruteForceTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BruteForceTest);
    CPPUNIT_TEST(randomWorldsMatchTheReference);
    CPPUNIT_TEST_SUITE_END();

public:
    // 20 worlds of 5000 operations: 100k changes and queries, each checked. Worlds range from one
    // tower to 60 x 60, with sizes that are and are not multiples of the tower size, with Pomelo's
    // range limit (5) and others, with small id pools (many duplicates and unknown ids), half of them
    // on the dense tower store and half on the sparse one.
    void randomWorldsMatchTheReference() {
        std::mt19937_64 meta(20261204);
        long changes = 0, events = 0, queries = 0;
        const int worlds = 20, ops = 5000;
        for (int i = 0; i < worlds; ++i) {
            std::uint64_t seed = meta();
            std::mt19937_64 r(seed ^ 0x5eed);
            auto in = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(r); };
            Config c;
            c.tower_width = i % 3 == 0 ? 300 : std::floor(in(20, 400));
            c.tower_height = i % 3 == 0 ? 300 : std::floor(in(20, 400));
            double columns = i == 1 ? 1 : std::floor(in(1, 60)), rows = i == 2 ? 1 : std::floor(in(1, 60));
            c.width = i % 2 ? columns * c.tower_width : std::floor(in(1, columns * c.tower_width + 1));
            c.height = i % 2 ? rows * c.tower_height : in(1, rows * c.tower_height + 1);
            c.types = static_cast<TypeId>(1 + i % 4);
            c.range_limit = i % 5 == 4 ? static_cast<int>(i % 3) : 5;
            c.storage = i % 4 < 2 ? Storage::dense : Storage::sparse;  // both stores, the same answers
            int pool = i % 4 == 3 ? 20 : 300;
            World w(seed, c, pool);
            w.run(ops);
            changes += w.changes;
            events += w.events;
            queries += w.queries;
        }
        CPPUNIT_ASSERT_EQUAL(long(worlds) * ops, changes + queries);
        // The walk must produce many non-empty sets, or the comparison proves little.
        CPPUNIT_ASSERT_MESSAGE("only " + std::to_string(events) + " changes with entered or left entities",
                               events > 10000);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BruteForceTest);

}  // namespace
}  // namespace shd::aoi
