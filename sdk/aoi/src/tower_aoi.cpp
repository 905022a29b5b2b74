// The tower AOI: flat arrays of towers and entity records, the per-tower lists holding record
// indices. Tower (x, y) has grid index x * rows + y, so a window is walked column by column as Pomelo
// walks it. Window arithmetic follows pomelo-aoi's getPosLimit exactly. The towers are kept by a
// TowerStore: dense (an array over the whole grid) or sparse (only towers in use, found by index).
#include "shaddock/aoi/tower_aoi.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "id_table.hpp"

namespace shd::aoi {

const char *to_string(Status status) {
    switch (status) {
        case Status::ok: return "ok";
        case Status::out_of_map: return "position outside the map";
        case Status::unknown_id: return "unknown id";
        case Status::duplicate_id: return "id already present";
        case Status::bad_type: return "type out of range";
        case Status::bad_range: return "range out of range";
    }
    return "unknown status";
}

namespace {

constexpr std::uint32_t kNone = detail::IdTable::npos;
constexpr double kMaxSide = 1073741824.0;            // 2^30 towers a side: 2r + 1 stays an int
constexpr double kMaxDenseTowers = 67108864.0;       // 2^26 towers: 3 GB of empty towers already
constexpr double kMaxSparseTowers = 2147483648.0;    // 2^31: grid indices stay 32-bit
constexpr double kAutomaticSparseAbove = 1048576.0;  // 2^20 towers, 48 MB: see docs/aoi.md "Large maps"

struct Rect {  // inclusive tower bounds
    int x0 = 0, y0 = 0, x1 = -1, y1 = -1;
    bool contains(int x, int y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
    bool operator==(const Rect &o) const { return x0 == o.x0 && y0 == o.y0 && x1 == o.x1 && y1 == o.y1; }
};

struct ObjectRecord {
    EntityId id = 0;
    std::uint32_t tower = 0;
    std::uint32_t slot = 0;  // index in the tower's objects
    int x = 0, y = 0;        // tower coordinates
    TypeId type = 0;
};

struct WatcherRecord {
    EntityId id = 0;
    Rect window;
    int x = 0, y = 0;         // tower coordinates
    int range = 0;            // clamped
    int requested_range = 0;  // as given, for Pomelo's "same range" test
    TypeId type = 0;
};

struct Tower {
    std::vector<std::uint32_t> objects;   // ObjectRecord indices
    std::vector<std::uint32_t> watchers;  // WatcherRecord indices
};

// One side of pomelo-aoi's getPosLimit: the window [c - r, c + r], shifted inward at a border to keep
// 2r + 1 towers, then cut to [0, max].
void limit(int c, int r, int max, int &lo, int &hi) {
    if (c - r < 0) {
        lo = 0;
        hi = 2 * r;
    } else if (c + r > max) {
        hi = max;
        lo = max - 2 * r;
    } else {
        lo = c - r;
        hi = c + r;
    }
    lo = std::max(lo, 0);
    hi = std::min(hi, max);
}

template <class Record>
std::uint32_t take_record(std::vector<Record> &records, std::vector<std::uint32_t> &free) {
    if (!free.empty()) {
        std::uint32_t index = free.back();
        free.pop_back();
        return index;
    }
    records.emplace_back();
    return static_cast<std::uint32_t>(records.size() - 1);
}

void remove_value(std::vector<std::uint32_t> &list, std::uint32_t value) {
    auto it = std::find(list.begin(), list.end(), value);
    if (it != list.end()) {
        *it = list.back();
        list.pop_back();
    }
}

// The towers by grid index. Dense: every tower in one array. Sparse: the towers in use in a pool,
// an id table from grid index to pool slot; a tower left empty goes back to a free list with its
// lists' capacity, for the next tower to use.
class TowerStore {
public:
    void init(bool sparse, std::size_t towers) {
        sparse_ = sparse;
        if (!sparse_) towers_.resize(towers);
    }

