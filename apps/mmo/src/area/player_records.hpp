// Where an area server gets a player's record on enterScene and puts it back (write-behind saves while
// playing, a direct save on leave). The area code sees only this interface: store_player_records()
// is the game database (platform/player_store.hpp); memory_player_records() keeps records in the
// process (a new player of kind 210 at the birth place for an unknown id), for a server without one.
#pragma once
#include "world/area.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mmo {

class PlayerRecords {
public:
    virtual ~PlayerRecords() = default;
    // [logic] The record of a player, or nullopt (unknown id, or the store failed: `error` says which).
    using Loaded = std::function<void(std::optional<world::PlayerRecord>, const std::string &error)>;
    virtual void load(std::int64_t player_id, const std::string &name_hint, Loaded done) = 0;
    // [logic] Write-behind: the latest record per player is written within the store's interval.
    virtual void save(const world::PlayerRecord &record) = 0;
    // [logic] Written now (leave, area change); done(ok) on the logic thread.
    virtual void save_now(const world::PlayerRecord &record, std::function<void(bool ok)> done) = 0;
    // [logic] A learned or upgraded skill, written now (skills change rarely and matter).
    virtual void save_skill(std::int64_t player_id, int skill_id, int level) = 0;
    // [logic] A new task row (state 0); done(its row id, or 0 on failure).
    virtual void create_task(std::int64_t player_id, int kind, std::int64_t start_time,
                             std::function<void(std::int64_t row_id)> done) = 0;
};

std::unique_ptr<PlayerRecords> memory_player_records(const world::GameData &data);

class PlayerStore;
// The platform's store (the game database, saves through the sync plugin).
std::unique_ptr<PlayerRecords> store_player_records(PlayerStore &store, const world::GameData &data);

}  // namespace mmo
