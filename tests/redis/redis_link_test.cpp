// plugins/redis_link without a Redis: the contract every caller relies on, checked against a fake
// host whose logic thread is this test's thread. Each batch is answered exactly once, in order, never
// inside run(), on the thread that drains the host's tasks; an unreachable Redis fails calls at once;
// a full queue answers busy; stop() answers what is left with shutdown; the password is never logged;
// production refuses a start without one.
#include "redis_link.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

// The host's side: a task queue drained by the test thread, and the log lines.
struct FakeHost {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::pair<shd_task_fn, void *>> tasks;
    std::vector<std::string> logs;
    shd_host_api api{};

    FakeHost() {
        api.struct_size = sizeof(api);
        api.abi_major = SHD_ABI_MAJOR;
        api.abi_minor = SHD_ABI_MINOR;
        api.ctx = reinterpret_cast<shd_host_ctx *>(this);
        api.log = [](shd_host_ctx *c, int32_t, shd_str m) {
            auto *h = reinterpret_cast<FakeHost *>(c);
            std::lock_guard<std::mutex> lock(h->mu);
            h->logs.emplace_back(m.data, m.size);
        };
        api.post = [](shd_host_ctx *c, shd_task_fn fn, void *ud) -> shd_status {
            auto *h = reinterpret_cast<FakeHost *>(c);
            {
                std::lock_guard<std::mutex> lock(h->mu);
                h->tasks.emplace_back(fn, ud);
            }
            h->cv.notify_all();
            return SHD_OK;
        };
    }
    ~FakeHost() { drain_for(0); }

    // Runs posted tasks on this thread until done() or the deadline.
    template <class Pred>
    bool drain_until(Pred done, int ms = 3000) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (!done()) {
            std::unique_lock<std::mutex> lock(mu);
            if (!cv.wait_until(lock, deadline, [&] { return !tasks.empty(); })) return done();
            auto [fn, ud] = tasks.front();
            tasks.pop_front();
            lock.unlock();
            fn(ud, SHD_OK);
        }
        return true;
    }
    void drain_for(int ms) {
        drain_until([] { return false; }, ms);
    }
    std::string all_logs() {
        std::lock_guard<std::mutex> lock(mu);
        std::string out;
        for (auto &l : logs) out += l + "\n";
        return out;
    }
};

// A loopback port nothing listens on.
int closed_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

shd::redis::Settings settings(const std::string &password = "pw-not-for-logs") {
    shd::redis::Settings s;
    s.port = closed_port();
    s.password = password;
    s.reconnect_min_ms = 50;
    s.reconnect_max_ms = 200;
    return s;
}

struct Outcome {
    int calls = 0;
    shd_status status = -1;
    std::thread::id thread;
};

}  // namespace

class RedisLinkTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RedisLinkTest);
    CPPUNIT_TEST(unreachable_redis_fails_at_once_in_order);
    CPPUNIT_TEST(full_queue_answers_busy_later);
    CPPUNIT_TEST(stop_answers_what_is_left_with_shutdown);
    CPPUNIT_TEST(production_needs_a_password);
    CPPUNIT_TEST_SUITE_END();