    // The tower, or nullptr when a sparse store has none there (an empty tower).
    const Tower *find(std::uint32_t index) const {
        if (!sparse_) return &towers_[index];
        std::uint32_t slot = slots_.find(index);
        return slot == kNone ? nullptr : &towers_[slot];
    }
    Tower *find(std::uint32_t index) { return const_cast<Tower *>(static_cast<const TowerStore *>(this)->find(index)); }

    // The tower, created if needed. May move the other towers: hold no Tower reference across it.
    Tower &get(std::uint32_t index) {
        if (!sparse_) return towers_[index];
        std::uint32_t slot = slots_.find(index);
        if (slot != kNone) return towers_[slot];
        if (!free_.empty()) {
            slot = free_.back();
            free_.pop_back();
        } else {
            slot = static_cast<std::uint32_t>(towers_.size());
            towers_.emplace_back();
        }
        slots_.insert(index, slot);
        return towers_[slot];
    }

    // A sparse store forgets the tower at index, `tower`, once it is empty.
    void release_if_empty(std::uint32_t index, const Tower &tower) {
        if (!sparse_ || !tower.objects.empty() || !tower.watchers.empty()) return;
        std::uint32_t slot = slots_.find(index);
        slots_.erase(index);
        free_.push_back(slot);
    }

    bool sparse() const { return sparse_; }

private:
    bool sparse_ = false;
    std::vector<Tower> towers_;
    detail::IdTable slots_;
    std::vector<std::uint32_t> free_;
};

}  // namespace

struct TowerAoi::Impl {
    Config config;
    int columns = 0, rows = 0;
    int max_x = 0, max_y = 0;
    TowerStore towers;
    std::vector<ObjectRecord> objects;
    std::vector<std::uint32_t> free_objects;
    detail::IdTable object_ids;
    std::vector<WatcherRecord> watchers;
    std::vector<std::uint32_t> free_watchers;
    detail::IdTable watcher_ids;
    std::vector<EntityRef> entered, left;  // the sets of the last Change

    bool finite(Position p) const { return std::isfinite(p.x) && std::isfinite(p.y); }

    // checkPos + transPos. The division is the one Pomelo does, so border cases fall the same way;
    // the clamp only guards against rounding past the last tower.
    bool in_map(Position p, int &x, int &y) const {
        if (!finite(p) || p.x < 0 || p.y < 0 || p.x >= config.width || p.y >= config.height) return false;
        x = std::min(static_cast<int>(std::floor(p.x / config.tower_width)), max_x);
        y = std::min(static_cast<int>(std::floor(p.y / config.tower_height)), max_y);
        return true;
    }

    // The tower Pomelo's addWatcher computes the same window from, for any finite position.
    void nearest_tower(Position p, int &x, int &y) const {
        double tx = std::floor(p.x / config.tower_width), ty = std::floor(p.y / config.tower_height);
        x = static_cast<int>(std::clamp(tx, 0.0, static_cast<double>(max_x)));
        y = static_cast<int>(std::clamp(ty, 0.0, static_cast<double>(max_y)));
    }

    // Clamped to the limit, and to the map's larger side (a window that wide already covers the map,
    // and 2r stays far from overflow).
    int clamp_range(int range) const { return std::min({range, config.range_limit, std::max(columns, rows)}); }

    Rect window(int x, int y, int range) const {
        Rect r;
        limit(x, range, max_x, r.x0, r.x1);
        limit(y, range, max_y, r.y0, r.y1);
        return r;
    }

    std::uint32_t tower_index(int x, int y) const {
        return static_cast<std::uint32_t>(x) * static_cast<std::uint32_t>(rows) + static_cast<std::uint32_t>(y);
    }

    void push_watchers(std::uint32_t tower, std::vector<EntityRef> &out) const {
        if (const Tower *t = towers.find(tower))
            for (std::uint32_t w : t->watchers) out.push_back({watchers[w].id, watchers[w].type});
    }
    void push_objects(const Tower &t, std::vector<EntityRef> &out) const {
        for (std::uint32_t o : t.objects) out.push_back({objects[o].id, objects[o].type});
    }

    void place_object(std::uint32_t index, int x, int y) {
        ObjectRecord &rec = objects[index];
        rec.x = x;
        rec.y = y;
        rec.tower = tower_index(x, y);
        std::vector<std::uint32_t> &list = towers.get(rec.tower).objects;
        rec.slot = static_cast<std::uint32_t>(list.size());
        list.push_back(index);
    }

