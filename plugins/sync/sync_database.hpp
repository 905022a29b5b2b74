// The sync plugin's database connection (Poco::Data: SQLite or PostgreSQL). Used by the database
// thread only. Errors never carry the connection's password: every message is redacted first.
#pragma once

#include "sync_statement.hpp"
#include "write_queue.hpp"

#include <Poco/Data/Session.h>

#include <Poco/Data/Statement.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace shd::sync {

// The database is unreachable (down, restarting, the connection lost): the writes are kept.
struct Unreachable {
    std::string message;
};

class SyncDatabase {
public:
    // `connection` is Poco's connection string (the SQLite file, or libpq's "host=... password=...");
    // `secret` is removed from every message; opening gives up after `connect_timeout_s`.
    SyncDatabase(Dialect dialect, std::string connection, std::string secret, int connect_timeout_s);
    ~SyncDatabase();

    // Opens the connection and runs the init statements (each once per connection). Throws
    // Unreachable.
    void connect(const std::vector<std::string> &init_sql);
    bool connected() const { return session_ != nullptr; }
    void close();

    // A write the database refused: its index in the batch and the database's message.
    struct Refusal {
        size_t index;
        std::string message;
    };
    // Writes the batch in one transaction: nothing when all are in, the first refused write when the
    // database refused one (the transaction is rolled back: nothing of the batch is written). Throws
    // Unreachable when the connection failed (rolled back, connection closed).
    std::optional<Refusal> write(const std::vector<Write> &batch);

    // The message with the secret replaced by "********".
    std::string redact(std::string message) const;

private:
    // A statement prepared once per connection for each writer and shape of its values (which
    // parameter is NULL, text, a number...), bound by reference to slots refilled for every write:
    // PostgreSQL then parses it once, not once per write.
    struct Slot {
        bool b = false;
        Poco::Int64 i = 0;
        double d = 0;
        std::string s;
    };
    struct Prepared {
        std::deque<Slot> slots;  // stable addresses: the statement's bindings point into them
        std::unique_ptr<Poco::Data::Statement> statement;
    };

    bool alive();
    Poco::Data::Statement &prepared(const Write &w);
    void forget_statements();

    Dialect dialect_;
    std::string connection_;
    std::string secret_;
    int connect_timeout_s_;
    std::unique_ptr<Poco::Data::Session> session_;
    std::unordered_map<std::string, Prepared> prepared_;  // by SQL and value shape
};

}  // namespace shd::sync
