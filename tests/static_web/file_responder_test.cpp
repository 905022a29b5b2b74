// FileResponder::resolve on a real folder: what is served, what is refused and with which status.
// The HTTP side (limits, deadlines, caps) is in static_web_test.js.
#include "file_responder.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using shd::web::FileResponder;
using shd::web::path_within;

class FileResponderTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FileResponderTest);
    CPPUNIT_TEST(path_within_compares_components);
    CPPUNIT_TEST(serves_files_and_folders_inside);
    CPPUNIT_TEST(refuses_every_escape);
    CPPUNIT_TEST(malformed_escapes_are_bad_requests);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        char tmpl[] = "/tmp/shd-file-responder-XXXXXX";
        dir_ = mkdtemp(tmpl);
        fs::create_directories(dir_ / "site" / "sub");
        fs::create_directories(dir_ / "site.bak");
        write(dir_ / "site" / "index.html", "index");
        write(dir_ / "site" / "sub" / "a.txt", "a");
        write(dir_ / "site" / "caf\xc3\xa9.txt", "utf8");
        write(dir_ / "site.bak" / "secret.txt", "secret");
        fs::create_symlink(dir_ / "site.bak", dir_ / "site" / "bak");
        fs::create_symlink("sub/a.txt", dir_ / "site" / "link.txt");
    }
    void tearDown() override { fs::remove_all(dir_); }

    void path_within_compares_components() {
        CPPUNIT_ASSERT(path_within("/srv/site", "/srv/site"));
        CPPUNIT_ASSERT(path_within("/srv/site", "/srv/site/a/b"));
        CPPUNIT_ASSERT(!path_within("/srv/site", "/srv/site.bak/x"));
        CPPUNIT_ASSERT(!path_within("/srv/site", "/srv/sitex"));
        CPPUNIT_ASSERT(!path_within("/srv/site", "/srv"));
        CPPUNIT_ASSERT(!path_within("/srv/site", "/etc/passwd"));
    }

    void serves_files_and_folders_inside() {
        FileResponder files((dir_ / "site").string());
        CPPUNIT_ASSERT(files.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("index.html"), ok(files, "/").filename().string());
        CPPUNIT_ASSERT_EQUAL(std::string("a.txt"), ok(files, "/sub/a.txt").filename().string());
        CPPUNIT_ASSERT_EQUAL(std::string("a.txt"), ok(files, "/link.txt").filename().string());
        CPPUNIT_ASSERT_EQUAL(std::string("a.txt"), ok(files, "/s%75b/a.txt?x=/../..#f").filename().string());
        CPPUNIT_ASSERT_EQUAL(std::string("caf\xc3\xa9.txt"), ok(files, "/caf%C3%A9.txt").filename().string());
    }

    void refuses_every_escape() {
        FileResponder files((dir_ / "site").string());
        const std::string abs = (dir_ / "site.bak" / "secret.txt").string();
        for (const std::string &t : {"/" + abs,
                                     abs,
                                     "//" + abs,
                                     std::string("/../site.bak/secret.txt"),
                                     std::string("/%2e%2e/site.bak/secret.txt"),
                                     std::string("/.%2E/site.bak/secret.txt"),
                                     std::string("/..%2fsite.bak%2fsecret.txt"),
                                     std::string("/sub%2F..%2F..%2Fsite.bak%2Fsecret.txt"),
                                     std::string("/..\\site.bak\\secret.txt"),
                                     std::string("/%5c..%5csite.bak%5csecret.txt"),
                                     std::string("/%c0%ae%c0%ae/site.bak/secret.txt"),
                                     std::string("/%e0%80%ae%e0%80%ae/site.bak/secret.txt"),
                                     std::string("/caf%C3"),
                                     std::string("/%ed%a0%80"),
                                     std::string("/%f4%90%80%80"),
                                     std::string("/bak/secret.txt"),
                                     std::string("/sub//a.txt"),
                                     std::string("/./index.html"),
                                     std::string("/sub/.."),
                                     std::string("/index.html%00"),
                                     std::string("/index%0a.html"),
                                     std::string("http://h/index.html"),
                                     std::string("*"),
                                     std::string(""),
                                     std::string("/missing")}) {
            const auto r = files.resolve(t);
            CPPUNIT_ASSERT_MESSAGE(t, r.status == http::status::not_found);
            CPPUNIT_ASSERT_MESSAGE(t, r.file.empty());
        }
    }

    void malformed_escapes_are_bad_requests() {
        FileResponder files((dir_ / "site").string());
        for (const char *t : {"/%zz", "/index.html%", "/index.html%2", "/%g0"})
            CPPUNIT_ASSERT_MESSAGE(t, files.resolve(t).status == http::status::bad_request);
    }

private:
    static void write(const fs::path &p, const std::string &text) { std::ofstream(p) << text; }
    static fs::path ok(const FileResponder &files, const std::string &target) {
        const auto r = files.resolve(target);
        CPPUNIT_ASSERT_MESSAGE(target, r.status == http::status::ok);
        return r.file;
    }

    fs::path dir_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(FileResponderTest);
