// shaddock/cpp/options.hpp - typed reading of a plugin's options (its "options" object in
// config/plugins.json), with errors that name the option and what was expected.
//
// A plugin declares its options once, as a table (name, type, default, range, one-line description);
// reading checks every key against it before the plugin sees a value, and the same table generates
// the options table of the plugin's README.md (shd::options_markdown):
//
//   static const shd::OptionTable table("the example plugin", {
//       shd::option::integer("heartbeat", 0, 0, 3600, "seconds between heartbeats; 0: none"),
//       shd::option::boolean("useDict", false, "route dictionary"),
//       shd::option::false_or_object("rateLimit", {shd::option::number("rate", 100, 0.001, 1e9, "per second")},
//                                    "token bucket; false: off")});
//   shd::Options opts(host().options_json(), table);  // throws on the first wrong key or value
//   int64_t heartbeat = opts.integer("heartbeat");      // the declared default when absent
//   double rate = opts.is_false("rateLimit") ? 0 : opts.object("rateLimit").number("rate");
//
// Errors: shd::Error(SHD_ERR_INVALID, "option heartbeat: expected an integer from 0 to 3600, got \"3\"");
// a nested key is named with its path ("option rateLimit.rate: ..."). A key the table does not declare
// is an error too ("option hartbeat: unknown option of the example plugin; expected one of: ..."),
// unless the table is declared UnknownOptions::keep (the connector: its options object is also the
// protocol's), in which case the reader lists them in unknown() for the plugin to log. Thrown from
// configure(), the host shows the error with the file and the plugin name.
//
// The untyped readers (get_int(key, fallback, min, max), ..., reject_unknown) remain for options
// read without a table.
#pragma once

#include <shaddock/cpp/host.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shd {

class OptionTable;

// One declared option. Made by the shd::option:: functions below and refined with the chained
// setters (expecting, measured_in, showing_default, one_of, require).
struct Option {
    enum class Type {
        boolean,
        integer,
        number,
        seconds,  // a number of seconds (fractions allowed); milliseconds() reads it in ms
        string,
        strings,          // an array of strings
        object,           // an object with a table of its own
        false_or_object,  // false (off), or an object with a table of its own
        array,            // any array: the plugin reads its items
        map,              // an object of free keys: the plugin reads them
        ignored,          // accepted and not read (e.g. a Pomelo key without meaning here)
    };

    std::string name;
    Type type = Type::boolean;
    std::string description;  // one line, Markdown: the README's "meaning" column
    bool default_bool = false;
    int64_t default_int = 0;
    double default_number = 0;  // number and seconds
    std::string default_string;
    int64_t int_min = INT64_MIN, int_max = INT64_MAX;
    double min = -HUGE_VAL, max = HUGE_VAL;
    std::string expected;              // what errors say is expected, instead of the type's words ("a byte count")
    std::string unit;                  // the README's type column: "integer (bytes)"
    std::string shown_default;         // the README's default column when the default is not a constant
    std::vector<std::string> choices;  // string: the accepted values, if limited
    std::shared_ptr<const OptionTable> fields;  // object and false_or_object
    bool required = false;

    Option expecting(std::string what) && { return set(&Option::expected, std::move(what)); }
    Option measured_in(std::string u) && { return set(&Option::unit, std::move(u)); }
    Option showing_default(std::string text) && { return set(&Option::shown_default, std::move(text)); }
    Option one_of(std::vector<std::string> values) && {
        choices = std::move(values);
        return std::move(*this);
    }
    Option require() && {
        required = true;
        return std::move(*this);
    }

private:
    Option set(std::string Option::*field, std::string value) {
        this->*field = std::move(value);
        return std::move(*this);
    }
};

// What a table does with a key it does not declare.
enum class UnknownOptions {
    reject,  // an error naming the key and the table's owner (the default)
    keep,    // listed by Options::unknown(), for the plugin to warn about or pass on
};

// A plugin's options, declared once. `owner` names it in errors ("the connector", "the serial
// filter"); a nested object's table has none and its keys are "keys" in errors.
class OptionTable {
public:
    OptionTable(std::string owner, std::vector<Option> options, UnknownOptions unknown = UnknownOptions::reject)
        : owner_(std::move(owner)), options_(std::move(options)), unknown_(unknown) {}
    OptionTable(std::initializer_list<Option> options) : options_(options) {}  // a nested object's keys

