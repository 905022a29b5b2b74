// Turning the text (or JSON scalar) of one cell into a typed Value, with the error messages of a bad
// cell. Shared by the CSV and JSON loaders.
#pragma once

#include <shaddock/gamedata/csv.hpp>
#include <shaddock/gamedata/error.hpp>
#include <shaddock/gamedata/table.hpp>

#include <string>
#include <string_view>

namespace shd::gamedata::detail {

// Refuses a text longer than limits.max_file_bytes or not UTF-8 (DataError naming `file`).
void check_text(std::string_view text, const std::string &file, const Limits &limits);

// The position of byte `to`, given that byte `from` (<= to) is at `p` (position_of's rules).
TextPosition advance_position(std::string_view text, std::size_t from, std::size_t to, TextPosition p);

// Positions of increasing offsets of one text in one pass (an offset before the last starts over from
// the beginning), for the line of every JSON row.
class PositionCursor {
public:
    explicit PositionCursor(std::string_view text) : text_(text) {}
    TextPosition operator()(std::size_t offset) {
        if (offset < at_) {
            at_ = 0;
            position_ = {};
        }
        if (at_ == 0) {
            position_ = position_of(text_, offset);
        } else {
            position_ = advance_position(text_, at_, offset, position_);
        }
        at_ = offset;
        return position_;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;
    TextPosition position_;
};

// Where a cell is, for its error messages: a line and column (CSV knows them while parsing), or a
// byte offset into the text (JSON), turned into a line and column only when an error is thrown, so a
// load stays linear in the size of the file.
struct Place {
    const std::string &file;
    int line = 0;
    int column = 0;
    std::string_view text = {};
    std::size_t offset = 0;

    static Place at(const std::string &file, int line, int column) { return Place{file, line, column}; }
    static Place in(const std::string &file, std::string_view text, std::size_t offset) {
        return Place{file, 0, 0, text, offset};
    }
    [[noreturn]] void fail(const std::string &message) const {
        if (line > 0) throw DataError(file, line, column, message);
        const TextPosition p = position_of(text, offset);
        throw DataError(file, p.line, p.column, message);
    }
};

// What a JSON cell (or list item) held, as text for the conversion: a number's text as written, a
// string's contents, "true"/"false", "" for null.
enum class Scalar { text, number, boolean, null };

// A cell of text (CSV, or a JSON string): Column::fallback for an empty cell when declared; a list
// splits at `separator`.
Value cell_from_text(const Column &column, std::string_view text, char separator, const Place &place,
                     const Limits &limits);
// One JSON scalar cell of a scalar or list column.
Value cell_from_scalar(const Column &column, Scalar kind, std::string_view text, char separator, const Place &place,
                       const Limits &limits);
// One item of a JSON array cell (list columns); `item` counts from 1 for messages.
void append_item(Value &list, const Column &column, Scalar kind, std::string_view text, std::size_t item,
                 const Place &place);
// An empty list of the column's type.
Value empty_list(Type type);

}  // namespace shd::gamedata::detail
