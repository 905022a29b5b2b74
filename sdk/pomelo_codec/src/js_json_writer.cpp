#include <shaddock/pomelo/js_json_writer.hpp>

#include <shaddock/pomelo/utf8_decode.hpp>

#include "js_object_order.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace shd::pomelo {

namespace {

constexpr int64_t kMaxSafeInteger = int64_t{1} << 53;

bool needs_escape(uint8_t c) {
    return c < 0x20 || c == '"' || c == '\\';
}

void append_escape(std::string &out, uint8_t c) {
    static const char kHex[] = "0123456789abcdef";
    switch (c) {
        case '"': out += "\\\""; return;
        case '\\': out += "\\\\"; return;
        case '\b': out += "\\b"; return;
        case '\f': out += "\\f"; return;
        case '\n': out += "\\n"; return;
        case '\r': out += "\\r"; return;
        case '\t': out += "\\t"; return;
        default:
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
    }
}

template <class Int>
void append_integer(std::string &out, Int v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

bool append_value(std::string &out, const rapidjson::Value &v, unsigned depth_left) {
    switch (v.GetType()) {
        case rapidjson::kNullType: out += "null"; return true;
        case rapidjson::kFalseType: out += "false"; return true;
        case rapidjson::kTrueType: out += "true"; return true;
        case rapidjson::kStringType: append_js_string(out, json_string_view(v)); return true;
        case rapidjson::kNumberType:
            if (v.IsInt64() && v.GetInt64() >= -kMaxSafeInteger && v.GetInt64() <= kMaxSafeInteger) {
                append_integer(out, v.GetInt64());
            } else if (v.IsUint64() && v.GetUint64() <= static_cast<uint64_t>(kMaxSafeInteger)) {
                append_integer(out, v.GetUint64());
            } else {
                append_js_number(out, v.GetDouble());
            }
            return true;
        case rapidjson::kArrayType: {
            if (depth_left == 0) return false;
            out.push_back('[');
            bool first = true;
            for (const auto &item : v.GetArray()) {
                if (!first) out.push_back(',');
                first = false;
                if (!append_value(out, item, depth_left - 1)) return false;
            }
            out.push_back(']');
            return true;
        }
        case rapidjson::kObjectType: {
            if (depth_left == 0) return false;
            out.push_back('{');
            bool first = true;
            const bool ok = for_each_js_member(v, [&](std::string_view key, const rapidjson::Value &member) {
                if (!first) out.push_back(',');
                first = false;
                append_js_string(out, key);
                out.push_back(':');
                return append_value(out, member, depth_left - 1);
            });
            if (!ok) return false;
            out.push_back('}');
            return true;
        }
    }
    return false;
}

}  // namespace

void append_js_string(std::string &out, std::string_view utf8) {
    out.push_back('"');
    size_t pos = 0;
    while (pos < utf8.size()) {
        // Copy the longest run that needs no attention in one go.
        size_t run = pos;
        while (run < utf8.size()) {
            const uint8_t c = static_cast<uint8_t>(utf8[run]);
            if (c >= 0x80 || needs_escape(c)) break;
            ++run;
        }
        out.append(utf8.data() + pos, run - pos);
        pos = run;
        if (pos == utf8.size()) break;
        const uint8_t c = static_cast<uint8_t>(utf8[pos]);
        if (c < 0x80) {
            append_escape(out, c);
            ++pos;
            continue;
        }
        const size_t start = pos;
        const char32_t cp = decode_utf8(utf8, pos);
        if (cp == kReplacementCharacter) {
            out += "\xEF\xBF\xBD";
        } else {
            out.append(utf8.data() + start, pos - start);
        }
    }
    out.push_back('"');
}

void append_js_number(std::string &out, double value) {
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    if (value == 0) {
        out.push_back('0');
        return;
    }
    // Shortest round-trip digits in scientific form "[-]d[.ddd]e[+-]x", then the layout rules of
    // ECMA-262 Number::toString: k digits, decimal exponent n (value = 0.digits * 10^n).
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    const char *p = buf;
    if (*p == '-') {
        out.push_back('-');
        ++p;
    }
    char digits[24];
    int k = 0;
    while (p < r.ptr && *p != 'e') {
        if (*p != '.') digits[k++] = *p;
        ++p;
    }
    int exponent = 0;
    const char *e = p + 1;
    if (e < r.ptr && *e == '+') ++e;  // from_chars takes '-' but not '+'
    std::from_chars(e, r.ptr, exponent);
    const int n = exponent + 1;
    if (k <= n && n <= 21) {
        out.append(digits, static_cast<size_t>(k));
        out.append(static_cast<size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, static_cast<size_t>(n));
        out.push_back('.');
        out.append(digits + n, static_cast<size_t>(k - n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<size_t>(-n), '0');
        out.append(digits, static_cast<size_t>(k));
    } else {
        out.push_back(digits[0]);
        if (k > 1) {
            out.push_back('.');
            out.append(digits + 1, static_cast<size_t>(k - 1));
        }
        out.push_back('e');
        out.push_back(n - 1 >= 0 ? '+' : '-');
        append_integer(out, std::abs(n - 1));
    }
}

bool append_js_json(std::string &out, const rapidjson::Value &value, unsigned max_depth) {
    return append_value(out, value, max_depth);
}

}  // namespace shd::pomelo
