// The cron expression parser (plugins/cron/cron_expression.*): pomelo-scheduler's syntax and ranges,
// errors that name the field, and the next matching second. Times are computed in UTC.
#include "cron_expression.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <ctime>
#include <string>

using shd::cron::CronExpression;
using shd::cron::CronSyntaxError;

namespace {

std::time_t utc(int year, int month, int day, int hour, int minute, int second) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return timegm(&tm);
}

std::time_t next(const char *expr, std::time_t after) {
    auto t = CronExpression::parse(expr).next_after(after);
    CPPUNIT_ASSERT_MESSAGE(std::string("no next time for ") + expr, t.has_value());
    return *t;
}

std::string error_of(const char *expr) {
    try {
        CronExpression::parse(expr);
    } catch (const CronSyntaxError &e) {
        return e.what();
    }
    return "";
}

}  // namespace

class CronExpressionTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CronExpressionTest);
    CPPUNIT_TEST(every_second);
    CPPUNIT_TEST(fixed_time_of_day);
    CPPUNIT_TEST(steps_lists_and_ranges);
    CPPUNIT_TEST(months_count_from_zero_and_sunday_is_zero);
    CPPUNIT_TEST(day_of_month_and_day_of_week_must_both_match);
    CPPUNIT_TEST(rare_and_impossible_dates);
    CPPUNIT_TEST(year_end);
    CPPUNIT_TEST(errors_name_the_field);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        setenv("TZ", "UTC", 1);
        tzset();
    }

    void every_second() {
        std::time_t t = utc(2024, 3, 1, 10, 0, 0);
        CPPUNIT_ASSERT_EQUAL(t + 1, next("* * * * * *", t));
        CPPUNIT_ASSERT_EQUAL(t + 1, next("  *\t* * *  * *  ", t));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 10, 1, 0), next("0 * * * * *", t));
    }

    void fixed_time_of_day() {
        const char *expr = "0 30 10 * * *";  // Pomelo's template: 10:30:00 every day
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 10, 30, 0), next(expr, utc(2024, 3, 1, 10, 29, 59)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 2, 10, 30, 0), next(expr, utc(2024, 3, 1, 10, 30, 0)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 2, 10, 30, 0), next(expr, utc(2024, 3, 1, 23, 0, 0)));
    }

    void steps_lists_and_ranges() {
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 10, 0, 15), next("*/15 * * * * *", utc(2024, 3, 1, 10, 0, 7)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 10, 1, 0), next("*/15 * * * * *", utc(2024, 3, 1, 10, 0, 45)));
        // a/step: a, a+step, ... (pomelo-scheduler's "value % step == a").
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 10, 0, 20), next("5/15 * * * * *", utc(2024, 3, 1, 10, 0, 5)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 10, 1, 5), next("5/15 * * * * *", utc(2024, 3, 1, 10, 0, 50)));
        // Lists of values and ranges, ranges with steps.
        const char *expr = "0 0 1,5-7,20-23/2 * * *";
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 5, 0, 0), next(expr, utc(2024, 3, 1, 1, 0, 0)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 7, 0, 0), next(expr, utc(2024, 3, 1, 6, 0, 0)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 20, 0, 0), next(expr, utc(2024, 3, 1, 7, 0, 0)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 1, 22, 0, 0), next(expr, utc(2024, 3, 1, 20, 0, 0)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 2, 1, 0, 0), next(expr, utc(2024, 3, 1, 22, 0, 0)));
    }

    void months_count_from_zero_and_sunday_is_zero() {
        // Month 0 is January (JavaScript's Date, as in Pomelo).
        CPPUNIT_ASSERT_EQUAL(utc(2025, 1, 1, 0, 0, 0), next("0 0 0 1 0 *", utc(2024, 6, 15, 0, 0, 0)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 12, 1, 0, 0, 0), next("0 0 0 1 11 *", utc(2024, 6, 15, 0, 0, 0)));
        // 2024-03-01 is a Friday; the next Sunday is the 3rd.
        CPPUNIT_ASSERT_EQUAL(utc(2024, 3, 3, 0, 0, 0), next("0 0 0 * * 0", utc(2024, 3, 1, 0, 0, 0)));
    }

    void day_of_month_and_day_of_week_must_both_match() {
        // Friday the 13th at noon: in 2024, September and December.
        CPPUNIT_ASSERT_EQUAL(utc(2024, 9, 13, 12, 0, 0), next("0 0 12 13 * 5", utc(2024, 1, 1, 0, 0, 0)));
        CPPUNIT_ASSERT_EQUAL(utc(2024, 12, 13, 12, 0, 0), next("0 0 12 13 * 5", utc(2024, 9, 13, 12, 0, 0)));
    }

    void rare_and_impossible_dates() {
        CPPUNIT_ASSERT_EQUAL(utc(2028, 2, 29, 0, 0, 0), next("0 0 0 29 1 *", utc(2024, 3, 1, 0, 0, 0)));
        // February 29th on a Monday: 2016, then 2044.
        CPPUNIT_ASSERT_EQUAL(utc(2044, 2, 29, 0, 0, 0), next("0 0 0 29 1 1", utc(2016, 3, 1, 0, 0, 0)));
        CPPUNIT_ASSERT(!CronExpression::parse("0 0 0 30 1 *").next_after(utc(2024, 1, 1, 0, 0, 0)));
        CPPUNIT_ASSERT(!CronExpression::parse("0 0 0 31 3 *").next_after(utc(2024, 1, 1, 0, 0, 0)));  // April 31st
    }

    void year_end() {
        const char *expr = "59 59 23 31 11 *";
        CPPUNIT_ASSERT_EQUAL(utc(2024, 12, 31, 23, 59, 59), next(expr, utc(2024, 12, 31, 23, 59, 58)));
        CPPUNIT_ASSERT_EQUAL(utc(2025, 12, 31, 23, 59, 59), next(expr, utc(2024, 12, 31, 23, 59, 59)));
    }

    void errors_name_the_field() {
        CPPUNIT_ASSERT_EQUAL(std::string("expected 6 fields (second minute hour dayOfMonth month dayOfWeek), got 5"),
                             error_of("* * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("expected 6 fields (second minute hour dayOfMonth month dayOfWeek), got 0"),
                             error_of(""));
        CPPUNIT_ASSERT_EQUAL(std::string("second field \"61\": 61 is out of range 0-59"), error_of("61 * * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("minute field \"0,60\": 60 is out of range 0-59"), error_of("0 0,60 * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("hour field \"24\": 24 is out of range 0-23"), error_of("0 0 24 * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("dayOfMonth field \"0\": 0 is out of range 1-31"), error_of("0 0 0 0 * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("month field \"12\": 12 is out of range 0-11"), error_of("0 0 0 * 12 *"));
        CPPUNIT_ASSERT_EQUAL(std::string("dayOfWeek field \"1-7\": 7 is out of range 0-6"), error_of("0 0 0 * * 1-7"));
        CPPUNIT_ASSERT_EQUAL(std::string("second field \"*/0\": a step of 0"), error_of("*/0 * * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("second field \"5-2\": the range 5-2 runs backwards"),
                             error_of("5-2 * * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("second field \"a\": unexpected \"a\""), error_of("a * * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("second field \"?\": unexpected \"?\""), error_of("? * * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("second field \"1,,2\": an empty list item"), error_of("1,,2 * * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("second field \"1-\": a value is missing"), error_of("1- * * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("second field \"*/\": a step is missing"), error_of("*/ * * * * *"));
        CPPUNIT_ASSERT_EQUAL(std::string("second field \"1-2-3\": unexpected \"-\""), error_of("1-2-3 * * * * *"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CronExpressionTest);
