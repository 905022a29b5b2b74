// The channel bookkeeping of plugins/channel: members in join order, Pomelo's add/leave rules, and
// the per-frontend groups a push is sent by.
#include "channel_registry.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

using namespace shd::channel;

namespace {

std::vector<std::string> uids_of(const Channel &c) {
    std::vector<std::string> out;
    for (const Member &m : c.members()) out.push_back(m.uid);
    return out;
}

}  // namespace

class ChannelRegistryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ChannelRegistryTest);
    CPPUNIT_TEST(add_keeps_join_order);
    CPPUNIT_TEST(add_refuses_duplicates_and_empty_ids);
    CPPUNIT_TEST(leave_needs_the_same_frontend);
    CPPUNIT_TEST(groups_follow_membership);
    CPPUNIT_TEST(groups_survive_later_changes);
    CPPUNIT_TEST(group_by_frontend_renders_json);
    CPPUNIT_TEST(registry_create_find_destroy);
    CPPUNIT_TEST_SUITE_END();

public:
    void add_keeps_join_order() {
        Channel c;
        for (const char *u : {"c", "a", "b"}) CPPUNIT_ASSERT_EQUAL(SHD_OK, c.add(u, "fe-1"));
        CPPUNIT_ASSERT((uids_of(c) == std::vector<std::string>{"c", "a", "b"}));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, c.leave("a", "fe-1"));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, c.add("a", "fe-2"));
        CPPUNIT_ASSERT((uids_of(c) == std::vector<std::string>{"c", "b", "a"}));
        CPPUNIT_ASSERT_EQUAL(size_t(3), c.size());
        CPPUNIT_ASSERT_EQUAL(std::string("fe-2"), *c.frontend_of("a"));
    }

    void add_refuses_duplicates_and_empty_ids() {
        Channel c;
        CPPUNIT_ASSERT_EQUAL(SHD_OK, c.add("alice", "fe-1"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_EXISTS, c.add("alice", "fe-1"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_EXISTS, c.add("alice", "fe-2"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, c.add("", "fe-1"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_INVALID, c.add("bob", ""));
        CPPUNIT_ASSERT_EQUAL(size_t(1), c.size());
    }

    void leave_needs_the_same_frontend() {
        Channel c;
        c.add("alice", "fe-1");
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, c.leave("alice", "fe-2"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, c.leave("bob", "fe-1"));
        CPPUNIT_ASSERT_EQUAL(SHD_OK, c.leave("alice", "fe-1"));
        CPPUNIT_ASSERT_EQUAL(SHD_ERR_NOT_FOUND, c.leave("alice", "fe-1"));
        CPPUNIT_ASSERT(c.frontend_of("alice") == nullptr);
        CPPUNIT_ASSERT_EQUAL(size_t(0), c.size());
    }

    void groups_follow_membership() {
        Channel c;
        c.add("a", "fe-1");
        c.add("b", "fe-2");
        c.add("c", "fe-1");
        Groups g = c.groups();
        CPPUNIT_ASSERT_EQUAL(size_t(2), g->size());
        CPPUNIT_ASSERT_EQUAL(std::string("fe-1"), (*g)[0].frontend_id);
        CPPUNIT_ASSERT((std::vector<std::string>{"a", "c"} == (*g)[0].uids));
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["a","c"])"), (*g)[0].uids_json);
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["b"])"), (*g)[1].uids_json);
        // Unchanged membership: the same groups, not rebuilt.
        CPPUNIT_ASSERT(g.get() == c.groups().get());
        c.leave("b", "fe-2");
        CPPUNIT_ASSERT_EQUAL(size_t(1), c.groups()->size());
        c.leave("a", "fe-1");
        c.leave("c", "fe-1");
        CPPUNIT_ASSERT(c.groups()->empty());
    }

    void groups_survive_later_changes() {
        Channel c;
        c.add("a", "fe-1");
        Groups held = c.groups();
        c.add("b", "fe-1");
        c.leave("a", "fe-1");
        CPPUNIT_ASSERT((std::vector<std::string>{"a"} == (*held)[0].uids));
        CPPUNIT_ASSERT((std::vector<std::string>{"b"} == (*c.groups())[0].uids));
    }

    void group_by_frontend_renders_json() {
        Groups g = group_by_frontend({{"q\"uote", "fe-2"}, {"x", "fe-1"}, {"y", "fe-2"}, {"z", ""}});
        CPPUNIT_ASSERT_EQUAL(size_t(3), g->size());
        CPPUNIT_ASSERT_EQUAL(std::string("fe-2"), (*g)[0].frontend_id);
        CPPUNIT_ASSERT_EQUAL(std::string(R"(["q\"uote","y"])"), (*g)[0].uids_json);
        CPPUNIT_ASSERT_EQUAL(std::string(""), (*g)[2].frontend_id);
    }

    void registry_create_find_destroy() {
        ChannelRegistry r;
        CPPUNIT_ASSERT(r.find("room") == nullptr);
        Channel &c = r.create("room");
        c.add("a", "fe-1");
        CPPUNIT_ASSERT_EQUAL(&c, &r.create("room"));  // create of an existing channel keeps it
        CPPUNIT_ASSERT_EQUAL(size_t(1), r.find("room")->size());
        CPPUNIT_ASSERT(r.destroy("room"));
        CPPUNIT_ASSERT(!r.destroy("room"));
        CPPUNIT_ASSERT(r.find("room") == nullptr);
        CPPUNIT_ASSERT_EQUAL(size_t(0), r.create("room").size());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ChannelRegistryTest);
