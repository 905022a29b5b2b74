#include "platform/player_store.hpp"

#include "platform/database.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/sync.hpp>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <vector>

namespace mmo {
using namespace Poco::Data::Keywords;

namespace {

enum class Col { integer, real, text, json };
struct Column {
    const char *name;
    Col type;
};

// The columns read back, in order; the SELECT lists are built from these (PostgreSQL folds unquoted
// names to lower case, so records are named from here, never from the result).
const std::vector<Column> kPlayer = {{"id", Col::integer},          {"userId", Col::integer},
                                     {"kindId", Col::integer},      {"name", Col::text},
                                     {"country", Col::integer},     {"rank", Col::integer},
                                     {"level", Col::integer},       {"experience", Col::integer},
                                     {"attackValue", Col::integer}, {"defenceValue", Col::integer},
                                     {"hitRate", Col::integer},     {"dodgeRate", Col::integer},
                                     {"walkSpeed", Col::integer},   {"attackSpeed", Col::real},
                                     {"hp", Col::integer},          {"mp", Col::integer},
                                     {"maxHp", Col::integer},       {"maxMp", Col::integer},
                                     {"areaId", Col::integer},      {"x", Col::integer},
                                     {"y", Col::integer},           {"kindName", Col::text},
                                     {"skillPoint", Col::integer}};
const std::vector<Column> kBag = {
    {"id", Col::integer}, {"playerId", Col::integer}, {"itemCount", Col::integer}, {"items", Col::json}};
const std::vector<Column> kEquipments = {
    {"id", Col::integer},     {"playerId", Col::integer}, {"weapon", Col::integer},  {"armor", Col::integer},
    {"helmet", Col::integer}, {"necklace", Col::integer}, {"ring", Col::integer},    {"belt", Col::integer},
    {"shoes", Col::integer},  {"amulet", Col::integer},   {"legguard", Col::integer}};
const std::vector<Column> kFightSkill = {{"id", Col::integer},
                                         {"playerId", Col::integer},
                                         {"skillId", Col::integer},
                                         {"level", Col::integer},
                                         {"type", Col::integer}};
const std::vector<Column> kTask = {{"id", Col::integer},        {"playerId", Col::integer},  {"kindId", Col::integer},
                                   {"taskState", Col::integer}, {"startTime", Col::integer}, {"taskData", Col::json}};

const char *kPlayerWriter = "playerSync.updatePlayer";
const char *kBagWriter = "bagSync.updateBag";
const char *kEquipmentsWriter = "equipmentsSync.updateEquipments";
const char *kTaskWriter = "taskSync.updateTask";

std::string select_list(const std::vector<Column> &cols) {
    std::string out;
    for (const auto &c : cols) out += (out.empty() ? "" : ", ") + std::string(c.name);
    return out;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_value(Writer &w, const Poco::Dynamic::Var &v, Col type) {
    if (v.isEmpty()) return void(w.Null());
    switch (type) {
        case Col::integer: w.Int64(v.convert<Poco::Int64>()); break;
        case Col::real: w.Double(v.convert<double>()); break;
        case Col::text: {
            std::string s = v.convert<std::string>();
            w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
            break;
        }
        case Col::json: {
            // Stored JSON text: embedded as JSON when it parses, else as null.
            rapidjson::Document d = shd::parse_json_or_empty(v.convert<std::string>());
            if (d.IsObject() || d.IsArray())
                d.Accept(w);
            else
                w.Null();
            break;
        }
    }
}

// Every row of `sql` (one bound integer) as a JSON object of `cols`.
std::vector<std::string> rows(Poco::Data::Session &s, const std::string &sql, Poco::Int64 key,
                              const std::vector<Column> &cols) {
    Poco::Data::Statement st(s);
    st << sql_text(s, sql), use(key);
    st.execute();
    Poco::Data::RecordSet rs(st);
    std::vector<std::string> out;
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
        rapidjson::StringBuffer buf;
        Writer w(buf);
        w.StartObject();
        for (size_t i = 0; i < cols.size(); ++i) {
            w.Key(cols[i].name);
            write_value(w, rs.value(i), cols[i].type);
        }
        w.EndObject();
        out.emplace_back(buf.GetString(), buf.GetSize());
    }
    return out;
}

std::string join_array(const std::vector<std::string> &items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
    return out + "]";
}

int64_t int_field(const rapidjson::Value &o, const char *key, int64_t fallback = 0) {
    auto it = o.FindMember(key);
    return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : fallback;
}

// The record as the writer binds it: the JSON-text columns turned into strings. "" when the record
// is not an object or lacks its id.
std::string writer_value(std::string_view record, const char *id_key, const char *json_key, std::string &id) {
    rapidjson::Document d = shd::parse_json_or_empty(record);
    if (!d.IsObject()) return {};
    auto idm = d.FindMember(id_key);
    if (idm == d.MemberEnd() || !idm->value.IsInt64()) return {};
    id = std::to_string(idm->value.GetInt64());
    if (json_key) {
        auto it = d.FindMember(json_key);
        if (it != d.MemberEnd() && !it->value.IsString()) {
            std::string text = shd::to_json(it->value);
            it->value.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), d.GetAllocator());
        }
    }
    return shd::to_json(d);
}

