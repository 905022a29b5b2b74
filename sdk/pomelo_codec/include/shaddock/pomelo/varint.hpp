// Base-128 varints as Pomelo writes them (message ids and pomelo-protobuf): least-significant group
// first, 0x80 as the continuation bit. Readers are bounded so hostile input cannot make them loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shd::pomelo {

inline size_t varint_size(uint64_t value) {
    size_t n = 1;
    while (value >= 0x80) {
        value >>= 7;
        ++n;
    }
    return n;
}

inline void append_varint(std::string &out, uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

enum class VarintStatus : uint8_t { ok, truncated, too_long };

struct VarintRead {
    uint64_t value = 0;
    size_t size = 0;  // bytes consumed when ok
    VarintStatus status = VarintStatus::ok;
};

// Reads one varint at the start of `in`, using at most `max_bytes` bytes (1..10). More continuation
// bytes than that, or bits beyond 64, give too_long; running out of input gives truncated.
inline VarintRead read_varint(std::string_view in, size_t max_bytes) {
    VarintRead r;
    if (max_bytes > 10) max_bytes = 10;
    const size_t limit = max_bytes < in.size() ? max_bytes : in.size();
    for (size_t i = 0; i < limit; ++i) {
        const uint64_t byte = static_cast<uint8_t>(in[i]);
        // The tenth byte may only carry bit 63.
        if (i == 9 && (byte & 0x7f) > 1) {
            r.status = VarintStatus::too_long;
            return r;
        }
        r.value |= (byte & 0x7f) << (7 * i);
        if (byte < 0x80) {
            r.size = i + 1;
            return r;
        }
    }
    r.status = limit == max_bytes ? VarintStatus::too_long : VarintStatus::truncated;
    return r;
}

}  // namespace shd::pomelo
