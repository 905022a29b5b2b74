// A writer of the sync plugin: the app's SQL statement, its placeholders rewritten for one database,
// and the binding of a JSON value to its parameters. Values are always bound, never put in the SQL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace shd::sync {

enum class Dialect { sqlite, postgresql };

// One bound parameter: SQL NULL, a boolean, an integer, a floating-point number or text (a nested
// JSON object or array is bound as its JSON text).
using Param = std::variant<std::monostate, bool, int64_t, double, std::string>;
using Params = std::vector<Param>;

struct Writer {
    std::string key;
    std::string sql;                 // as the database takes it: "?" for SQLite, "$1".."$n" for PostgreSQL
    std::vector<std::string> names;  // the named parameters in order of appearance (repeats included)
    size_t count = 0;                // parameters of the statement
    bool named = false;              // ":name" parameters (the value is an object), else "?" (an array)
};

// Reads the placeholders of `sql` (":name" or "?", outside quotes, comments and "::" casts) and
// renders them for `dialect`. Throws shd::Error(SHD_ERR_INVALID) naming what is wrong: an empty
// statement, both kinds of parameters, PostgreSQL's own "$1", an unterminated quote or comment.
Writer parse_writer(std::string key, std::string_view sql, Dialect dialect);

// The parameters of one write: value_json is an object holding every named parameter, or an array
// of exactly `count` items. Throws shd::Error(SHD_ERR_INVALID) naming the missing field or the count.
Params bind_value(const Writer &writer, std::string_view value_json);

}  // namespace shd::sync
