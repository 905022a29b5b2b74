// The routerType strategies and the uid Pomelo's default route reads from the route parameter.
#include "builtin_router.hpp"
#include <shaddock/cpp/route_hash.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <map>
#include <string>
#include <vector>

using namespace shd::rpc;
using shd::pomelo_route_index;

namespace {
std::vector<Candidate> make(const std::vector<std::string> &ids, std::vector<int> weights = {},
                            std::vector<size_t> active = {}) {
    std::vector<Candidate> out;
    for (size_t i = 0; i < ids.size(); ++i) {
        Candidate c;
        c.id = ids[i];
        if (i < weights.size()) c.weight = weights[i];
        if (i < active.size()) c.active = active[i];
        out.push_back(c);
    }
    return out;
}
}  // namespace

class BuiltinRouterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BuiltinRouterTest);
    CPPUNIT_TEST(uid_is_read_like_javascript);
    CPPUNIT_TEST(router_names);
    CPPUNIT_TEST(crc32_router_is_pomelos_default_route);
    CPPUNIT_TEST(round_robin_cycles_per_type);
    CPPUNIT_TEST(weighted_round_robin_follows_weights);
    CPPUNIT_TEST(least_active_takes_the_first_idlest);
    CPPUNIT_TEST(consistent_hash_is_stable);
    CPPUNIT_TEST(random_stays_in_range);
    CPPUNIT_TEST_SUITE_END();

    std::vector<std::string> ids_{"s1", "s2", "s3"};

