// Writers of the sync plugin (plugins/sync/sync_statement.*): placeholders found outside quotes,
// comments and casts, rendered for SQLite and PostgreSQL; values bound by name or position.
#include "sync_statement.hpp"

#include <shaddock/cpp/host.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <string>

using namespace shd::sync;

namespace {

std::string parse_error(const char *sql) {
    try {
        parse_writer("k", sql, Dialect::postgresql);
    } catch (const shd::Error &e) {
        return e.what();
    }
    return "";
}

std::string bind_error(const Writer &w, const std::string &value) {
    try {
        bind_value(w, value);
    } catch (const shd::Error &e) {
        return e.what();
    }
    return "";
}

}  // namespace

class SyncStatementTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SyncStatementTest);
    CPPUNIT_TEST(named_parameters_are_numbered_for_postgresql);
    CPPUNIT_TEST(positional_parameters);
    CPPUNIT_TEST(quotes_comments_and_casts_are_left_alone);
    CPPUNIT_TEST(bad_statements_are_refused_with_the_reason);
    CPPUNIT_TEST(values_bind_by_name);
    CPPUNIT_TEST(values_bind_by_position);
    CPPUNIT_TEST(values_that_do_not_fill_the_statement_are_refused);
    CPPUNIT_TEST_SUITE_END();