// One write-behind key: its id field and the field stored as JSON text.
struct Key {
    const char *writer, *id_key, *json_key;
};
const Key kPlayerKey{kPlayerWriter, "id", nullptr};
const Key kBagKey{kBagWriter, "playerId", "items"};
const Key kEquipmentsKey{kEquipmentsWriter, "playerId", nullptr};
const Key kTaskKey{kTaskWriter, "id", "taskData"};

}  // namespace

struct PlayerStore::Impl {
    shd::Host host;
    Database &db;
    std::unique_ptr<shd::Sync> sync;

    bool exec(const Key &k, std::string_view record) {
        if (!sync) return false;
        std::string id, value = writer_value(record, k.id_key, k.json_key, id);
        if (value.empty()) {
            host.warn(std::string("player store: ") + k.writer + ": not a record with its " + k.id_key);
            return false;
        }
        try {
            return sync->exec(k.writer, id, value) == SHD_OK;
        } catch (const std::exception &e) {
            host.warn(std::string("player store: ") + e.what());
            return false;
        }
    }

    void flush(const Key &k, std::string_view record, DoneFn done) {
        std::string id, value = sync ? writer_value(record, k.id_key, k.json_key, id) : std::string();
        if (value.empty()) {
            if (done) done(false);
            return;
        }
        sync->flush(k.writer, id, value, [done, h = host, w = k.writer](shd_status s, std::string_view why) {
            if (s != SHD_OK) h.warn(std::string("player store: flush of ") + w + ": " + std::string(why));
            if (done) done(s == SHD_OK);
        });
    }
};

PlayerStore::PlayerStore(const shd::Host &host, Database &db, bool with_sync) : impl_(new Impl{host, db, nullptr}) {
    if (!with_sync) return;
    impl_->sync = std::make_unique<shd::Sync>(host);
    auto &s = *impl_->sync;
    s.writer(kPlayerWriter,
             "UPDATE player SET level = :level, experience = :experience, attackValue = :attackValue, defenceValue = "
             ":defenceValue, hitRate = :hitRate, dodgeRate = :dodgeRate, walkSpeed = :walkSpeed, attackSpeed = "
             ":attackSpeed, hp = :hp, mp = :mp, maxHp = :maxHp, maxMp = :maxMp, areaId = :areaId, x = :x, y = :y, "
             "skillPoint = :skillPoint WHERE id = :id");
    s.writer(kBagWriter, "UPDATE bag SET items = :items, itemCount = :itemCount WHERE playerId = :playerId");
    s.writer(kEquipmentsWriter,
             "UPDATE equipments SET weapon = :weapon, armor = :armor, helmet = :helmet, necklace = :necklace, ring = "
             ":ring, belt = :belt, shoes = :shoes, amulet = :amulet, legguard = :legguard WHERE playerId = :playerId");
    s.writer(kTaskWriter,
             "UPDATE task SET taskState = :taskState, startTime = :startTime, taskData = :taskData WHERE id = :id");
    s.on_error([h = host](std::string_view key, std::string_view id, shd_status, std::string_view why) {
        h.error("player store: the database refused " + std::string(key) + " " + std::string(id) + ": " +
                std::string(why));
    });
}

PlayerStore::~PlayerStore() = default;

void PlayerStore::players_of_user(uint64_t uid, RecordFn done) {
    auto out = std::make_shared<std::string>();
    impl_->db.run(
        [out, uid](Poco::Data::Session &s) {
            *out = join_array(rows(s, "SELECT " + select_list(kPlayer) + " FROM player WHERE userId = ? ORDER BY id",
                                   static_cast<Poco::Int64>(uid), kPlayer));
        },
        [out, done](bool ok, const std::string &) { done(ok, ok ? *out : "[]"); });
}

