// The MMO demo's passwords and tokens (apps/mmo/src/platform/credentials.*): a hash verifies its
// password only, with a fresh salt each time; a malformed stored hash verifies nothing; a token
// checks with its secret only, expires after its lifetime (a minute of clock skew allowed), and any
// change to its uid, time or MAC, or a malformed one, is invalid. The login limits count an IPv6
// client by its /64 (one household's network), an IPv4 one by its address.
#include "platform/credentials.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <string>

using namespace mmo;

class CredentialsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CredentialsTest);
    CPPUNIT_TEST(a_hash_verifies_its_password_only);
    CPPUNIT_TEST(malformed_hashes_verify_nothing);
    CPPUNIT_TEST(a_token_checks_with_its_secret_and_gives_the_uid);
    CPPUNIT_TEST(tokens_expire);
    CPPUNIT_TEST(altered_or_malformed_tokens_are_invalid);
    CPPUNIT_TEST(an_ipv6_network_counts_as_one_address);
    CPPUNIT_TEST_SUITE_END();

    static constexpr uint64_t kNow = 1800000000000ull;
    const std::string secret = "a-secret-of-the-test-long-enough-0123456789";

public:
    void a_hash_verifies_its_password_only() {
        std::string h1 = hash_password("pa55", 1000), h2 = hash_password("pa55", 1000);
        CPPUNIT_ASSERT(h1.rfind("pbkdf2-sha256:1000:", 0) == 0);
        CPPUNIT_ASSERT(h1 != h2);  // salted
        CPPUNIT_ASSERT(verify_password("pa55", h1));
        CPPUNIT_ASSERT(verify_password("pa55", h2));
        CPPUNIT_ASSERT(!verify_password("pa56", h1));
        CPPUNIT_ASSERT(!verify_password("", h1));
    }

    void malformed_hashes_verify_nothing() {
        std::string h = hash_password("x", 1000);
        for (const std::string &bad :
             {std::string("x"), std::string(""), std::string("pbkdf2-sha256:"), std::string("pbkdf2-sha256:10:00:00"),
              h.substr(0, h.size() - 2), "md5:" + h, std::string("pbkdf2-sha256:abc:00112233445566778899:00")})
            CPPUNIT_ASSERT_MESSAGE(bad, !verify_password("x", bad));
    }

    void a_token_checks_with_its_secret_and_gives_the_uid() {
        std::string t = make_token(secret, 42, kNow);
        CPPUNIT_ASSERT(t.rfind("42|1800000000000|", 0) == 0);
        uint64_t uid = 0;
        CPPUNIT_ASSERT(check_token(secret, t, kNow + 1000, 60000, uid) == TokenCheck::ok);
        CPPUNIT_ASSERT_EQUAL(uint64_t(42), uid);
        uid = 0;
        CPPUNIT_ASSERT(check_token(secret + "x", t, kNow, 60000, uid) == TokenCheck::invalid);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), uid);
    }

    void tokens_expire() {
        std::string t = make_token(secret, 7, kNow);
        uint64_t uid = 0;
        CPPUNIT_ASSERT(check_token(secret, t, kNow + 60000, 60000, uid) == TokenCheck::ok);
        CPPUNIT_ASSERT(check_token(secret, t, kNow + 60001, 60000, uid) == TokenCheck::expired);
        CPPUNIT_ASSERT(check_token(secret, t, kNow + 999999999, -1, uid) == TokenCheck::ok);  // never
        CPPUNIT_ASSERT(check_token(secret, t, kNow - 30000, 60000, uid) == TokenCheck::ok);   // skew
        CPPUNIT_ASSERT(check_token(secret, t, kNow - 120000, 60000, uid) == TokenCheck::expired);
    }

    void altered_or_malformed_tokens_are_invalid() {
        std::string t = make_token(secret, 42, kNow);
        std::string mac = t.substr(t.rfind('|') + 1);
        uint64_t uid = 0;
        for (const std::string &bad :
             {"43|1800000000000|" + mac, "42|1800000000001|" + mac, "42|1800000000000|" + mac.substr(1) + "0",
              "42|1800000000000|" + std::string(64, '0'), std::string("42|1800000000000"), std::string(""),
              std::string("|||"), "-42|1800000000000|" + mac, "42 |1800000000000|" + mac, t + "0",
              std::string(200, '1')})
            CPPUNIT_ASSERT_MESSAGE(bad, check_token(secret, bad, kNow, 60000, uid) == TokenCheck::invalid);
    }

    void an_ipv6_network_counts_as_one_address() {
        // One /64 holds 2^64 addresses: counted one by one, a per-address limit would limit nothing.
        CPPUNIT_ASSERT_EQUAL(std::string("2001:db8:1:2::/64"), limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        CPPUNIT_ASSERT_EQUAL(limit_key("2001:db8:1:2::1"), limit_key("2001:0db8:0001:0002:ffff::9"));
        CPPUNIT_ASSERT(limit_key("2001:db8:1:2::1") != limit_key("2001:db8:1:3::1"));
        CPPUNIT_ASSERT_EQUAL(std::string("::/64"), limit_key("::1"));
        // IPv4, also as an IPv4-mapped IPv6 address: the address itself.
        CPPUNIT_ASSERT_EQUAL(std::string("192.0.2.7"), limit_key("192.0.2.7"));
        CPPUNIT_ASSERT_EQUAL(std::string("192.0.2.7"), limit_key("::ffff:192.0.2.7"));
        // Anything else (a zone id, not an address) is its own key.
        CPPUNIT_ASSERT_EQUAL(std::string("fe80::1%eth0"), limit_key("fe80::1%eth0"));
        CPPUNIT_ASSERT_EQUAL(std::string("x"), limit_key("x"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CredentialsTest);
