#include <shaddock/gamedata/database.hpp>

#include <shaddock/gamedata/csv.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "cell.hpp"
#include "json_tree.hpp"
#include "table_shape.hpp"

namespace shd::gamedata {

namespace {

using detail::JsonNode;
using detail::Place;

std::string in_quotes(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

struct HeaderCell {
    std::string name;
    TextPosition at;
};

// For each declared column, where it is in the file's header (-1: absent, and optional). Columns the
// schema does not declare go to `ignored`.
std::vector<int> match_header(const Schema &schema, const std::vector<HeaderCell> &header, const std::string &file,
                              TextPosition row, std::vector<std::string> &ignored) {
    std::vector<int> where(schema.columns().size(), -1);
    for (std::size_t i = 0; i < header.size(); ++i) {
        const HeaderCell &h = header[i];
        if (h.name.empty()) continue;
        for (std::size_t j = 0; j < i; ++j)
            if (header[j].name == h.name)
                throw DataError(file, h.at.line, h.at.column,
                                "column " + in_quotes(h.name) + " appears twice in the header (first at column " +
                                    std::to_string(header[j].at.column) + ")");
        const int c = schema.find(h.name);
        if (c < 0)
            ignored.push_back(h.name);
        else
            where[c] = static_cast<int>(i);
    }
    for (std::size_t c = 0; c < where.size(); ++c) {
        if (where[c] >= 0 || schema.columns()[c].fallback) continue;
        std::string names;
        for (const HeaderCell &h : header)
            if (!h.name.empty()) names += (names.empty() ? "" : ", ") + h.name;
        throw DataError(file, row.line, 0,
                        "missing column " + in_quotes(schema.columns()[c].name) + " (the header has: " + names + ")");
    }
    return where;
}

std::string trimmed(std::string s) {
    const auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && space(s.back())) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && space(s[i])) ++i;
    return s.substr(i);
}

Table load_csv(std::string_view text, const Schema &schema, const std::string &file, const Limits &limits) {
    detail::TableBuilder builder(schema, file);
    const std::vector<CsvRecord> records = parse_csv(text, file, limits);
    // The names row: the first record, or the second after a row of descriptions.
    const std::size_t names = schema.has_description_row() ? 1 : 0;
    if (records.size() <= names)
        throw DataError(file, 0, 0,
                        names ? "no header row (the file has fewer than two records: descriptions, then names)"
                              : "no header row (the file has no records)");
    std::vector<HeaderCell> header;
    for (const CsvField &f : records[names].fields) header.push_back({trimmed(f.text), {f.line, f.column}});
    std::vector<std::string> ignored;
    const std::vector<int> where = match_header(schema, header, file, {records[names].line, 0}, ignored);
    const auto &columns = schema.columns();
    builder.reserve(records.size() - names - 1);
    for (std::size_t r = names + 1; r < records.size(); ++r) {
        const CsvRecord &record = records[r];
        if (record.fields.size() != header.size())
            throw DataError(file, record.line, 0,
                            "the row has " + std::to_string(record.fields.size()) + " field" +
                                (record.fields.size() == 1 ? "" : "s") + ", the header has " +
                                std::to_string(header.size()));
        std::vector<Value> values;
        std::vector<Place> places;
        values.reserve(columns.size());
        places.reserve(columns.size());
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (where[c] < 0) {
                values.push_back(*columns[c].fallback);
                places.push_back(Place::at(file, record.line, 0));
                continue;
            }
            const CsvField &f = record.fields[where[c]];
            values.push_back(detail::cell_from_text(columns[c], f.text, schema.separator(),
                                                    Place::at(file, f.line, f.column), limits));
            places.push_back(Place::at(file, f.line, f.column));
        }
        builder.add(std::move(values), record.line, places);
    }
    builder.table_ignored(std::move(ignored));
    return builder.finish();
}