    const std::string &owner() const { return owner_; }
    const std::vector<Option> &options() const { return options_; }
    UnknownOptions unknown() const { return unknown_; }
    const Option *find(std::string_view name) const {
        for (const Option &o : options_)
            if (o.name == name) return &o;
        return nullptr;
    }
    // "a, b, c": the declared names, in order (ignored keys left out).
    std::string names() const {
        std::string out;
        for (const Option &o : options_)
            if (o.type != Option::Type::ignored) out += (out.empty() ? "" : ", ") + o.name;
        return out;
    }

private:
    std::string owner_;
    std::vector<Option> options_;
    UnknownOptions unknown_ = UnknownOptions::reject;
};

namespace option {

inline Option make(std::string name, Option::Type type, std::string description) {
    Option o;
    o.name = std::move(name);
    o.type = type;
    o.description = std::move(description);
    return o;
}
inline Option boolean(std::string name, bool fallback, std::string description) {
    Option o = make(std::move(name), Option::Type::boolean, std::move(description));
    o.default_bool = fallback;
    return o;
}
inline Option integer(std::string name, int64_t fallback, int64_t min, int64_t max, std::string description) {
    Option o = make(std::move(name), Option::Type::integer, std::move(description));
    o.default_int = fallback;
    o.int_min = min;
    o.int_max = max;
    return o;
}
inline Option number(std::string name, double fallback, double min, double max, std::string description) {
    Option o = make(std::move(name), Option::Type::number, std::move(description));
    o.default_number = fallback;
    o.min = min;
    o.max = max;
    return o;
}
// A duration in seconds, from 0 to max_s; fractions allowed.
inline Option seconds(std::string name, double fallback_s, double max_s, std::string description) {
    Option o = make(std::move(name), Option::Type::seconds, std::move(description));
    o.default_number = fallback_s;
    o.min = 0;
    o.max = max_s;
    return o;
}
inline Option string(std::string name, std::string fallback, std::string description) {
    Option o = make(std::move(name), Option::Type::string, std::move(description));
    o.default_string = std::move(fallback);
    return o;
}
inline Option strings(std::string name, std::string description) {
    return make(std::move(name), Option::Type::strings, std::move(description));
}
inline Option object(std::string name, OptionTable fields, std::string description) {
    Option o = make(std::move(name), Option::Type::object, std::move(description));
    o.fields = std::make_shared<const OptionTable>(std::move(fields));
    return o;
}
inline Option false_or_object(std::string name, OptionTable fields, std::string description) {
    Option o = make(std::move(name), Option::Type::false_or_object, std::move(description));
    o.fields = std::make_shared<const OptionTable>(std::move(fields));
    return o;
}
inline Option array(std::string name, std::string description) {
    return make(std::move(name), Option::Type::array, std::move(description));
}
inline Option map(std::string name, std::string description) {
    return make(std::move(name), Option::Type::map, std::move(description));
}
inline Option ignored(std::string name) {
    return make(std::move(name), Option::Type::ignored, "");
}

// "0.001", "86400", "1e9": a bound or a default as a reader would write it.
inline std::string format_number(double d) {
    if (d == std::floor(d) && std::fabs(d) < 1e7) return std::to_string(static_cast<long long>(d));
    char buf[40];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    std::string s(buf);
    size_t e = s.find('e');
    if (e == std::string::npos) return s;
    std::string exponent = s.substr(e + 1);
    bool negative = !exponent.empty() && exponent[0] == '-';
    if (!exponent.empty() && (exponent[0] == '-' || exponent[0] == '+')) exponent.erase(0, 1);
    exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
    return s.substr(0, e) + "e" + (negative ? "-" : "") + exponent;
}

inline std::string integer_range(int64_t min, int64_t max) {
    if (min == INT64_MIN && max == INT64_MAX) return "";
    if (max == INT64_MAX) return " of at least " + std::to_string(min);
    if (min == INT64_MIN) return " of at most " + std::to_string(max);
    return " from " + std::to_string(min) + " to " + std::to_string(max);
}

inline std::string number_range(double min, double max) {
    bool low = std::isfinite(min), high = std::isfinite(max);
    if (low && high) return " from " + format_number(min) + " to " + format_number(max);
    if (low) return " of at least " + format_number(min);
    if (high) return " of at most " + format_number(max);
    return "";
}

// {"cert", "key", "ca"}
inline std::string shape(const OptionTable &fields) {
    std::string out;
    for (const Option &o : fields.options())
        if (o.type != Option::Type::ignored) out += (out.empty() ? "\"" : ", \"") + o.name + "\"";
    return "{" + out + "}";
}

// "\"direct\" or \"buffer\"", "one of \"a\", \"b\", \"c\""
inline std::string choice_text(const std::vector<std::string> &choices) {
    std::string out;
    for (size_t i = 0; i < choices.size(); ++i) {
        if (i) out += choices.size() == 2 ? " or " : ", ";
        out += "\"" + choices[i] + "\"";
    }
    return choices.size() > 2 ? "one of " + out : out;
}

// What an error says the option expects: "an integer from 1 to 64", "false or an object {...}".
inline std::string expected_text(const Option &o) {
    using T = Option::Type;
    if (o.type == T::string && !o.choices.empty()) return choice_text(o.choices);
    std::string what = o.expected;
    if (what.empty()) {
        switch (o.type) {
            case T::boolean: what = "true or false"; break;
            case T::integer: what = "an integer"; break;
            case T::number: what = "a number"; break;
            case T::seconds: what = "a number of seconds"; break;
            case T::string: what = "a string"; break;
            case T::strings: what = "an array of strings"; break;
            case T::object: what = "an object " + shape(*o.fields); break;
            case T::false_or_object: what = "false or an object " + shape(*o.fields); break;
            case T::array: what = "an array"; break;
            case T::map: what = "an object"; break;
            case T::ignored: what = "anything"; break;
        }
    }
    if (o.type == T::integer) return what + integer_range(o.int_min, o.int_max);
    if (o.type == T::number || o.type == T::seconds) return what + number_range(o.min, o.max);
    return what;
}

}  // namespace option