public:
    void named_parameters_are_numbered_for_postgresql() {
        const char *sql = "UPDATE player SET x = :x, y = :y WHERE id = :id";
        Writer pg = parse_writer("player.update", sql, Dialect::postgresql);
        CPPUNIT_ASSERT_EQUAL(std::string("UPDATE player SET x = $1, y = $2 WHERE id = $3"), pg.sql);
        CPPUNIT_ASSERT(pg.named);
        CPPUNIT_ASSERT_EQUAL(size_t(3), pg.count);
        CPPUNIT_ASSERT(pg.names == (std::vector<std::string>{"x", "y", "id"}));
        Writer lite = parse_writer("player.update", sql, Dialect::sqlite);
        CPPUNIT_ASSERT_EQUAL(std::string("UPDATE player SET x = ?, y = ? WHERE id = ?"), lite.sql);
        // A name used twice is two parameters with the same value.
        Writer twice = parse_writer("k", "SELECT :a, :a", Dialect::postgresql);
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT $1, $2"), twice.sql);
        CPPUNIT_ASSERT(twice.names == (std::vector<std::string>{"a", "a"}));
    }

    void positional_parameters() {
        Writer pg = parse_writer("event.add", "INSERT INTO event (n, what) VALUES (?, ?)", Dialect::postgresql);
        CPPUNIT_ASSERT_EQUAL(std::string("INSERT INTO event (n, what) VALUES ($1, $2)"), pg.sql);
        CPPUNIT_ASSERT(!pg.named);
        CPPUNIT_ASSERT_EQUAL(size_t(2), pg.count);
        Writer lite = parse_writer("event.add", "INSERT INTO event (n, what) VALUES (?, ?)", Dialect::sqlite);
        CPPUNIT_ASSERT_EQUAL(std::string("INSERT INTO event (n, what) VALUES (?, ?)"), lite.sql);
    }

    void quotes_comments_and_casts_are_left_alone() {
        const char *sql =
            "UPDATE t SET a = ':no?', \"col:x\" = :v::int -- what? :c\n"
            "/* ? :d */ WHERE b = 'it''s :e' AND c = $$ :f ? $$ AND d = $tag$?$tag$";
        Writer w = parse_writer("k", sql, Dialect::postgresql);
        CPPUNIT_ASSERT_EQUAL(size_t(1), w.count);
        CPPUNIT_ASSERT(w.names == (std::vector<std::string>{"v"}));
        CPPUNIT_ASSERT_EQUAL(std::string("UPDATE t SET a = ':no?', \"col:x\" = $1::int -- what? :c\n"
                                         "/* ? :d */ WHERE b = 'it''s :e' AND c = $$ :f ? $$ AND d = $tag$?$tag$"),
                             w.sql);
    }

    void bad_statements_are_refused_with_the_reason() {
        CPPUNIT_ASSERT_EQUAL(std::string("the statement is empty"), parse_error("  ; "));
        CPPUNIT_ASSERT_EQUAL(std::string("the statement mixes named (:name) and positional (?) parameters"),
                             parse_error("UPDATE t SET a = :a WHERE id = ?"));
        CPPUNIT_ASSERT(parse_error("UPDATE t SET a = $1").find("write parameters as :name or ?") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("unterminated string"), parse_error("UPDATE t SET a = 'x"));
        CPPUNIT_ASSERT_EQUAL(std::string("unterminated comment"), parse_error("UPDATE t /* SET"));
    }

    void values_bind_by_name() {
        Writer w = parse_writer("k", "UPDATE p SET a = :a, b = :b, c = :c, d = :d, e = :e, f = :f WHERE id = :id",
                                Dialect::sqlite);
        Params p = bind_value(w, R"({"id": "p1", "a": 5, "b": 2.5, "c": true, "d": null, "e": {"k": [1]},
                                    "f": -9007199254740993, "unused": 1})");
        CPPUNIT_ASSERT_EQUAL(size_t(7), p.size());
        CPPUNIT_ASSERT_EQUAL(int64_t(5), std::get<int64_t>(p[0]));
        CPPUNIT_ASSERT_EQUAL(2.5, std::get<double>(p[1]));
        CPPUNIT_ASSERT_EQUAL(true, std::get<bool>(p[2]));
        CPPUNIT_ASSERT(std::holds_alternative<std::monostate>(p[3]));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"k":[1]})"), std::get<std::string>(p[4]));  // nested: as JSON text
        CPPUNIT_ASSERT_EQUAL(int64_t(-9007199254740993LL), std::get<int64_t>(p[5]));
        CPPUNIT_ASSERT_EQUAL(std::string("p1"), std::get<std::string>(p[6]));
    }

    void values_bind_by_position() {
        Writer w = parse_writer("k", "INSERT INTO e VALUES (?, ?)", Dialect::postgresql);
        Params p = bind_value(w, R"([1, "Robert'); DROP TABLE e; --"])");
        CPPUNIT_ASSERT_EQUAL(int64_t(1), std::get<int64_t>(p[0]));
        // Text stays a bound value, whatever it holds; the SQL is unchanged.
        CPPUNIT_ASSERT_EQUAL(std::string("Robert'); DROP TABLE e; --"), std::get<std::string>(p[1]));
        CPPUNIT_ASSERT_EQUAL(std::string("INSERT INTO e VALUES ($1, $2)"), w.sql);
    }

    void values_that_do_not_fill_the_statement_are_refused() {
        Writer named = parse_writer("k", "UPDATE p SET x = :x WHERE id = :id", Dialect::sqlite);
        CPPUNIT_ASSERT_EQUAL(std::string("the value has no field \"id\" for :id"), bind_error(named, R"({"x": 1})"));
        CPPUNIT_ASSERT_EQUAL(std::string("the value must be a JSON object with the statement's named parameters"),
                             bind_error(named, "[1, 2]"));
        CPPUNIT_ASSERT_EQUAL(std::string("the value is not JSON (or nests too deep)"), bind_error(named, "{x"));
        // A value nested 200,000 deep (a client's body passed on, say) is refused, not parsed recursively.
        CPPUNIT_ASSERT_EQUAL(std::string("the value is not JSON (or nests too deep)"),
                             bind_error(named, std::string(200000, '[') + std::string(200000, ']')));
        Writer positional = parse_writer("k", "INSERT INTO e VALUES (?, ?)", Dialect::sqlite);
        CPPUNIT_ASSERT_EQUAL(std::string("the value has 1 item(s); the statement has 2 parameter(s)"),
                             bind_error(positional, "[1]"));
        CPPUNIT_ASSERT_EQUAL(std::string("the value must be a JSON array of the statement's 2 parameter(s)"),
                             bind_error(positional, R"({"a": 1})"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SyncStatementTest);