// One JSON cell of a column.
Value json_cell(const Column &column, const JsonNode &node, char separator, std::string_view text,
                const std::string &file, const Limits &limits) {
    const Place place = Place::in(file, text, node.offset);
    const bool list = column.type >= Type::integer_list;
    using Kind = JsonNode::Kind;
    auto scalar_kind = [](Kind k) {
        switch (k) {
            case Kind::number: return detail::Scalar::number;
            case Kind::boolean: return detail::Scalar::boolean;
            case Kind::null: return detail::Scalar::null;
            default: return detail::Scalar::text;
        }
    };
    if (node.kind == Kind::object || (node.kind == Kind::array && !list)) {
        const char *expected = list                           ? "a list"
                               : column.type == Type::integer ? "an integer"
                               : column.type == Type::number  ? "a number"
                               : column.type == Type::boolean ? "a boolean"
                                                              : "a string";
        place.fail("column " + in_quotes(column.name) + ": expected " + expected + ", found " +
                   detail::kind_name(node.kind));
    }
    if (node.kind != Kind::array)
        return detail::cell_from_scalar(column, scalar_kind(node.kind), node.text, separator, place, limits);
    Value out = detail::empty_list(column.type);
    if (node.items.size() > limits.max_list_items)
        place.fail("column " + in_quotes(column.name) + ": more than " + std::to_string(limits.max_list_items) +
                   " items (the limit)");
    for (std::size_t i = 0; i < node.items.size(); ++i) {
        const JsonNode &item = node.items[i];
        const Place item_place = Place::in(file, text, item.offset);
        if (item.kind == Kind::array || item.kind == Kind::object)
            item_place.fail("column " + in_quotes(column.name) + ": item " + std::to_string(i + 1) +
                            ": expected a single value, found " + detail::kind_name(item.kind));
        detail::append_item(out, column, scalar_kind(item.kind), item.text, i + 1, item_place);
    }
    return out;
}