public:
    void uid_is_read_like_javascript() {
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), route_uid(R"({"uid":"alice","frontendId":"c1"})"));
        CPPUNIT_ASSERT_EQUAL(std::string("42"), route_uid(R"({"uid":42})"));
        CPPUNIT_ASSERT_EQUAL(std::string("42"), route_uid(R"({"uid":42.0})"));
        CPPUNIT_ASSERT_EQUAL(std::string("-7"), route_uid(R"({"uid":-7})"));
        CPPUNIT_ASSERT_EQUAL(std::string("true"), route_uid(R"({"uid":true})"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), route_uid(R"({"uid":0})"));      // falsy
        CPPUNIT_ASSERT_EQUAL(std::string(""), route_uid(R"({"uid":false})"));  // falsy
        CPPUNIT_ASSERT_EQUAL(std::string(""), route_uid(R"({"uid":null})"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), route_uid(R"({"rid":"r1"})"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), route_uid(R"("alice")"));  // not a session object
        CPPUNIT_ASSERT_EQUAL(std::string(""), route_uid(""));
        CPPUNIT_ASSERT_EQUAL(std::string(""), route_uid("{not json"));
        CPPUNIT_ASSERT_EQUAL(std::string("\xC3\xA9t\xC3\xA9"), route_uid(R"({"uid":"\u00e9t\u00e9"})"));
    }

    void router_names() {
        RouterKind k;
        CPPUNIT_ASSERT(parse_router_kind("", k) && k == RouterKind::crc32);
        CPPUNIT_ASSERT(parse_router_kind("rr", k) && k == RouterKind::rr);
        CPPUNIT_ASSERT(parse_router_kind("wrr", k) && k == RouterKind::wrr);
        CPPUNIT_ASSERT(parse_router_kind("la", k) && k == RouterKind::la);
        CPPUNIT_ASSERT(parse_router_kind("ch", k) && k == RouterKind::ch);
        CPPUNIT_ASSERT(!parse_router_kind("roundrobin", k));
    }

    void crc32_router_is_pomelos_default_route() {
        BuiltinRouter r(RouterKind::crc32);
        auto c = make(ids_);
        for (std::string uid : {"", "alice*r1", "abc", "123456789", "bob", "\xE4\xB8\xAD\xE6\x96\x87"})
            CPPUNIT_ASSERT_EQUAL(pomelo_route_index(uid, 3), r.pick("chat", uid, c));
        CPPUNIT_ASSERT_EQUAL(size_t(0), r.pick("chat", "", c));
    }

    void round_robin_cycles_per_type() {
        BuiltinRouter r(RouterKind::rr);
        auto c = make(ids_);
        std::vector<size_t> got;
        for (int i = 0; i < 4; ++i) got.push_back(r.pick("chat", "", c));
        CPPUNIT_ASSERT((got == std::vector<size_t>{0, 1, 2, 0}));
        CPPUNIT_ASSERT_EQUAL(size_t(0), r.pick("area", "", c));  // its own position
        CPPUNIT_ASSERT_EQUAL(size_t(1), r.pick("chat", "", c));
    }

    void weighted_round_robin_follows_weights() {
        BuiltinRouter r(RouterKind::wrr);
        auto c = make(ids_, {3, 1, 2});
        // Pomelo's interleaved WRR: thresholds 3,2,1 per pass.
        std::vector<size_t> got;
        for (int i = 0; i < 6; ++i) got.push_back(r.pick("chat", "", c));
        CPPUNIT_ASSERT((got == std::vector<size_t>{0, 0, 2, 0, 1, 2}));
        std::map<size_t, int> counts;
        for (int i = 0; i < 600; ++i) ++counts[r.pick("chat", "", c)];
        CPPUNIT_ASSERT_EQUAL(300, counts[0]);
        CPPUNIT_ASSERT_EQUAL(100, counts[1]);
        CPPUNIT_ASSERT_EQUAL(200, counts[2]);
        // Equal weights: plain round robin.
        BuiltinRouter eq(RouterKind::wrr);
        auto same = make(ids_);
        CPPUNIT_ASSERT_EQUAL(size_t(0), eq.pick("t", "", same));
        CPPUNIT_ASSERT_EQUAL(size_t(1), eq.pick("t", "", same));
        CPPUNIT_ASSERT_EQUAL(size_t(2), eq.pick("t", "", same));
    }

    void least_active_takes_the_first_idlest() {
        BuiltinRouter r(RouterKind::la);
        CPPUNIT_ASSERT_EQUAL(size_t(1), r.pick("chat", "", make(ids_, {}, {5, 2, 9})));
        CPPUNIT_ASSERT_EQUAL(size_t(0), r.pick("chat", "", make(ids_, {}, {0, 0, 0})));
        CPPUNIT_ASSERT_EQUAL(size_t(1), r.pick("chat", "", make(ids_, {}, {3, 1, 1})));
    }

    void consistent_hash_is_stable() {
        BuiltinRouter r(RouterKind::ch);
        std::vector<std::string> four{"s1", "s2", "s3", "s4"};
        auto c4 = make(four);
        std::map<std::string, std::string> before;
        std::map<std::string, int> load;
        for (int i = 0; i < 2000; ++i) {
            std::string uid = "user" + std::to_string(i);
            std::string id(c4[r.pick("chat", uid, c4)].id);
            before[uid] = id;
            ++load[id];
            CPPUNIT_ASSERT_EQUAL(id, std::string(c4[r.pick("chat", uid, c4)].id));  // same uid, same server
        }
        for (const auto &[id, n] : load) CPPUNIT_ASSERT_MESSAGE(id, n > 250 && n < 750);  // roughly even
        // Remove s4: only its keys move.
        std::vector<std::string> three{"s1", "s2", "s3"};
        auto c3 = make(three);
        for (const auto &[uid, id] : before) {
            std::string now(c3[r.pick("chat", uid, c3)].id);
            if (id != "s4") CPPUNIT_ASSERT_EQUAL(id, now);
        }
    }

    void random_stays_in_range() {
        BuiltinRouter r(RouterKind::random, 7);
        auto c = make(ids_);
        std::map<size_t, int> seen;
        for (int i = 0; i < 300; ++i) ++seen[r.pick("chat", "", c)];
        CPPUNIT_ASSERT_EQUAL(size_t(3), seen.size());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BuiltinRouterTest);
