// The MMO demo's settings (apps/mmo/src/platform/mmo_config.*): the environment's object or the top
// level, defaults, values out of range named with their key, and the token secret's rules: in
// production it must come from the environment, be 32 bytes or more and not the shipped one.
#include "platform/mmo_config.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <cstring>
#include <stdexcept>
#include <string>

using namespace mmo;

namespace {

const char *kDevSecret = "mmo-development-token-secret-not-for-production";

const char *test_env(const char *name) {
    if (std::strcmp(name, "LONG_SECRET") == 0) return "0123456789abcdef0123456789abcdef-long";
    if (std::strcmp(name, "SHORT_SECRET") == 0) return "short";
    if (std::strcmp(name, "DEV_SECRET") == 0) return kDevSecret;
    return nullptr;
}

// The message of the error parsing throws ("" when it does not).
std::string error_of(const std::string &text, const std::string &env) {
    try {
        parse_mmo_config(text, env, &test_env);
    } catch (const std::runtime_error &e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

class MmoConfigTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MmoConfigTest);
    CPPUNIT_TEST(the_environment_object_or_the_top_level_with_defaults);
    CPPUNIT_TEST(wrong_values_are_named);
    CPPUNIT_TEST(production_needs_a_real_secret_from_the_environment);
    CPPUNIT_TEST_SUITE_END();

public:
    void the_environment_object_or_the_top_level_with_defaults() {
        MmoConfig c = parse_mmo_config(R"({"development": {"token": {"secret": "s1", "expireMs": -1},
                                           "login": {"passwordIterations": 2000}}, "production": {}})",
                                       "development", &test_env);
        CPPUNIT_ASSERT_EQUAL(std::string("s1"), c.token_secret);
        CPPUNIT_ASSERT_EQUAL(int64_t(-1), c.token_expire_ms);
        CPPUNIT_ASSERT_EQUAL(2000, c.password_iterations);
        CPPUNIT_ASSERT_EQUAL(size_t(1024), c.max_body_bytes);
        CPPUNIT_ASSERT_EQUAL(30, c.attempts_per_minute);
        CPPUNIT_ASSERT_EQUAL(32, c.max_pending_hashes);
        CPPUNIT_ASSERT_EQUAL(10, c.failures_per_name);
        MmoConfig top = parse_mmo_config(R"({"token": {"secretEnv": "LONG_SECRET"}})", "development", &test_env);
        CPPUNIT_ASSERT_EQUAL(std::string(test_env("LONG_SECRET")), top.token_secret);
        CPPUNIT_ASSERT_EQUAL(int64_t(6 * 3600 * 1000), top.token_expire_ms);
    }

    void wrong_values_are_named() {
        CPPUNIT_ASSERT(contains(error_of("[]", "development"), "config/mmo.json"));
        CPPUNIT_ASSERT(contains(error_of(R"({"token": {}})", "development"), "token.secret"));
        CPPUNIT_ASSERT(contains(error_of(R"({"token": {"secretEnv": "UNSET"}})", "development"), "UNSET"));
        CPPUNIT_ASSERT(
            contains(error_of(R"({"token": {"secret": "s", "expireMs": "1"}})", "development"), "token.expireMs"));
        CPPUNIT_ASSERT(
            contains(error_of(R"({"token": {"secret": "s"}, "login": {"passwordIterations": 10}})", "development"),
                     "login.passwordIterations"));
        CPPUNIT_ASSERT(
            contains(error_of(R"({"token": {"secret": "s"}, "login": {"maxBodyBytes": 1000000}})", "development"),
                     "login.maxBodyBytes"));
        CPPUNIT_ASSERT(
            contains(error_of(R"({"token": {"secret": "s"}, "login": {"maxPendingHashes": 0}})", "development"),
                     "login.maxPendingHashes"));
        CPPUNIT_ASSERT(contains(error_of(R"({"token": {"secret": "s"}, "login": []})", "development"), "login"));
    }

    void production_needs_a_real_secret_from_the_environment() {
        CPPUNIT_ASSERT(contains(error_of(std::string(R"({"token": {"secret": ")") + kDevSecret + "\"}}", "production"),
                                "token.secret"));
        CPPUNIT_ASSERT(contains(error_of(R"({"token": {"secretEnv": "DEV_SECRET"}})", "production"), "token.secret"));
        CPPUNIT_ASSERT(contains(error_of(R"({"token": {"secretEnv": "SHORT_SECRET"}})", "production"), "32 bytes"));
        CPPUNIT_ASSERT_EQUAL(std::string(), error_of(R"({"token": {"secretEnv": "LONG_SECRET"}})", "production"));
        // The shipped file: production reads the secret from MMO_TOKEN_SECRET.
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             error_of(std::string(R"({"token": {"secret": ")") + kDevSecret + "\"}}", "development"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(MmoConfigTest);
