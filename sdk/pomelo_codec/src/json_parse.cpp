#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/document.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace shd::pomelo {

namespace {

// True if no array/object nests deeper than max_depth (strings skipped).
bool depth_within(std::string_view text, size_t max_depth) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        switch (c) {
            case '"': in_string = true; break;
            case '[':
            case '{':
                if (++depth > max_depth) return false;
                break;
            case ']':
            case '}':
                if (depth > 0) --depth;
                break;
            default: break;
        }
    }
    return true;
}

// The "C" locale, so a decimal point is '.' whatever locale an app sets.
locale_t c_locale() {
    static const locale_t c = newlocale(LC_NUMERIC_MASK, "C", static_cast<locale_t>(nullptr));
    return c;
}

// RapidJSON 1.1 turns number text into doubles with tables that hostile literals read outside of
// (fuzz_handshake and fuzz_master_link each found one: long literals far outside double's range, a
// zero with hundreds of digits). So RapidJSON hands over every number as its text and this handler
// converts it with the C library, correctly rounded as JSON.parse does, then passes the value on to
// the document with the types RapidJSON itself would give it.
// A literal beyond every double (its strtod is infinite): parse_json refuses the text.
bool beyond_double(const char *str, rapidjson::SizeType length, double *value) {
    // The reader ends the text it hands over with a NUL; copy anyway rather than rely on it.
    const std::string text(str, length);
    const double v = strtod_l(text.c_str(), nullptr, c_locale());
    if (value) *value = v;
    return std::isinf(v);  // ERANGE with a finite result is an underflow: 0 or a subnormal, kept
}

struct NumberConverter {
    rapidjson::Document &doc;
    bool huge = false;  // a literal beyond every double: the text is refused

    bool RawNumber(const char *str, rapidjson::SizeType length, bool) {
        const char *end = str + length;
        const bool integral = std::string_view(str, length).find_first_of(".eE") == std::string_view::npos;
        if (integral) {
            if (*str == '-') {
                int64_t v = 0;
                auto r = std::from_chars(str, end, v);
                if (r.ec == std::errc() && r.ptr == end)
                    return v >= std::numeric_limits<int32_t>::min() ? doc.Int(static_cast<int>(v)) : doc.Int64(v);
            } else {
                uint64_t v = 0;
                auto r = std::from_chars(str, end, v);
                if (r.ec == std::errc() && r.ptr == end)
                    return v <= std::numeric_limits<uint32_t>::max() ? doc.Uint(static_cast<unsigned>(v)) : doc.Uint64(v);
            }
            // Beyond 64 bits: a double, as in RapidJSON.
        }
        double v = 0;
        if (beyond_double(str, length, &v)) {
            huge = true;
            return false;
        }
        return doc.Double(v);
    }

    bool Null() { return doc.Null(); }
    bool Bool(bool b) { return doc.Bool(b); }
    bool Int(int i) { return doc.Int(i); }
    bool Uint(unsigned u) { return doc.Uint(u); }
    bool Int64(int64_t i) { return doc.Int64(i); }
    bool Uint64(uint64_t u) { return doc.Uint64(u); }
    bool Double(double d) { return doc.Double(d); }
    bool String(const char *s, rapidjson::SizeType n, bool copy) { return doc.String(s, n, copy); }
    bool StartObject() { return doc.StartObject(); }
    bool Key(const char *s, rapidjson::SizeType n, bool copy) { return doc.Key(s, n, copy); }
    bool EndObject(rapidjson::SizeType n) { return doc.EndObject(n); }
    bool StartArray() { return doc.StartArray(); }
    bool EndArray(rapidjson::SizeType n) { return doc.EndArray(n); }
};

// Accepts every event and keeps nothing; only numbers are looked at, for their range. Integer
// literals always convert (to an integer type or, beyond 64 bits, to a finite double), so only
// literals with a fraction or exponent, or more than 19 digits, need strtod.
struct Validator : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Validator> {
    bool Default() { return true; }
    bool RawNumber(const char *str, rapidjson::SizeType length, bool) {
        const std::string_view text(str, length);
        if (text.find_first_of(".eE") == std::string_view::npos && length <= 20) return true;
        return !beyond_double(str, length, nullptr);
    }
};

template <typename Handler>
bool read_json(std::string_view text, Handler &handler) {
    constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
    rapidjson::MemoryStream bytes(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
    // The reader's stack (the strings it copies, the nesting) grows with the text. Texts up to
    // 64 KiB share one reader per thread, so their stack is allocated once, not per text; a larger
    // text gets a reader of its own, freed after it.
    constexpr size_t kSharedReaderLimit = 64 * 1024;
    if (text.size() > kSharedReaderLimit) {
        rapidjson::Reader reader;
        return !reader.Parse<kFlags>(in, handler).IsError();
    }
    thread_local rapidjson::Reader reader;
    return !reader.Parse<kFlags>(in, handler).IsError();
}

}  // namespace

bool json_depth_within(std::string_view text, size_t max_depth) {
    return depth_within(text, max_depth);
}

bool parse_json(std::string_view text, rapidjson::Document &doc, size_t max_depth) {
    if (!depth_within(text, max_depth)) return false;
    bool ok = false;
    auto generate = [&](rapidjson::Document &target) {
        NumberConverter handler{target};
        ok = read_json(text, handler);
        return ok;
    };
    doc.Populate(generate);
    return ok;
}

bool json_valid(std::string_view text, size_t max_depth) {
    if (!depth_within(text, max_depth)) return false;
    Validator handler;
    return read_json(text, handler);
}

}  // namespace shd::pomelo
