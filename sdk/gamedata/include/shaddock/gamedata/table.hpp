// Game data tables: the columns an app declares (Schema), and the loaded rows it reads (Table, Row).
//
//   Schema monster("monster");                 // the id column is "id", an integer
//   monster.integer("id").string("name").integer("hp").number("speed", 1.0).integers("drops");
//   monster.index("name");
//   ... Table table = load_table_file("config/data/monster.csv", monster);
//   const Row &m = table.row(201);            // by id; throws std::out_of_range if there is none
//   int64_t hp = m.integer("hp");
//   for (const Row *r : table.find_by("name", "Harpy")) ...
//
// Types: integer (int64), number (double, finite), string (UTF-8), boolean, and a list of each. How
// the text of a file becomes a value (docs/gamedata.md has the full rules): an integer is an optional
// sign and decimal digits within int64; a number is a decimal number as in JSON or C (1, -2.5, 3e4),
// never inf or nan; a boolean is true, false (any case), 1 or 0; spaces and tabs around those are
// ignored; a string is taken as it is. A list cell holds its items separated by ';' (Schema::separator);
// an empty cell is an empty list. In JSON a cell may also be a JSON number, boolean, array (a list) or
// null (an empty cell), and a number or numeric string is read the same way in an integer column
// (Lord of Pomelo's tables mix "5" and 5).
// An empty cell of a column declared with a default takes the default; an empty cell of an integer,
// number or boolean column without one is an error. A column declared with a default may also be
// absent from the file.
//
// Tables are immutable values: share them read-only between threads. Reading a column that the
// schema does not declare, or as another type, is a programming error and throws std::logic_error
// (std::out_of_range for a missing row or column) whose message names the table and the column.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

namespace shd::gamedata {

// The order matches Value's alternatives.
enum class Type { integer, number, string, boolean, integer_list, number_list, string_list, boolean_list };

// "integer", "number", "string", "boolean", "integer list", ...
const char *type_name(Type type) noexcept;

using Value = std::variant<std::int64_t, double, std::string, bool, std::vector<std::int64_t>, std::vector<double>,
                           std::vector<std::string>, std::vector<bool>>;

inline Type type_of(const Value &value) noexcept {
    return static_cast<Type>(value.index());
}

struct Column {
    std::string name;
    Type type = Type::string;
    std::optional<Value> fallback;  // set: the column is optional and an empty cell takes this value
    bool indexed = false;           // find_by on it uses a hash index
    bool unique = false;            // indexed, and two rows with the same value are an error
};

// The declared shape of one table: its name (the file's name without .csv or .json), its id column
// and its columns. Columns of the file that the schema does not declare are ignored (listed in
// Table::ignored_columns()). Declaring a column twice, or a bad id column, throws
// std::invalid_argument.
class Schema {
public:
    explicit Schema(std::string table, std::string id_column = "id");

    // Required columns, and optional ones with their default (the second argument).
    Schema &integer(const std::string &name);
    Schema &integer(const std::string &name, std::int64_t fallback);
    Schema &number(const std::string &name);
    Schema &number(const std::string &name, double fallback);
    Schema &string(const std::string &name);
    Schema &string(const std::string &name, std::string fallback);
    Schema &boolean(const std::string &name);
    Schema &boolean(const std::string &name, bool fallback);
    // Lists: an empty cell is an empty list; with `optional`, the column may also be absent.
    Schema &integers(const std::string &name, bool optional = false);
    Schema &numbers(const std::string &name, bool optional = false);
    Schema &strings(const std::string &name, bool optional = false);
    Schema &booleans(const std::string &name, bool optional = false);
    Schema &column(const std::string &name, Type type, std::optional<Value> fallback = std::nullopt);

    // find_by(name, ...) on this column uses a hash index built at load time (otherwise it scans).
    // Not for list columns. The column must be declared first.
    Schema &index(const std::string &name);
    // An index, and a second row with a value already seen is a load error.
    Schema &unique(const std::string &name);
    // The list item separator in text cells (default ';'). Not '"', '\r' or '\n'.
    Schema &separator(char c);
    // CSV only: the first record holds column descriptions (not read) and the second the names, as
    // in Lord of Pomelo's tables (whose JSON form always has both rows). Default: names first.
    Schema &description_row(bool on = true);

    const std::string &table() const noexcept { return table_; }
    const std::string &id_column() const noexcept { return id_column_; }
    const std::vector<Column> &columns() const noexcept { return columns_; }
    char separator() const noexcept { return separator_; }
    bool has_description_row() const noexcept { return description_row_; }
    // The column's position in columns(), or -1.
    int find(std::string_view name) const noexcept;

