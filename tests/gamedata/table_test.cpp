// shd::gamedata tables: schemas, typed rows by id, lookups, the three file shapes (CSV, Lord of
// Pomelo's JSON array of arrays, JSON array of objects), a data folder (tests/gamedata/data), and
// every load error with its exact message (file, line, column).
#include <shaddock/gamedata/database.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace shd::gamedata;

namespace {

Schema monster_schema() {
    Schema s("monster");
    s.integer("id").string("name").integer("hp").number("speed", 1.0).integers("drops").boolean("boss", false);
    s.index("name");
    return s;
}

template <class F>
std::string error_of(F &&f) {
    try {
        f();
    } catch (const DataError &e) {
        return e.what();
    } catch (const std::logic_error &e) {
        return std::string("logic_error: ") + e.what();
    }
    return "(no error)";
}

std::string csv_error(const std::string &text, const Schema &schema) {
    return error_of([&] { load_table(text, Format::csv, schema, "data/m.csv"); });
}
std::string json_error(const std::string &text, const Schema &schema, const Limits &limits = {}) {
    return error_of([&] { load_table(text, Format::json, schema, "data/m.json", limits); });
}

Schema hp_schema() {
    Schema s("m");
    s.integer("id").integer("hp");
    return s;
}

// A scratch data folder, removed at the end.
struct Folder {
    std::filesystem::path path;
    Folder() {
        char name[] = "/tmp/shd_gamedata_XXXXXX";
        path = mkdtemp(name);
    }
    ~Folder() { std::filesystem::remove_all(path); }
    void write(const std::string &file, const std::string &text) const { std::ofstream(path / file) << text; }
};

}  // namespace

class TableTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TableTest);
    CPPUNIT_TEST(csv_rows_by_id);
    CPPUNIT_TEST(lookups);
    CPPUNIT_TEST(lordofpomelo_json_shape);
    CPPUNIT_TEST(json_objects_shape);
    CPPUNIT_TEST(string_ids_and_defaults);
    CPPUNIT_TEST(csv_description_row);
    CPPUNIT_TEST(cell_conversion);
    CPPUNIT_TEST(csv_errors);
    CPPUNIT_TEST(cell_errors);
    CPPUNIT_TEST(json_errors);
    CPPUNIT_TEST(json_limits);
    CPPUNIT_TEST(misuse);
    CPPUNIT_TEST(data_folder);
    CPPUNIT_TEST(data_folder_errors);
    CPPUNIT_TEST_SUITE_END();