class Options {
public:
    // Options read without a table: get_bool() and the other untyped readers, reject_unknown().
    explicit Options(std::string_view json) { parse(json); }

    // Options read by their table: every key and value is checked here; throws shd::Error on the first
    // wrong one (unknown keys first). `table` must outlive the reader.
    Options(std::string_view json, const OptionTable &table) : table_(&table) {
        parse(json);
        check();
    }

    // The options held in `object` (a filter's entry in a list, say), named `where` in errors
    // ("option filters[0]" -> "option filters[0].timeout"); nullptr reads as all defaults. The value
    // must outlive the reader.
    Options(const rapidjson::Value *object, const OptionTable &table, std::string where)
        : object_(object), table_(&table), where_(std::move(where)) {
        if (object_ && !object_->IsObject())
            throw Error(SHD_ERR_INVALID, where_ + ": expected an object, got " + shown(*object_));
        check();
    }

    Options(Options &&) = default;

    bool has(const char *key) const { return find(key) != nullptr; }
    const rapidjson::Value *find(const char *key) const {
        const rapidjson::Value *obj = root();
        if (!obj) return nullptr;
        auto it = obj->FindMember(key);
        return it == obj->MemberEnd() ? nullptr : &it->value;
    }

    // --- Reading declared options: the value, or the declared default when absent. Asking for a name
    // the table does not declare with that type is a programming error (SHD_ERR_INTERNAL).
    bool boolean(const char *name) const {
        const Option &o = declared(name, Option::Type::boolean);
        const rapidjson::Value *v = find(name);
        return v ? v->GetBool() : o.default_bool;
    }
    int64_t integer(const char *name) const {
        const Option &o = declared(name, Option::Type::integer);
        const rapidjson::Value *v = find(name);
        return v ? v->GetInt64() : o.default_int;
    }
    // A number, or a duration in seconds.
    double number(const char *name) const {
        const Option &o = declared(name, Option::Type::number, Option::Type::seconds);
        const rapidjson::Value *v = find(name);
        return v ? v->GetDouble() : o.default_number;
    }
    // A duration in seconds, in milliseconds (rounded).
    uint64_t milliseconds(const char *name) const {
        declared(name, Option::Type::seconds);
        return static_cast<uint64_t>(std::llround(number(name) * 1000.0));
    }
    std::string string(const char *name) const {
        const Option &o = declared(name, Option::Type::string);
        const rapidjson::Value *v = find(name);
        return v ? std::string(v->GetString(), v->GetStringLength()) : o.default_string;
    }
    std::vector<std::string> strings(const char *name) const {
        declared(name, Option::Type::strings);
        std::vector<std::string> out;
        if (const rapidjson::Value *v = find(name))
            for (const auto &item : v->GetArray()) out.emplace_back(item.GetString(), item.GetStringLength());
        return out;
    }
    // A false_or_object option set to false.
    bool is_false(const char *name) const {
        declared(name, Option::Type::false_or_object);
        const rapidjson::Value *v = find(name);
        return v && v->IsBool();
    }
    // An object option's own reader: its values, or all its defaults when absent (or false).
    Options object(const char *name) const {
        const Option &o = declared(name, Option::Type::object, Option::Type::false_or_object);
        const rapidjson::Value *v = find(name);
        return Options(v && v->IsObject() ? v : nullptr, *o.fields, name_of(name), Checked{});
    }
    // Keys the table does not declare, when it keeps them (UnknownOptions::keep).
    const std::vector<std::string> &unknown() const { return unknown_; }

