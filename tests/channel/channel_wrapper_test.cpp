// shd::ChannelService::push_to_frontend (sdk/include/shaddock/cpp/channel.hpp) against a fake host and
// a fake shd.channel/1 table: with a provider that has the member, the uid list goes to it as it is;
// with a provider from before the member (its struct_size ends before it), the same push goes through
// push_by_uids with one {uid, sid} receiver per uid; a bad uid list never reaches an old provider and
// is answered SHD_ERR_INVALID later; no provider answers SHD_ERR_UNSUPPORTED later.
#include <shaddock/cpp/channel.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Call {
    std::string member, frontend, route, body, list;
    shd_push_result_fn done = nullptr;
    void *ud = nullptr;
};

// One host whose logic thread is the test's: posted tasks wait until run_tasks().
struct Fake {
    shd_host_api api{};
    shd_channel_service_v1 table{};
    bool has_table = true;
    std::deque<std::pair<shd_task_fn, void *>> tasks;
    std::vector<Call> calls;

    explicit Fake(bool new_member) {
        api.struct_size = sizeof(api);
        api.abi_major = SHD_ABI_MAJOR;
        api.abi_minor = SHD_ABI_MINOR;
        api.ctx = reinterpret_cast<shd_host_ctx *>(this);
        api.post = [](shd_host_ctx *c, shd_task_fn fn, void *ud) -> shd_status {
            reinterpret_cast<Fake *>(c)->tasks.emplace_back(fn, ud);
            return SHD_OK;
        };
        api.lookup_service = [](shd_host_ctx *c, shd_str id, const void **vt, void **sctx) -> shd_status {
            auto *f = reinterpret_cast<Fake *>(c);
            if (!f->has_table || shd::to_view(id) != SHD_CHANNEL_SERVICE_ID) return SHD_ERR_NOT_FOUND;
            *vt = &f->table;
            *sctx = f;
            return SHD_OK;
        };
        table.struct_size = new_member ? static_cast<uint32_t>(sizeof(table))
                                       : static_cast<uint32_t>(offsetof(shd_channel_service_v1, push_to_frontend));
        table.abi_major = SHD_ABI_MAJOR;
        table.abi_minor = 1;
        table.push_by_uids = [](void *c, shd_str route, shd_str body, shd_str receivers, shd_push_result_fn done,
                                void *ud) {
            static_cast<Fake *>(c)->calls.push_back(Call{"push_by_uids", "", std::string(shd::to_view(route)),
                                                         std::string(shd::to_view(body)),
                                                         std::string(shd::to_view(receivers)), done, ud});
        };
        // Present in the old table's memory too: the wrapper must not call what struct_size excludes.
        table.push_to_frontend = [](void *c, shd_str frontend, shd_str route, shd_str body, shd_str uids,
                                    shd_push_result_fn done, void *ud) {
            static_cast<Fake *>(c)->calls.push_back(Call{"push_to_frontend", std::string(shd::to_view(frontend)),
                                                         std::string(shd::to_view(route)),
                                                         std::string(shd::to_view(body)),
                                                         std::string(shd::to_view(uids)), done, ud});
        };
    }
    void run_tasks() {
        while (!tasks.empty()) {
            auto [fn, ud] = tasks.front();
            tasks.pop_front();
            fn(ud, SHD_OK);
        }
    }
};

struct Outcome {
    std::optional<shd_status> status;
    std::vector<std::string> failed;
    shd::PushCallback callback() {
        return [this](shd_status s, std::vector<std::string> f) {
            status = s;
            failed = std::move(f);
        };
    }
};

}  // namespace

class ChannelWrapperTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ChannelWrapperTest);
    CPPUNIT_TEST(a_provider_with_the_member_gets_the_uid_list_as_it_is);
    CPPUNIT_TEST(the_strings_form_quotes_each_uid);
    CPPUNIT_TEST(an_older_provider_gets_one_receiver_per_uid_through_push_by_uids);
    CPPUNIT_TEST(a_bad_uid_list_never_reaches_an_older_provider);
    CPPUNIT_TEST(no_provider_answers_unsupported_later);
    CPPUNIT_TEST_SUITE_END();

