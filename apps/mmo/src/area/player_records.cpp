#include "area/player_records.hpp"

#include <map>

namespace mmo {

namespace {

class MemoryRecords : public PlayerRecords {
public:
    explicit MemoryRecords(const world::GameData &data) : data_(data) {}

    void load(std::int64_t player_id, const std::string &name_hint, Loaded done) override {
        auto it = records_.find(player_id);
        if (it != records_.end()) return done(it->second, "");
        const world::CharacterKind *kind = data_.character(210);
        if (!kind || player_id <= 0) return done(std::nullopt, "no such player");
        // (-1, -1) is off the map: the area puts a new player at a random birth point.
        world::PlayerRecord r = world::PlayerRecord::fresh(*kind, player_id, name_hint, -1, -1);
        records_[player_id] = r;
        done(r, "");
    }
    void save(const world::PlayerRecord &record) override { records_[record.id] = record; }
    void save_now(const world::PlayerRecord &record, std::function<void(bool)> done) override {
        records_[record.id] = record;
        done(true);
    }
    void create_task(std::int64_t, int, std::int64_t, std::function<void(std::int64_t)> done) override {
        done(++task_rows_);
    }
    void save_skill(std::int64_t player_id, int skill_id, int level) override {
        auto it = records_.find(player_id);
        if (it != records_.end()) it->second.skills[skill_id] = level;
    }

private:
    const world::GameData &data_;
    std::map<std::int64_t, world::PlayerRecord> records_;
    std::int64_t task_rows_ = 0;
};

}  // namespace

std::unique_ptr<PlayerRecords> memory_player_records(const world::GameData &data) {
    return std::make_unique<MemoryRecords>(data);
}

}  // namespace mmo