public:
    void unreachable_redis_fails_at_once_in_order() {
        FakeHost fake;
        shd::redis::Link link(shd::Host(&fake.api), settings(), "test");
        link.start();
        std::vector<int> order;
        std::vector<Outcome> out(3);
        bool inside_run = false, called_inside_run = false, got_replies = false;
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < 3; ++i) {
            inside_run = true;
            link.run({{"PING"}}, [&, i](shd_status s, std::vector<shd::redis::Reply> r, const std::string &) {
                called_inside_run |= inside_run;  // recorded: an exception here would be the link's to catch
                got_replies |= !r.empty();
                out[i].calls++;
                out[i].status = s;
                out[i].thread = std::this_thread::get_id();
                order.push_back(i);
            });
            inside_run = false;
        }
        CPPUNIT_ASSERT(fake.drain_until([&] { return order.size() == 3; }));
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        CPPUNIT_ASSERT_MESSAGE("answered at once, not after retries: " + std::to_string(ms) + " ms", ms < 1000);
        CPPUNIT_ASSERT((order == std::vector<int>{0, 1, 2}));
        CPPUNIT_ASSERT_MESSAGE("never inside run()", !called_inside_run);
        CPPUNIT_ASSERT_MESSAGE("a failed batch has no replies", !got_replies);
        for (const Outcome &o : out) {
            CPPUNIT_ASSERT_EQUAL(1, o.calls);
            CPPUNIT_ASSERT_EQUAL(static_cast<shd_status>(SHD_ERR_IO), o.status);
            CPPUNIT_ASSERT(o.thread == std::this_thread::get_id());
        }
        CPPUNIT_ASSERT(!link.connected());
        link.stop();
        fake.drain_for(50);
        std::string logs = fake.all_logs();
        CPPUNIT_ASSERT_MESSAGE(logs, logs.find("unavailable") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the outage is logged once: " + logs,
                               logs.find("unavailable") == logs.rfind("unavailable"));
        CPPUNIT_ASSERT_MESSAGE(logs, logs.find("pw-not-for-logs") == std::string::npos);
        for (const Outcome &o : out) CPPUNIT_ASSERT_EQUAL(1, o.calls);  // nothing more after stop
    }

    void full_queue_answers_busy_later() {
        FakeHost fake;
        shd::redis::Settings s = settings();
        s.max_queue = 2;
        shd::redis::Link link(shd::Host(&fake.api), s, "test");  // not started: nothing leaves the queue
        Outcome queued, refused;
        link.run({{"PING"}, {"PING"}}, [&](shd_status st, std::vector<shd::redis::Reply>, const std::string &) {
            queued.calls++;
            queued.status = st;
        });
        std::string refused_why;
        link.run({{"PING"}}, [&](shd_status st, std::vector<shd::redis::Reply>, const std::string &why) {
            refused.calls++;
            refused.status = st;
            refused_why = why;
        });
        CPPUNIT_ASSERT_EQUAL(0, refused.calls);  // later, not inside run()
        CPPUNIT_ASSERT(fake.drain_until([&] { return refused.calls == 1; }));
        CPPUNIT_ASSERT_EQUAL(static_cast<shd_status>(SHD_ERR_BUSY), refused.status);
        CPPUNIT_ASSERT_MESSAGE(refused_why, refused_why.find("more than 2 commands") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(0, queued.calls);
        link.stop();
        CPPUNIT_ASSERT(fake.drain_until([&] { return queued.calls == 1; }));
        CPPUNIT_ASSERT_EQUAL(static_cast<shd_status>(SHD_ERR_SHUTDOWN), queued.status);
        fake.drain_for(50);
        CPPUNIT_ASSERT_EQUAL(1, queued.calls);
        CPPUNIT_ASSERT_EQUAL(1, refused.calls);
    }

    void stop_answers_what_is_left_with_shutdown() {
        FakeHost fake;
        Outcome late;
        {
            shd::redis::Link link(shd::Host(&fake.api), settings(), "test");
            link.start();
            link.stop();
            link.run({{"PING"}}, [&](shd_status st, std::vector<shd::redis::Reply>, const std::string &) {
                late.calls++;
                late.status = st;
            });
            CPPUNIT_ASSERT_EQUAL(0, late.calls);
        }  // the destructor stops again: harmless
        CPPUNIT_ASSERT(fake.drain_until([&] { return late.calls == 1; }));
        CPPUNIT_ASSERT_EQUAL(static_cast<shd_status>(SHD_ERR_SHUTDOWN), late.status);
    }

    void production_needs_a_password() {
        shd::OptionTable table("the test plugin", shd::redis::connection_options());
        shd::ServerInfo prod;
        prod.env = "production";
        try {
            shd::redis::read_settings(shd::Options(R"({"port": 6380})", table), prod, "status");
            CPPUNIT_FAIL("production without a password must be refused");
        } catch (const shd::Error &e) {
            CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find("option password") == 0);
        }
        shd::redis::Settings ok = shd::redis::read_settings(
            shd::Options(R"({"port": 6380, "password": "p", "user": "u"})", table), prod, "status");
        CPPUNIT_ASSERT_EQUAL(6380, ok.port);
        CPPUNIT_ASSERT_EQUAL(std::string("u"), ok.user);
        shd::redis::Settings pomelo =
            shd::redis::read_settings(shd::Options(R"({"auth_pass": "p2"})", table), prod, "status");
        CPPUNIT_ASSERT_EQUAL(std::string("p2"), pomelo.password);
        shd::ServerInfo dev;
        dev.env = "development";
        CPPUNIT_ASSERT(shd::redis::read_settings(shd::Options("{}", table), dev, "status").password.empty());
        CPPUNIT_ASSERT_THROW(shd::redis::read_settings(shd::Options(R"({"user": "u"})", table), dev, "status"),
                             shd::Error);
        CPPUNIT_ASSERT_THROW(
            shd::redis::read_settings(shd::Options(R"({"password": "a", "auth_pass": "b"})", table), dev, "status"),
            shd::Error);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RedisLinkTest);
