// The sync plugin's database connection (Poco::Data: SQLite or PostgreSQL). Used by the database
// thread only. Errors never carry the connection's password: every message is redacted first.
#pragma once

#include "sync_statement.hpp"
#include "write_queue.hpp"

#include <Poco/Data/Session.h>

#include <memory>
#include <optional>
#include <string>
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
    bool alive();

    Dialect dialect_;
    std::string connection_;
    std::string secret_;
    int connect_timeout_s_;
    std::unique_ptr<Poco::Data::Session> session_;
};

}  // namespace shd::sync
