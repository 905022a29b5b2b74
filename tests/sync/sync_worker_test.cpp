// The sync plugin's database thread (plugins/sync/sync_worker.*, sync_database.*) against real SQLite
// files: merged writes reach the file in batches, a refused write is dropped and reported while the
// others are written, an unreachable database keeps every write until it can be reached, and the
// stop writes everything before the thread ends.
#include "sync_worker.hpp"
#include "sync_database.hpp"
#include "write_queue.hpp"

#include <Poco/Data/Session.h>

#include <cppunit/extensions/HelperMacros.h>

#include <unistd.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

using namespace shd::sync;
namespace fs = std::filesystem;

namespace {

const char *kSchema = "CREATE TABLE IF NOT EXISTS player (id TEXT PRIMARY KEY, name TEXT NOT NULL, n INTEGER)";
const char *kSave =
    "INSERT INTO player (id, name, n) VALUES (:id, :name, :n) ON CONFLICT (id) DO UPDATE SET name = excluded.name, n = "
    "excluded.n";

struct Collected {
    std::mutex mu;
    std::vector<Report> reports;
    std::vector<std::string> logs;
    bool finished() {
        std::lock_guard<std::mutex> lock(mu);
        return !reports.empty() && reports.back().finished;
    }
};

struct Fixture {
    fs::path dir;
    WriteQueue queue{100000};
    std::shared_ptr<const Writer> save;
    Collected seen;
    std::unique_ptr<SyncDatabase> db;
    std::unique_ptr<SyncWorker> worker;

    explicit Fixture(const std::string &file = "sync.db", uint64_t interval_ms = 50) {
        dir =
            fs::temp_directory_path() / ("shd-sync-unit-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
        fs::remove_all(dir);
        fs::create_directories(dir);
        save = std::make_shared<const Writer>(parse_writer("player.save", kSave, Dialect::sqlite));
        db = std::make_unique<SyncDatabase>(Dialect::sqlite, (dir / file).string(), "", 1);
        WorkerConfig config;
        config.interval_ms = interval_ms;
        config.batch = 64;
        config.retry_min_ms = 20;
        config.retry_max_ms = 80;
        config.init_sql = {kSchema};
        worker = std::make_unique<SyncWorker>(
            queue, *db, config,
            [this](Report r) {
                std::lock_guard<std::mutex> lock(seen.mu);
                seen.reports.push_back(std::move(r));
            },
            [this](int, const std::string &line) {
                std::lock_guard<std::mutex> lock(seen.mu);
                seen.logs.push_back(line);
            });
    }
    ~Fixture() {
        worker.reset();
        db.reset();
        fs::remove_all(dir);
    }

    shd_status put(const std::string &id, const std::string &name_json, int64_t n, uint64_t ticket = 0) {
        Write w;
        w.writer = save;
        w.id = id;
        w.params =
            bind_value(*save, "{\"id\":\"" + id + "\",\"name\":" + name_json + ",\"n\":" + std::to_string(n) + "}");
        if (ticket) w.tickets.push_back(ticket);
        return queue.put(std::move(w));
    }

    bool wait(const std::function<bool()> &cond, int ms = 10000) {
        for (int i = 0; i < ms / 10; ++i) {
            if (cond()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return cond();
    }

    // Rows of the file, read through a connection of its own: "id=n,..." in id order.
    std::string rows(const std::string &file = "sync.db") {
        Poco::Data::Session s("SQLite", (dir / file).string());
        std::vector<std::string> ids;
        std::vector<int64_t> ns;
        s << "SELECT id, n FROM player ORDER BY id", Poco::Data::Keywords::into(ids), Poco::Data::Keywords::into(ns),
            Poco::Data::Keywords::now;
        std::string out;
        for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + ids[i] + "=" + std::to_string(ns[i]);
        return out;
    }

    static inline int count = 0;
};

}  // namespace

class SyncWorkerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SyncWorkerTest);
    CPPUNIT_TEST(merged_writes_reach_the_database);
    CPPUNIT_TEST(a_refused_write_is_dropped_and_the_others_written);
    CPPUNIT_TEST(an_unreachable_database_keeps_every_write);
    CPPUNIT_TEST(stop_writes_everything_first);
    CPPUNIT_TEST_SUITE_END();

public:
    void merged_writes_reach_the_database() {
        Fixture f;
        for (int n = 1; n <= 1000; ++n)
            CPPUNIT_ASSERT_EQUAL(SHD_OK, f.put("p" + std::to_string(n % 100 + 100), "\"x\"", n));
        f.worker->start();
        CPPUNIT_ASSERT(f.wait([&] { return f.queue.idle(); }));
        QueueFigures figures = f.queue.figures();
        CPPUNIT_ASSERT_EQUAL(uint64_t(100), figures.written);  // 1000 execs, 100 ids: 100 writes
        CPPUNIT_ASSERT_EQUAL(uint64_t(900), figures.merged);
        std::string rows = f.rows();
        CPPUNIT_ASSERT(rows.rfind("p100=1000,p101=901,", 0) == 0);  // the last value of each id
        CPPUNIT_ASSERT(rows.find("p199=999") != std::string::npos);
        CPPUNIT_ASSERT(f.worker->connected());
    }