    // How errors name a key of this reader: "option port", "option rateLimit.rate".
    std::string name_of(std::string_view key) const {
        return (where_.empty() ? "option " : where_ + ".") + std::string(key);
    }
    // Throws "<name>: expected <expected>, got <value>": for checks of the plugin's own, after the table's.
    [[noreturn]] void fail(const char *key, const std::string &expected, const rapidjson::Value &got) const {
        throw Error(SHD_ERR_INVALID, name_of(key) + ": expected " + expected + ", got " + shown(got));
    }

    // --- Reading without a table.
    bool get_bool(const char *key, bool fallback) const {
        const rapidjson::Value *v = find(key);
        if (!v) return fallback;
        if (!v->IsBool()) fail(key, "true or false", *v);
        return v->GetBool();
    }
    int64_t get_int(const char *key, int64_t fallback, int64_t min = INT64_MIN, int64_t max = INT64_MAX) const {
        const rapidjson::Value *v = find(key);
        if (!v) return fallback;
        if (!v->IsInt64() || v->GetInt64() < min || v->GetInt64() > max)
            fail(key, "an integer" + option::integer_range(min, max), *v);
        return v->GetInt64();
    }
    double get_number(const char *key, double fallback, double min = -1e300, double max = 1e300) const {
        const rapidjson::Value *v = find(key);
        if (!v) return fallback;
        if (!v->IsNumber() || v->GetDouble() < min || v->GetDouble() > max) fail(key, "a number", *v);
        return v->GetDouble();
    }
    std::string get_string(const char *key, std::string fallback) const {
        const rapidjson::Value *v = find(key);
        if (!v) return fallback;
        if (!v->IsString()) fail(key, "a string", *v);
        return std::string(v->GetString(), v->GetStringLength());
    }
    std::vector<std::string> get_strings(const char *key) const {
        std::vector<std::string> out;
        const rapidjson::Value *v = find(key);
        if (!v) return out;
        if (!v->IsArray()) fail(key, "an array of strings", *v);
        for (const auto &item : v->GetArray()) {
            if (!item.IsString()) fail(key, "an array of strings", *v);
            out.emplace_back(item.GetString(), item.GetStringLength());
        }
        return out;
    }
    // Throws for any key not in `known`, so a typo is an error instead of a silent default.
    void reject_unknown(std::initializer_list<const char *> known) const {
        const rapidjson::Value *obj = root();
        if (!obj) return;
        for (const auto &m : obj->GetObject()) {
            std::string key(m.name.GetString(), m.name.GetStringLength());
            if (std::none_of(known.begin(), known.end(), [&](const char *k) { return key == k; })) {
                std::string list;
                for (const char *k : known) list += (list.empty() ? "" : ", ") + std::string(k);
                throw Error(SHD_ERR_INVALID, name_of(key) + ": unknown option; expected one of: " + list);
            }
        }
    }
    // The whole options document (empty for a reader of a value held elsewhere).
    const rapidjson::Document &json() const { return doc_; }

private:
    struct Checked {};  // a nested object, checked with its parent
    Options(const rapidjson::Value *object, const OptionTable &table, std::string where, Checked)
        : object_(object), table_(&table), where_(std::move(where)) {}

