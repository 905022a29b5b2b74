// The host's logger (host/src/log.cpp): text from clients and modules never forges a line. Every
// control byte of a message (and of a module's name) is escaped, so one call is one line.
#include "log.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

using shd::host::append_escaped;

namespace {

std::string escaped(std::string_view text) {
    std::string out = "<";
    append_escaped(out, text);
    return out + ">";
}

}  // namespace

class LogTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LogTest);
    CPPUNIT_TEST(plain_text_is_unchanged);
    CPPUNIT_TEST(control_bytes_are_escaped);
    CPPUNIT_TEST(a_forged_line_stays_inside_its_own);
    CPPUNIT_TEST_SUITE_END();

public:
    void plain_text_is_unchanged() {
        CPPUNIT_ASSERT_EQUAL(std::string("<>"), escaped(""));
        CPPUNIT_ASSERT_EQUAL(std::string("<chat.chatHandler.send {\"a\":\"b\\\\n\"}>"),
                             escaped("chat.chatHandler.send {\"a\":\"b\\\\n\"}"));
        // UTF-8 passes as it is.
        CPPUNIT_ASSERT_EQUAL(std::string("<\xE4\xB8\xAD\xE6\x96\x87 caf\xC3\xA9>"),
                             escaped("\xE4\xB8\xAD\xE6\x96\x87 caf\xC3\xA9"));
    }

    void control_bytes_are_escaped() {
        CPPUNIT_ASSERT_EQUAL(std::string("<a\\nb\\rc\\td>"), escaped("a\nb\rc\td"));
        CPPUNIT_ASSERT_EQUAL(std::string("<\\x00\\x1b[31m\\x7f\\x1f>"),
                             escaped(std::string_view("\0\x1b[31m\x7f\x1f", 8)));
        CPPUNIT_ASSERT_EQUAL(std::string("<\\n\\n>"), escaped("\n\n"));
    }

    // What an attacker's route would do: close the line and write one that looks like the server's.
    void a_forged_line_stays_inside_its_own() {
        char path[] = "/tmp/shd_log_test_XXXXXX";
        int fd = ::mkstemp(path);
        CPPUNIT_ASSERT(fd >= 0);
        ::close(fd);
        {
            shd::host::Logger log;
            log.set_server_id("connector-server-1");
            std::string error;
            CPPUNIT_ASSERT_MESSAGE(error, log.open_file(path, error));
            log.write(shd::host::Level::warn, "server",
                      "no handler for a.b.c\n[2026-01-01 00:00:00.000] [ERROR] master admin: shutting down\r\n");
            log.write(shd::host::Level::info, "evil\nmodule", "hello");
        }
        std::ifstream in(path);
        std::stringstream all;
        all << in.rdbuf();
        std::remove(path);
        const std::string text = all.str();
        size_t lines = 0;
        for (char c : text) lines += c == '\n';
        CPPUNIT_ASSERT_EQUAL_MESSAGE(text, size_t(2), lines);
        CPPUNIT_ASSERT_MESSAGE(text,
                               text.find("server: no handler for a.b.c\\n[2026-01-01 00:00:00.000] [ERROR] master "
                                         "admin: shutting down\\r\\n\n") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text, text.find("evil\\nmodule: hello\n") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LogTest);
