#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/document.h>
#include <rapidjson/reader.h>

#include <cerrno>
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
        // The reader ends the text it hands over with a NUL; copy anyway rather than rely on it.
        const std::string text(str, length);
        errno = 0;
        const double v = strtod_l(text.c_str(), nullptr, c_locale());
        if (std::isinf(v)) {  // ERANGE with a finite result is an underflow: 0 or a subnormal, kept
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

}  // namespace

bool json_depth_within(std::string_view text, size_t max_depth) {
    return depth_within(text, max_depth);
}

bool parse_json(std::string_view text, rapidjson::Document &doc, size_t max_depth) {
    if (!depth_within(text, max_depth)) return false;
    constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
    bool ok = false;
    auto generate = [&](rapidjson::Document &target) {
        rapidjson::MemoryStream bytes(text.data(), text.size());
        rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
        NumberConverter handler{target};
        rapidjson::Reader reader;
        ok = !reader.Parse<kFlags>(in, handler).IsError();
        return ok;
    };
    doc.Populate(generate);
    return ok;
}

}  // namespace shd::pomelo
