#include <shaddock/gamedata/table.hpp>

#include <charconv>
#include <stdexcept>

#include "table_shape.hpp"

namespace shd::gamedata {

const char *type_name(Type type) noexcept {
    switch (type) {
        case Type::integer: return "integer";
        case Type::number: return "number";
        case Type::string: return "string";
        case Type::boolean: return "boolean";
        case Type::integer_list: return "integer list";
        case Type::number_list: return "number list";
        case Type::string_list: return "string list";
        case Type::boolean_list: return "boolean list";
    }
    return "?";
}

namespace {

bool is_list(Type t) {
    return t >= Type::integer_list;
}

std::string in_quotes(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

// "an integer", "a number", ...
std::string a(Type type) {
    return std::string(type == Type::integer || type == Type::integer_list ? "an " : "a ") + type_name(type);
}

std::string number_text(double d) {
    if (d == 0) d = 0;  // -0 and 0 are one key
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

}  // namespace

namespace {

struct Text {
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return number_text(v); }
    std::string operator()(const std::string &v) const { return v; }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    template <class T>
    std::string operator()(const std::vector<T> &items) const {
        std::string out;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i) out += ';';
            out += (*this)(static_cast<T>(items[i]));
        }
        return out;
    }
};

}  // namespace

std::string to_text(const Value &value) {
    return std::visit(Text{}, value);
}

// ---- Schema

Schema::Schema(std::string table, std::string id_column) : table_(std::move(table)), id_column_(std::move(id_column)) {
    if (table_.empty()) throw std::invalid_argument("a table needs a name");
}

Schema &Schema::column(const std::string &name, Type type, std::optional<Value> fallback) {
    if (name.empty()) throw std::invalid_argument("table " + in_quotes(table_) + ": a column needs a name");
    if (find(name) >= 0)
        throw std::invalid_argument("table " + in_quotes(table_) + ": column " + in_quotes(name) +
                                    " is declared twice");
    if (fallback && type_of(*fallback) != type)
        throw std::invalid_argument("table " + in_quotes(table_) + ": column " + in_quotes(name) + " is " + a(type) +
                                    " column, its default " + a(type_of(*fallback)));
    columns_.push_back(Column{name, type, std::move(fallback), false, false});
    return *this;
}

Schema &Schema::integer(const std::string &name) {
    return column(name, Type::integer);
}
Schema &Schema::integer(const std::string &name, std::int64_t fallback) {
    return column(name, Type::integer, Value(fallback));
}
Schema &Schema::number(const std::string &name) {
    return column(name, Type::number);
}
Schema &Schema::number(const std::string &name, double fallback) {
    return column(name, Type::number, Value(fallback));
}
Schema &Schema::string(const std::string &name) {
    return column(name, Type::string);
}
Schema &Schema::string(const std::string &name, std::string fallback) {
    return column(name, Type::string, Value(std::move(fallback)));
}
Schema &Schema::boolean(const std::string &name) {
    return column(name, Type::boolean);
}
Schema &Schema::boolean(const std::string &name, bool fallback) {
    return column(name, Type::boolean, Value(fallback));
}
Schema &Schema::integers(const std::string &name, bool optional) {
    return column(name, Type::integer_list,
                  optional ? std::optional<Value>(std::vector<std::int64_t>{}) : std::nullopt);
}
Schema &Schema::numbers(const std::string &name, bool optional) {
    return column(name, Type::number_list, optional ? std::optional<Value>(std::vector<double>{}) : std::nullopt);
}
Schema &Schema::strings(const std::string &name, bool optional) {
    return column(name, Type::string_list, optional ? std::optional<Value>(std::vector<std::string>{}) : std::nullopt);
}
Schema &Schema::booleans(const std::string &name, bool optional) {
    return column(name, Type::boolean_list, optional ? std::optional<Value>(std::vector<bool>{}) : std::nullopt);
}

Column &Schema::declared(const std::string &name) {
    const int i = find(name);
    if (i < 0)
        throw std::invalid_argument("table " + in_quotes(table_) + ": column " + in_quotes(name) +
                                    " must be declared before it is indexed");
    if (is_list(columns_[i].type))
        throw std::invalid_argument("table " + in_quotes(table_) + ": column " + in_quotes(name) +
                                    " is a list and cannot be indexed");
    return columns_[i];
}

Schema &Schema::index(const std::string &name) {
    declared(name).indexed = true;
    return *this;
}

Schema &Schema::unique(const std::string &name) {
    Column &c = declared(name);
    c.indexed = c.unique = true;
    return *this;
}

