// shd::gamedata::parse_csv: RFC 4180 (quotes, doubled quotes, separators and line ends inside quotes,
// CRLF, a missing last line end), the byte order mark, comments and blank lines, positions, and every
// error with its exact message.
#include <shaddock/gamedata/csv.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

using namespace shd::gamedata;

namespace {

std::string csv_error(const std::string &text, const Limits &limits = {}) {
    try {
        parse_csv(text, "data/t.csv", limits);
    } catch (const DataError &e) {
        return e.what();
    }
    return "(no error)";
}

std::vector<std::vector<std::string>> texts(const std::vector<CsvRecord> &records) {
    std::vector<std::vector<std::string>> out;
    for (const CsvRecord &r : records) {
        out.emplace_back();
        for (const CsvField &f : r.fields) out.back().push_back(f.text);
    }
    return out;
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

class CsvTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CsvTest);
    CPPUNIT_TEST(plain_records);
    CPPUNIT_TEST(quoted_fields);
    CPPUNIT_TEST(line_ends_bom_comments_blank_lines);
    CPPUNIT_TEST(positions);
    CPPUNIT_TEST(errors);
    CPPUNIT_TEST(limits);
    CPPUNIT_TEST(utf8_and_positions_of_offsets);
    CPPUNIT_TEST_SUITE_END();

public:
    void plain_records() {
        CPPUNIT_ASSERT(texts(parse_csv("a,b,c\n1,2,3\n", "t")) == (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
        // No line end after the last record; empty fields, a trailing separator.
        CPPUNIT_ASSERT(texts(parse_csv("a,,c\n,x,", "t")) == (Rows{{"a", "", "c"}, {"", "x", ""}}));
        CPPUNIT_ASSERT(texts(parse_csv("", "t")).empty());
        CPPUNIT_ASSERT(texts(parse_csv(" a , b ", "t")) == (Rows{{" a ", " b "}}));  // spaces are data
    }

    void quoted_fields() {
        const auto r = parse_csv("\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\"\"\n", "t");
        CPPUNIT_ASSERT(texts(r) == (Rows{{"a,b", "say \"hi\"", "two\r\nlines", ""}}));
        CPPUNIT_ASSERT(r[0].fields[0].quoted);
        CPPUNIT_ASSERT(r[0].fields[3].quoted);
        CPPUNIT_ASSERT(texts(parse_csv("\"\"\"\"", "t")) == (Rows{{"\""}}));
        // A '#' inside a record is data, and a quoted field may start with '#'.
        CPPUNIT_ASSERT(texts(parse_csv("a,#b\n\"#c\",d", "t")) == (Rows{{"a", "#b"}, {"#c", "d"}}));
    }

    void line_ends_bom_comments_blank_lines() {
        CPPUNIT_ASSERT(texts(parse_csv("\xEF\xBB\xBFid,name\r\n1,x\r\n", "t")) == (Rows{{"id", "name"}, {"1", "x"}}));
        CPPUNIT_ASSERT(texts(parse_csv("# comment, with \"quotes\n\nid\n\r\n\n1\r2\n", "t")) ==
                       (Rows{{"id"}, {"1"}, {"2"}}));
    }

    void positions() {
        const auto r = parse_csv("\xEF\xBB\xBF# c\nid,\"n\r\name\",x\n1,\xE4\xB8\xAD\xE6\x96\x87,y", "t");
        CPPUNIT_ASSERT_EQUAL(size_t(2), r.size());
        CPPUNIT_ASSERT_EQUAL(2, r[0].line);  // the BOM and the comment line come first
        CPPUNIT_ASSERT_EQUAL(2, r[0].fields[1].line);
        CPPUNIT_ASSERT_EQUAL(4, r[0].fields[1].column);
        CPPUNIT_ASSERT_EQUAL(3, r[0].fields[2].line);  // after the line end inside the quotes
        CPPUNIT_ASSERT_EQUAL(6, r[0].fields[2].column);
        CPPUNIT_ASSERT_EQUAL(4, r[1].line);
        CPPUNIT_ASSERT_EQUAL(3, r[1].fields[1].column);
        CPPUNIT_ASSERT_EQUAL(6, r[1].fields[2].column);  // two characters (six bytes) before it
    }

    void errors() {
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:2:3: unterminated quoted field (the quote opened here)"),
                             csv_error("id,name\n1,\"Harpy\n2,x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:1:8: unexpected character after the closing quote of a field "
                                         "(expected a comma or a line end)"),
                             csv_error("\"a\",\"b\"c\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:2:5: a quote inside an unquoted field (quote the whole field "
                                         "and write the quote twice)"),
                             csv_error("id\n1,ab\"c\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:1:4: not UTF-8 text (byte 3)"), csv_error("ab,\xFF\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:1:1: not UTF-8 text (byte 0)"), csv_error("\xC0\x80"));
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:1:2: not UTF-8 text (byte 1)"), csv_error("a\xED\xA0\x80"));
    }

    void limits() {
        Limits l;
        l.max_file_bytes = 8;
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv: the file is 9 bytes, more than the limit of 8"),
                             csv_error("123456789", l));
        l = Limits{};
        l.max_rows = 1;
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:3: more than 1 rows (the limit)"), csv_error("id\n1\n2\n", l));
        l = Limits{};
        l.max_columns = 2;
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:1:5: more than 2 fields in a row (the limit)"),
                             csv_error("a,b,c\n", l));
        l = Limits{};
        l.max_cell_bytes = 3;
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:1:3: a field longer than 3 bytes (the limit)"),
                             csv_error("a,abcd\n", l));
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:1:3: a field longer than 3 bytes (the limit)"),
                             csv_error("a,\"abcd\"\n", l));
        l = Limits{};
        l.max_cells = 3;
        CPPUNIT_ASSERT_EQUAL(std::string("data/t.csv:2:3: more than 3 fields in the file (the limit)"),
                             csv_error("a,b\nc,d\n", l));
    }

    void utf8_and_positions_of_offsets() {
        CPPUNIT_ASSERT_EQUAL(std::string_view::npos, find_invalid_utf8("plain \xE4\xB8\xAD \xF0\x9F\x98\x80"));
        CPPUNIT_ASSERT_EQUAL(size_t(0), find_invalid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
        CPPUNIT_ASSERT_EQUAL(size_t(1), find_invalid_utf8("a\xE4\xB8"));         // cut short
        const TextPosition p = position_of("ab\r\ncd\n\xE4\xB8\xADx", 10);
        CPPUNIT_ASSERT_EQUAL(3, p.line);
        CPPUNIT_ASSERT_EQUAL(2, p.column);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CsvTest);
