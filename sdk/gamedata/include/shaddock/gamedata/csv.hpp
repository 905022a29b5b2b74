// A CSV reader after RFC 4180, with the positions of every field (for error messages).
//
//   std::vector<CsvRecord> records = parse_csv(text, "config/data/monster.csv");
//   records[0].fields[1].text   // the second field of the first record, unquoted
//
// What it accepts: fields separated by commas, records ended by CRLF, LF or the end of the text (a
// last record may lack its line end); a field in double quotes may hold commas, line ends and quotes
// written twice (""); a UTF-8 byte order mark at the start is skipped. Beyond the RFC, as spreadsheet
// exports and pomelo-data-plugin's files need: a line whose first character is '#' is a comment, and
// a line with nothing on it is skipped (neither makes a record). Records may differ in length here;
// the table loader checks them against the header.
// What it refuses, with a DataError naming file, line and column: a quote that is never closed (the
// position of the opening quote), a character after a closing quote other than a separator or a line
// end, a quote inside an unquoted field, text that is not UTF-8, and anything past Limits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <shaddock/gamedata/error.hpp>

namespace shd::gamedata {

struct CsvField {
    std::string text;     // with the quotes removed and "" turned into "
    bool quoted = false;  // it was written in quotes
    int line = 0;         // where it starts (its opening quote if quoted)
    int column = 0;
};

struct CsvRecord {
    std::vector<CsvField> fields;
    int line = 0;  // where the record starts
};

// Parses the whole text. `source` names it in errors. Throws DataError.
std::vector<CsvRecord> parse_csv(std::string_view text, std::string_view source, const Limits &limits = {});

// The line and column (from 1, columns in code points) of a byte offset of `text`, for error
// messages about text that is known to be UTF-8 up to `offset`.
struct TextPosition {
    int line = 1;
    int column = 1;
};
TextPosition position_of(std::string_view text, std::size_t offset);

// The byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code points
// past U+10FFFF are invalid), or std::string_view::npos when the whole text is valid.
std::size_t find_invalid_utf8(std::string_view text);

}  // namespace shd::gamedata
