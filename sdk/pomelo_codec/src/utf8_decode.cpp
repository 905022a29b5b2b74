#include <shaddock/pomelo/utf8_decode.hpp>

namespace shd::pomelo {

namespace {

// Appends the UTF-16 code units of cp to out.
void append_utf16(std::u16string &out, char32_t cp) {
    if (cp < 0x10000) {
        out.push_back(static_cast<char16_t>(cp));
    } else {
        cp -= 0x10000;
        out.push_back(static_cast<char16_t>(0xD800 | (cp >> 10)));
        out.push_back(static_cast<char16_t>(0xDC00 | (cp & 0x3FF)));
    }
}

}  // namespace

char32_t decode_utf8(std::string_view in, size_t &pos) {
    const uint8_t lead = static_cast<uint8_t>(in[pos++]);
    if (lead < 0x80) return lead;

    size_t needed;
    char32_t cp;
    uint8_t lower = 0x80;  // bounds of the first continuation byte (WHATWG "UTF-8 decoder")
    uint8_t upper = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        needed = 1;
        cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        if (lead == 0xE0) lower = 0xA0;
        if (lead == 0xED) upper = 0x9F;
        needed = 2;
        cp = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        if (lead == 0xF0) lower = 0x90;
        if (lead == 0xF4) upper = 0x8F;
        needed = 3;
        cp = lead & 0x07;
    } else {
        return kReplacementCharacter;
    }

    for (size_t i = 0; i < needed; ++i) {
        if (pos >= in.size()) return kReplacementCharacter;
        const uint8_t b = static_cast<uint8_t>(in[pos]);
        if (b < lower || b > upper) return kReplacementCharacter;  // b is not consumed
        lower = 0x80;
        upper = 0xBF;
        cp = (cp << 6) | (b & 0x3F);
        ++pos;
    }
    return cp;
}

bool is_valid_utf8(std::string_view in) {
    size_t pos = 0;
    while (pos < in.size()) {
        if (static_cast<uint8_t>(in[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const size_t start = pos;
        // Bad input decodes to U+FFFD too; only the three bytes EF BF BD are a genuine one.
        if (decode_utf8(in, pos) == kReplacementCharacter && in.substr(start, 3) != "\xEF\xBF\xBD") return false;
    }
    return true;
}

void append_utf8(std::string &out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::u16string utf8_to_utf16(std::string_view in) {
    std::u16string out;
    out.reserve(in.size());
    size_t pos = 0;
    while (pos < in.size()) append_utf16(out, decode_utf8(in, pos));
    return out;
}

int compare_as_utf16(std::string_view a, std::string_view b) {
    // Walks both strings one UTF-16 code unit at a time without building them.
    struct Units {
        std::string_view bytes;
        size_t pos = 0;
        char16_t unit[2] = {};
        int count = 0;
        int next = 0;
        bool fetch(char16_t &out) {
            if (next == count) {
                if (pos >= bytes.size()) return false;
                const char32_t cp = decode_utf8(bytes, pos);
                if (cp < 0x10000) {
                    unit[0] = static_cast<char16_t>(cp);
                    count = 1;
                } else {
                    unit[0] = static_cast<char16_t>(0xD800 | ((cp - 0x10000) >> 10));
                    unit[1] = static_cast<char16_t>(0xDC00 | (cp & 0x3FF));
                    count = 2;
                }
                next = 0;
            }
            out = unit[next++];
            return true;
        }
    };
    Units ua{a}, ub{b};
    for (;;) {
        char16_t ca = 0, cb = 0;
        const bool has_a = ua.fetch(ca);
        const bool has_b = ub.fetch(cb);
        if (!has_a || !has_b) return has_a == has_b ? 0 : (has_a ? 1 : -1);
        if (ca != cb) return ca < cb ? -1 : 1;
    }
}

}  // namespace shd::pomelo