Schema &Schema::separator(char c) {
    if (c == '"' || c == '\r' || c == '\n')
        throw std::invalid_argument("table " + in_quotes(table_) + ": bad list separator");
    separator_ = c;
    return *this;
}

Schema &Schema::description_row(bool on) {
    description_row_ = on;
    return *this;
}

int Schema::find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < columns_.size(); ++i)
        if (columns_[i].name == name) return static_cast<int>(i);
    return -1;
}

void Schema::check() const {
    const int id = find(id_column_);
    if (id < 0)
        throw std::invalid_argument("table " + in_quotes(table_) + ": the id column " + in_quotes(id_column_) +
                                    " is not declared");
    const Column &c = columns_[id];
    if (c.type != Type::integer && c.type != Type::string)
        throw std::invalid_argument("table " + in_quotes(table_) + ": the id column " + in_quotes(id_column_) +
                                    " must be an integer or a string column, not " + a(c.type) + " column");
    if (c.fallback)
        throw std::invalid_argument("table " + in_quotes(table_) + ": the id column " + in_quotes(id_column_) +
                                    " cannot have a default");
}

// ---- Row

const Value &Row::typed(std::string_view column, Type type) const {
    const int i = column_of(column);
    const Type actual = shape_->schema.columns()[i].type;
    if (actual != type)
        throw std::logic_error("table " + in_quotes(shape_->schema.table()) + ": column " + in_quotes(column) + " is " +
                               a(actual) + " column, read as " + a(type));
    return values_[i];
}

int Row::column_of(std::string_view column) const {
    const int i = shape_->schema.find(column);
    if (i < 0)
        throw std::out_of_range("table " + in_quotes(shape_->schema.table()) + ": no column " + in_quotes(column) +
                                " is declared");
    return i;
}