    void a_refused_write_is_dropped_and_the_others_written() {
        Fixture f;
        f.put("a", "\"x\"", 1);
        f.put("bad", "null", 2, 5);  // NOT NULL: refused
        f.put("c", "\"x\"", 3, 6);
        f.worker->start();
        CPPUNIT_ASSERT(f.wait([&] { return f.queue.idle(); }));
        CPPUNIT_ASSERT_EQUAL(std::string("a=1,c=3"), f.rows());
        std::lock_guard<std::mutex> lock(f.seen.mu);
        std::vector<Report::Refused> refused;
        std::vector<Report::Done> done;
        for (const Report &r : f.seen.reports) {
            refused.insert(refused.end(), r.refused.begin(), r.refused.end());
            done.insert(done.end(), r.done.begin(), r.done.end());
        }
        CPPUNIT_ASSERT_EQUAL(size_t(1), refused.size());
        CPPUNIT_ASSERT_EQUAL(std::string("player.save"), refused[0].key);
        CPPUNIT_ASSERT_EQUAL(std::string("bad"), refused[0].id);
        CPPUNIT_ASSERT(refused[0].message.find("NOT NULL") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(size_t(2), done.size());
        for (const Report::Done &d : done) CPPUNIT_ASSERT_EQUAL(d.ticket == 5 ? SHD_ERR_INVALID : SHD_OK, d.status);
        CPPUNIT_ASSERT_EQUAL(uint64_t(1), f.queue.figures().refused);
    }

    void an_unreachable_database_keeps_every_write() {
        Fixture f("missing/sync.db");  // its folder does not exist yet: SQLite cannot open it
        for (int n = 1; n <= 50; ++n) f.put("p" + std::to_string(n), "\"x\"", n);
        f.worker->start();
        CPPUNIT_ASSERT(f.wait([&] { return f.worker->retries() >= 3; }));
        CPPUNIT_ASSERT_EQUAL(size_t(50), f.queue.figures().queued);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), f.queue.figures().written);
        f.put("p1", "\"x\"", 100);  // still merged while waiting
        fs::create_directories(f.dir / "missing");
        CPPUNIT_ASSERT(f.wait([&] { return f.queue.idle(); }));
        CPPUNIT_ASSERT_EQUAL(uint64_t(50), f.queue.figures().written);
        std::string rows = f.rows("missing/sync.db");
        CPPUNIT_ASSERT(rows.rfind("p1=100,p10=10,", 0) == 0);
        std::lock_guard<std::mutex> lock(f.seen.mu);
        bool warned = false, back = false;
        for (const std::string &line : f.seen.logs) {
            warned |= line.find("database unreachable") != std::string::npos &&
                      line.find("50 write(s) kept") != std::string::npos;
            back |= line.find("database reachable again") != std::string::npos;
        }
        CPPUNIT_ASSERT(warned);
        CPPUNIT_ASSERT(back);
    }

    void stop_writes_everything_first() {
        Fixture f("sync.db", 3600000);  // the interval never comes: only the stop writes
        f.worker->start();
        for (int n = 1; n <= 300; ++n) f.put("p" + std::to_string(n), "\"x\"", n);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), f.queue.figures().written);
        f.worker->stop();
        CPPUNIT_ASSERT(f.wait([&] { return f.seen.finished(); }));
        f.worker->join();
        CPPUNIT_ASSERT(f.queue.idle());
        CPPUNIT_ASSERT_EQUAL(uint64_t(300), f.queue.figures().written);
        CPPUNIT_ASSERT(f.rows().find("p300=300") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SyncWorkerTest);
