// Loading game data: one table from CSV or JSON text or a file, or every table of an app's
// config/data/ folder at start (pomelo-data-plugin's dataService, Lord of Pomelo's dataApi).
//
//   shd::gamedata::Catalog catalog;
//   catalog.table("monster").integer("id").string("name").integer("hp");
//   catalog.table("item").integer("id").string("name").integer("price", 0);
//   shd::gamedata::Database data = shd::gamedata::load_directory(app_dir + "/config/data", catalog);
//   const auto &harpy = data.table("monster").row(202);
//
// File shapes (docs/gamedata.md has examples of each):
// - `<table>.csv`: RFC 4180 (see csv.hpp); the first record names the columns; '#' lines are
//   comments. A row of descriptions above the names, as Lord of Pomelo's tables have, goes in a '#'
//   line, or stays a record with Schema::description_row().
// - `<table>.json`, Lord of Pomelo's shape: an array of arrays, the first the column descriptions
//   (ignored), the second the column names, then one array per row.
// - `<table>.json`, the plain shape: an array of objects, one per row, keyed by column name.
// Loading stops at the first problem and throws DataError naming file, line and column; a bad
// declaration (a table declared twice, no id column) throws std::invalid_argument.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <shaddock/gamedata/error.hpp>
#include <shaddock/gamedata/table.hpp>

namespace shd::gamedata {

enum class Format { csv, json };

// Builds a table from text. `file` names it in errors and in Table::file().
Table load_table(std::string_view text, Format format, const Schema &schema, std::string_view file,
                 const Limits &limits = {});
// Reads a file (.csv or .json, by its extension; another extension is a DataError) and builds it.
Table load_table_file(const std::string &path, const Schema &schema, const Limits &limits = {});

// The tables an app declares.
class Catalog {
public:
    // Declares a table; add its columns to the returned Schema (the reference stays valid for the
    // Catalog's life). A name declared twice throws std::invalid_argument.
    Schema &table(const std::string &name, const std::string &id_column = "id");
    const std::deque<Schema> &tables() const noexcept { return tables_; }
    const Schema *find(std::string_view name) const noexcept;

private:
    std::deque<Schema> tables_;
};

struct LoadOptions {
    Limits limits;
    // A .csv or .json file of the folder that no table declares: an error ("unknown table") unless
    // this is set, when it is skipped (and listed in Database::skipped_files()).
    bool skip_undeclared = false;
};

class Database {
public:
    // The table of that name; std::out_of_range "unknown table ..." listing the loaded ones.
    const Table &table(std::string_view name) const;
    const Table *find(std::string_view name) const noexcept;
    std::vector<std::string> names() const;
    const std::vector<std::string> &skipped_files() const noexcept { return skipped_; }

    void add(Table table);

private:
    friend Database load_directory(const std::string &, const Catalog &, const LoadOptions &);
    std::map<std::string, Table, std::less<>> tables_;
    std::vector<std::string> skipped_;
};

// Loads every declared table from `<dir>/<name>.csv` or `<dir>/<name>.json`. Errors (DataError): a
// declared table with no file or with both, a file no table declares (unless skip_undeclared), a
// folder that cannot be read or holds more than limits.max_files entries, and every error of
// load_table. Files whose names start with '.' and files of other extensions are not looked at.
Database load_directory(const std::string &dir, const Catalog &catalog, const LoadOptions &options = {});

}  // namespace shd::gamedata