Table load_json(std::string_view text, const Schema &schema, const std::string &file, const Limits &limits) {
    detail::check_text(text, file, limits);
    const JsonNode root = detail::parse_json_tree(text, file, limits);
    auto fail_at = [&](const JsonNode &node, const std::string &message) {
        const TextPosition p = position_of(text, node.offset);
        throw DataError(file, p.line, p.column, message);
    };
    using Kind = JsonNode::Kind;
    if (root.kind != Kind::array)
        fail_at(root, "expected an array of rows (Lord of Pomelo's array of arrays, or an array of objects), found " +
                          std::string(detail::kind_name(root.kind)));
    detail::TableBuilder builder(schema, file);
    const auto &columns = schema.columns();
    std::vector<std::string> ignored;
    detail::PositionCursor cursor(text);  // rows are visited in file order
    if (root.items.empty()) {
        // No header to check: only a table of optional columns may be empty this way.
        for (const Column &c : columns)
            if (!c.fallback) fail_at(root, "missing column " + in_quotes(c.name) + " (the file has no rows)");
    } else if (root.items.front().kind == Kind::array) {
        // Lord of Pomelo's shape: descriptions, names, then rows.
        for (const JsonNode &row : root.items)
            if (row.kind != Kind::array)
                fail_at(row, "expected an array (a row), found " + std::string(detail::kind_name(row.kind)));
        if (root.items.size() < 2)
            fail_at(root, "an array of arrays needs a row of column descriptions and a row of column names");
        const JsonNode &names = root.items[1];
        if (names.items.size() > limits.max_columns)
            fail_at(names.items[limits.max_columns],
                    "more than " + std::to_string(limits.max_columns) + " column names (the limit)");
        const int names_line = cursor(names.offset).line;
        std::vector<HeaderCell> header;
        for (const JsonNode &n : names.items) {
            if (n.kind != Kind::string)
                fail_at(n, "a column name must be a string, found " + std::string(detail::kind_name(n.kind)));
            header.push_back({trimmed(n.text), cursor(n.offset)});
        }
        const std::vector<int> where = match_header(schema, header, file, {names_line, 0}, ignored);
        if (root.items.size() - 2 > limits.max_rows)
            fail_at(root.items[2 + limits.max_rows],
                    "more than " + std::to_string(limits.max_rows) + " rows (the limit)");
        builder.reserve(root.items.size() - 2);
        for (std::size_t r = 2; r < root.items.size(); ++r) {
            const JsonNode &row = root.items[r];
            const TextPosition row_at = cursor(row.offset);
            if (row.items.size() != header.size())
                fail_at(row, "the row has " + std::to_string(row.items.size()) + " cell" +
                                 (row.items.size() == 1 ? "" : "s") + ", the names row has " +
                                 std::to_string(header.size()));
            std::vector<Value> values;
            std::vector<Place> places;
            for (std::size_t c = 0; c < columns.size(); ++c) {
                if (where[c] < 0) {
                    values.push_back(*columns[c].fallback);
                    places.push_back(Place::at(file, row_at.line, row_at.column));
                    continue;
                }
                const JsonNode &cell = row.items[where[c]];
                values.push_back(json_cell(columns[c], cell, schema.separator(), text, file, limits));
                places.push_back(Place::in(file, text, cell.offset));
            }
            builder.add(std::move(values), row_at.line, places);
        }
    } else {
        // One object per row, keyed by column name.
        if (root.items.size() > limits.max_rows)
            fail_at(root.items[limits.max_rows], "more than " + std::to_string(limits.max_rows) + " rows (the limit)");
        for (const JsonNode &row : root.items)
            if (row.kind != Kind::object)
                fail_at(row, "expected an object (a row), found " + std::string(detail::kind_name(row.kind)));
        std::unordered_set<std::string> ignored_set;
        for (const JsonNode &row : root.items) {
            const TextPosition row_at = cursor(row.offset);
            if (row.keys.size() > limits.max_columns)
                fail_at(row.items[limits.max_columns],
                        "more than " + std::to_string(limits.max_columns) + " keys in a row (the limit)");
            // Each key's item, in one pass (hash lookups: a row may have up to max_columns keys).
            std::unordered_map<std::string_view, std::size_t> item_of;
            item_of.reserve(row.keys.size());
            for (std::size_t k = 0; k < row.keys.size(); ++k) {
                if (!item_of.emplace(row.keys[k], k).second)
                    fail_at(row.items[k], "key " + in_quotes(row.keys[k]) + " appears twice in the row");
                if (schema.find(row.keys[k]) < 0 && ignored_set.insert(row.keys[k]).second)
                    ignored.push_back(row.keys[k]);
            }
            std::vector<Value> values;
            std::vector<Place> places;
            for (const Column &column : columns) {
                const auto key = item_of.find(column.name);
                if (key == item_of.end()) {
                    if (!column.fallback) fail_at(row, "missing column " + in_quotes(column.name) + " in the row");
                    values.push_back(*column.fallback);
                    places.push_back(Place::at(file, row_at.line, row_at.column));
                    continue;
                }
                const JsonNode &cell = row.items[key->second];
                values.push_back(json_cell(column, cell, schema.separator(), text, file, limits));
                places.push_back(Place::in(file, text, cell.offset));
            }
            builder.add(std::move(values), row_at.line, places);
        }
    }
    builder.table_ignored(std::move(ignored));
    return builder.finish();
}

std::string read_file(const std::string &path, const Limits &limits) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw DataError(path, 0, 0, "cannot read the file: " + ec.message());
    if (size > limits.max_file_bytes)
        throw DataError(path, 0, 0,
                        "the file is " + std::to_string(size) + " bytes, more than the limit of " +
                            std::to_string(limits.max_file_bytes));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path, 0, 0, "cannot open the file");
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad()) throw DataError(path, 0, 0, "cannot read the file");
    return text;
}

}  // namespace

Table load_table(std::string_view text, Format format, const Schema &schema, std::string_view file,
                 const Limits &limits) {
    const std::string name(file);
    return format == Format::csv ? load_csv(text, schema, name, limits) : load_json(text, schema, name, limits);
}

