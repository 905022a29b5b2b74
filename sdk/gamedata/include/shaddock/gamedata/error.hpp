// Errors and size limits of the game data loader (shd::gamedata). Every data file is untrusted input:
// the loader never crashes on any bytes, refuses what is bigger than Limits, and reports the first
// problem it meets as a DataError that names the file, the line and the column.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace shd::gamedata {

// A data file that cannot be loaded. what() is "<file>:<line>:<column>: <message>", or
// "<file>:<line>: <message>" when the problem is a whole line (a missing column in the header, a
// row of the wrong length), or "<file>: <message>" when it is the whole file (unreadable, too big,
// a declared table with no file). Lines and columns count from 1; a column counts characters (UTF-8
// code points) from the start of the line, so it is what an editor shows.
class DataError : public std::runtime_error {
public:
    DataError(std::string file, int line, int column, std::string message);

    const std::string &file() const noexcept { return file_; }
    int line() const noexcept { return line_; }      // 0: not about one line
    int column() const noexcept { return column_; }  // 0: not about one place in the line
    const std::string &message() const noexcept { return message_; }

private:
    std::string file_;
    int line_;
    int column_;
    std::string message_;
};

// Bounds on what one file may make the loader hold. A file past any of them fails with a DataError
// naming the limit. The defaults are far above game tables (Lord of Pomelo's largest, the equipment
// table, has 112 rows of 30 columns and is 40 KB).
struct Limits {
    std::size_t max_file_bytes = 32u << 20;  // 32 MiB
    std::size_t max_rows = 1000000;          // data rows of one table
    std::size_t max_columns = 1024;          // fields of one row (declared or not)
    std::size_t max_cells = 2000000;         // values of one file (JSON: every scalar and container)
    std::size_t max_cell_bytes = 1u << 20;   // one field's text
    std::size_t max_list_items = 65536;      // items of one list cell
    std::size_t max_files = 4096;            // files in the data folder
};

}  // namespace shd::gamedata
