// The insides of a Table shared by its rows, and the builder the loader fills a table with.
#pragma once

#include <shaddock/gamedata/csv.hpp>
#include <shaddock/gamedata/error.hpp>
#include <shaddock/gamedata/table.hpp>

#include "cell.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace shd::gamedata::detail {

struct TableShape {
    Schema schema;
    std::string file;
    std::vector<std::string> ignored;
    std::size_t id_column = 0;
    std::unordered_map<std::int64_t, std::size_t> integer_ids;  // id -> row
    std::unordered_map<std::string, std::size_t> string_ids;
    // Indexed columns: column -> canonical text of the value -> rows in file order.
    std::unordered_map<std::size_t, std::unordered_map<std::string, std::vector<std::size_t>>> indexes;

    explicit TableShape(const Schema &s) : schema(s) {}
};

// Fills a Table row by row, checking ids and unique columns as it goes.
struct TableBuilder {
    TableBuilder(const Schema &schema, std::string file);

    // `places` holds where each value came from (for the duplicate errors).
    void add(std::vector<Value> values, int line, const std::vector<Place> &places);
    void reserve(std::size_t rows) { table.rows_.reserve(rows); }
    void table_ignored(std::vector<std::string> names) { table.shape_->ignored = std::move(names); }
    Table finish() { return std::move(table); }

    Table table;
};

}  // namespace shd::gamedata::detail
