// Turning the text (or JSON scalar) of one cell into a typed Value, with the error messages of a bad
// cell. Shared by the CSV and JSON loaders.
#pragma once

#include <shaddock/gamedata/error.hpp>
#include <shaddock/gamedata/table.hpp>

#include <string>
#include <string_view>

namespace shd::gamedata::detail {

// Where a cell is, for its error messages.
struct Place {
    const std::string &file;
    int line;
    int column;
    [[noreturn]] void fail(const std::string &message) const { throw DataError(file, line, column, message); }
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
