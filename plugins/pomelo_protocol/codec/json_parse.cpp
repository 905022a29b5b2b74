#include "json_parse.hpp"

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace shd::pomelo {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// RapidJSON 1.1's full-precision number parsing indexes outside its table of cached powers of ten
// for long literals far outside the range of double (found by fuzz_handshake: a hostile body could
// crash the server). Such literals never reach it: below the range they become 0 (as in JSON.parse),
// above it the text is refused.
struct TinyNumber {
    size_t begin;
    size_t end;
    bool negative;
};

enum class Magnitude { normal, tiny, huge };

// Reads the number literal starting at text[i] ('-' or a digit) and returns the index after it.
// `tiny`: the value is below 10^-324, so it rounds to zero (the smallest double is 4.9e-324) and
// replacing the literal by 0 changes nothing. `huge`: 10^309 or more, beyond every double (JSON.parse
// makes it Infinity, which JSON cannot carry); RapidJSON's full-precision path reads outside its
// tables for both.
size_t scan_number(std::string_view text, size_t i, Magnitude &magnitude) {
    magnitude = Magnitude::normal;
    const size_t n = text.size();
    const size_t start = i;
    if (i < n && text[i] == '-') ++i;
    long lead = 0;         // decimal exponent of the first non-zero digit, once seen
    bool nonzero = false;  // a non-zero digit was seen
    long int_digits = 0;
    while (i < n && is_digit(text[i])) {
        if (!nonzero && text[i] != '0') nonzero = true, lead = -1;
        if (nonzero) ++lead;
        ++int_digits;
        ++i;
    }
    if (int_digits == 0) return i;
    if (i < n && text[i] == '.') {
        ++i;
        long position = 0;
        while (i < n && is_digit(text[i])) {
            --position;
            if (!nonzero && text[i] != '0') nonzero = true, lead = position;
            ++i;
        }
    }
    long exponent = 0;
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool minus = false;
        if (i < n && (text[i] == '+' || text[i] == '-')) minus = text[i++] == '-';
        while (i < n && is_digit(text[i])) {
            if (exponent < 1000000) exponent = exponent * 10 + (text[i] - '0');
            ++i;
        }
        if (minus) exponent = -exponent;
    }
    if (nonzero && lead + exponent <= -325) magnitude = Magnitude::tiny;
    // A zero written with hundreds of fraction digits ("0.000...0", found by fuzz_master_link) sends
    // RapidJSON's full-precision path outside its tables too; it is 0 whatever its length.
    if (!nonzero && i - start > 64) magnitude = Magnitude::tiny;
    if (nonzero && lead + exponent >= 309) magnitude = Magnitude::huge;
    return i;
}

// One pass over the raw text (strings skipped): nesting depth against max_depth, and the number
// literals RapidJSON cannot take (collected into `tiny` when given).
enum class Scan { ok, too_deep, huge_number };

Scan scan_json(std::string_view text, size_t max_depth, std::vector<TinyNumber> *tiny) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            ++i;
            continue;
        }
        if (tiny && (c == '-' || is_digit(c))) {
            Magnitude magnitude;
            const size_t end = scan_number(text, i, magnitude);
            if (magnitude == Magnitude::huge) return Scan::huge_number;
            if (magnitude == Magnitude::tiny) tiny->push_back({i, end, c == '-'});
            i = end > i ? end : i + 1;
            continue;
        }
        switch (c) {
            case '"': in_string = true; break;
            case '[':
            case '{':
                if (++depth > max_depth) return Scan::too_deep;
                break;
            case ']':
            case '}':
                if (depth > 0) --depth;
                break;
            default: break;
        }
        ++i;
    }
    return Scan::ok;
}

}  // namespace

bool json_depth_within(std::string_view text, size_t max_depth) {
    return scan_json(text, max_depth, nullptr) != Scan::too_deep;
}

bool parse_json(std::string_view text, rapidjson::Document &doc, size_t max_depth) {
    std::vector<TinyNumber> tiny;
    if (scan_json(text, max_depth, &tiny) != Scan::ok) return false;
    constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;
    if (tiny.empty()) {
        doc.Parse<kFlags>(text.data(), text.size());
    } else {
        std::string safe;
        safe.reserve(text.size());
        size_t from = 0;
        for (const auto &t : tiny) {
            safe.append(text.substr(from, t.begin - from));
            safe.append(t.negative ? "-0.0" : "0");  // "-0" would read as the integer 0
            from = t.end;
        }
        safe.append(text.substr(from));
        doc.Parse<kFlags>(safe.data(), safe.size());
    }
    return !doc.HasParseError();
}

}  // namespace shd::pomelo
