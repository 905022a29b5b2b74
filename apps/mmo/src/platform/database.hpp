// The app's own connection to the game database, for what the write-behind `sync` plugin cannot do:
// reads (login, loading a player), inserts that need the new id, and uniqueness checks. It is the
// database of the sync plugin's options in config/plugins.json (SQLite file or PostgreSQL server),
// so one entry names it, and its `init` statements (the schema) run on connecting here too.
//
// Queries run on one thread of this object with a Poco::Data session, never on the logic thread;
// each job's completion comes back on the logic thread. Jobs run one at a time, in order.
#pragma once
#include <shaddock/cpp/host.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace Poco::Data {
class Session;
}

namespace mmo {

class Database {
public:
    // [database thread] A query; throwing (Poco::Exception, std::exception) fails it.
    using Job = std::function<void(Poco::Data::Session &)>;
    // [logic thread] ok, or the error's text.
    using Done = std::function<void(bool ok, const std::string &error)>;

    // Reads the sync plugin's entry of config/plugins.json. Throws std::runtime_error naming the file
    // and key when there is none or its options are wrong. Connects lazily, on the first job.
    explicit Database(const shd::Host &host);
    ~Database();  // finishes the queued jobs, then joins the thread
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // [logic] Queues a job. done runs on the logic thread once it ran (dropped if the host is stopping).
    void run(Job job, Done done);
    bool postgresql() const { return postgresql_; }

private:
    struct Task {
        Job job;
        Done done;
    };
    void loop();
    void connect();
    void connect_with_retries();

    shd::Host host_;
    bool postgresql_ = false;
    std::string connection_;  // holds the PostgreSQL password: never logged
    std::string password_;
    std::vector<std::string> init_sql_;
    int connect_timeout_s_ = 5;
    std::unique_ptr<Poco::Data::Session> session_;  // database thread only

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Task> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

// [database thread] A statement's text for the session's database: the '?' markers as they are for
// SQLite, numbered $1, $2, ... for PostgreSQL (whose connector takes no '?'). The statements of the
// app hold no '?' inside string literals.
std::string sql_text(Poco::Data::Session &s, std::string_view sql);

// [database thread] A transaction that reads, then writes. SQLite takes the write lock at BEGIN
// (BEGIN IMMEDIATE): a deferred transaction that read first fails at once (SQLITE_BUSY, no busy
// wait) when another process wrote in between, which under many creations at once it does.
// Rolled back when left without commit().
class WriteTransaction {
public:
    explicit WriteTransaction(Poco::Data::Session &s);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction &) = delete;
    WriteTransaction &operator=(const WriteTransaction &) = delete;
    void commit();

private:
    Poco::Data::Session &s_;
    bool sqlite_;
    bool open_ = true;
};

}  // namespace mmo
