#include "platform/database.hpp"

#include <sync_options.hpp>

#include <shaddock/cpp/json.hpp>

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace mmo {
namespace {

// The options object of the "sync" entry of plugins.json (resolved for the environment by the host).
std::string sync_options_json(const shd::Host &host) {
    auto text = host.read_config("plugins.json");
    rapidjson::Document d = shd::parse_json_or_empty(text ? *text : "");
    const rapidjson::Value *plugins = nullptr;
    if (d.IsObject() && d.HasMember("plugins") && d["plugins"].IsArray()) plugins = &d["plugins"];
    if (plugins)
        for (const auto &p : plugins->GetArray())
            if (p.IsObject() && shd::json_string(p, "name") == "sync") {
                auto it = p.FindMember("options");
                return it == p.MemberEnd() ? std::string("{}") : shd::to_json(it->value);
            }
    throw std::runtime_error("config/plugins.json: plugins: expected an entry of \"sync\" (the game database)");
}

}  // namespace

Database::Database(const shd::Host &host) : host_(host) {
    shd::ServerInfo me = host.server();
    shd::sync::SyncOptions o;
    try {
        o = shd::sync::parse_sync_options(sync_options_json(host), me.app_dir, me.env,
                                          [](const char *n) -> const char * { return std::getenv(n); });
    } catch (const shd::Error &e) {
        throw std::runtime_error(std::string("config/plugins.json: sync: ") + e.what());
    }
    postgresql_ = o.dialect == shd::sync::Dialect::postgresql;
    connection_ = o.connection();
    password_ = o.pg_password;
    init_sql_ = o.worker.init_sql;
    connect_timeout_s_ = o.connect_timeout_s;
    if (!postgresql_) std::filesystem::create_directories(std::filesystem::path(o.sqlite_file).parent_path());
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
    thread_ = std::thread([this] { loop(); });
}

Database::~Database() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Database::run(Job job, Done done) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        queue_.push_back(Task{std::move(job), std::move(done)});
    }
    cv_.notify_one();
}

void Database::connect() {
    auto s = std::make_unique<Poco::Data::Session>(postgresql_ ? "PostgreSQL" : "SQLite", connection_,
                                                   static_cast<std::size_t>(connect_timeout_s_));
    using Poco::Data::Keywords::now;
    if (!postgresql_) {
        // Several processes share the file: wait for a writer rather than fail, and read beside it (WAL).
        *s << "PRAGMA busy_timeout=5000", now;
        *s << "PRAGMA journal_mode=WAL", now;
        *s << "PRAGMA synchronous=NORMAL", now;
    } else {
        *s << "SET client_min_messages = warning", now;
    }
    for (const std::string &sql : init_sql_) *s << sql, now;
    session_ = std::move(s);
}

// Servers start together and run the schema's init statements at once: SQLite may be locked past
// the busy timeout, and PostgreSQL refuses a second concurrent CREATE TABLE IF NOT EXISTS of the same
// table. A few tries apart let the first one finish.
void Database::connect_with_retries() {
    for (int attempt = 1;; ++attempt) {
        try {
            connect();
            return;
        } catch (...) {
            session_.reset();
            if (attempt == 5) throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
    }
}

void Database::loop() {
    for (;;) {
        Task t;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            t = std::move(queue_.front());
            queue_.pop_front();
        }
        bool ok = true;
        std::string error;
        try {
            if (!session_) connect_with_retries();
            t.job(*session_);
        } catch (const Poco::Exception &e) {
            ok = false;
            error = e.displayText();
        } catch (const std::exception &e) {
            ok = false;
            error = e.what();
        }
        // A broken connection is opened again for the next job; a refused statement leaves it usable.
        if (!ok && session_) {
            try {
                if (!session_->isConnected()) session_.reset();
            } catch (...) {
                session_.reset();
            }
        }
        // Never a password in a message that may be logged.
        if (!ok && !password_.empty())
            for (size_t at; (at = error.find(password_)) != std::string::npos;)
                error.replace(at, password_.size(), "********");
        if (t.done) {
            Done done = std::move(t.done);
            host_.post([done, ok, error] { done(ok, error); });
        }
    }
}

std::string sql_text(Poco::Data::Session &s, std::string_view sql) {
    if (s.connector() != Poco::Data::PostgreSQL::Connector::KEY) return std::string(sql);
    std::string out;
    int n = 0;
    for (char c : sql) {
        if (c == '?')
            out += "$" + std::to_string(++n);
        else
            out += c;
    }
    return out;
}

WriteTransaction::WriteTransaction(Poco::Data::Session &s)
    : s_(s), sqlite_(s.connector() != Poco::Data::PostgreSQL::Connector::KEY) {
    using Poco::Data::Keywords::now;
    if (sqlite_)
        s_ << "BEGIN IMMEDIATE", now;
    else
        s_.begin();
}

WriteTransaction::~WriteTransaction() {
    if (!open_) return;
    using Poco::Data::Keywords::now;
    try {
        if (sqlite_)
            s_ << "ROLLBACK", now;
        else
            s_.rollback();
    } catch (...) {
        // The connection is gone or the transaction already ended: nothing is left to undo.
    }
}

void WriteTransaction::commit() {
    using Poco::Data::Keywords::now;
    if (sqlite_)
        s_ << "COMMIT", now;
    else
        s_.commit();
    open_ = false;
}

}  // namespace mmo