    void parse(std::string_view json) {
        doc_.Parse(json.data(), json.size());
        if (doc_.HasParseError() || !doc_.IsObject()) throw Error(SHD_ERR_INVALID, "options: expected a JSON object");
        owns_ = true;
    }
    // The document's root is found again on each use: the reader may have been moved.
    const rapidjson::Value *root() const { return owns_ ? &doc_ : object_; }

    static std::string shown(const rapidjson::Value &v) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        v.Accept(w);
        std::string s(buf.GetString(), buf.GetSize());
        if (s.size() > 60) s = s.substr(0, 57) + "...";
        return s;
    }

    const Option &declared(const char *name, Option::Type type, Option::Type other = Option::Type::ignored) const {
        const Option *o = table_ ? table_->find(name) : nullptr;
        if (!o || (o->type != type && o->type != other))
            throw Error(SHD_ERR_INTERNAL, name_of(name) + ": read as a type the options table does not declare");
        return *o;
    }

    // Unknown keys first (a typo explains the rest), then each declared option in table order.
    void check() {
        const rapidjson::Value *obj = root();
        if (obj) {
            for (const auto &m : obj->GetObject()) {
                std::string key(m.name.GetString(), m.name.GetStringLength());
                if (table_->find(key)) continue;
                if (table_->unknown() == UnknownOptions::keep) {
                    unknown_.push_back(std::move(key));
                    continue;
                }
                std::string names = table_->names();
                throw Error(SHD_ERR_INVALID,
                            name_of(key) + ": unknown " +
                                (table_->owner().empty() ? std::string("key") : "option of " + table_->owner()) +
                                (names.empty() ? "; it takes none" : "; expected one of: " + names));
            }
        }
        for (const Option &o : table_->options()) {
            const rapidjson::Value *v = find(o.name.c_str());
            if (v)
                check_value(o, *v);
            else if (o.required)
                throw Error(SHD_ERR_INVALID,
                            name_of(o.name) + ": expected " + option::expected_text(o) + ", but it is missing");
        }
    }

    void check_value(const Option &o, const rapidjson::Value &v) const {
        using T = Option::Type;
        const char *key = o.name.c_str();
        bool ok = true;
        switch (o.type) {
            case T::boolean: ok = v.IsBool(); break;
            case T::integer: ok = v.IsInt64() && v.GetInt64() >= o.int_min && v.GetInt64() <= o.int_max; break;
            case T::number:
            case T::seconds: ok = v.IsNumber() && v.GetDouble() >= o.min && v.GetDouble() <= o.max; break;
            case T::string:
                ok = v.IsString() &&
                     (o.choices.empty() ||
                      std::find(o.choices.begin(), o.choices.end(),
                                std::string_view(v.GetString(), v.GetStringLength())) != o.choices.end());
                break;
            case T::strings:
                ok = v.IsArray() &&
                     std::all_of(v.Begin(), v.End(), [](const rapidjson::Value &i) { return i.IsString(); });
                break;
            case T::false_or_object:
                if (v.IsBool() && !v.GetBool()) return;
                [[fallthrough]];
            case T::object:
                if (!v.IsObject()) break;
                Options(&v, *o.fields, name_of(key));  // checks the nested keys, named "option <key>.<nested>"
                return;
            case T::array: ok = v.IsArray(); break;
            case T::map: ok = v.IsObject(); break;
            case T::ignored: return;
        }
        if (o.type == T::object || o.type == T::false_or_object) ok = false;
        if (!ok) fail(key, option::expected_text(o), v);
    }

    rapidjson::Document doc_;
    bool owns_ = false;
    const rapidjson::Value *object_ = nullptr;
    const OptionTable *table_ = nullptr;
    std::string where_;  // "" for the top level: keys are named "option <key>"
    std::vector<std::string> unknown_;
};