    // Throws std::invalid_argument unless the id column is declared, required, and an integer or a
    // string. The loader calls it.
    void check() const;

private:
    Column &declared(const std::string &name);

    std::string table_;
    std::string id_column_;
    std::vector<Column> columns_;
    char separator_ = ';';
    bool description_row_ = false;
};

class Table;
namespace detail {
struct TableShape;
struct TableBuilder;
}  // namespace detail

// One row: its values in the schema's column order.
class Row {
public:
    std::int64_t integer(std::string_view column) const;
    // A number column, or an integer column converted.
    double number(std::string_view column) const;
    const std::string &string(std::string_view column) const;
    bool boolean(std::string_view column) const;
    const std::vector<std::int64_t> &integers(std::string_view column) const;
    const std::vector<double> &numbers(std::string_view column) const;
    const std::vector<std::string> &strings(std::string_view column) const;
    const std::vector<bool> &booleans(std::string_view column) const;
    const Value &value(std::string_view column) const;
    const Value &value(std::size_t index) const { return values_.at(index); }
    const std::vector<Value> &values() const noexcept { return values_; }

    // The id, for an integer or a string id column.
    std::int64_t id() const;
    const std::string &string_id() const;

    // The line of the file where the row starts.
    int line() const noexcept { return line_; }

private:
    friend class Table;
    friend struct detail::TableBuilder;
    Row(const detail::TableShape *shape, std::vector<Value> values, int line)
        : shape_(shape), values_(std::move(values)), line_(line) {}
    const Value &typed(std::string_view column, Type type) const;
    int column_of(std::string_view column) const;

    const detail::TableShape *shape_;  // held on the heap by the Table: stays valid when the Table moves
    std::vector<Value> values_;
    int line_;
};

class Table {
public:
    Table(Table &&) noexcept;
    Table &operator=(Table &&) noexcept;
    ~Table();
    Table(const Table &) = delete;
    Table &operator=(const Table &) = delete;

    const std::string &name() const noexcept;
    const std::string &file() const noexcept;
    const Schema &schema() const noexcept;
    // Columns of the file that the schema does not declare, in file order.
    const std::vector<std::string> &ignored_columns() const noexcept;

    std::size_t size() const noexcept { return rows_.size(); }
    // Every row, in file order.
    const std::vector<Row> &rows() const noexcept { return rows_; }

    // By id: nullptr, or std::out_of_range naming the table and the id. The id's type must match the
    // id column's (std::logic_error otherwise).
    const Row *find(std::int64_t id) const;
    const Row *find(std::string_view id) const;
    const Row &row(std::int64_t id) const;
    const Row &row(std::string_view id) const;

    // Rows whose column equals the value, in file order (Lord of Pomelo's findBy). The value's type
    // must fit the column: an integer for an integer column, a number or integer for a number column,
    // a string for a string column, a bool for a boolean column; otherwise std::logic_error. Indexed
    // columns answer from their index; others scan.
    template <class T>
    std::vector<const Row *> find_by(std::string_view column, const T &value) const {
        return find_by_value(column, to_value(value));
    }
    // The first such row, or nullptr.
    template <class T>
    const Row *find_one(std::string_view column, const T &value) const {
        std::vector<const Row *> all = find_by_value(column, to_value(value));
        return all.empty() ? nullptr : all.front();
    }
    // Rows of an integer or number column >= or <= a value (findBigger, findSmaller).
    std::vector<const Row *> find_at_least(std::string_view column, double value) const;
    std::vector<const Row *> find_at_most(std::string_view column, double value) const;
    // Rows for which the predicate is true, in file order.
    std::vector<const Row *> select(const std::function<bool(const Row &)> &predicate) const;

    // The column's position in the schema; std::out_of_range naming table and column if undeclared.
    std::size_t column_index(std::string_view column) const;

private:
    friend struct detail::TableBuilder;
    Table();

    template <class T>
    static Value to_value(const T &v) {
        if constexpr (std::is_same_v<T, bool>)
            return Value(v);
        else if constexpr (std::is_integral_v<T>)
            return Value(static_cast<std::int64_t>(v));
        else if constexpr (std::is_floating_point_v<T>)
            return Value(static_cast<double>(v));
        else
            return Value(std::string(std::string_view(v)));
    }
    std::vector<const Row *> find_by_value(std::string_view column, const Value &value) const;
    std::vector<const Row *> compare(std::string_view column, double value, bool at_least) const;

    std::unique_ptr<detail::TableShape> shape_;
    std::vector<Row> rows_;
};

// The canonical text of a scalar value, as indexes key it and messages print it.
std::string to_text(const Value &value);

}  // namespace shd::gamedata
