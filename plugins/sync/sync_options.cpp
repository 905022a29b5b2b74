#include "sync_options.hpp"

#include <filesystem>

namespace shd::sync {

namespace {

// A libpq connection-string value: quoted, with \ and ' escaped.
std::string conninfo_value(const std::string &v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

}  // namespace

std::string SyncOptions::connection() const {
    if (dialect == Dialect::sqlite) return sqlite_file;
    std::string c = "host=" + conninfo_value(pg_host) + " port=" + std::to_string(pg_port) +
                    " dbname=" + conninfo_value(pg_dbname) + " user=" + conninfo_value(pg_user) +
                    " connect_timeout=" + std::to_string(connect_timeout_s);
    if (!pg_password.empty()) c += " password=" + conninfo_value(pg_password);
    return c;
}

std::string SyncOptions::describe() const {
    if (dialect == Dialect::sqlite) return "sqlite " + sqlite_file;
    return "postgresql " + pg_user + "@" + pg_host + ":" + std::to_string(pg_port) + "/" + pg_dbname;
}

const shd::OptionTable &sync_option_table() {
    namespace opt = shd::option;
    static const shd::OptionTable table(
        "the sync plugin",
        {
            opt::string("database", "sqlite",
                        "`\"sqlite\"`: a file under the app folder, no server; `\"postgresql\"`: a PostgreSQL "
                        "server (`host`, `port`, `user`, `password`, `dbname`)")
                .one_of({"sqlite", "postgresql"}),
            opt::string("file", "data/sync.db",
                        "SQLite: the database file, relative to the app folder (its folder is created)"),
            opt::string("host", "127.0.0.1", "PostgreSQL: the server's address"),
            opt::integer("port", 5432, 1, 65535, "PostgreSQL: the server's port"),
            opt::string("user", "postgres", "PostgreSQL: the user to log in as"),
            opt::string("password", "",
                        "PostgreSQL: the user's password; required in `production` (here or through "
                        "`passwordEnv`). Never logged")
                .showing_default("none"),
            opt::string("passwordEnv", "",
                        "PostgreSQL: the environment variable holding the password, instead of `password`")
                .showing_default("none"),
            opt::string("dbname", "postgres", "PostgreSQL: the database"),
            opt::integer("connectTimeout", 5, 1, 300,
                         "seconds to wait for a connection (SQLite: for the file to open), then try again later")
                .measured_in("s"),
            opt::integer("interval", 60000, 10, 86400000,
                         "the queue is written every `interval` (pomelo-sync's default: one minute); a crash "
                         "loses at most this much")
                .measured_in("ms"),
            opt::integer("maxQueue", 100000, 1, 100000000,
                         "writes queued or being written (after merging by id); past it `exec` answers "
                         "`SHD_ERR_BUSY`")
                .measured_in("writes"),
            opt::integer("batchSize", 500, 1, 1000000, "writes per database transaction"),
            opt::integer("retryMin", 200, 1, 3600000,
                         "first wait before trying an unreachable database again; doubled after each failure")
                .measured_in("ms"),
            opt::integer("retryMax", 10000, 1, 3600000, "longest wait between two attempts").measured_in("ms"),
            opt::strings("init",
                         "SQL run on every new connection before any write (e.g. `CREATE TABLE IF NOT EXISTS "
                         "...`); a failure counts as the database being unreachable"),
        });
    return table;
}

SyncOptions parse_sync_options(std::string_view json, const std::string &app_dir, const std::string &env,
                               const char *(*getenv)(const char *)) {
    shd::Options opts(json, sync_option_table());
    SyncOptions o;
    o.dialect = opts.string("database") == "postgresql" ? Dialect::postgresql : Dialect::sqlite;
    std::filesystem::path file(opts.string("file"));
    if (file.empty()) throw shd::Error(SHD_ERR_INVALID, "option file: expected a file name, got \"\"");
    o.sqlite_file = (file.is_absolute() ? file : std::filesystem::path(app_dir) / file).lexically_normal().string();
    o.pg_host = opts.string("host");
    o.pg_port = static_cast<int>(opts.integer("port"));
    o.pg_user = opts.string("user");
    o.pg_dbname = opts.string("dbname");
    o.pg_password = opts.string("password");
    std::string password_env = opts.string("passwordEnv");
    if (!password_env.empty()) {
        if (!o.pg_password.empty())
            throw shd::Error(SHD_ERR_INVALID, "option passwordEnv: give the password once, in password or passwordEnv");
        const char *value = getenv(password_env.c_str());
        if (!value || !*value)
            throw shd::Error(SHD_ERR_INVALID,
                             "option passwordEnv: the environment variable " + password_env + " is not set or empty");
        o.pg_password = value;
    }
    o.connect_timeout_s = static_cast<int>(opts.integer("connectTimeout"));
    o.max_queue = static_cast<size_t>(opts.integer("maxQueue"));
    o.worker.interval_ms = static_cast<uint64_t>(opts.integer("interval"));
    o.worker.batch = static_cast<size_t>(opts.integer("batchSize"));
    o.worker.retry_min_ms = static_cast<uint64_t>(opts.integer("retryMin"));
    o.worker.retry_max_ms = static_cast<uint64_t>(opts.integer("retryMax"));
    if (o.worker.retry_max_ms < o.worker.retry_min_ms)
        throw shd::Error(SHD_ERR_INVALID, "option retryMax: expected at least retryMin (" +
                                              std::to_string(o.worker.retry_min_ms) + "), got " +
                                              std::to_string(o.worker.retry_max_ms));
    o.worker.init_sql = opts.strings("init");
    if (o.dialect == Dialect::postgresql && env == "production" && o.pg_password.empty())
        throw shd::Error(SHD_ERR_INVALID,
                         "option password: a PostgreSQL database needs a password in production (set password, or "
                         "passwordEnv to the name of an environment variable holding it)");
    return o;
}

}  // namespace shd::sync
