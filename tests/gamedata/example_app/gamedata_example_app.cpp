// The worked example of docs/gamedata.md: the game data tables of config/data/ load when the server
// starts (a bad file stops the start, naming file, line and column), and a handler answers from them.
// Run by tests/gamedata/example_test.js.
#include <shaddock/cpp/app.hpp>
#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/json.hpp>
#include <shaddock/gamedata/database.hpp>

#include <memory>
#include <string>

namespace gd = shd::gamedata;

namespace {

// Every table the game reads, with its columns and their types.
gd::Catalog declare_tables() {
    gd::Catalog catalog;
    // config/data/character.json, in Lord of Pomelo's shape
    catalog.table("character")
        .integer("id")
        .string("name")
        .integer("hp")
        .integer("mp", 0)
        .number("walkSpeed")
        .integers("skills", true);
    // config/data/fightskill.csv
    catalog.table("fightskill")
        .integer("id")
        .string("name")
        .integer("playerLevel")
        .number("cooltime")
        .integer("mp", 0)
        .unique("name");
    return catalog;
}

// pomelo-data-plugin's component: loads the tables before the app starts. A DataError thrown here
// fails the start step with its message, and the server does not start.
class GameData : public shd::Component {
public:
    explicit GameData(std::string dir) : shd::Component("gamedata"), dir_(std::move(dir)) {}
    void start(shd::Step done) override {
        data_ = gd::load_directory(dir_, declare_tables());
        done();
    }
    const gd::Database &tables() const { return data_; }

private:
    std::string dir_;
    gd::Database data_;
};

class GameDataExample : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        auto data = std::make_unique<GameData>(host().server().app_dir + "/config/data");
        data_ = data.get();
        add_component(std::move(data));
        handlers_ = std::make_unique<shd::Handlers>(host());
        handlers_->on("connector.dataHandler.character", [this](shd::RequestPtr req) { character(req); });
    }
    void start() override {
        const gd::Database &db = data_->tables();
        host().info("game data: " + std::to_string(db.table("character").size()) + " characters, " +
                    std::to_string(db.table("fightskill").size()) + " skills");
    }

private:
    // {"id": 210} -> {"code": 200, "name": ..., "hp": ..., "skills": [names]}; 404 for an unknown id.
    void character(const shd::RequestPtr &req) {
        const rapidjson::Document body = req->json();
        if (!body.IsObject() || !body.HasMember("id") || !body["id"].IsInt64()) return req->respond(R"({"code":400})");
        const gd::Database &db = data_->tables();
        const gd::Row *c = db.table("character").find(body["id"].GetInt64());
        if (!c) return req->respond(R"({"code":404})");
        std::string skills;
        for (std::int64_t id : c->integers("skills")) {
            const gd::Row &skill = db.table("fightskill").row(id);  // a bad reference throws: fail the request
            skills += (skills.empty() ? "" : ",") + shd::json_quote(skill.string("name"));
        }
        req->respond(R"({"code":200,"name":)" + shd::json_quote(c->string("name")) + R"(,"hp":)" +
                     std::to_string(c->integer("hp")) + R"(,"walkSpeed":)" + std::to_string(c->number("walkSpeed")) +
                     R"(,"skills":[)" + skills + "]}");
    }

    GameData *data_ = nullptr;  // owned by the app's components
    std::unique_ptr<shd::Handlers> handlers_;
};

}  // namespace

SHADDOCK_APP(GameDataExample, "gamedata_example", "1.0.0", "shd.handler/1")