void PlayerStore::create_player(const std::string &player_json, int bag_slots,
                                std::function<void(int, const std::string &)> done) {
    struct Out {
        int code = 500;
        std::string player;
    };
    auto out = std::make_shared<Out>();
    rapidjson::Document p = shd::parse_json_or_empty(player_json);
    if (!p.IsObject()) return done(500, "");
    impl_->db.run(
        [out, player_json, bag_slots](Poco::Data::Session &s) {
            rapidjson::Document p = shd::parse_json_or_empty(player_json);
            std::string name = shd::json_string(p, "name"), kind_name = shd::json_string(p, "kindName");
            // One transaction: a hero exists with its bag, equipments and first skill, or not at all.
            WriteTransaction tx(s);
            std::vector<Poco::Int64> taken;
            s << sql_text(s, "SELECT id FROM player WHERE name = ?"), use(name), into(taken), now;
            if (!taken.empty()) {
                out->code = 501;
                return;
            }
            // One hero per user, checked where the row is written: the connectors' own check reads
            // on connections of their own, so two of them could both have seen none.
            Poco::Int64 user = int_field(p, "userId");
            std::vector<Poco::Int64> has;
            s << sql_text(s, "SELECT id FROM player WHERE userId = ?"), use(user), into(has), now;
            if (!has.empty()) return;  // 500 (the transaction rolls back)
            Poco::Int64 v[19];
            const char *ints[] = {"userId",      "kindId",       "country", "rank",      "level",     "experience",
                                  "attackValue", "defenceValue", "hitRate", "dodgeRate", "walkSpeed", "hp",
                                  "mp",          "maxHp",        "maxMp",   "areaId",    "x",         "y",
                                  "skillPoint"};
            for (size_t i = 0; i < 19; ++i) v[i] = int_field(p, ints[i]);
            double attack_speed =
                p.HasMember("attackSpeed") && p["attackSpeed"].IsNumber() ? p["attackSpeed"].GetDouble() : 1;
            std::vector<Poco::Int64> id;
            s << sql_text(
                s,
                "INSERT INTO player (userId, kindId, name, country, rank, level, experience, attackValue, "
                "defenceValue, hitRate, dodgeRate, walkSpeed, attackSpeed, hp, mp, maxHp, maxMp, areaId, x, y, "
                "kindName, skillPoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id"),
                use(v[0]), use(v[1]), use(name), use(v[2]), use(v[3]), use(v[4]), use(v[5]), use(v[6]), use(v[7]),
                use(v[8]), use(v[9]), use(v[10]), use(attack_speed), use(v[11]), use(v[12]), use(v[13]), use(v[14]),
                use(v[15]), use(v[16]), use(v[17]), use(kind_name), use(v[18]), into(id), now;
            if (id.empty()) throw std::runtime_error("no id for the new player");
            Poco::Int64 pid = id[0];
            Poco::Int64 slots = bag_slots;
            s << sql_text(s, "INSERT INTO equipments (playerId) VALUES (?)"), use(pid), now;
            s << sql_text(s, "INSERT INTO bag (playerId, items, itemCount) VALUES (?, '[]', ?)"), use(pid),
                use(slots), now;
            s << sql_text(s, "INSERT INTO fight_skill (playerId, skillId, level, type) VALUES (?, 1, 1, 1)"),
                use(pid), now;
            tx.commit();
            std::vector<std::string> created =
                rows(s, "SELECT " + select_list(kPlayer) + " FROM player WHERE id = ?", pid, kPlayer);
            if (created.empty()) return;
            out->player = created[0];
            out->code = 200;
        },
        [out, done, h = impl_->host](bool ok, const std::string &error) {
            if (!ok) h.warn("create player: " + error);
            done(ok ? out->code : 500, out->player);
        });
}

