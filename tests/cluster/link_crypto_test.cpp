// The master link's pieces without I/O (plugins/cluster: link_crypto, link_messages, admin_config):
// known-answer vectors, sealed frames that must not open when altered, replayed or reordered, the
// handshake readers on malformed input, the adminUser.json password forms and the production check.
#include "link_crypto.hpp"
#include "admin_config.hpp"
#include "link_messages.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <stdexcept>
#include <string>

namespace shd::cluster {
namespace {

class LinkCryptoTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LinkCryptoTest);
    CPPUNIT_TEST(knownAnswers);
    CPPUNIT_TEST(sealedFramesOpenOnceInOrder);
    CPPUNIT_TEST(keysDependOnEveryInput);
    CPPUNIT_TEST(helloReaderRefusesMalformedInput);
    CPPUNIT_TEST(deepJsonIsRefused);
    CPPUNIT_TEST(passwordForms);
    CPPUNIT_TEST(developmentCredentialsAreFound);
    CPPUNIT_TEST_SUITE_END();

public:
    void knownAnswers() {
        CPPUNIT_ASSERT_EQUAL(std::string("21232f297a57a5a743894a0e4a801fc3"), md5_hex("admin"));
        // RFC 7914, section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1), first 32 bytes.
        CPPUNIT_ASSERT_EQUAL(std::string("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"),
                             to_hex(pbkdf2_sha256("passwd", "salt", 1)));
        std::string raw;
        CPPUNIT_ASSERT(from_hex("00ffAb", raw));
        CPPUNIT_ASSERT_EQUAL(std::string("\x00\xff\xab", 3), raw);
        CPPUNIT_ASSERT(!from_hex("0", raw));
        CPPUNIT_ASSERT(!from_hex("zz", raw));
        CPPUNIT_ASSERT(equal_ct("abc", "abc"));
        CPPUNIT_ASSERT(!equal_ct("abc", "abd"));
        CPPUNIT_ASSERT(!equal_ct("abc", "ab"));
        CPPUNIT_ASSERT_EQUAL(size_t(32), random_bytes(32).size());
        CPPUNIT_ASSERT(random_bytes(32) != random_bytes(32));
    }

