#include "route_crc32.hpp"

#include "utf8_decode.hpp"

#include <array>

namespace shd::pomelo {

namespace {

constexpr std::array<uint32_t, 256> make_table() {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();

uint32_t add_byte(uint32_t crc, uint8_t b) {
    return kTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
}

}  // namespace

uint32_t route_crc32(std::string_view utf8) {
    uint32_t crc = 0xFFFFFFFFu;
    size_t pos = 0;
    while (pos < utf8.size()) {
        const uint8_t b = static_cast<uint8_t>(utf8[pos]);
        if (b < 0x80) {
            crc = add_byte(crc, b);
            ++pos;
            continue;
        }
        const char32_t cp = decode_utf8(utf8, pos);
        if (cp < 0x10000) {
            crc = add_byte(crc, static_cast<uint8_t>(cp));
        } else {  // a surrogate pair
            const char32_t v = cp - 0x10000;
            crc = add_byte(crc, static_cast<uint8_t>(0xD800 | (v >> 10)));
            crc = add_byte(crc, static_cast<uint8_t>(0xDC00 | (v & 0x3FF)));
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

size_t route_index(std::string_view utf8, size_t server_count) {
    if (server_count == 0) return 0;
    const int64_t signed_crc = static_cast<int32_t>(route_crc32(utf8));
    const uint64_t magnitude = static_cast<uint64_t>(signed_crc < 0 ? -signed_crc : signed_crc);
    return static_cast<size_t>(magnitude % server_count);
}

}  // namespace shd::pomelo