Table load_table_file(const std::string &path, const Schema &schema, const Limits &limits) {
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext != ".csv" && ext != ".json") throw DataError(path, 0, 0, "not a .csv or .json file");
    return load_table(read_file(path, limits), ext == ".csv" ? Format::csv : Format::json, schema, path, limits);
}

// ---- Catalog, Database

Schema &Catalog::table(const std::string &name, const std::string &id_column) {
    if (find(name)) throw std::invalid_argument("table " + in_quotes(name) + " is declared twice");
    tables_.emplace_back(name, id_column);
    return tables_.back();
}

const Schema *Catalog::find(std::string_view name) const noexcept {
    for (const Schema &s : tables_)
        if (s.table() == name) return &s;
    return nullptr;
}

const Table *Database::find(std::string_view name) const noexcept {
    auto it = tables_.find(name);
    return it == tables_.end() ? nullptr : &it->second;
}

const Table &Database::table(std::string_view name) const {
    if (const Table *t = find(name)) return *t;
    std::string names;
    for (const auto &[n, t] : tables_) names += (names.empty() ? "" : ", ") + n;
    throw std::out_of_range("unknown table " + in_quotes(name) + " (the tables are: " + names + ")");
}

std::vector<std::string> Database::names() const {
    std::vector<std::string> out;
    for (const auto &[n, t] : tables_) out.push_back(n);
    return out;
}

void Database::add(Table table) {
    const std::string name = table.name();
    if (find(name)) throw std::invalid_argument("table " + in_quotes(name) + " is already in the database");
    tables_.emplace(name, std::move(table));
}

Database load_directory(const std::string &dir, const Catalog &catalog, const LoadOptions &options) {
    namespace fs = std::filesystem;
    std::map<std::string, std::vector<std::string>> files;  // table name -> its file names
    std::vector<std::string> skipped;
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) throw DataError(dir, 0, 0, "cannot read the folder: " + ec.message());
    std::size_t count = 0;
    for (; it != end; it.increment(ec)) {
        if (ec) throw DataError(dir, 0, 0, "cannot read the folder: " + ec.message());
        if (++count > options.limits.max_files)
            throw DataError(dir, 0, 0,
                            "more than " + std::to_string(options.limits.max_files) + " entries (the limit)");
        const fs::path &p = it->path();
        const std::string filename = p.filename().string();
        const std::string ext = p.extension().string();
        if (filename.empty() || filename[0] == '.' || (ext != ".csv" && ext != ".json")) continue;
        std::error_code type_ec;
        if (!fs::is_regular_file(p, type_ec)) continue;
        const std::string name = p.stem().string();
        if (!catalog.find(name)) {
            if (options.skip_undeclared) {
                skipped.push_back((fs::path(dir) / filename).string());
                continue;
            }
            std::string declared;
            for (const Schema &s : catalog.tables()) declared += (declared.empty() ? "" : ", ") + s.table();
            throw DataError((fs::path(dir) / filename).string(), 0, 0,
                            "unknown table " + in_quotes(name) + ": no table of that name is declared (declared: " +
                                (declared.empty() ? "none" : declared) + ")");
        }
        files[name].push_back(filename);
    }
    Database db;
    std::sort(skipped.begin(), skipped.end());
    db.skipped_ = std::move(skipped);
    for (const Schema &schema : catalog.tables()) {
        auto found = files.find(schema.table());
        if (found == files.end())
            throw DataError(dir, 0, 0,
                            "table " + in_quotes(schema.table()) + " is declared but there is neither " +
                                schema.table() + ".csv nor " + schema.table() + ".json");
        if (found->second.size() > 1)
            throw DataError(dir, 0, 0,
                            "table " + in_quotes(schema.table()) + " has both " + schema.table() + ".csv and " +
                                schema.table() + ".json: keep one");
        db.add(load_table_file((fs::path(dir) / found->second.front()).string(), schema, options.limits));
    }
    return db;
}

}  // namespace shd::gamedata