public:
    void a_provider_with_the_member_gets_the_uid_list_as_it_is() {
        Fake f(true);
        shd::ChannelService channels{shd::Host(&f.api)};
        Outcome out;
        channels.push_to_frontend("connector-server-1", "onMove", R"({"x":1})", R"(["a","b"])", out.callback());
        CPPUNIT_ASSERT_EQUAL(size_t(1), f.calls.size());
        const Call &c = f.calls[0];
        CPPUNIT_ASSERT_EQUAL(std::string("push_to_frontend"), c.member);
        CPPUNIT_ASSERT_EQUAL(std::string("connector-server-1"), c.frontend);
        CPPUNIT_ASSERT_EQUAL(std::string("onMove"), c.route);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"x":1})"), c.body);
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["a","b"])"), c.list);
        // The provider's result reaches the callback, its failed uids decoded.
        CPPUNIT_ASSERT(!out.status);
        c.done(c.ud, SHD_OK, shd::to_shd(R"(["b"])"));
        CPPUNIT_ASSERT(out.status && *out.status == SHD_OK);
        CPPUNIT_ASSERT(out.failed == std::vector<std::string>{"b"});
    }

    void the_strings_form_quotes_each_uid() {
        Fake f(true);
        shd::ChannelService channels{shd::Host(&f.api)};
        channels.push_to_frontend("c-1", "onMove", "{}", std::vector<std::string>{"a\"x", "b"});
        CPPUNIT_ASSERT_EQUAL(size_t(1), f.calls.size());
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["a\"x","b"])"), f.calls[0].list);
        f.calls[0].done(f.calls[0].ud, SHD_OK, shd::to_shd("[]"));  // an empty callback is allowed
    }

    void an_older_provider_gets_one_receiver_per_uid_through_push_by_uids() {
        Fake f(false);
        shd::ChannelService channels{shd::Host(&f.api)};
        Outcome out;
        channels.push_to_frontend("c-1", "onMove", "{}", R"(["a", "b\"q"])", out.callback());
        CPPUNIT_ASSERT_EQUAL(size_t(1), f.calls.size());
        const Call &c = f.calls[0];
        CPPUNIT_ASSERT_EQUAL(std::string("push_by_uids"), c.member);
        CPPUNIT_ASSERT_EQUAL(std::string(R"([{"uid":"a","sid":"c-1"},{"uid":"b\"q","sid":"c-1"}])"), c.list);
        c.done(c.ud, SHD_ERR_NOT_FOUND, shd::to_shd(R"(["a"])"));
        CPPUNIT_ASSERT(out.status && *out.status == SHD_ERR_NOT_FOUND);
        CPPUNIT_ASSERT(out.failed == std::vector<std::string>{"a"});
    }

    void a_bad_uid_list_never_reaches_an_older_provider() {
        for (const char *bad : {"nope", R"(["a",2])", R"({"uid":"a"})", R"(["a")"}) {
            Fake f(false);
            shd::ChannelService channels{shd::Host(&f.api)};
            Outcome out;
            channels.push_to_frontend("c-1", "onMove", "{}", bad, out.callback());
            CPPUNIT_ASSERT_MESSAGE(bad, f.calls.empty());
            CPPUNIT_ASSERT_MESSAGE(bad, !out.status);  // never inside the call
            f.run_tasks();
            CPPUNIT_ASSERT_MESSAGE(bad, out.status && *out.status == SHD_ERR_INVALID);
        }
    }

    void no_provider_answers_unsupported_later() {
        Fake f(true);
        f.has_table = false;
        shd::ChannelService channels{shd::Host(&f.api)};
        CPPUNIT_ASSERT(!channels.available());
        Outcome out;
        channels.push_to_frontend("c-1", "onMove", "{}", R"(["a"])", out.callback());
        CPPUNIT_ASSERT(!out.status);
        f.run_tasks();
        CPPUNIT_ASSERT(out.status && *out.status == SHD_ERR_UNSUPPORTED);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ChannelWrapperTest);
