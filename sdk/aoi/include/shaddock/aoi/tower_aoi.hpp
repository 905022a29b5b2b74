// shd::aoi::TowerAoi: area of interest on a map divided into towers, with pomelo-aoi 0.3.34's
// semantics (lib/towerAOI/towerAOI.js), so a port of a Pomelo game sees the same watchers.
//
// The model. A map of width x height is cut into towers of tower_width x tower_height: columns =
// ceil(width / tower_width), rows = ceil(height / tower_height); a position (x, y) with
// 0 <= x < width and 0 <= y < height lies in tower (floor(x / tower_width), floor(y / tower_height)).
// An object (id, type) lives in the one tower of its position. A watcher (id, type) with a range r
// (in towers, 0 <= r, clamped to range_limit) watches the (2r+1) x (2r+1) window of towers around its
// tower; near a map border the window is shifted inward to keep its size, then cut to the map. A
// watcher "sees" an object when the object's tower lies in the watcher's window. Object ids are
// unique among objects, watcher ids among watchers; one entity may be both (a player is usually an
// object and a watcher under its entity id).
//
// Changes report what Pomelo's events carry:
//   add_object     entered = the watchers of its tower                      (Pomelo event 'add')
//   remove_object  left    = the watchers of its tower                      ('remove')
//   update_object  entered / left = watchers of the new tower not of the old one, and the reverse
//                  ('update' carries both whole sets; these are their differences). No change of
//                  tower: ok, nothing moved, no sets.
//   add_watcher, remove_watcher: no sets (Pomelo emits nothing; read the view with ids_by_range).
//   update_watcher entered / left = the objects in the towers the window gained / lost
//                  ('updateWatcher' addObjs / removeObjs). Same tower and same range: nothing.
// The entity itself is in those sets when it is both object and watcher, as in Pomelo.
//
// Positions outside the map: add_object, update_object, update_watcher and the position queries
// refuse them (Status::out_of_map), as Pomelo's checkPos does; add_watcher places the watcher in the
// nearest tower, which is the window Pomelo's addWatcher computes for such a position. Non-finite
// coordinates are always refused. Differences from pomelo-aoi are listed in docs/aoi.md.
//
// Threading: none. A TowerAoi is used by one thread at a time, in Shaddock the logic thread of the
// server that owns the area (every handler, timer and remote of an app runs there); it takes no lock.
//
// Memory: after warm-up (the highest number of entities reached, the busiest tower's lists) changes
// and queries allocate nothing; towers and entities are kept in flat arrays, the towers either over
// the whole grid or, on very large maps, only those in use (Config::storage).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