// The table as the "Options" table of a plugin's README.md (Markdown): one row per option, a nested
// object's keys as rows of their own ("rateLimit.rate"). The plugins' README tables are generated by
// it, and a test fails when a README differs from its plugin's declaration.
inline std::string options_markdown(const OptionTable &table) {
    using T = Option::Type;
    auto code = [](const std::string &s) { return "`" + s + "`"; };
    auto quoted = [](const std::string &s) { return "\"" + s + "\""; };
    // The default as JSON (without backticks), or "" when it is not a constant.
    auto json_default = [&](const Option &o, auto &self) -> std::string {
        if (o.required || !o.shown_default.empty()) return "";
        switch (o.type) {
            case T::boolean: return o.default_bool ? "true" : "false";
            case T::integer: return std::to_string(o.default_int);
            case T::number:
            case T::seconds: return option::format_number(o.default_number);
            case T::string: return quoted(o.default_string);
            case T::strings:
            case T::array: return "[]";
            case T::object:
            case T::false_or_object: {
                std::string out;
                for (const Option &f : o.fields->options()) {
                    if (f.type == T::ignored) continue;
                    std::string d = self(f, self);
                    if (d.empty()) return "";
                    out += (out.empty() ? "" : ", ") + quoted(f.name) + ": " + d;
                }
                return "{" + out + "}";
            }
            case T::map:
            case T::ignored: return "";
        }
        return "";
    };
    auto type_text = [&](const Option &o) {
        std::string range;
        if (o.type == T::integer) {
            if (o.int_min != INT64_MIN && o.int_max != INT64_MAX)
                range = std::to_string(o.int_min) + "-" + std::to_string(o.int_max);
            else if (o.int_min != INT64_MIN)
                range = ">= " + std::to_string(o.int_min);
            else if (o.int_max != INT64_MAX)
                range = "<= " + std::to_string(o.int_max);
        } else if (o.type == T::number || o.type == T::seconds) {
            bool low = std::isfinite(o.min), high = std::isfinite(o.max);
            if (low && high)
                range = option::format_number(o.min) + "-" + option::format_number(o.max);
            else if (low)
                range = ">= " + option::format_number(o.min);
            else if (high)
                range = "<= " + option::format_number(o.max);
        }
        std::string unit = o.unit.empty() && o.type == T::seconds ? "s" : o.unit;
        std::string base;
        switch (o.type) {
            case T::boolean: base = "boolean"; break;
            case T::integer: base = "integer"; break;
            case T::number:
            case T::seconds: base = "number"; break;
            case T::string: base = "string"; break;
            case T::strings: base = "array of strings"; break;
            case T::object: base = "object"; break;
            case T::false_or_object: base = "`false` or object"; break;
            case T::array: base = "array"; break;
            case T::map: base = "object"; break;
            case T::ignored: base = "any"; break;
        }
        if (!unit.empty()) base += " (" + unit + ")";
        if (!range.empty()) base += ", " + range;
        if (!o.choices.empty()) {
            std::string list;
            for (size_t i = 0; i < o.choices.size(); ++i)
                list += (i ? (i + 1 == o.choices.size() ? " or " : ", ") : "") + code(quoted(o.choices[i]));
            base += ": " + list;
        }
        return base;
    };
    auto cell = [](std::string s) {
        for (size_t at = s.find('|'); at != std::string::npos; at = s.find('|', at + 2)) s.insert(at, "\\");
        return s;
    };
    std::string out = "| option | type | default | meaning |\n|---|---|---|---|\n";
    auto rows = [&](const OptionTable &t, const std::string &prefix, auto &self) -> void {
        for (const Option &o : t.options()) {
            if (o.type == T::ignored) continue;
            std::string d = o.required ? "required" : o.shown_default;
            if (d.empty()) {
                std::string j = json_default(o, json_default);
                d = j.empty() ? "none" : code(j);
            }
            out += "| " + code(prefix + o.name) + " | " + cell(type_text(o)) + " | " + cell(d) + " | " +
                   cell(o.description) + " |\n";
            if (o.fields) self(*o.fields, prefix + o.name + ".", self);
        }
    };
    rows(table, "", rows);
    return out;
}

}  // namespace shd
