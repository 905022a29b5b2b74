// The sync plugin's options (plugins/sync/sync_options.*) and credentials: the connection string
// quotes what it holds, the password comes from the options or the environment and is removed from
// every message, and production refuses a PostgreSQL database without one.
#include "sync_options.hpp"
#include "sync_database.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <cstring>
#include <string>

using namespace shd::sync;

namespace {

const char *fake_env(const char *name) {
    return std::strcmp(name, "GAME_DB_PASSWORD") == 0 ? "from-env" : nullptr;
}

std::string error_of(const char *json, const char *env = "development") {
    try {
        parse_sync_options(json, "/srv/game", env, &fake_env);
    } catch (const shd::Error &e) {
        return e.what();
    }
    return "";
}

}  // namespace

class SyncOptionsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SyncOptionsTest);
    CPPUNIT_TEST(sqlite_is_the_default_under_the_app_folder);
    CPPUNIT_TEST(postgresql_connection_string_quotes_its_values);
    CPPUNIT_TEST(password_from_the_environment);
    CPPUNIT_TEST(production_needs_a_postgresql_password);
    CPPUNIT_TEST(messages_never_carry_the_password);
    CPPUNIT_TEST_SUITE_END();

public:
    void sqlite_is_the_default_under_the_app_folder() {
        SyncOptions o = parse_sync_options("{}", "/srv/game", "production", &fake_env);
        CPPUNIT_ASSERT(o.dialect == Dialect::sqlite);
        CPPUNIT_ASSERT_EQUAL(std::string("/srv/game/data/sync.db"), o.connection());
        CPPUNIT_ASSERT_EQUAL(uint64_t(60000), o.worker.interval_ms);  // pomelo-sync's default
        CPPUNIT_ASSERT_EQUAL(size_t(100000), o.max_queue);
        o = parse_sync_options(R"({"file": "/var/lib/game.db"})", "/srv/game", "development", &fake_env);
        CPPUNIT_ASSERT_EQUAL(std::string("/var/lib/game.db"), o.connection());
    }

    void postgresql_connection_string_quotes_its_values() {
        SyncOptions o = parse_sync_options(
            R"({"database": "postgresql", "host": "db", "user": "game", "dbname": "my db", "password": "pa'ss\\ word"})",
            "/srv/game", "development", &fake_env);
        CPPUNIT_ASSERT_EQUAL(std::string("host='db' port=5432 dbname='my db' user='game' connect_timeout=5 "
                                         "password='pa\\'ss\\\\ word'"),
                             o.connection());
        CPPUNIT_ASSERT_EQUAL(std::string("postgresql game@db:5432/my db"), o.describe());  // what logs show
    }

    void password_from_the_environment() {
        SyncOptions o = parse_sync_options(R"({"database": "postgresql", "passwordEnv": "GAME_DB_PASSWORD"})",
                                           "/srv/game", "production", &fake_env);
        CPPUNIT_ASSERT_EQUAL(std::string("from-env"), o.pg_password);
        CPPUNIT_ASSERT_EQUAL(std::string("option passwordEnv: the environment variable NOPE is not set or empty"),
                             error_of(R"({"database": "postgresql", "passwordEnv": "NOPE"})"));
        CPPUNIT_ASSERT_EQUAL(std::string("option passwordEnv: give the password once, in password or passwordEnv"),
                             error_of(R"({"password": "x", "passwordEnv": "GAME_DB_PASSWORD"})"));
    }

    void production_needs_a_postgresql_password() {
        CPPUNIT_ASSERT(error_of(R"({"database": "postgresql"})", "production")
                           .rfind("option password: a PostgreSQL database needs a password in production", 0) == 0);
        CPPUNIT_ASSERT_EQUAL(std::string(""), error_of(R"({"database": "postgresql"})", "development"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), error_of(R"({"database": "sqlite"})", "production"));
        CPPUNIT_ASSERT(error_of(R"({"databse": "sqlite"})").find("option databse: unknown option of the sync plugin") !=
                       std::string::npos);
        CPPUNIT_ASSERT(
            error_of(R"({"retryMin": 500, "retryMax": 100})").rfind("option retryMax: expected at least", 0) == 0);
    }

    void messages_never_carry_the_password() {
        SyncDatabase db(Dialect::postgresql, "host=127.0.0.1 password='s3cr'", "s3cr", 1);
        CPPUNIT_ASSERT_EQUAL(std::string("failed for ******** and ********"), db.redact("failed for s3cr and s3cr"));
        SyncDatabase none(Dialect::sqlite, "x.db", "", 1);
        CPPUNIT_ASSERT_EQUAL(std::string("as it was"), none.redact("as it was"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SyncOptionsTest);
