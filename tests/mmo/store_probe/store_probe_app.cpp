// A test app around the MMO demo's PlayerStore (apps/mmo/src/platform/player_store.hpp): its calls
// as connector routes, so tests/mmo/store_test.js can drive the write-behind and the direct writes
// with a Pomelo client and read the database beside it.
//   connector.probe.create {name}                   -> {code, player}
//   connector.probe.save {player?, bag?, equipments?, task?} -> {queued:[bool...]}
//   connector.probe.flush {player}                  -> {ok} once in the database
//   connector.probe.load {id}                       -> {ok, record}
//   connector.probe.task {playerId, kindId}         -> {ok, task}
//   connector.probe.skill {playerId, skillId, level} -> {ok}
#include "platform/database.hpp"
#include "platform/player_store.hpp"

#include <shaddock/cpp/app.hpp>
#include <shaddock/cpp/handler.hpp>

#include <memory>

namespace {

std::string member_json(const rapidjson::Value &o, const char *key) {
    auto it = o.IsObject() ? o.FindMember(key) : o.MemberEnd();
    return it == o.MemberEnd() ? std::string() : shd::to_json(it->value);
}

int64_t member_int(const rapidjson::Value &o, const char *key) {
    auto it = o.IsObject() ? o.FindMember(key) : o.MemberEnd();
    return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

class StoreProbe : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        db_ = std::make_unique<mmo::Database>(host());
        store_ = std::make_unique<mmo::PlayerStore>(host(), *db_, true);
        handlers_ = std::make_unique<shd::Handlers>(host());
        auto &h = *handlers_;
        h.on("connector.probe.create", [this](shd::RequestPtr req) {
            std::string name = shd::json_string(req->json(), "name");
            std::string player =
                R"({"userId":1,"kindId":210,"name":)" + shd::json_quote(name) +
                R"(,"kindName":"Angle","level":1,"experience":0,"attackValue":23,"defenceValue":9,"hitRate":90,)"
                R"("dodgeRate":13,"walkSpeed":240,"attackSpeed":1.2,"hp":220,"mp":20,"maxHp":220,"maxMp":20,)"
                R"("areaId":1,"x":400,"y":100,"skillPoint":0})";
            store_->create_player(player, 20, [req](int code, const std::string &p) {
                req->respond("{\"code\":" + std::to_string(code) + ",\"player\":" + (p.empty() ? "null" : p) + "}");
            });
        });
        h.on("connector.probe.save", [this](shd::RequestPtr req) {
            rapidjson::Document b = req->json();
            std::string out = "[";
            auto add = [&out](bool q) { out += std::string(out.size() > 1 ? "," : "") + (q ? "true" : "false"); };
            if (auto p = member_json(b, "player"); !p.empty()) add(store_->save_player(p));
            if (auto p = member_json(b, "bag"); !p.empty()) add(store_->save_bag(p));
            if (auto p = member_json(b, "equipments"); !p.empty()) add(store_->save_equipments(p));
            if (auto p = member_json(b, "task"); !p.empty()) add(store_->save_task(p));
            req->respond("{\"queued\":" + out + "]}");
        });
        h.on("connector.probe.flush", [this](shd::RequestPtr req) {
            store_->flush_player(member_json(req->json(), "player"),
                                 [req](bool ok) { req->respond(ok ? R"({"ok":true})" : R"({"ok":false})"); });
        });
        h.on("connector.probe.load", [this](shd::RequestPtr req) {
            store_->load(static_cast<uint64_t>(member_int(req->json(), "id")),
                         [req](bool ok, const std::string &record) {
                             req->respond(std::string("{\"ok\":") + (ok ? "true" : "false") +
                                          ",\"record\":" + (ok ? record : "null") + "}");
                         });
        });
        h.on("connector.probe.task", [this](shd::RequestPtr req) {
            rapidjson::Document b = req->json();
            store_->create_task(static_cast<uint64_t>(member_int(b, "playerId")),
                                static_cast<int>(member_int(b, "kindId")), 0, 1000, R"({"mobKilled":0})",
                                [req](bool ok, const std::string &task) {
                                    req->respond(std::string("{\"ok\":") + (ok ? "true" : "false") +
                                                 ",\"task\":" + (ok ? task : "null") + "}");
                                });
        });
        h.on("connector.probe.skill", [this](shd::RequestPtr req) {
            rapidjson::Document b = req->json();
            store_->save_fight_skill(static_cast<uint64_t>(member_int(b, "playerId")),
                                     static_cast<int>(member_int(b, "skillId")),
                                     static_cast<int>(member_int(b, "level")), 1,
                                     [req](bool ok) { req->respond(ok ? R"({"ok":true})" : R"({"ok":false})"); });
        });
    }

private:
    std::unique_ptr<mmo::Database> db_;
    std::unique_ptr<mmo::PlayerStore> store_;
    std::unique_ptr<shd::Handlers> handlers_;
};

}  // namespace

SHADDOCK_APP(StoreProbe, "mmo_store_probe", "1.0.0", "shd.handler/1 shd.sync/1")
