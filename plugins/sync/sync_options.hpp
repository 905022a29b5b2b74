// The sync plugin's options (its "options" object in config/plugins.json; README.md lists them,
// generated from sync_option_table() and checked by tests/sync/sync_options_readme).
#pragma once

#include "sync_statement.hpp"
#include "sync_worker.hpp"

#include <shaddock/cpp/options.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace shd::sync {

struct SyncOptions {
    Dialect dialect = Dialect::sqlite;
    std::string sqlite_file;  // absolute
    std::string pg_host, pg_user, pg_dbname, pg_password;
    int pg_port = 5432;
    int connect_timeout_s = 5;
    size_t max_queue = 100000;
    WorkerConfig worker;

    // Poco's connection string: the SQLite file, or libpq's "host=... password=..." (holds the
    // password: never logged).
    std::string connection() const;
    // "sqlite <file>" or "postgresql user@host:port/dbname": for logs and stats, no password.
    std::string describe() const;
};

const shd::OptionTable &sync_option_table();

// Reads the options of a server of `env` whose app folder is `app_dir`. Throws
// shd::Error(SHD_ERR_INVALID, "option <key>: ...") for a wrong option, and in production for a
// PostgreSQL database without a password. `getenv` reads passwordEnv's variable (injectable for tests).
SyncOptions parse_sync_options(std::string_view json, const std::string &app_dir, const std::string &env,
                               const char *(*getenv)(const char *));

}  // namespace shd::sync
