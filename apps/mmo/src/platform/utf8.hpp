// Strict UTF-8: what the platform accepts of client text before it stores it or passes it on.
// Overlong forms, surrogates and code points over U+10FFFF are refused: a lenient decoder reads the
// overlong C0 BC as "<", past any filtering of the decoded text.
#pragma once
#include <cstdint>
#include <string_view>

namespace mmo {

inline bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1fu, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0fu, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07u, min = 0x10000;
        } else {
            return false;  // a continuation byte first, or 0xf8..0xff
        }
        if (s.size() - i <= n) return false;
        for (size_t k = 1; k <= n; ++k) {
            unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n + 1;
    }
    return true;
}

}  // namespace mmo
