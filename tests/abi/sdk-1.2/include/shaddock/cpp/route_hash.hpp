// shaddock/cpp/route_hash.hpp - Pomelo's routing hash, for apps and plugins that must pick servers
// exactly as Pomelo does (the default RPC router, chatofpomelo's gate dispatcher, room routing).
//
// pomelo_crc32: the `crc` package's crc32 as Pomelo calls it on a JS string: CRC-32 (IEEE) over the
// low byte of each UTF-16 code unit, the string being decoded from UTF-8 as Node does (an invalid
// subpart becomes U+FFFD). For ASCII it equals the CRC-32 of the bytes.
// pomelo_route_index: abs(int32(crc)) % count, the index into the servers of a type.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shd {

namespace detail {

constexpr std::array<uint32_t, 256> make_table() {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}

inline constexpr std::array<uint32_t, 256> kCrcTable = make_table();

inline uint32_t crc_step(uint32_t crc, uint8_t byte) {
    return kCrcTable[(crc ^ byte) & 0xff] ^ (crc >> 8);
}

// Decodes one code point starting at s[i] (WHATWG UTF-8: a maximal invalid subpart gives U+FFFD and
// consumes only that subpart). Returns the code point and advances i.
inline uint32_t decode_one(std::string_view s, size_t &i) {
    auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    uint8_t b0 = byte(i);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    size_t need;
    uint32_t cp;
    uint8_t lower = 0x80, upper = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        need = 1;
        cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        need = 2;
        cp = b0 & 0x0f;
        if (b0 == 0xe0) lower = 0xa0;
        if (b0 == 0xed) upper = 0x9f;  // no surrogates
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        need = 3;
        cp = b0 & 0x07;
        if (b0 == 0xf0) lower = 0x90;
        if (b0 == 0xf4) upper = 0x8f;
    } else {
        ++i;
        return 0xfffd;
    }
    size_t k = i + 1;
    for (size_t n = 0; n < need; ++n, ++k) {
        if (k >= s.size() || byte(k) < lower || byte(k) > upper) {
            i = k;  // the lead byte and the valid continuation bytes so far form one invalid subpart
            return 0xfffd;
        }
        cp = (cp << 6) | (byte(k) & 0x3f);
        lower = 0x80;
        upper = 0xbf;
    }
    i = k;
    return cp;
}

}  // namespace detail

inline uint32_t crc32_bytes(std::string_view bytes) {
    uint32_t crc = 0xffffffffu;
    for (char c : bytes) crc = detail::crc_step(crc, static_cast<uint8_t>(c));
    return crc ^ 0xffffffffu;
}

inline uint32_t pomelo_crc32(std::string_view utf8) {
    uint32_t crc = 0xffffffffu;
    size_t i = 0;
    while (i < utf8.size()) {
        uint32_t cp = detail::decode_one(utf8, i);
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            crc = detail::crc_step(crc, static_cast<uint8_t>((0xd800 + (v >> 10)) & 0xff));
            crc = detail::crc_step(crc, static_cast<uint8_t>((0xdc00 + (v & 0x3ff)) & 0xff));
        } else {
            crc = detail::crc_step(crc, static_cast<uint8_t>(cp & 0xff));
        }
    }
    return crc ^ 0xffffffffu;
}

inline size_t pomelo_route_index(std::string_view uid, size_t count) {
    if (count == 0) return 0;
    // JS: Math.abs on the signed 32-bit value; abs(-2^31) is 2^31, so widen before negating.
    int64_t v = static_cast<int32_t>(pomelo_crc32(uid));
    if (v < 0) v = -v;
    return static_cast<size_t>(static_cast<uint64_t>(v) % count);
}

}  // namespace shd
