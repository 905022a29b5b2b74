#include "cell.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace shd::gamedata::detail {

namespace {

std::string in_quotes(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

Type element_of(Type list) {
    return static_cast<Type>(static_cast<int>(list) - static_cast<int>(Type::integer_list));
}
bool is_list(Type t) {
    return t >= Type::integer_list;
}

const char *expected(Type t) {
    switch (t) {
        case Type::integer: return "an integer";
        case Type::number: return "a number";
        case Type::boolean: return "a boolean (true, false, 1 or 0)";
        default: return "a string";
    }
}

// The start of a bad cell's message, built only when there is one: `column "hp": ` or
// `column "drops": item 2: `.
struct Prefix {
    const std::string &column;
    std::size_t item = 0;  // 0: not a list item
    std::string text() const {
        return "column " + in_quotes(column) + ": " + (item ? "item " + std::to_string(item) + ": " : std::string());
    }
};
std::string operator+(const Prefix &p, const std::string &rest) {
    return p.text() + rest;
}

// What a scalar column makes of trimmed, non-empty text; `what` prefixes the message.
Value scalar(Type type, std::string_view raw, const Prefix &what, const Place &place) {
    if (type == Type::string) return Value(std::string(raw));
    const std::string_view t = trim(raw);
    // std::from_chars takes a leading '-' but not '+'; a '+' is allowed once, before the digits.
    std::string_view digits = t;
    const bool plus = !digits.empty() && digits.front() == '+';
    if (plus) digits.remove_prefix(1);
    const bool signs_ok = !digits.empty() && !(plus && digits.front() == '-');
    if (type == Type::integer) {
        std::int64_t v = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (!signs_ok || end != digits.data() + digits.size()) place.fail(what + in_quotes(raw) + " is not an integer");
        if (ec == std::errc::result_out_of_range) place.fail(what + in_quotes(raw) + " is out of the integer range");
        if (ec != std::errc()) place.fail(what + in_quotes(raw) + " is not an integer");
        return Value(v);
    }
    if (type == Type::number) {
        // Decimal numbers only: std::from_chars would also take "inf" and "nan".
        bool ok = signs_ok;
        for (char c : digits)
            if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) ok = false;
        double v = 0;
        if (ok) {
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
            ok = end == digits.data() + digits.size() && (ec == std::errc() || ec == std::errc::result_out_of_range);
            if (ok && (ec == std::errc::result_out_of_range || !std::isfinite(v)))
                place.fail(what + in_quotes(raw) + " is out of the number range");
        }
        if (!ok) place.fail(what + in_quotes(raw) + " is not a number");
        return Value(v);
    }
    // boolean
    auto equals = [&](std::string_view word) {
        if (t.size() != word.size()) return false;
        for (std::size_t i = 0; i < t.size(); ++i)
            if ((t[i] | 0x20) != word[i]) return false;
        return true;
    };
    if (t == "1" || equals("true")) return Value(true);
    if (t == "0" || equals("false")) return Value(false);
    place.fail(what + in_quotes(raw) + " is not a boolean (true, false, 1 or 0)");
}

template <class T>
void push(Value &list, Value item) {
    std::get<std::vector<T>>(list).push_back(std::get<T>(std::move(item)));
}

void push_any(Value &list, Value item) {
    switch (type_of(item)) {
        case Type::integer: push<std::int64_t>(list, std::move(item)); break;
        case Type::number: push<double>(list, std::move(item)); break;
        case Type::string: push<std::string>(list, std::move(item)); break;
        case Type::boolean: push<bool>(list, std::move(item)); break;
        default: break;
    }
}

}  // namespace

Value empty_list(Type type) {
    switch (type) {
        case Type::integer_list: return Value(std::vector<std::int64_t>{});
        case Type::number_list: return Value(std::vector<double>{});
        case Type::string_list: return Value(std::vector<std::string>{});
        default: return Value(std::vector<bool>{});
    }
}

Value cell_from_text(const Column &column, std::string_view text, char separator, const Place &place,
                     const Limits &limits) {
    const Prefix what{column.name};
    if (is_list(column.type)) {
        Value list = empty_list(column.type);
        if (trim(text).empty()) return list;
        const Type element = element_of(column.type);
        std::size_t item = 0;
        for (std::size_t start = 0;;) {
            const std::size_t end = std::min(text.find(separator, start), text.size());
            const std::string_view piece = text.substr(start, end - start);
            ++item;
            if (item > limits.max_list_items)
                place.fail(what + "more than " + std::to_string(limits.max_list_items) + " items (the limit)");
            const Prefix at{column.name, item};
            if (element != Type::string && trim(piece).empty()) place.fail(at + "empty, expected " + expected(element));
            push_any(list, scalar(element, piece, at, place));
            if (end == text.size()) break;
            start = end + 1;
        }
        return list;
    }
    if (column.type == Type::string) {
        if (text.empty() && column.fallback) return *column.fallback;
        return Value(std::string(text));
    }
    if (trim(text).empty()) {
        if (column.fallback) return *column.fallback;
        place.fail(what + "empty cell, expected " + expected(column.type));
    }
    return scalar(column.type, text, what, place);
}

Value cell_from_scalar(const Column &column, Scalar kind, std::string_view text, char separator, const Place &place,
                       const Limits &limits) {
    const Prefix what{column.name};
    if (kind == Scalar::boolean && column.type != Type::boolean)
        place.fail(what + "expected " + (is_list(column.type) ? std::string("a list") : expected(column.type)) +
                   ", found " + std::string(text));
    return cell_from_text(column, text, separator, place, limits);
}

void append_item(Value &list, const Column &column, Scalar kind, std::string_view text, std::size_t item,
                 const Place &place) {
    const Type element = element_of(column.type);
    const Prefix at{column.name, item};
    if (kind == Scalar::boolean && element != Type::boolean)
        place.fail(at + "expected " + expected(element) + ", found " + std::string(text));
    if (kind == Scalar::null || (element != Type::string && trim(text).empty()))
        place.fail(at + "empty, expected " + expected(element));
    push_any(list, scalar(element, text, at, place));
}

}  // namespace shd::gamedata::detail