    void sealedFramesOpenOnceInOrder() {
        std::string key(32, 'k');
        FrameSealer out(key), in(key);
        std::string a = out.seal("first"), b = out.seal("second"), plain;
        CPPUNIT_ASSERT(a.find("first") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(size_t(5 + kLinkTagSize), a.size());
        FrameSealer reordered(key);
        CPPUNIT_ASSERT(!reordered.open(b, plain));  // sequence 0 expected
        CPPUNIT_ASSERT(in.open(a, plain));
        CPPUNIT_ASSERT_EQUAL(std::string("first"), plain);
        CPPUNIT_ASSERT(!in.open(a, plain));  // a replay is sequence 1 now
        FrameSealer again(key);
        std::string altered = a;
        altered[0] ^= 1;
        CPPUNIT_ASSERT(!again.open(altered, plain));
        CPPUNIT_ASSERT(!again.open("short", plain));
        FrameSealer other(std::string(32, 'x'));
        CPPUNIT_ASSERT(!other.open(a, plain));
    }

    void keysDependOnEveryInput() {
        std::string mn(32, 'm'), pn(32, 'p');
        LinkKeys k = derive_link_keys("token", mn, pn, server_who("a", "t"));
        CPPUNIT_ASSERT(k.master_to_peer != k.peer_to_master);
        CPPUNIT_ASSERT(derive_link_keys("token2", mn, pn, server_who("a", "t")).master_to_peer != k.master_to_peer);
        CPPUNIT_ASSERT(derive_link_keys("token", pn, mn, server_who("a", "t")).master_to_peer != k.master_to_peer);
        CPPUNIT_ASSERT(derive_link_keys("token", mn, pn, server_who("b", "t")).master_to_peer != k.master_to_peer);
        CPPUNIT_ASSERT(derive_link_keys("token", mn, pn, server_who("a", "t")).master_to_peer == k.master_to_peer);
        // The proof binds id and type: moving a byte between them changes it.
        CPPUNIT_ASSERT(link_mac("k", "l", {"ab", "c"}) != link_mac("k", "l", {"a", "bc"}));
    }

    void helloReaderRefusesMalformedInput() {
        const std::string nonce(64, 'a'), mac(64, 'b');
        auto read = [](const std::string &text, Hello &h) {
            rapidjson::Document d;
            return parse_link_message(text, d) && read_hello(d, h);
        };
        Hello h;
        CPPUNIT_ASSERT(read(R"({"t":"hello","role":"server","id":"s1","serverType":"x","nonce":")" + nonce +
                                R"(","mac":")" + mac + "\"}",
                            h));
        CPPUNIT_ASSERT_EQUAL(std::string("s1"), h.id);
        CPPUNIT_ASSERT_EQUAL(size_t(32), h.nonce.size());
        CPPUNIT_ASSERT(
            !read(R"({"t":"hello","role":"server","id":"s1","serverType":"x","nonce":")" + nonce + "\"}", h));
        CPPUNIT_ASSERT(!read(
            R"({"t":"hello","role":"server","id":"","serverType":"x","nonce":")" + nonce + R"(","mac":")" + mac + "\"}",
            h));
        CPPUNIT_ASSERT(!read(R"({"t":"hello","role":"server","id":")" + std::string(300, 'i') +
                                 R"(","serverType":"x","nonce":")" + nonce + R"(","mac":")" + mac + "\"}",
                             h));
        CPPUNIT_ASSERT(!read(R"({"t":"hello","role":"admin","user":"u","nonce":"abc"})", h));
        CPPUNIT_ASSERT(read(R"({"t":"hello","role":"admin","user":"u","nonce":")" + nonce + "\"}", h));
        CPPUNIT_ASSERT(!read(R"({"t":"hello","role":"root","user":"u","nonce":")" + nonce + "\"}", h));
        CPPUNIT_ASSERT(!read(R"({"t":1})", h));
        CPPUNIT_ASSERT(!read("[]", h));
    }

    void deepJsonIsRefused() {
        rapidjson::Document d;
        CPPUNIT_ASSERT(!parse_link_message(std::string(200 * 1024, '['), d));
        std::string nested = R"({"t":"x","a":)" + std::string(20, '[') + std::string(20, ']') + "}";
        CPPUNIT_ASSERT(!parse_link_message(nested, d));
        std::string ok = R"({"t":"x","a":)" + std::string(10, '[') + std::string(10, ']') + "}";
        CPPUNIT_ASSERT(parse_link_message(ok, d));
    }

    void passwordForms() {
        std::string line = hash_password_pbkdf2("pw", 1000);
        auto users = parse_admin_users(R"([{"username":"a","password":"plain","level":1},
            {"username":"b","password":"md5:21232F297A57A5A743894A0E4A801FC3"},
            {"username":"c","password":")" +
                                       line + R"("}, {"password":"no user"}])");
        CPPUNIT_ASSERT_EQUAL(size_t(3), users.size());
        CPPUNIT_ASSERT_EQUAL(md5_hex("plain"), users[0].key);
        CPPUNIT_ASSERT_EQUAL(1, users[0].level);
        CPPUNIT_ASSERT_EQUAL(std::string("21232f297a57a5a743894a0e4a801fc3"), users[1].key);
        CPPUNIT_ASSERT_EQUAL(99, users[1].level);
        CPPUNIT_ASSERT_EQUAL(std::string("pbkdf2"), users[2].kdf);
        CPPUNIT_ASSERT_EQUAL(pbkdf2_sha256("pw", users[2].salt, 1000), users[2].key);
        CPPUNIT_ASSERT_THROW(parse_admin_users(R"([{"username":"a","password":"md5:xyz"}])"), std::runtime_error);
        CPPUNIT_ASSERT_THROW(parse_admin_users(R"([{"username":"a","password":"pbkdf2-sha256:10:00112233445566:00"}])"),
                             std::runtime_error);
        CPPUNIT_ASSERT_THROW(parse_admin_users("{}"), std::runtime_error);
        CPPUNIT_ASSERT_THROW(parse_admin_servers(R"([{"type":"x"}])"), std::runtime_error);
        CPPUNIT_ASSERT_EQUAL(std::string("t"), parse_admin_servers(R"([{"type":"x","token":"t"}])").at("x"));
    }

    void developmentCredentialsAreFound() {
        std::string servers =
            std::string(R"([{"type":"a","token":"own"},{"type":"b","token":")") + kPomeloDefaultToken + "\"}]";
        std::string users = R"([{"username":"admin","password":"md5:21232f297a57a5a743894a0e4a801fc3"},
            {"username":"ops","password":"admin"}, {"username":"test","password":"test"}])";
        auto found = development_credentials(servers, users);
        CPPUNIT_ASSERT_EQUAL(size_t(3), found.size());
        CPPUNIT_ASSERT(found[0].find("config/adminServer.json: [1].token") == 0);
        CPPUNIT_ASSERT(found[1].find("config/adminUser.json: [0].password (user \"admin\")") == 0);
        CPPUNIT_ASSERT(found[2].find("config/adminUser.json: [2].password (user \"test\")") == 0);
        CPPUNIT_ASSERT(development_credentials(std::string(R"([{"type":"a","token":"own"}])"),
                                               std::string(R"([{"username":"admin","password":"long-and-own"}])"))
                           .empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LinkCryptoTest);

}  // namespace
}  // namespace shd::cluster
