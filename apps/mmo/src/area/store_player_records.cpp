// PlayerRecords over the platform's PlayerStore: lordofpomelo's records (player, bag, equipments,
// fightSkills) to and from world::PlayerRecord.
#include "area/player_records.hpp"

#include "platform/player_store.hpp"

#include <shaddock/cpp/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

namespace mmo {

namespace {

std::int64_t int_of(const rapidjson::Value &o, const char *key, std::int64_t fallback = 0) {
    if (!o.IsObject()) return fallback;
    auto it = o.FindMember(key);
    if (it == o.MemberEnd()) return fallback;
    if (it->value.IsInt64()) return it->value.GetInt64();
    if (it->value.IsNumber()) return static_cast<std::int64_t>(it->value.GetDouble());
    return fallback;
}

double number_of(const rapidjson::Value &o, const char *key, double fallback = 0) {
    if (!o.IsObject()) return fallback;
    auto it = o.FindMember(key);
    return it != o.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble() : fallback;
}

class StoreRecords : public PlayerRecords {
public:
    StoreRecords(PlayerStore &store, const world::GameData &data) : store_(store), data_(data) {}

    void load(std::int64_t player_id, const std::string &, Loaded done) override {
        if (player_id <= 0) return done(std::nullopt, "no such player");
        auto alive = alive_;
        store_.load(static_cast<std::uint64_t>(player_id),
                    [this, alive, player_id, done](bool ok, const std::string &json) {
                        if (!*alive) return;
                        if (!ok) return done(std::nullopt, "the player could not be loaded");
                        rapidjson::Document d = shd::parse_json_or_empty(json);
                        if (!d.IsObject() || !d.HasMember("player") || !d["player"].IsObject())
                            return done(std::nullopt, "the player's record is broken");
                        done(parse(player_id, d), "");
                    });
    }

    // A moving player changes every second, its bag, equipment and tasks seldom: those are queued
    // only when they differ from what was queued last.
    void save(const world::PlayerRecord &r) override {
        store_.save_player(player_json(r));
        Rows &rows = rows_[r.id];
        if (std::string bag = bag_json(r); bag != rows.last_bag) {
            store_.save_bag(bag);
            rows.last_bag = std::move(bag);
        }
        if (std::string equipments = equipments_json(r); equipments != rows.last_equipments) {
            store_.save_equipments(equipments);
            rows.last_equipments = std::move(equipments);
        }
        std::string tasks;
        for (const world::TaskState &t : r.tasks)
            if (t.row_id > 0) tasks += task_json(r.id, t);
        if (tasks != rows.last_tasks) {
            for (const world::TaskState &t : r.tasks)
                if (t.row_id > 0) store_.save_task(task_json(r.id, t));
            rows.last_tasks = std::move(tasks);
        }
    }

    void create_task(std::int64_t player_id, int kind, std::int64_t start_time,
                     std::function<void(std::int64_t)> done) override {
        auto alive = alive_;
        store_.create_task(static_cast<std::uint64_t>(player_id), kind, 0,
                           static_cast<std::uint64_t>(std::max<std::int64_t>(0, start_time)),
                           R"({"mobKilled":0,"playerKilled":0})", [alive, done](bool ok, const std::string &json) {
                               if (!*alive) return;
                               rapidjson::Document d = shd::parse_json_or_empty(json);
                               done(ok ? int_of(d, "id") : 0);
                           });
    }

    void save_now(const world::PlayerRecord &r, std::function<void(bool)> done) override {
        for (const world::TaskState &t : r.tasks)
            if (t.row_id > 0) store_.flush_task(task_json(r.id, t));
        auto left = std::make_shared<int>(3);
        auto all_ok = std::make_shared<bool>(true);
        auto one = [left, all_ok, done](bool ok) {
            *all_ok = *all_ok && ok;
            if (--*left == 0) done(*all_ok);
        };
        store_.flush_player(player_json(r), one);
        store_.flush_bag(bag_json(r), one);
        store_.flush_equipments(equipments_json(r), one);
    }

    void save_skill(std::int64_t player_id, int skill_id, int level) override {
        store_.save_fight_skill(static_cast<std::uint64_t>(player_id), skill_id, level, 1);
    }

