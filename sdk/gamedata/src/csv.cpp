#include <shaddock/gamedata/csv.hpp>

#include "cell.hpp"

#include <cstdint>
#include <string>

namespace shd::gamedata {

DataError::DataError(std::string file, int line, int column, std::string message)
    : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) +
                         (line > 0 && column > 0 ? ":" + std::to_string(column) : std::string()) + ": " + message),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool continuation(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

// Walks the text byte by byte, keeping the line and column of the next byte.
class Cursor {
public:
    Cursor(std::string_view text, std::string_view source) : text_(text), source_(source) {
        if (text_.substr(0, kBom.size()) == kBom) at_ = kBom.size();
    }
    bool done() const { return at_ >= text_.size(); }
    char peek() const { return text_[at_]; }
    bool next_is(char c) const { return at_ + 1 < text_.size() && text_[at_ + 1] == c; }
    bool at_line_end() const { return !done() && (peek() == '\n' || peek() == '\r'); }
    int line() const { return line_; }
    int column() const { return column_; }

    // Consumes one byte. A line ends at "\n", "\r\n" (counted once, at its '\n') or a lone "\r".
    void step() {
        const char c = text_[at_++];
        if (c == '\n' || (c == '\r' && (done() || text_[at_] != '\n'))) {
            ++line_;
            column_ = 1;
        } else if (c != '\r' && !continuation(static_cast<unsigned char>(c))) {
            ++column_;
        }
    }
    // Consumes a line end ("\r\n" as one).
    void skip_line_end() {
        if (peek() == '\r' && next_is('\n')) step();
        step();
    }

    [[noreturn]] void fail(int line, int column, const std::string &what) const {
        throw DataError(std::string(source_), line, column, what);
    }

private:
    std::string_view text_;
    std::string_view source_;
    std::size_t at_ = 0;
    int line_ = 1;
    int column_ = 1;
};

}  // namespace

std::size_t find_invalid_utf8(std::string_view text) {
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (n - i < len) return i;
        for (std::size_t k = 1; k < len; ++k) {
            if (!continuation(s[i + k])) return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return i;
        i += len;
    }
    return std::string_view::npos;
}

namespace detail {

TextPosition advance_position(std::string_view text, std::size_t from, std::size_t to, TextPosition p) {
    for (std::size_t i = from; i < to && i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
            ++p.line;
            p.column = 1;
        } else if (c != '\r' && !continuation(static_cast<unsigned char>(c))) {
            ++p.column;
        }
    }
    return p;
}

void check_text(std::string_view text, const std::string &file, const Limits &limits) {
    if (text.size() > limits.max_file_bytes)
        throw DataError(file, 0, 0,
                        "the file is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                            std::to_string(limits.max_file_bytes));
    if (const std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
        const TextPosition p = position_of(text, bad);
        throw DataError(file, p.line, p.column, "not UTF-8 text (byte " + std::to_string(bad) + ")");
    }
}

}  // namespace detail

TextPosition position_of(std::string_view text, std::size_t offset) {
    const std::size_t start = text.substr(0, kBom.size()) == kBom && offset >= kBom.size() ? kBom.size() : 0;
    return detail::advance_position(text, start, offset, TextPosition{});
}

std::vector<CsvRecord> parse_csv(std::string_view text, std::string_view source, const Limits &limits) {
    detail::check_text(text, std::string(source), limits);

    std::vector<CsvRecord> records;
    std::size_t cells = 0;
    Cursor in(text, source);
    while (!in.done()) {
        // At the start of a line: a comment, a blank line, or a record.
        if (in.peek() == '#') {
            while (!in.done() && !in.at_line_end()) in.step();
            if (!in.done()) in.skip_line_end();
            continue;
        }
        if (in.at_line_end()) {
            in.skip_line_end();
            continue;
        }
        if (records.size() >= limits.max_rows + 1)  // + the header
            in.fail(in.line(), 0, "more than " + std::to_string(limits.max_rows) + " rows (the limit)");
        CsvRecord record;
        record.line = in.line();
        for (;;) {
            CsvField field;
            field.line = in.line();
            field.column = in.column();
            if (!in.done() && in.peek() == '"') {
                field.quoted = true;
                in.step();
                for (;;) {
                    if (in.done())
                        in.fail(field.line, field.column, "unterminated quoted field (the quote opened here)");
                    const char c = in.peek();
                    if (c == '"') {
                        if (!in.next_is('"')) {
                            in.step();
                            break;
                        }
                        in.step();
                    }
                    field.text.push_back(c);
                    in.step();
                    if (field.text.size() > limits.max_cell_bytes)
                        in.fail(field.line, field.column,
                                "a field longer than " + std::to_string(limits.max_cell_bytes) + " bytes (the limit)");
                }
                if (!in.done() && in.peek() != ',' && !in.at_line_end())
                    in.fail(in.line(), in.column(),
                            "unexpected character after the closing quote of a field (expected a comma or a line end)");
            } else {
                while (!in.done() && in.peek() != ',' && !in.at_line_end()) {
                    if (in.peek() == '"')
                        in.fail(in.line(), in.column(),
                                "a quote inside an unquoted field (quote the whole field and write the quote twice)");
                    field.text.push_back(in.peek());
                    in.step();
                    if (field.text.size() > limits.max_cell_bytes)
                        in.fail(field.line, field.column,
                                "a field longer than " + std::to_string(limits.max_cell_bytes) + " bytes (the limit)");
                }
            }
            if (record.fields.size() >= limits.max_columns)
                in.fail(field.line, field.column,
                        "more than " + std::to_string(limits.max_columns) + " fields in a row (the limit)");
            if (++cells > limits.max_cells)
                in.fail(field.line, field.column,
                        "more than " + std::to_string(limits.max_cells) + " fields in the file (the limit)");
            record.fields.push_back(std::move(field));
            if (!in.done() && in.peek() == ',') {
                in.step();
                continue;
            }
            if (!in.done()) in.skip_line_end();
            break;
        }
        records.push_back(std::move(record));
    }
    return records;
}

}  // namespace shd::gamedata
