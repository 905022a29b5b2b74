// shd::guard (shaddock/cpp/service.hpp), in-process: what each kind of entry answers when its body
// throws, and that every completion runs exactly once, later rather than inside the call.
#include <shaddock/ext/handler.h>
#include <shaddock/cpp/service.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// Stands in for shd::Host: records log lines and queues posted tasks until run_posted().
struct FakeHost {
    std::vector<std::string> *lines;
    std::vector<std::function<void()>> *queue;
    bool *accepting;
    void error(std::string_view m) const { lines->emplace_back(m); }
    bool post(std::function<void()> fn) const {
        if (!*accepting) return false;
        queue->push_back(std::move(fn));
        return true;
    }
};

using ResultFn = void(SHD_CALL *)(void *, int32_t, shd_str);

struct Provider {
    std::vector<std::string> lines;
    std::vector<std::function<void()>> queue;
    bool accepting = true;
    ResultFn kept_fn = nullptr;  // a callback the body kept to complete later
    void *kept_ud = nullptr;
    const shd_responder_v1 *kept_responder = nullptr;
    FakeHost host() { return FakeHost{&lines, &queue, &accepting}; }

    void run_posted() {
        auto q = std::move(queue);
        queue.clear();
        for (auto &f : q) f();
    }

    static shd_status throws(Provider *, int32_t) { throw std::runtime_error("status boom"); }
    static shd_status refuses(Provider *, int32_t) { throw shd::Error(SHD_ERR_BUSY, "too busy"); }
    static int32_t flag_throws(Provider *) { throw 7; }
    static uint64_t count_throws(Provider *) { throw std::runtime_error("count boom"); }
    static shd_str text_throws(Provider *) { throw std::runtime_error("text boom"); }
    static void void_throws(Provider *) { throw std::runtime_error("void boom"); }
    static shd_status fine(Provider *, int32_t v) { return v; }

    static void async_throws(Provider *, int32_t, ResultFn, void *) { throw std::runtime_error("async boom"); }
    static void async_completes_then_throws(Provider *, int32_t, ResultFn done, void *ud) {
        done(ud, SHD_OK, shd::to_shd("\"done\""));
        throw std::runtime_error("late boom");
    }
    static void async_keeps(Provider *self, int32_t do_throw, ResultFn done, void *ud) {
        self->kept_fn = done;
        self->kept_ud = ud;
        if (do_throw) throw std::runtime_error("kept boom");
    }
    static void respond_throws(Provider *self, int32_t keep, const shd_responder_v1 *r) {
        if (keep) self->kept_responder = r;
        throw std::runtime_error("respond boom");
    }
    static void task_throws(Provider *, shd_task_fn, void *) { throw std::runtime_error("task boom"); }
};

struct Seen {
    int calls = 0;
    int32_t status = -1;
    std::string text;
    static void SHD_CALL result(void *ud, int32_t status, shd_str text) {
        auto *s = static_cast<Seen *>(ud);
        ++s->calls;
        s->status = status;
        s->text = std::string(shd::to_view(text));
    }
    static void SHD_CALL task(void *ud, shd_status status) {
        auto *s = static_cast<Seen *>(ud);
        ++s->calls;
        s->status = status;
    }
};

}  // namespace

class ServiceGuardTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServiceGuardTest);
    CPPUNIT_TEST(returns_are_kept_when_nothing_throws);
    CPPUNIT_TEST(a_throwing_entry_answers_internal_and_logs_its_name);
    CPPUNIT_TEST(a_completion_is_completed_later_exactly_once);
    CPPUNIT_TEST(a_completion_the_body_kept_runs_once);
    CPPUNIT_TEST(responders_and_tasks);
    CPPUNIT_TEST(a_host_that_takes_no_more_work_gets_the_completion_now);
    CPPUNIT_TEST_SUITE_END();