void PlayerStore::load(uint64_t player_id, RecordFn done) {
    auto out = std::make_shared<std::string>();
    impl_->db.run(
        [out, player_id](Poco::Data::Session &s) {
            Poco::Int64 id = static_cast<Poco::Int64>(player_id);
            auto player = rows(s, "SELECT " + select_list(kPlayer) + " FROM player WHERE id = ?", id, kPlayer);
            if (player.empty()) return;
            auto bag = rows(s, "SELECT " + select_list(kBag) + " FROM bag WHERE playerId = ?", id, kBag);
            auto eq =
                rows(s, "SELECT " + select_list(kEquipments) + " FROM equipments WHERE playerId = ?", id, kEquipments);
            auto skills =
                rows(s, "SELECT " + select_list(kFightSkill) + " FROM fight_skill WHERE playerId = ? ORDER BY skillId",
                     id, kFightSkill);
            auto tasks =
                rows(s, "SELECT " + select_list(kTask) + " FROM task WHERE playerId = ? ORDER BY id", id, kTask);
            *out = "{\"player\":" + player[0] + ",\"bag\":" + (bag.empty() ? "null" : bag[0]) +
                   ",\"equipments\":" + (eq.empty() ? "null" : eq[0]) + ",\"fightSkills\":" + join_array(skills) +
                   ",\"tasks\":" + join_array(tasks) + "}";
        },
        [out, done, h = impl_->host](bool ok, const std::string &error) {
            if (!ok) h.warn("load player: " + error);
            done(ok && !out->empty(), *out);
        });
}

bool PlayerStore::save_player(std::string_view j) {
    return impl_->exec(kPlayerKey, j);
}
bool PlayerStore::save_bag(std::string_view j) {
    return impl_->exec(kBagKey, j);
}
bool PlayerStore::save_equipments(std::string_view j) {
    return impl_->exec(kEquipmentsKey, j);
}
bool PlayerStore::save_task(std::string_view j) {
    return impl_->exec(kTaskKey, j);
}
void PlayerStore::flush_player(std::string_view j, DoneFn d) {
    impl_->flush(kPlayerKey, j, std::move(d));
}
void PlayerStore::flush_bag(std::string_view j, DoneFn d) {
    impl_->flush(kBagKey, j, std::move(d));
}
void PlayerStore::flush_equipments(std::string_view j, DoneFn d) {
    impl_->flush(kEquipmentsKey, j, std::move(d));
}
void PlayerStore::flush_task(std::string_view j, DoneFn d) {
    impl_->flush(kTaskKey, j, std::move(d));
}

void PlayerStore::create_task(uint64_t player_id, int kind_id, int task_state, uint64_t start_time,
                              const std::string &task_data_json, RecordFn done) {
    auto out = std::make_shared<std::string>();
    impl_->db.run(
        [=](Poco::Data::Session &s) {
            Poco::Int64 pid = static_cast<Poco::Int64>(player_id), kind = kind_id, state = task_state,
                        start = static_cast<Poco::Int64>(start_time);
            std::string data = task_data_json;
            std::vector<Poco::Int64> id;
            s << sql_text(s,
                          "INSERT INTO task (playerId, kindId, taskState, startTime, taskData) VALUES (?, ?, ?, ?, ?) "
                          "RETURNING id"),
                use(pid), use(kind), use(state), use(start), use(data), into(id), now;
            if (id.empty()) return;
            auto task = rows(s, "SELECT " + select_list(kTask) + " FROM task WHERE id = ?", id[0], kTask);
            if (!task.empty()) *out = task[0];
        },
        [out, done, h = impl_->host](bool ok, const std::string &error) {
            if (!ok) h.warn("create task: " + error);
            done(ok && !out->empty(), *out);
        });
}

void PlayerStore::save_fight_skill(uint64_t player_id, int skill_id, int level, int type, DoneFn done) {
    impl_->db.run(
        [=](Poco::Data::Session &s) {
            Poco::Int64 pid = static_cast<Poco::Int64>(player_id), sk = skill_id, lv = level, ty = type;
            s << sql_text(s,
                          "INSERT INTO fight_skill (playerId, skillId, level, type) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (playerId, skillId) DO UPDATE SET level = excluded.level, type = excluded.type"),
                use(pid), use(sk), use(lv), use(ty), now;
        },
        [done, h = impl_->host](bool ok, const std::string &error) {
            if (!ok) h.warn("save fight skill: " + error);
            if (done) done(ok);
        });
}

void PlayerStore::sync_all(DoneFn done) {
    if (!impl_->sync) {
        if (done) done(true);
        return;
    }
    impl_->sync->sync([done](shd_status s, std::string_view) {
        if (done) done(s == SHD_OK);
    });
}

}  // namespace mmo
