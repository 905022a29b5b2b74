// shaddock/cpp/lag_meter.hpp, the measure behind both toobusy filters (the server plugin's and the rpc
// plugin's): how late a periodic timer runs, and how overdue it is while the logic thread is busy.
#include <shaddock/cpp/lag_meter.hpp>

#include <cppunit/extensions/HelperMacros.h>

using shd::LagMeter;

class LagMeterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LagMeterTest);
    CPPUNIT_TEST(late_and_overdue_ticks);
    CPPUNIT_TEST(interval_is_half_the_limit_clamped);
    CPPUNIT_TEST_SUITE_END();

public:
    void late_and_overdue_ticks() {
        LagMeter m(10, 1000);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), m.lag(1005));
        m.tick(1010);  // on time
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), m.lag(1015));
        m.tick(1100);  // 80 ms late
        CPPUNIT_ASSERT_EQUAL(uint64_t(80), m.lag(1101));
        m.tick(1110);  // on time again: the lag is gone at the next tick
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), m.lag(1112));
        // No tick for 300 ms (the thread is busy): overdue by 290 ms right now.
        CPPUNIT_ASSERT_EQUAL(uint64_t(290), m.lag(1410));
        // A clock that seems to go backwards is no lag.
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), m.lag(900));
        CPPUNIT_ASSERT_EQUAL(uint64_t(10), m.interval());
    }

    void interval_is_half_the_limit_clamped() {
        CPPUNIT_ASSERT_EQUAL(uint64_t(35), LagMeter::interval_for(70));  // Pomelo's default maxLag
        CPPUNIT_ASSERT_EQUAL(uint64_t(5), LagMeter::interval_for(1));
        CPPUNIT_ASSERT_EQUAL(uint64_t(100), LagMeter::interval_for(60000));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LagMeterTest);