public:
    void returns_are_kept_when_nothing_throws() {
        Provider p;
        auto fine = shd::guard<&Provider::fine>;
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_NOT_FOUND), fine(&p, SHD_ERR_NOT_FOUND));
        CPPUNIT_ASSERT(p.lines.empty());
        Seen seen;
        shd::guard<&Provider::async_keeps>(&p, 0, &Seen::result, &seen);
        CPPUNIT_ASSERT_EQUAL(0, seen.calls);
        p.kept_fn(p.kept_ud, SHD_OK, shd::to_shd("[1]"));  // the provider completes it later
        CPPUNIT_ASSERT_EQUAL(1, seen.calls);
        CPPUNIT_ASSERT_EQUAL(std::string("[1]"), seen.text);
        p.run_posted();
        CPPUNIT_ASSERT_EQUAL(1, seen.calls);
    }

    void a_throwing_entry_answers_internal_and_logs_its_name() {
        Provider p;
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_INTERNAL), shd::guard<&Provider::throws>(&p, 0));
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_BUSY), shd::guard<&Provider::refuses>(&p, 0));
        CPPUNIT_ASSERT_EQUAL(int32_t(0), (shd::guard<&Provider::flag_throws, 0>(&p)));
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), shd::guard<&Provider::count_throws>(&p));
        CPPUNIT_ASSERT_EQUAL(size_t(0), shd::guard<&Provider::text_throws>(&p).size);
        shd::guard<&Provider::void_throws>(&p);
        CPPUNIT_ASSERT_EQUAL(size_t(6), p.lines.size());
        CPPUNIT_ASSERT_EQUAL(std::string("service entry Provider::throws threw: status boom"), p.lines[0]);
        CPPUNIT_ASSERT_EQUAL(std::string("service entry Provider::refuses threw: too busy"), p.lines[1]);
        CPPUNIT_ASSERT_EQUAL(std::string("service entry Provider::flag_throws threw: a non-standard exception"),
                             p.lines[2]);
    }

    void a_completion_is_completed_later_exactly_once() {
        Provider p;
        Seen before, after;
        shd::guard<&Provider::async_throws>(&p, 0, &Seen::result, &before);
        shd::guard<&Provider::async_completes_then_throws>(&p, 0, &Seen::result, &after);
        CPPUNIT_ASSERT_EQUAL(0, before.calls);  // never inside the call
        CPPUNIT_ASSERT_EQUAL(1, after.calls);   // the body's own completion
        p.run_posted();
        CPPUNIT_ASSERT_EQUAL(1, before.calls);
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_INTERNAL), before.status);
        CPPUNIT_ASSERT_EQUAL(std::string("\"internal error\""), before.text);
        CPPUNIT_ASSERT_EQUAL(1, after.calls);
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_OK), after.status);
        // A code that is not a status (a handshake's) is given as named, with an empty text.
        Seen code;
        shd::guard<&Provider::async_throws, 500>(&p, 0, &Seen::result, &code);
        p.run_posted();
        CPPUNIT_ASSERT_EQUAL(1, code.calls);
        CPPUNIT_ASSERT_EQUAL(int32_t(500), code.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), code.text);
    }

    void a_completion_the_body_kept_runs_once() {
        Provider p;
        Seen seen;
        shd::guard<&Provider::async_keeps>(&p, 1, &Seen::result, &seen);
        p.run_posted();
        CPPUNIT_ASSERT_EQUAL(1, seen.calls);
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_INTERNAL), seen.status);
        p.kept_fn(p.kept_ud, SHD_OK, shd::to_shd("late"));  // dropped, and the relay is freed
        CPPUNIT_ASSERT_EQUAL(1, seen.calls);
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_INTERNAL), seen.status);
    }

    void responders_and_tasks() {
        struct Answer {
            int calls = 0;
            shd_status status = -1;
            std::string body;
        } answer, kept;
        auto respond = [](void *ctx, shd_status s, shd_str body) {
            auto *a = static_cast<Answer *>(ctx);
            ++a->calls;
            a->status = s;
            a->body = std::string(shd::to_view(body));
        };
        shd_responder_v1 r1{}, r2{};
        shd::stamp(r1);
        r1.ctx = &answer;
        r1.respond = respond;
        shd::stamp(r2);
        r2.ctx = &kept;
        r2.respond = respond;
        Provider p;
        shd::guard<&Provider::respond_throws>(&p, 0, &r1);
        shd::guard<&Provider::respond_throws>(&p, 1, &r2);
        CPPUNIT_ASSERT_EQUAL(0, answer.calls + kept.calls);
        p.run_posted();
        CPPUNIT_ASSERT_EQUAL(1, answer.calls);
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_INTERNAL), answer.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), answer.body);
        p.kept_responder->respond(p.kept_responder->ctx, SHD_OK, shd::to_shd("{}"));
        CPPUNIT_ASSERT_EQUAL(1, kept.calls);
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_INTERNAL), kept.status);

        Seen task;
        shd::guard<&Provider::task_throws>(&p, &Seen::task, &task);
        p.run_posted();
        CPPUNIT_ASSERT_EQUAL(1, task.calls);
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_INTERNAL), task.status);
    }

    void a_host_that_takes_no_more_work_gets_the_completion_now() {
        Provider p;
        p.accepting = false;
        Seen seen;
        shd::guard<&Provider::async_throws>(&p, 0, &Seen::result, &seen);
        CPPUNIT_ASSERT_EQUAL(1, seen.calls);  // the last chance: inline rather than never
        CPPUNIT_ASSERT_EQUAL(int32_t(SHD_ERR_INTERNAL), seen.status);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceGuardTest);