    void unplace_object(std::uint32_t index) {
        const ObjectRecord &rec = objects[index];
        Tower &tower = *towers.find(rec.tower);
        std::vector<std::uint32_t> &list = tower.objects;
        std::uint32_t last = list.back();
        list[rec.slot] = last;
        objects[last].slot = rec.slot;
        list.pop_back();
        towers.release_if_empty(rec.tower, tower);
    }

    Change change(Status status, bool moved) const {
        Change c;
        c.status = status;
        c.moved = moved;
        c.entered = View<EntityRef>(entered);
        c.left = View<EntityRef>(left);
        return c;
    }
};

TowerAoi::TowerAoi(const Config &config) : impl_(std::make_unique<Impl>()) {
    auto positive = [](double v, const char *name) {
        if (!(std::isfinite(v) && v > 0))
            throw std::invalid_argument(std::string("shd::aoi::Config.") + name + " = " + std::to_string(v) +
                                        ": expected a positive finite number");
    };
    positive(config.width, "width");
    positive(config.height, "height");
    positive(config.tower_width, "tower_width");
    positive(config.tower_height, "tower_height");
    if (config.types == 0) throw std::invalid_argument("shd::aoi::Config.types = 0: expected at least 1 type");
    if (config.range_limit < 0)
        throw std::invalid_argument("shd::aoi::Config.range_limit = " + std::to_string(config.range_limit) +
                                    ": expected 0 or more");
    double columns = std::ceil(config.width / config.tower_width);
    double rows = std::ceil(config.height / config.tower_height);
    if (columns > kMaxSide || rows > kMaxSide)
        throw std::invalid_argument("shd::aoi::Config: " + std::to_string(columns) + " x " + std::to_string(rows) +
                                    " towers: expected at most 2^30 a side; make the towers larger");
    double towers = columns * rows;
    bool sparse =
        config.storage == Storage::sparse || (config.storage == Storage::automatic && towers > kAutomaticSparseAbove);
    if (towers > (sparse ? kMaxSparseTowers : kMaxDenseTowers))
        throw std::invalid_argument("shd::aoi::Config: " + std::to_string(columns) + " x " + std::to_string(rows) +
                                    " towers: expected at most " + (sparse ? "2^31" : "2^26 with Storage::dense") +
                                    "; make the towers larger");
    Impl &m = *impl_;
    m.config = config;
    m.columns = static_cast<int>(columns);
    m.rows = static_cast<int>(rows);
    m.max_x = m.columns - 1;
    m.max_y = m.rows - 1;
    m.towers.init(sparse, static_cast<std::size_t>(towers));
}

TowerAoi::~TowerAoi() = default;
TowerAoi::TowerAoi(TowerAoi &&) noexcept = default;
TowerAoi &TowerAoi::operator=(TowerAoi &&) noexcept = default;

Change TowerAoi::add_object(EntityId id, TypeId type, Position pos) {
    Impl &m = *impl_;
    m.entered.clear();
    m.left.clear();
    if (type >= m.config.types) return m.change(Status::bad_type, false);
    int x, y;
    if (!m.in_map(pos, x, y)) return m.change(Status::out_of_map, false);
    if (m.object_ids.find(id) != kNone) return m.change(Status::duplicate_id, false);
    std::uint32_t index = take_record(m.objects, m.free_objects);
    m.objects[index].id = id;
    m.objects[index].type = type;
    m.object_ids.insert(id, index);
    m.place_object(index, x, y);
    m.push_watchers(m.objects[index].tower, m.entered);
    return m.change(Status::ok, true);
}

Change TowerAoi::remove_object(EntityId id) {
    Impl &m = *impl_;
    m.entered.clear();
    m.left.clear();
    std::uint32_t index = m.object_ids.find(id);
    if (index == kNone) return m.change(Status::unknown_id, false);
    m.push_watchers(m.objects[index].tower, m.left);
    m.unplace_object(index);
    m.object_ids.erase(id);
    m.free_objects.push_back(index);
    return m.change(Status::ok, true);
}

Change TowerAoi::update_object(EntityId id, Position pos) {
    Impl &m = *impl_;
    m.entered.clear();
    m.left.clear();
    std::uint32_t index = m.object_ids.find(id);
    if (index == kNone) return m.change(Status::unknown_id, false);
    int x, y;
    if (!m.in_map(pos, x, y)) return m.change(Status::out_of_map, false);
    ObjectRecord &rec = m.objects[index];
    if (rec.x == x && rec.y == y) return m.change(Status::ok, false);
    // A tower lists exactly the watchers whose window holds it, so the window test gives membership
    // of the other tower's list without searching it. The sets are taken before the move, which may
    // create and release towers.
    if (const Tower *to = m.towers.find(m.tower_index(x, y)))
        for (std::uint32_t w : to->watchers)
            if (!m.watchers[w].window.contains(rec.x, rec.y))
                m.entered.push_back({m.watchers[w].id, m.watchers[w].type});
    if (const Tower *from = m.towers.find(rec.tower))
        for (std::uint32_t w : from->watchers)
            if (!m.watchers[w].window.contains(x, y)) m.left.push_back({m.watchers[w].id, m.watchers[w].type});
    m.unplace_object(index);
    m.place_object(index, x, y);
    return m.change(Status::ok, true);
}

Status TowerAoi::add_watcher(EntityId id, TypeId type, Position pos, int range) {
    Impl &m = *impl_;
    if (type >= m.config.types) return Status::bad_type;
    if (range < 0) return Status::bad_range;
    if (!m.finite(pos)) return Status::out_of_map;
    if (m.watcher_ids.find(id) != kNone) return Status::duplicate_id;
    std::uint32_t index = take_record(m.watchers, m.free_watchers);
    WatcherRecord &rec = m.watchers[index];
    rec.id = id;
    rec.type = type;
    m.nearest_tower(pos, rec.x, rec.y);
    rec.requested_range = range;
    rec.range = m.clamp_range(range);
    rec.window = m.window(rec.x, rec.y, rec.range);
    m.watcher_ids.insert(id, index);
    for (int x = rec.window.x0; x <= rec.window.x1; ++x)
        for (int y = rec.window.y0; y <= rec.window.y1; ++y)
            m.towers.get(m.tower_index(x, y)).watchers.push_back(index);
    return Status::ok;
}

Status TowerAoi::remove_watcher(EntityId id) {
    Impl &m = *impl_;
    std::uint32_t index = m.watcher_ids.find(id);
    if (index == kNone) return Status::unknown_id;
    const Rect w = m.watchers[index].window;
    for (int x = w.x0; x <= w.x1; ++x)
        for (int y = w.y0; y <= w.y1; ++y) {
            std::uint32_t tower = m.tower_index(x, y);
            Tower &t = *m.towers.find(tower);
            remove_value(t.watchers, index);
            m.towers.release_if_empty(tower, t);
        }
    m.watcher_ids.erase(id);
    m.free_watchers.push_back(index);
    return Status::ok;
}

Change TowerAoi::update_watcher(EntityId id, Position pos, int range) {
    Impl &m = *impl_;
    m.entered.clear();
    m.left.clear();
    std::uint32_t index = m.watcher_ids.find(id);
    if (index == kNone) return m.change(Status::unknown_id, false);
    int x, y;
    if (!m.in_map(pos, x, y)) return m.change(Status::out_of_map, false);
    WatcherRecord &rec = m.watchers[index];
    if (rec.x == x && rec.y == y && rec.requested_range == range) return m.change(Status::ok, false);
    if (range < 0) return m.change(Status::bad_range, false);
    const Rect old_window = rec.window;
    const Rect new_window = m.window(x, y, m.clamp_range(range));
    rec.x = x;
    rec.y = y;
    rec.requested_range = range;
    rec.range = m.clamp_range(range);
    rec.window = new_window;
    if (old_window == new_window) return m.change(Status::ok, true);
    for (int tx = new_window.x0; tx <= new_window.x1; ++tx)
        for (int ty = new_window.y0; ty <= new_window.y1; ++ty) {
            if (old_window.contains(tx, ty)) continue;
            Tower &t = m.towers.get(m.tower_index(tx, ty));
            t.watchers.push_back(index);
            m.push_objects(t, m.entered);
        }
    for (int tx = old_window.x0; tx <= old_window.x1; ++tx)
        for (int ty = old_window.y0; ty <= old_window.y1; ++ty) {
            if (new_window.contains(tx, ty)) continue;
            std::uint32_t tower = m.tower_index(tx, ty);
            Tower &t = *m.towers.find(tower);
            remove_value(t.watchers, index);
            m.push_objects(t, m.left);
            m.towers.release_if_empty(tower, t);
        }
    return m.change(Status::ok, true);
}

Status TowerAoi::ids_by_pos(Position pos, int range, std::vector<EntityId> &out) const {
    const Impl &m = *impl_;
    out.clear();
    int x, y;
    if (!m.in_map(pos, x, y)) return Status::out_of_map;
    if (range < 0) return Status::bad_range;
    const Rect w = m.window(x, y, m.clamp_range(range));
    for (int tx = w.x0; tx <= w.x1; ++tx)
        for (int ty = w.y0; ty <= w.y1; ++ty)
            if (const Tower *t = m.towers.find(m.tower_index(tx, ty)))
                for (std::uint32_t o : t->objects) out.push_back(m.objects[o].id);
    return Status::ok;
}

Status TowerAoi::ids_by_range(Position pos, int range, View<TypeId> types, std::vector<EntityRef> &out) const {
    const Impl &m = *impl_;
    out.clear();
    int x, y;
    if (!m.in_map(pos, x, y)) return Status::out_of_map;
    if (range < 0 || range > m.config.range_limit) return Status::bad_range;
    const Rect w = m.window(x, y, m.clamp_range(range));
    for (int tx = w.x0; tx <= w.x1; ++tx)
        for (int ty = w.y0; ty <= w.y1; ++ty)
            if (const Tower *t = m.towers.find(m.tower_index(tx, ty)))
                for (std::uint32_t o : t->objects) {
                    const ObjectRecord &rec = m.objects[o];
                    if (std::find(types.begin(), types.end(), rec.type) != types.end())
                        out.push_back({rec.id, rec.type});
                }
    return Status::ok;
}

Status TowerAoi::watchers_of(Position pos, View<TypeId> types, std::vector<EntityRef> &out) const {
    const Impl &m = *impl_;
    out.clear();
    int x, y;
    if (!m.in_map(pos, x, y)) return Status::out_of_map;
    const Tower *t = m.towers.find(m.tower_index(x, y));
    if (!t) return Status::ok;
    for (std::uint32_t w : t->watchers) {
        const WatcherRecord &rec = m.watchers[w];
        if (std::find(types.begin(), types.end(), rec.type) != types.end()) out.push_back({rec.id, rec.type});
    }
    return Status::ok;
}

Status TowerAoi::watchers_of(Position pos, std::vector<EntityRef> &out) const {
    const Impl &m = *impl_;
    out.clear();
    int x, y;
    if (!m.in_map(pos, x, y)) return Status::out_of_map;
    m.push_watchers(m.tower_index(x, y), out);
    return Status::ok;
}

int TowerAoi::columns() const {
    return impl_->columns;
}
int TowerAoi::rows() const {
    return impl_->rows;
}
int TowerAoi::range_limit() const {
    return impl_->config.range_limit;
}
bool TowerAoi::sparse() const {
    return impl_->towers.sparse();
}
bool TowerAoi::tower_of(Position pos, int &tower_x, int &tower_y) const {
    return impl_->in_map(pos, tower_x, tower_y);
}
std::size_t TowerAoi::object_count() const {
    return impl_->object_ids.size();
}
std::size_t TowerAoi::watcher_count() const {
    return impl_->watcher_ids.size();
}
bool TowerAoi::has_object(EntityId id) const {
    return impl_->object_ids.find(id) != kNone;
}
bool TowerAoi::has_watcher(EntityId id) const {
    return impl_->watcher_ids.find(id) != kNone;
}

}  // namespace shd::aoi
