// The raw TCP framer: arbitrary chunking, early rejection of hostile headers, no copies when a
// package lies inside one chunk.
#include "hex.hpp"

#include <shaddock/pomelo/package_stream_parser.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <vector>

namespace shd::pomelo {
namespace {

using test::from_hex;
using Status = PackageStreamParser::Status;

struct Seen {
    int type;
    std::string body;
    bool operator==(const Seen &o) const { return type == o.type && body == o.body; }
};

// Feeds `stream` in chunks of `chunk` bytes and collects every package; stops at an error.
std::vector<Seen> parse_in_chunks(const std::string &stream, size_t chunk, const char **error = nullptr,
                                  uint32_t max_body = kDefaultMaxPackageBodySize) {
    PackageStreamParser parser(max_body);
    std::vector<Seen> seen;
    std::vector<std::string> chunks;  // kept alive for the parser, as a socket buffer would be
    for (size_t pos = 0; pos < stream.size(); pos += chunk) {
        chunks.push_back(stream.substr(pos, chunk));
        parser.feed(chunks.back());
        for (;;) {
            const auto r = parser.next();
            if (r.status == Status::need_more) break;
            if (r.status == Status::error) {
                if (error) *error = r.error;
                return seen;
            }
            seen.push_back({static_cast<int>(r.package.type), std::string(r.package.body)});
        }
    }
    return seen;
}

class PackageStreamParserTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PackageStreamParserTest);
    CPPUNIT_TEST(splitsAnyChunking);
    CPPUNIT_TEST(returnsWholeChunkPackagesWithoutCopy);
    CPPUNIT_TEST(rejectsInvalidTypeAtFirstByte);
    CPPUNIT_TEST(rejectsOversizedLengthBeforeBody);
    CPPUNIT_TEST(errorIsFinal);
    CPPUNIT_TEST(keepsOrderWhenFedBeforeDrained);
    CPPUNIT_TEST(acceptsBodyAtExactLimit);
    CPPUNIT_TEST_SUITE_END();

    const std::string stream_ = from_hex("01000002 7b7d  02000000  03000000  04000003 616263  04000000  05000001 78");
    const std::vector<Seen> expected_ = {{1, "{}"}, {2, ""}, {3, ""}, {4, "abc"}, {4, ""}, {5, "x"}};

public:
    void splitsAnyChunking() {
        for (size_t chunk = 1; chunk <= stream_.size(); ++chunk) {
            const char *error = nullptr;
            const auto seen = parse_in_chunks(stream_, chunk, &error);
            CPPUNIT_ASSERT_MESSAGE("chunk " + std::to_string(chunk), error == nullptr);
            CPPUNIT_ASSERT_MESSAGE("chunk " + std::to_string(chunk), seen == expected_);
        }
    }

    void returnsWholeChunkPackagesWithoutCopy() {
        PackageStreamParser parser;
        parser.feed(stream_);
        for (size_t i = 0; i < expected_.size(); ++i) {
            const auto r = parser.next();
            CPPUNIT_ASSERT(r.status == Status::package);
            CPPUNIT_ASSERT(r.package.body.data() >= stream_.data() &&
                           r.package.body.data() <= stream_.data() + stream_.size());
        }
        CPPUNIT_ASSERT(parser.next().status == Status::need_more);
        CPPUNIT_ASSERT_EQUAL(size_t{0}, parser.buffered_size());
    }

    void rejectsInvalidTypeAtFirstByte() {
        for (const char *first : {"00", "06", "ff", "47"}) {
            PackageStreamParser parser;
            const std::string byte = from_hex(first);
            parser.feed(byte);
            const auto r = parser.next();
            CPPUNIT_ASSERT_MESSAGE(first, r.status == Status::error);
            CPPUNIT_ASSERT_EQUAL(std::string("invalid package type"), std::string(r.error));
        }
        // After valid packages, in the middle of a chunk too.
        const char *error = nullptr;
        const auto seen = parse_in_chunks(from_hex("03000000 09000000"), 3, &error);
        CPPUNIT_ASSERT_EQUAL(size_t{1}, seen.size());
        CPPUNIT_ASSERT(error != nullptr);
    }

    void rejectsOversizedLengthBeforeBody() {
        PackageStreamParser parser(1024);
        const std::string header = from_hex("04 00 04 01");  // 1025 bytes announced
        const std::string_view view = header;                // chunks must outlive next()
        for (size_t i = 0; i < 3; ++i) {
            parser.feed(view.substr(i, 1));
            CPPUNIT_ASSERT(parser.next().status == Status::need_more);
        }
        parser.feed(view.substr(3));
        const auto r = parser.next();
        CPPUNIT_ASSERT(r.status == Status::error);
        CPPUNIT_ASSERT_EQUAL(std::string("package body longer than allowed"), std::string(r.error));
        CPPUNIT_ASSERT_EQUAL(size_t{0}, parser.buffered_size());

        // The default limit is 64 KiB, far below the 16 MiB the header can announce.
        PackageStreamParser by_default;
        const std::string huge = from_hex("04ffffff");
        by_default.feed(huge);
        CPPUNIT_ASSERT(by_default.next().status == Status::error);
    }

    void errorIsFinal() {
        PackageStreamParser parser;
        const std::string bad = from_hex("07000000");
        parser.feed(bad);
        CPPUNIT_ASSERT(parser.next().status == Status::error);
        const std::string good = from_hex("03000000");
        parser.feed(good);
        CPPUNIT_ASSERT(parser.next().status == Status::error);
        CPPUNIT_ASSERT(parser.failed());
    }

    void keepsOrderWhenFedBeforeDrained() {
        PackageStreamParser parser;
        const std::string a = from_hex("04000001 61 0400");
        const std::string b = from_hex("0001 62 03000000");
        parser.feed(a);
        parser.feed(b);  // `a` was never drained: it is copied and kept first
        std::vector<Seen> seen;
        for (auto r = parser.next(); r.status == Status::package; r = parser.next())
            seen.push_back({static_cast<int>(r.package.type), std::string(r.package.body)});
        const std::vector<Seen> expected = {{4, "a"}, {4, "b"}, {3, ""}};
        CPPUNIT_ASSERT(seen == expected);
    }

    void acceptsBodyAtExactLimit() {
        const std::string body(300, 'z');
        const std::string stream = from_hex("0400012c") + body;
        const char *error = nullptr;
        auto seen = parse_in_chunks(stream, 7, &error, 300);
        CPPUNIT_ASSERT(error == nullptr);
        CPPUNIT_ASSERT_EQUAL(size_t{1}, seen.size());
        CPPUNIT_ASSERT_EQUAL(body, seen[0].body);
        parse_in_chunks(stream, 7, &error, 299);
        CPPUNIT_ASSERT(error != nullptr);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PackageStreamParserTest);

}  // namespace
}  // namespace shd::pomelo