    ~StoreRecords() override { *alive_ = false; }

private:
    struct Rows {
        std::int64_t bag = 0, equipments = 0, country = 0, rank = 0;
        std::string last_bag, last_equipments, last_tasks;  // what save() queued last
    };

    world::PlayerRecord parse(std::int64_t player_id, const rapidjson::Document &d) {
        const rapidjson::Value &p = d["player"];
        world::PlayerRecord r;
        r.id = player_id;
        r.user_id = int_of(p, "userId");
        r.kind_id = static_cast<int>(int_of(p, "kindId", 210));
        r.name = shd::json_string(p, "name");
        r.level = static_cast<int>(int_of(p, "level", 1));
        r.experience = int_of(p, "experience");
        r.hp = static_cast<int>(int_of(p, "hp"));
        r.mp = static_cast<int>(int_of(p, "mp"));
        r.max_hp = static_cast<int>(int_of(p, "maxHp", 1));
        r.max_mp = static_cast<int>(int_of(p, "maxMp"));
        r.attack = static_cast<int>(int_of(p, "attackValue"));
        r.defence = static_cast<int>(int_of(p, "defenceValue"));
        r.hit_rate = static_cast<int>(int_of(p, "hitRate"));
        r.dodge_rate = static_cast<int>(int_of(p, "dodgeRate"));
        r.walk_speed = number_of(p, "walkSpeed", 240);
        r.attack_speed = number_of(p, "attackSpeed", 1.2);
        r.area_id = static_cast<int>(int_of(p, "areaId", 1));
        r.x = number_of(p, "x", -1);
        r.y = number_of(p, "y", -1);
        r.skill_point = static_cast<int>(int_of(p, "skillPoint"));
        Rows &rows = rows_[player_id];
        rows.country = int_of(p, "country");
        rows.rank = int_of(p, "rank");
        r.bag.resize(20);
        if (d.HasMember("bag") && d["bag"].IsObject()) {
            const rapidjson::Value &bag = d["bag"];
            rows.bag = int_of(bag, "id");
            const std::int64_t count = int_of(bag, "itemCount", 20);
            r.bag.resize(static_cast<size_t>(std::clamp<std::int64_t>(count, 1, 100)));
            if (bag.HasMember("items") && bag["items"].IsArray()) {
                for (const rapidjson::Value &it : bag["items"].GetArray()) {
                    const std::int64_t key = int_of(it, "key");
                    if (key < 1 || key > static_cast<std::int64_t>(r.bag.size())) continue;
                    const std::string type = shd::json_string(it, "type");
                    r.bag[static_cast<size_t>(key - 1)] =
                        world::BagSlot{static_cast<int>(int_of(it, "id")),
                                       type == "equipment" ? world::EntityType::equipment : world::EntityType::item};
                }
            }
        }
        if (d.HasMember("equipments") && d["equipments"].IsObject()) {
            const rapidjson::Value &e = d["equipments"];
            rows.equipments = int_of(e, "id");
            for (const char *slot : world::kEquipSlots)
                if (const std::int64_t id = int_of(e, slot)) r.equipments[slot] = static_cast<int>(id);
        }
        if (d.HasMember("fightSkills") && d["fightSkills"].IsArray()) {
            for (const rapidjson::Value &s : d["fightSkills"].GetArray())
                r.skills[static_cast<int>(int_of(s, "skillId"))] = static_cast<int>(int_of(s, "level", 1));
        }
        if (d.HasMember("tasks") && d["tasks"].IsArray()) {
            for (const rapidjson::Value &t : d["tasks"].GetArray()) {
                world::TaskState task;
                task.row_id = int_of(t, "id");
                task.kind = static_cast<int>(int_of(t, "kindId"));
                task.state = static_cast<int>(std::clamp<std::int64_t>(int_of(t, "taskState"), 0, 2));
                task.start_time = int_of(t, "startTime");
                if (t.HasMember("taskData")) {
                    rapidjson::Document data;
                    const rapidjson::Value *v = &t["taskData"];
                    if (v->IsString()) {
                        data = shd::parse_json_or_empty(v->GetString());
                        v = &data;
                    }
                    task.mob_killed = static_cast<int>(int_of(*v, "mobKilled"));
                    task.player_killed = static_cast<int>(int_of(*v, "playerKilled"));
                }
                if (task.row_id > 0 && task.kind > 0) r.tasks.push_back(task);
            }
        }
        r.skills.erase(0);
        if (r.skills.empty()) r.skills[1] = 1;
        return r;
    }