public:
    void csv_rows_by_id() {
        const Table t = load_table_file(SHD_GAMEDATA_DIR "/monster.csv", monster_schema());
        CPPUNIT_ASSERT_EQUAL(std::string("monster"), t.name());
        CPPUNIT_ASSERT_EQUAL(size_t(3), t.size());
        const Row &harpy = t.row(201);
        CPPUNIT_ASSERT_EQUAL(std::string("Harpy"), harpy.string("name"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(60), harpy.integer("hp"));
        CPPUNIT_ASSERT_EQUAL(1.5, harpy.number("speed"));
        CPPUNIT_ASSERT(harpy.integers("drops") == (std::vector<std::int64_t>{1, 2, 3}));
        CPPUNIT_ASSERT(!harpy.boolean("boss"));
        CPPUNIT_ASSERT_EQUAL(3, harpy.line());
        const Row &dragon = t.row(202);
        CPPUNIT_ASSERT_EQUAL(std::string("Bulb \"Dragon\""), dragon.string("name"));
        CPPUNIT_ASSERT(dragon.integers("drops").empty());
        CPPUNIT_ASSERT(dragon.boolean("boss"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(202), dragon.id());
        CPPUNIT_ASSERT_EQUAL(6, t.row(203).line());  // the quoted line end in row 202 counts
        CPPUNIT_ASSERT(!t.row(203).boolean("boss"));
        CPPUNIT_ASSERT(t.ignored_columns() == (std::vector<std::string>{"note"}));
        CPPUNIT_ASSERT(t.find(999) == nullptr);
        // File order.
        CPPUNIT_ASSERT_EQUAL(std::int64_t(203), t.rows()[2].id());
    }

    void lookups() {
        const Table t = load_table_file(SHD_GAMEDATA_DIR "/monster.csv", monster_schema());
        CPPUNIT_ASSERT_EQUAL(size_t(1), t.find_by("name", "Slime").size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(203), t.find_one("name", std::string("Slime"))->id());
        CPPUNIT_ASSERT(t.find_one("name", "Nobody") == nullptr);
        // Not indexed: a scan, same answers.
        CPPUNIT_ASSERT_EQUAL(std::int64_t(202), t.find_one("hp", 15000)->id());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(201), t.find_one("speed", 1.5)->id());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(202), t.find_one("speed", 2)->id());  // an integer for a number column
        CPPUNIT_ASSERT_EQUAL(size_t(2), t.find_by("boss", false).size());
        CPPUNIT_ASSERT_EQUAL(size_t(2), t.find_at_least("hp", 60).size());
        CPPUNIT_ASSERT_EQUAL(size_t(2), t.find_at_most("speed", 1.5).size());
        CPPUNIT_ASSERT_EQUAL(size_t(1), t.select([](const Row &r) { return r.integers("drops").size() == 3; }).size());
    }

    void lordofpomelo_json_shape() {
        Schema s("skill");
        s.integer("id").integer("playerLevel").string("name").number("cooltime").integer("mp", 0);
        s.number("attackParam").integer("distance");
        const Table t = load_table_file(SHD_GAMEDATA_DIR "/skill.json", s);
        CPPUNIT_ASSERT_EQUAL(size_t(2), t.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), t.row(1).integer("mp"));           // "" takes the default
        CPPUNIT_ASSERT_EQUAL(std::int64_t(5), t.row(2).integer("mp"));           // "5"
        CPPUNIT_ASSERT_EQUAL(std::int64_t(5), t.row(2).integer("playerLevel"));  // 5
        CPPUNIT_ASSERT_EQUAL(1.2, t.row(2).number("attackParam"));
        CPPUNIT_ASSERT_EQUAL(std::string("Sudden Attack"), t.row(2).string("name"));
        CPPUNIT_ASSERT_EQUAL(5, t.row(2).line());
    }

    void json_objects_shape() {
        Schema s("item");
        s.integer("id").string("name").integer("price", 0).strings("tags");
        s.unique("name");
        const Table t = load_table_file(SHD_GAMEDATA_DIR "/item.json", s);
        CPPUNIT_ASSERT(t.row(1).strings("tags") == (std::vector<std::string>{"heal", "small"}));
        CPPUNIT_ASSERT(t.row(2).strings("tags") == (std::vector<std::string>{"heal", "big"}));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), t.row(2).integer("price"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), t.find_one("name", "Elixir")->id());
        CPPUNIT_ASSERT(t.ignored_columns() == (std::vector<std::string>{"rare"}));
        CPPUNIT_ASSERT_EQUAL(3, t.row(2).line());
    }

    void string_ids_and_defaults() {
        Schema s("npc", "key");
        s.string("key").string("title", "nobody").numbers("xy").booleans("flags", true);
        const Table t = load_table("key,title,xy\nsmith,,1.5; -2e1\nguard,Guard,\n", Format::csv, s, "npc.csv");
        CPPUNIT_ASSERT_EQUAL(std::string("nobody"), t.row("smith").string("title"));
        CPPUNIT_ASSERT(t.row("smith").numbers("xy") == (std::vector<double>{1.5, -20}));
        CPPUNIT_ASSERT(t.row("guard").booleans("flags").empty());  // absent, optional list
        CPPUNIT_ASSERT_EQUAL(std::string("guard"), t.row("guard").string_id());
        CPPUNIT_ASSERT(t.find("nobody") == nullptr);
    }

    void csv_description_row() {
        Schema d("d");
        d.integer("id").string("name").description_row();
        const Table t = load_table("\xE7\xBC\x96\xE5\x8F\xB7,\xE5\x90\x8D\xE5\xAD\x97\nid,name\n1,Harpy\n", Format::csv,
                                   d, "d.csv");
        CPPUNIT_ASSERT_EQUAL(std::string("Harpy"), t.row(1).string("name"));
        CPPUNIT_ASSERT_EQUAL(3, t.row(1).line());
        CPPUNIT_ASSERT(t.ignored_columns().empty());
        CPPUNIT_ASSERT_EQUAL(
            std::string("data/m.csv: no header row (the file has fewer than two records: descriptions, "
                        "then names)"),
            csv_error("id,name\n", d));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2: missing column \"name\" (the header has: id)"),
                             csv_error("id,name\nid\n", d));
    }

    void cell_conversion() {
        Schema s("c");
        s.integer("id").integer("i").number("n").boolean("b").string("s").booleans("bs");
        const Table t = load_table("id,i,n,b,s,bs\n1, +7 ,-0.25,TRUE, x ,1;0;False\n2,-9223372036854775808,3e2,0,,\n",
                                   Format::csv, s, "c.csv");
        CPPUNIT_ASSERT_EQUAL(std::int64_t(7), t.row(1).integer("i"));
        CPPUNIT_ASSERT_EQUAL(-0.25, t.row(1).number("n"));
        CPPUNIT_ASSERT(t.row(1).boolean("b"));
        CPPUNIT_ASSERT_EQUAL(std::string(" x "), t.row(1).string("s"));  // strings are kept as written
        CPPUNIT_ASSERT(t.row(1).booleans("bs") == (std::vector<bool>{true, false, false}));
        CPPUNIT_ASSERT_EQUAL(INT64_MIN, t.row(2).integer("i"));
        CPPUNIT_ASSERT_EQUAL(300.0, t.row(2).number("n"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), t.row(2).string("s"));
        CPPUNIT_ASSERT_EQUAL(-0.25, t.row(1).number("n"));
        CPPUNIT_ASSERT_EQUAL(7.0, t.row(1).number("i"));  // an integer read as a number
    }

    void csv_errors() {
        const Schema m = monster_schema();
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:1: missing column \"hp\" (the header has: id, name, drops)"),
                             csv_error("id,name,drops\n", m));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:4:1: duplicate id 201 (first on line 2)"),
                             csv_error("id,name,hp,drops\n201,a,1,\n202,b,1,\n201,c,1,\n", m));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:3: the row has 1 field, the header has 2"),
                             csv_error("id,hp\n1,2\n3\n", hp_schema()));
        CPPUNIT_ASSERT_EQUAL(
            std::string("data/m.csv:1:7: column \"hp\" appears twice in the header (first at column 4)"),
            csv_error("id,hp,hp\n", hp_schema()));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv: no header row (the file has no records)"),
                             csv_error("# only a comment\n", hp_schema()));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:3:3: unterminated quoted field (the quote opened here)"),
                             csv_error("id,hp\n1,2\n2,\"3\n", hp_schema()));
        Schema u("u");
        u.integer("id").string("name").unique("name");
        CPPUNIT_ASSERT_EQUAL(
            std::string("data/m.csv:3:3: duplicate value \"a\" in unique column \"name\" (first on line 2)"),
            csv_error("id,name\n1,a\n2,a\n", u));
    }

    void cell_errors() {
        const Schema s = [] {
            Schema s("m");
            s.integer("id").integer("hp", 0).number("speed", 1).boolean("boss", false).integers("drops", true);
            return s;
        }();
        auto cell = [&](const std::string &header, const std::string &value) {
            return csv_error("id," + header + "\n1," + value + "\n", s);
        };
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"hp\": \"abc\" is not an integer"),
                             cell("hp", "abc"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"hp\": \"1.5\" is not an integer"),
                             cell("hp", "1.5"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"hp\": \"+-1\" is not an integer"),
                             cell("hp", "+-1"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("data/m.csv:2:3: column \"hp\": \"99999999999999999999\" is out of the integer range"),
            cell("hp", "99999999999999999999"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"speed\": \"fast\" is not a number"),
                             cell("speed", "fast"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"speed\": \"inf\" is not a number"),
                             cell("speed", "inf"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"speed\": \"nan\" is not a number"),
                             cell("speed", "nan"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"speed\": \"1e999\" is out of the number range"),
                             cell("speed", "1e999"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("data/m.csv:2:3: column \"boss\": \"maybe\" is not a boolean (true, false, 1 or 0)"),
            cell("boss", "maybe"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"drops\": item 2: \"x\" is not an integer"),
                             cell("drops", "1;x;3"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"drops\": item 2: empty, expected an integer"),
                             cell("drops", "1;;3"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"hp\": empty cell, expected an integer"),
                             csv_error("id,hp\n1,\n", hp_schema()));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:1: column \"id\": empty cell, expected an integer"),
                             csv_error("id,hp\n,1\n", hp_schema()));
        // The column of a quoted cell is its opening quote's.
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.csv:2:3: column \"hp\": \"x,y\" is not an integer"),
                             csv_error("id,hp\n1,\"x,y\"\n", hp_schema()));
    }

    void json_errors() {
        const Schema s = hp_schema();
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:3:6: column \"hp\": expected an integer, found an object"),
                             json_error("[[\"id\",\"hp\"],\n[\"id\",\"hp\"],\n[1,  {\"a\":1}]]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:26: column \"hp\": expected an integer, found an array"),
                             json_error("[[\"\",\"\"],[\"id\",\"hp\"],[1, [2]]]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:25: column \"hp\": expected an integer, found true"),
                             json_error("[[\"\",\"\"],[\"id\",\"hp\"],[1,true]]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:16: column \"hp\": \"lots\" is not an integer"),
                             json_error("[{\"id\":1, \"hp\":\"lots\"}]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:16: column \"hp\": \"2.5\" is not an integer"),
                             json_error("[{\"id\":1, \"hp\":2.5}]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:16: column \"hp\": empty cell, expected an integer"),
                             json_error("[{\"id\":1, \"hp\":null}]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:2:1: missing column \"hp\" in the row"),
                             json_error("[{\"id\":1, \"hp\":2},\n{\"id\":2}]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:22: key \"hp\" appears twice in the row"),
                             json_error("[{\"id\":1,\"hp\":2,\"hp\":3}]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:2:7: duplicate id 1 (first on line 1)"),
                             json_error("[{\"id\":1,\"hp\":2},\n{\"id\":\"1\",\"hp\":3}]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:1: expected an array of rows (Lord of Pomelo's array of "
                                         "arrays, or an array of objects), found an object"),
                             json_error("{\"id\":1}", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:15: expected an array (a row), found an object"),
                             json_error("[[\"id\",\"hp\"], {}]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:6: expected an object (a row), found a number"),
                             json_error("[{}, 5]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:1: an array of arrays needs a row of column descriptions and "
                                         "a row of column names"),
                             json_error("[[\"id\",\"hp\"]]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:18: a column name must be a string, found a number"),
                             json_error("[[\"a\",\"b\"],[\"id\",7]]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:22: the row has 1 cell, the names row has 2"),
                             json_error("[[\"\",\"\"],[\"id\",\"hp\"],[1]]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:1: missing column \"id\" (the file has no rows)"),
                             json_error("[]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:2: missing column \"hp\" (the header has: id)"),
                             json_error("[[\"id\"],\n[\"id\"]]", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:4: invalid JSON: Invalid value."), json_error("[1,", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:4: invalid JSON: text after the end of the value"),
                             json_error("[] x", s));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:2: not UTF-8 text (byte 1)"), json_error("[\xFF]", s));
        Schema l("l");
        l.integer("id").integers("drops");
        CPPUNIT_ASSERT_EQUAL(
            std::string("data/m.json:1:21: column \"drops\": item 2: expected a single value, found an array"),
            json_error("[{\"id\":1,\"drops\":[1,[2]]}]", l));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:21: column \"drops\": item 2: \"a\" is not an integer"),
                             json_error("[{\"id\":1,\"drops\":[1,\"a\"]}]", l));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:18: column \"drops\": expected a list, found an object"),
                             json_error("[{\"id\":1,\"drops\":{}}]", l));
    }

    void json_limits() {
        const Schema s = hp_schema();
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:17: values nested more than 16 deep (the limit)"),
                             json_error(std::string(100000, '[') + std::string(100000, ']'), s));
        Limits l;
        l.max_cells = 4;
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:19: more than 4 values in the file (the limit)"),
                             json_error("[{\"id\":1,\"hp\":2}, {}]", s, l));
        l = Limits{};
        l.max_rows = 1;
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:19: more than 1 rows (the limit)"),
                             json_error("[{\"id\":1,\"hp\":2}, {\"id\":2,\"hp\":2}]", s, l));
        l = Limits{};
        l.max_columns = 1;
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:13: more than 1 column names (the limit)"),
                             json_error("[[],[\"id\",  \"hp\"]]", s, l));
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:15: more than 1 keys in a row (the limit)"),
                             json_error("[{\"id\":1,\"hp\":2}]", s, l));
        l = Limits{};
        l.max_cell_bytes = 2;
        CPPUNIT_ASSERT_EQUAL(std::string("data/m.json:1:15: a value longer than 2 bytes (the limit)"),
                             json_error("[{\"id\":1,\"hp\":\"123\"}]", s, l));
    }

    void misuse() {
        const Table t = load_table_file(SHD_GAMEDATA_DIR "/monster.csv", monster_schema());
        CPPUNIT_ASSERT_EQUAL(
            std::string("logic_error: table \"monster\": column \"hp\" is an integer column, read as a string"),
            error_of([&] { t.row(201).string("hp"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("logic_error: table \"monster\": no column \"mp\" is declared"),
                             error_of([&] { t.row(201).integer("mp"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("logic_error: table \"monster\": no row with id 7"),
                             error_of([&] { t.row(7); }));
        CPPUNIT_ASSERT_EQUAL(std::string("logic_error: table \"monster\": the id column \"id\" is an integer column, "
                                         "looked up with a string"),
                             error_of([&] { t.find("201"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("logic_error: table \"monster\": column \"hp\" is an integer column, searched "
                                         "with a string"),
                             error_of([&] { t.find_by("hp", "60"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("logic_error: table \"x\": the id column \"id\" is not declared"),
                             error_of([] { load_table("", Format::csv, Schema("x"), "x.csv"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("logic_error: table \"x\": column \"a\" is declared twice"),
                             error_of([] { Schema("x").integer("a").string("a"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("logic_error: table \"x\": column \"l\" is a list and cannot be indexed"),
                             error_of([] { Schema("x").integers("l").index("l"); }));
        Catalog c;
        c.table("x");
        CPPUNIT_ASSERT_EQUAL(std::string("logic_error: table \"x\" is declared twice"),
                             error_of([&] { c.table("x"); }));
    }

    void data_folder() {
        Catalog catalog;
        catalog.table("monster") = monster_schema();
        Schema &skill = catalog.table("skill");
        skill.integer("id").string("name").integer("mp", 0);
        catalog.table("item").integer("id").string("name").strings("tags");
        const Database db = load_directory(SHD_GAMEDATA_DIR, catalog);
        CPPUNIT_ASSERT(db.names() == (std::vector<std::string>{"item", "monster", "skill"}));
        CPPUNIT_ASSERT_EQUAL(std::string("Harpy"), db.table("monster").row(201).string("name"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(5), db.table("skill").row(2).integer("mp"));
        CPPUNIT_ASSERT_EQUAL(std::string(SHD_GAMEDATA_DIR "/skill.json"), db.table("skill").file());
        CPPUNIT_ASSERT_EQUAL(
            std::string("logic_error: unknown table \"monstr\" (the tables are: item, monster, skill)"),
            error_of([&] { db.table("monstr"); }));
        CPPUNIT_ASSERT(db.find("monstr") == nullptr);
    }

    void data_folder_errors() {
        Folder f;
        const std::string dir = f.path.string();
        Catalog catalog;
        catalog.table("monster").integer("id");
        auto load = [&](const LoadOptions &o = {}) { return error_of([&] { load_directory(dir, catalog, o); }); };
        CPPUNIT_ASSERT_EQUAL(dir + ": table \"monster\" is declared but there is neither monster.csv nor monster.json",
                             load());
        f.write("monster.csv", "id\n1\n");
        f.write("monstr.csv", "id\n1\n");
        f.write(".hidden.csv", "not read");
        f.write("notes.txt", "not read");
        CPPUNIT_ASSERT_EQUAL(dir +
                                 "/monstr.csv: unknown table \"monstr\": no table of that name is declared (declared: "
                                 "monster)",
                             load());
        LoadOptions skip;
        skip.skip_undeclared = true;
        CPPUNIT_ASSERT_EQUAL(std::string("(no error)"), load(skip));
        CPPUNIT_ASSERT(load_directory(dir, catalog, skip).skipped_files() ==
                       (std::vector<std::string>{dir + "/monstr.csv"}));
        f.write("monster.json", "[]");
        CPPUNIT_ASSERT_EQUAL(dir + ": table \"monster\" has both monster.csv and monster.json: keep one", load(skip));
        std::filesystem::remove(f.path / "monster.json");
        f.write("monster.csv", "id\n1\nx\n");
        CPPUNIT_ASSERT_EQUAL(dir + "/monster.csv:3:1: column \"id\": \"x\" is not an integer", load(skip));
        LoadOptions small = skip;
        small.limits.max_file_bytes = 4;
        CPPUNIT_ASSERT_EQUAL(dir + "/monster.csv: the file is 7 bytes, more than the limit of 4", load(small));
        CPPUNIT_ASSERT(load(skip).find(dir) == 0);
        CPPUNIT_ASSERT_EQUAL(dir + "/none: cannot read the folder: No such file or directory",
                             error_of([&] { load_directory(dir + "/none", catalog); }));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TableTest);
