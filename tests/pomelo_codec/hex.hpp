// Test helpers: bytes <-> hex text, as the interop vector files carry them.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace shd::pomelo::test {

inline std::string from_hex(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw std::invalid_argument("bad hex digit");
    };
    std::string out;  // the digits, spaces dropped ("04 00 00 00" reads as "04000000")
    for (char c : hex)
        if (c != ' ') out.push_back(c);
    std::string bytes;
    if (out.size() % 2) throw std::invalid_argument("odd hex length");
    for (size_t i = 0; i < out.size(); i += 2)
        bytes.push_back(static_cast<char>(nibble(out[i]) * 16 + nibble(out[i + 1])));
    return bytes;
}

inline std::string to_hex(std::string_view bytes) {
    static const char kDigits[] = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        out.push_back(kDigits[static_cast<unsigned char>(c) >> 4]);
        out.push_back(kDigits[static_cast<unsigned char>(c) & 0xF]);
    }
    return out;
}

}  // namespace shd::pomelo::test