    std::string player_json(const world::PlayerRecord &r) {
        const Rows &rows = rows_[r.id];
        auto n = [](const char *k, long long v) { return "\"" + std::string(k) + "\":" + std::to_string(v); };
        char speed[32];
        std::snprintf(speed, sizeof speed, "%.6g", r.attack_speed);
        return "{" + n("id", r.id) + "," + n("userId", r.user_id) + "," + n("kindId", r.kind_id) +
               ",\"name\":" + shd::json_quote(r.name) + "," + n("country", rows.country) + "," + n("rank", rows.rank) +
               "," + n("level", r.level) + "," + n("experience", r.experience) + "," + n("attackValue", r.attack) +
               "," + n("defenceValue", r.defence) + "," + n("hitRate", r.hit_rate) + "," +
               n("dodgeRate", r.dodge_rate) + "," + n("walkSpeed", static_cast<long long>(r.walk_speed)) +
               ",\"attackSpeed\":" + speed + "," + n("hp", r.hp) + "," + n("mp", r.mp) + "," + n("maxHp", r.max_hp) +
               "," + n("maxMp", r.max_mp) + "," + n("areaId", r.area_id) + "," + n("x", static_cast<long long>(r.x)) +
               "," + n("y", static_cast<long long>(r.y)) + ",\"kindName\":" + shd::json_quote(kind_name(r.kind_id)) +
               "," + n("skillPoint", r.skill_point) + "}";
    }

    std::string bag_json(const world::PlayerRecord &r) {
        std::string items = "[";
        for (size_t i = 0; i < r.bag.size(); ++i) {
            if (!r.bag[i].id) continue;
            if (items.size() > 1) items += ",";
            items += "{\"key\":" + std::to_string(i + 1) + ",\"id\":" + std::to_string(r.bag[i].id) + ",\"type\":\"" +
                     world::type_name(r.bag[i].type) + "\"}";
        }
        return "{\"id\":" + std::to_string(rows_[r.id].bag) + ",\"playerId\":" + std::to_string(r.id) +
               ",\"itemCount\":" + std::to_string(r.bag.size()) + ",\"items\":" + items + "]}";
    }

    std::string equipments_json(const world::PlayerRecord &r) {
        std::string out = "{\"id\":" + std::to_string(rows_[r.id].equipments) + ",\"playerId\":" + std::to_string(r.id);
        for (const char *slot : world::kEquipSlots) {
            auto it = r.equipments.find(slot);
            out += ",\"" + std::string(slot) + "\":" + std::to_string(it == r.equipments.end() ? 0 : it->second);
        }
        return out + "}";
    }

    static std::string task_json(std::int64_t player_id, const world::TaskState &t) {
        return "{\"id\":" + std::to_string(t.row_id) + ",\"playerId\":" + std::to_string(player_id) +
               ",\"kindId\":" + std::to_string(t.kind) + ",\"taskState\":" + std::to_string(t.state) +
               ",\"startTime\":" + std::to_string(t.start_time) +
               ",\"taskData\":{\"mobKilled\":" + std::to_string(t.mob_killed) +
               ",\"playerKilled\":" + std::to_string(t.player_killed) + "}}";
    }

    std::string kind_name(int kind) const {
        const world::CharacterKind *k = data_.character(kind);
        return k ? k->name : std::string();
    }

    PlayerStore &store_;
    const world::GameData &data_;
    std::map<std::int64_t, Rows> rows_;  // per loaded player: the row ids and columns the game does not change
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

std::unique_ptr<PlayerRecords> store_player_records(PlayerStore &store, const world::GameData &data) {
    return std::make_unique<StoreRecords>(store, data);
}

}  // namespace mmo