namespace shd::aoi {

using EntityId = std::uint64_t;
// Entity types are small numbers the app chooses (an enum: player, mob, npc, item, ...), each below
// Config::types. Pomelo uses strings; queries filter by them the same way.
using TypeId = std::uint16_t;

struct Position {
    double x = 0;
    double y = 0;
};

// How the towers are kept; the answers are the same either way (the tests run both).
enum class Storage : std::uint8_t {
    automatic,  // dense up to 2^20 towers (48 MB), sparse beyond
    dense,      // one array over the whole grid: 48 bytes a tower, used or not
    sparse,     // only the towers in use, found through a hash table: for very large maps
};

struct Config {
    // The map, in the app's units (pixels in lordofpomelo), and its towers (lordofpomelo: 300 x 300).
    double width = 0;
    double height = 0;
    double tower_width = 0;
    double tower_height = 0;
    TypeId types = 1;     // types are 0 .. types-1
    int range_limit = 5;  // watcher ranges are clamped to this; Pomelo's is fixed at 5
    Storage storage = Storage::automatic;
};

struct EntityRef {
    EntityId id = 0;
    TypeId type = 0;
};

inline bool operator==(const EntityRef &a, const EntityRef &b) {
    return a.id == b.id && a.type == b.type;
}

// A read-only run of T, borrowed: see each function for how long it stays valid.
template <class T>
class View {
public:
    View() = default;
    View(const T *data, std::size_t size) : data_(data), size_(size) {}
    View(const std::vector<T> &v) : data_(v.data()), size_(v.size()) {}  // NOLINT: implicit on purpose
    const T *begin() const { return data_; }
    const T *end() const { return data_ + size_; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const T &operator[](std::size_t i) const { return data_[i]; }

private:
    const T *data_ = nullptr;
    std::size_t size_ = 0;
};

enum class Status : std::uint8_t {
    ok,
    out_of_map,    // a coordinate outside [0, width) x [0, height), or not finite
    unknown_id,    // no object (watcher) with that id
    duplicate_id,  // an object (watcher) with that id is already there
    bad_type,      // type >= Config::types
    bad_range,     // a negative range, or (ids_by_range only) one above the range limit
};
const char *to_string(Status status);

// What one change did. entered and left point into the TowerAoi and stay valid until its next
// add/remove/update call (queries leave them alone).
struct Change {
    Status status = Status::ok;
    // The object changed tower, or the watcher changed tower or range: where Pomelo emits its
    // 'update' / 'updateWatcher' event (possibly with empty sets). Always true for a successful
    // add_object / remove_object, false on failure.
    bool moved = false;
    View<EntityRef> entered;  // objects: watchers that now see it; watchers: objects now in view
    View<EntityRef> left;     // objects: watchers that no longer see it; watchers: objects out of view
    bool ok() const { return status == Status::ok; }
};

class TowerAoi {
public:
    // Throws std::invalid_argument naming the field when the config is unusable: sizes not positive
    // and finite, no types, a negative range limit, more than 2^30 towers a side, or more towers
    // than the storage takes (dense: 2^26, sparse: 2^31).
    explicit TowerAoi(const Config &config);
    ~TowerAoi();
    TowerAoi(TowerAoi &&) noexcept;
    TowerAoi &operator=(TowerAoi &&) noexcept;
    TowerAoi(const TowerAoi &) = delete;
    TowerAoi &operator=(const TowerAoi &) = delete;

    // Objects. The TowerAoi keeps each object's tower, so moves and removals need only the id.
    Change add_object(EntityId id, TypeId type, Position pos);
    Change remove_object(EntityId id);
    Change update_object(EntityId id, Position pos);

    // Watchers. A range above range_limit is clamped to it (the requested value is remembered, so
    // update_watcher reports a range change as Pomelo does); a negative one is refused.
    Status add_watcher(EntityId id, TypeId type, Position pos, int range);
    Status remove_watcher(EntityId id);
    Change update_watcher(EntityId id, Position pos, int range);

    // Queries; each clears `out`, fills it and returns ok, or returns why it did not (out empty).
    // getIdsByPos: every object in the window of `range` (clamped) around pos, tower by tower.
    Status ids_by_pos(Position pos, int range, std::vector<EntityId> &out) const;
    // getIdsByRange: the objects of the given types in that window; a range above the limit is
    // refused (bad_range), as Pomelo returns nothing for it. Unknown types match nothing.
    Status ids_by_range(Position pos, int range, View<TypeId> types, std::vector<EntityRef> &out) const;
    Status ids_by_range(Position pos, int range, std::initializer_list<TypeId> types,
                        std::vector<EntityRef> &out) const {
        return ids_by_range(pos, range, View<TypeId>(types.begin(), types.size()), out);
    }
    // getWatchers: the watchers of the given types (all types: the overload without) whose window
    // holds the tower of pos. The watchers that an object at pos is seen by.
    Status watchers_of(Position pos, View<TypeId> types, std::vector<EntityRef> &out) const;
    Status watchers_of(Position pos, std::initializer_list<TypeId> types, std::vector<EntityRef> &out) const {
        return watchers_of(pos, View<TypeId>(types.begin(), types.size()), out);
    }
    Status watchers_of(Position pos, std::vector<EntityRef> &out) const;

    // The grid, and the tower of a position (false when it is outside the map).
    int columns() const;
    int rows() const;
    int range_limit() const;
    bool sparse() const;  // the storage in use (Storage::automatic decides by the number of towers)
    bool tower_of(Position pos, int &tower_x, int &tower_y) const;
    std::size_t object_count() const;
    std::size_t watcher_count() const;
    bool has_object(EntityId id) const;
    bool has_watcher(EntityId id) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace shd::aoi