std::int64_t Row::integer(std::string_view c) const {
    return std::get<std::int64_t>(typed(c, Type::integer));
}
double Row::number(std::string_view c) const {
    const Value &v = values_[column_of(c)];
    if (const auto *i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    return std::get<double>(typed(c, Type::number));
}
const std::string &Row::string(std::string_view c) const {
    return std::get<std::string>(typed(c, Type::string));
}
bool Row::boolean(std::string_view c) const {
    return std::get<bool>(typed(c, Type::boolean));
}
const std::vector<std::int64_t> &Row::integers(std::string_view c) const {
    return std::get<std::vector<std::int64_t>>(typed(c, Type::integer_list));
}
const std::vector<double> &Row::numbers(std::string_view c) const {
    return std::get<std::vector<double>>(typed(c, Type::number_list));
}
const std::vector<std::string> &Row::strings(std::string_view c) const {
    return std::get<std::vector<std::string>>(typed(c, Type::string_list));
}
const std::vector<bool> &Row::booleans(std::string_view c) const {
    return std::get<std::vector<bool>>(typed(c, Type::boolean_list));
}
const Value &Row::value(std::string_view column) const {
    return values_[column_of(column)];
}
std::int64_t Row::id() const {
    return integer(shape_->schema.id_column());
}
const std::string &Row::string_id() const {
    return string(shape_->schema.id_column());
}

// ---- Table

Table::Table() = default;
Table::Table(Table &&) noexcept = default;
Table &Table::operator=(Table &&) noexcept = default;
Table::~Table() = default;

const std::string &Table::name() const noexcept {
    return shape_->schema.table();
}
const std::string &Table::file() const noexcept {
    return shape_->file;
}
const Schema &Table::schema() const noexcept {
    return shape_->schema;
}
const std::vector<std::string> &Table::ignored_columns() const noexcept {
    return shape_->ignored;
}

std::size_t Table::column_index(std::string_view column) const {
    const int i = shape_->schema.find(column);
    if (i < 0)
        throw std::out_of_range("table " + in_quotes(name()) + ": no column " + in_quotes(column) + " is declared");
    return static_cast<std::size_t>(i);
}

namespace {

[[noreturn]] void id_type_mismatch(const Schema &s, const char *given) {
    throw std::logic_error("table " + in_quotes(s.table()) + ": the id column " + in_quotes(s.id_column()) + " is " +
                           a(s.columns()[s.find(s.id_column())].type) + " column, looked up with " + given);
}

}  // namespace

const Row *Table::find(std::int64_t id) const {
    if (shape_->schema.columns()[shape_->id_column].type != Type::integer)
        id_type_mismatch(shape_->schema, "an integer");
    auto it = shape_->integer_ids.find(id);
    return it == shape_->integer_ids.end() ? nullptr : &rows_[it->second];
}

const Row *Table::find(std::string_view id) const {
    if (shape_->schema.columns()[shape_->id_column].type != Type::string) id_type_mismatch(shape_->schema, "a string");
    auto it = shape_->string_ids.find(std::string(id));
    return it == shape_->string_ids.end() ? nullptr : &rows_[it->second];
}

const Row &Table::row(std::int64_t id) const {
    if (const Row *r = find(id)) return *r;
    throw std::out_of_range("table " + in_quotes(name()) + ": no row with id " + std::to_string(id));
}

const Row &Table::row(std::string_view id) const {
    if (const Row *r = find(id)) return *r;
    throw std::out_of_range("table " + in_quotes(name()) + ": no row with id " + in_quotes(id));
}

std::vector<const Row *> Table::find_by_value(std::string_view column, const Value &value) const {
    const std::size_t c = column_index(column);
    const Type type = shape_->schema.columns()[c].type;
    Value key = value;
    if (type == Type::number && std::holds_alternative<std::int64_t>(key))
        key = static_cast<double>(std::get<std::int64_t>(key));
    if (is_list(type) || type_of(key) != type)
        throw std::logic_error("table " + in_quotes(name()) + ": column " + in_quotes(column) + " is " + a(type) +
                               " column, searched with " + a(type_of(value)));
    std::vector<const Row *> out;
    if (auto index = shape_->indexes.find(c); index != shape_->indexes.end()) {
        if (auto hit = index->second.find(to_text(key)); hit != index->second.end())
            for (std::size_t r : hit->second) out.push_back(&rows_[r]);
        return out;
    }
    for (const Row &r : rows_)
        if (r.values_[c] == key) out.push_back(&r);
    return out;
}

std::vector<const Row *> Table::compare(std::string_view column, double value, bool at_least) const {
    const std::size_t c = column_index(column);
    const Type type = shape_->schema.columns()[c].type;
    if (type != Type::integer && type != Type::number)
        throw std::logic_error("table " + in_quotes(name()) + ": column " + in_quotes(column) + " is " + a(type) +
                               " column, compared with a number");
    std::vector<const Row *> out;
    for (const Row &r : rows_) {
        const Value &v = r.values_[c];
        const double d = type == Type::integer ? static_cast<double>(std::get<std::int64_t>(v)) : std::get<double>(v);
        if (at_least ? d >= value : d <= value) out.push_back(&r);
    }
    return out;
}

std::vector<const Row *> Table::find_at_least(std::string_view column, double value) const {
    return compare(column, value, true);
}
std::vector<const Row *> Table::find_at_most(std::string_view column, double value) const {
    return compare(column, value, false);
}

std::vector<const Row *> Table::select(const std::function<bool(const Row &)> &predicate) const {
    std::vector<const Row *> out;
    for (const Row &r : rows_)
        if (predicate(r)) out.push_back(&r);
    return out;
}

// ---- TableBuilder

namespace detail {

TableBuilder::TableBuilder(const Schema &schema, std::string file) {
    schema.check();
    table.shape_ = std::make_unique<TableShape>(schema);
    table.shape_->file = std::move(file);
    table.shape_->id_column = static_cast<std::size_t>(schema.find(schema.id_column()));
    for (std::size_t c = 0; c < schema.columns().size(); ++c)
        if (schema.columns()[c].indexed) table.shape_->indexes[c];
}

void TableBuilder::add(std::vector<Value> values, int line, const std::vector<Place> &places) {
    TableShape &shape = *table.shape_;
    const std::size_t row = table.rows_.size();
    const std::size_t id = shape.id_column;
    auto first_line = [&](std::size_t r) { return std::to_string(table.rows_[r].line()); };
    if (const auto *i = std::get_if<std::int64_t>(&values[id])) {
        auto [it, fresh] = shape.integer_ids.emplace(*i, row);
        if (!fresh)
            places[id].fail("duplicate id " + std::to_string(*i) + " (first on line " + first_line(it->second) + ")");
    } else {
        const std::string &s = std::get<std::string>(values[id]);
        auto [it, fresh] = shape.string_ids.emplace(s, row);
        if (!fresh) places[id].fail("duplicate id " + in_quotes(s) + " (first on line " + first_line(it->second) + ")");
    }
    for (auto &[c, index] : shape.indexes) {
        std::vector<std::size_t> &rows = index[to_text(values[c])];
        if (!rows.empty() && shape.schema.columns()[c].unique) {
            places[c].fail("duplicate value " + in_quotes(to_text(values[c])) + " in unique column " +
                           in_quotes(shape.schema.columns()[c].name) + " (first on line " + first_line(rows.front()) +
                           ")");
        }
        rows.push_back(row);
    }
    table.rows_.push_back(Row(&shape, std::move(values), line));
}

}  // namespace detail

}  // namespace shd::gamedata
