// PlayerStore: the players' records in the game database, for the connector (a user's heroes, hero
// creation) and for the game world on the area servers (load on entering, saves while playing).
//
// Reads and inserts run on the Database thread; every completion runs on the logic thread. Saves
// go through the `sync` plugin (write-behind, merged by object id: only the latest value of each
// object reaches the database, once per sync interval; a crash loses at most one interval) or are
// written at once (flush_*: logout, area change). The write-behind calls need the sync plugin on
// this server (config/plugins.json: the area servers); elsewhere they answer false.
//
// Records are JSON objects with lordofpomelo's field names:
//   player     {id, userId, kindId, name, country, rank, level, experience, attackValue, defenceValue,
//               hitRate, dodgeRate, walkSpeed, attackSpeed, hp, mp, maxHp, maxMp, areaId, x, y,
//               kindName, skillPoint}
//   bag        {id, playerId, itemCount, items:[{key, id, type}]}  (items is stored as JSON text)
//   equipments {id, playerId, weapon, armor, helmet, necklace, ring, belt, shoes, amulet, legguard}
//   fightSkill {id (row), playerId, skillId, level, type}
//   task       {id (row), playerId, kindId, taskState, startTime, taskData:{...}}  (taskData as JSON text)
//
//   store.load(42, [](bool ok, const std::string &record) {
//       // record: {"player":{...},"bag":{...},"equipments":{...},"fightSkills":[...],"tasks":[...]}
//   });
//   store.save_player(player_json);            // every move tick, hit, experience gain: merged by id
//   store.flush_player(player_json, [](bool ok) { /* in the database */ });
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace shd {
class Host;
class Sync;
}  // namespace shd

namespace mmo {

class Database;

class PlayerStore {
public:
    using RecordFn = std::function<void(bool ok, const std::string &json)>;
    using DoneFn = std::function<void(bool ok)>;

    // sync: the write-behind, when this server has the sync plugin (else the save_* calls fail).
    PlayerStore(const shd::Host &host, Database &db, bool with_sync);
    ~PlayerStore();

    // The heroes of a user: a JSON array of player records, oldest first.
    void players_of_user(uint64_t uid, RecordFn done);

    // Creates a hero: the player row from `player` (a player record without id), then empty
    // equipments, a bag of `bag_slots` slots and fight skill 1. done: code 200 with the player
    // record (id set); 501 the name is taken; 500 when the user has a hero already (one per user,
    // checked in the transaction) or on a database error.
    void create_player(const std::string &player_json, int bag_slots,
                       std::function<void(int code, const std::string &player)> done);

    // The full record of a player: {player, bag, equipments, fightSkills, tasks}; ok false when the
    // player does not exist or the database failed.
    void load(uint64_t player_id, RecordFn done);

    // Write-behind (merged by id). False when not queued: no sync plugin here, the queue is full, or
    // the record lacks a field of the statement (logged). What each writes (the record must hold these;
    // other fields are ignored):
    //   player      level, experience, attackValue, defenceValue, hitRate, dodgeRate, walkSpeed,
    //               attackSpeed, hp, mp, maxHp, maxMp, areaId, x, y, skillPoint, by id
    //   bag         items (an array, stored as JSON text), itemCount, by playerId
    //   equipments  weapon, armor, helmet, necklace, ring, belt, shoes, amulet, legguard, by playerId
    //   task        taskState, startTime, taskData (an object, stored as JSON text), by id
    bool save_player(std::string_view player_json);
    bool save_bag(std::string_view bag_json);
    bool save_equipments(std::string_view equipments_json);
    bool save_task(std::string_view task_json);

    // Written now (merging the pending write of the same object); done(ok) once in the database.
    // Need the sync plugin too (done(false) without it).
    void flush_player(std::string_view player_json, DoneFn done = {});
    void flush_bag(std::string_view bag_json, DoneFn done = {});
    void flush_equipments(std::string_view equipments_json, DoneFn done = {});
    void flush_task(std::string_view task_json, DoneFn done = {});

    // Direct writes: a new task row (done gets the task record with its id) and a learned or
    // upgraded skill (insert or update of (playerId, skillId)).
    void create_task(uint64_t player_id, int kind_id, int task_state, uint64_t start_time,
                     const std::string &task_data_json, RecordFn done);
    void save_fight_skill(uint64_t player_id, int skill_id, int level, int type, DoneFn done = {});

    // Writes everything queued now (server stop); done once it is in.
    void sync_all(DoneFn done);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mmo
