// Route dictionary: Pomelo's numbering, JSON and version.
#include <shaddock/pomelo/route_dictionary.hpp>

#include <cppunit/extensions/HelperMacros.h>

namespace shd::pomelo {
namespace {

class RouteDictionaryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RouteDictionaryTest);
    CPPUNIT_TEST(matchesCapturedHandshake);
    CPPUNIT_TEST(numbersSortedRoutesThenExtras);
    CPPUNIT_TEST(repeatedRoutesTakeTheLaterCode);
    CPPUNIT_TEST(sortsByUtf16CodeUnits);
    CPPUNIT_TEST(emptyDictionary);
    CPPUNIT_TEST(largeDictionaries);
    CPPUNIT_TEST_SUITE_END();

public:
    void matchesCapturedHandshake() {
        // POMELO.md 1.3: the test server's three connector handlers.
        const RouteDictionary d(
            {"connector.entryHandler.subscribe", "connector.entryHandler.entry", "connector.entryHandler.publish"}, {});
        CPPUNIT_ASSERT_EQUAL(std::string("vhs1TJfFaUAZcUaS9t3zTQ=="), d.version());
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"connector.entryHandler.entry":1,"connector.entryHandler.publish":2,)"
                                         R"("connector.entryHandler.subscribe":3})"),
                             d.dict_json());
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"1":"connector.entryHandler.entry","2":"connector.entryHandler.publish",)"
                                         R"("3":"connector.entryHandler.subscribe"})"),
                             d.code_to_route_json());
    }

    void numbersSortedRoutesThenExtras() {
        const RouteDictionary d({"connector.entryHandler.fail", "chat.chatHandler.send", "connector.entryHandler.entry",
                                 "connector.entryHandler.enter"},
                                {"onChat", "onAdd", "onLeave"});
        // POMELO.md 1.7, the probe app.
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"chat.chatHandler.send":1,"connector.entryHandler.enter":2,)"
                                         R"("connector.entryHandler.entry":3,"connector.entryHandler.fail":4,)"
                                         R"("onChat":5,"onAdd":6,"onLeave":7})"),
                             d.dict_json());
        CPPUNIT_ASSERT_EQUAL(uint32_t{2}, d.code_of("connector.entryHandler.enter"));
        CPPUNIT_ASSERT_EQUAL(uint32_t{7}, d.code_of("onLeave"));
        CPPUNIT_ASSERT_EQUAL(uint32_t{0}, d.code_of("onKick"));
        CPPUNIT_ASSERT_EQUAL(std::string("onChat"), *d.route_of(5));
        CPPUNIT_ASSERT(d.route_of(0) == nullptr);
        CPPUNIT_ASSERT(d.route_of(8) == nullptr);
        CPPUNIT_ASSERT_EQUAL(size_t{7}, d.code_count());
    }

    void repeatedRoutesTakeTheLaterCode() {
        const RouteDictionary d({"b.h.x", "a.h.y"}, {"a.h.y", "onX", "onX", "7"});
        CPPUNIT_ASSERT_EQUAL(uint32_t{3}, d.code_of("a.h.y"));
        CPPUNIT_ASSERT_EQUAL(std::string("a.h.y"), *d.route_of(1));  // the old code still decodes
        CPPUNIT_ASSERT_EQUAL(uint32_t{5}, d.code_of("onX"));
        // "7" is an integer-like key: JS lists it first.
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"7":6,"a.h.y":3,"b.h.x":2,"onX":5})"), d.dict_json());
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"1":"a.h.y","2":"b.h.x","3":"a.h.y","4":"onX","5":"onX","6":"7"})"),
                             d.code_to_route_json());
    }

    void sortsByUtf16CodeUnits() {
        // U+FF5E sorts after U+1F600 in UTF-16 (the surrogate D83D is smaller), before it in UTF-8.
        const RouteDictionary d({"u.\xEF\xBD\x9E.x", "u.\xF0\x9F\x98\x80.x", "u.e.x", "B.x.y"}, {});
        CPPUNIT_ASSERT_EQUAL(uint32_t{1}, d.code_of("B.x.y"));
        CPPUNIT_ASSERT_EQUAL(uint32_t{2}, d.code_of("u.e.x"));
        CPPUNIT_ASSERT_EQUAL(uint32_t{3}, d.code_of("u.\xF0\x9F\x98\x80.x"));
        CPPUNIT_ASSERT_EQUAL(uint32_t{4}, d.code_of("u.\xEF\xBD\x9E.x"));
    }

    void emptyDictionary() {
        const RouteDictionary d;
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), d.dict_json());
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), d.code_to_route_json());
        CPPUNIT_ASSERT_EQUAL(size_t{0}, d.code_count());
    }

    void largeDictionaries() {
        std::vector<std::string> routes;
        for (int i = 0; i < 70000; ++i) routes.push_back("s.h.m" + std::to_string(i));
        RouteDictionary d(routes, {});
        CPPUNIT_ASSERT_EQUAL(size_t{70000}, d.code_count());
        const uint32_t code = d.code_of("s.h.m9999");  // sorts last
        CPPUNIT_ASSERT_EQUAL(uint32_t{70000}, code);   // exists, but cannot travel as a u16 code
        CPPUNIT_ASSERT_EQUAL(std::string("s.h.m9999"), *d.route_of(code));
        RouteDictionary moved = std::move(d);
        CPPUNIT_ASSERT_EQUAL(code, moved.code_of("s.h.m9999"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RouteDictionaryTest);

}  // namespace
}  // namespace shd::pomelo
