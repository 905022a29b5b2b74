// The default RPC routing of Pomelo 2.2.7 (components/proxy.js defaultRoute, pomelo-rpc router):
// index = Math.abs(crc.crc32(uid.toString())) % servers.length, with the `crc` 0.2.0 package. Its
// crc32(str) is CRC-32/IEEE over the LOW BYTE of each UTF-16 code unit of the JS string (not over
// UTF-8), and returns a signed 32-bit number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shd::pomelo {

// crc.crc32 of the JS string decoded from these UTF-8 bytes (invalid sequences as U+FFFD), as an
// unsigned value; JS sees int32_t(result). For ASCII this is the standard CRC-32.
uint32_t route_crc32(std::string_view utf8);

// Math.abs(int32(crc32(s))) % server_count. server_count must be > 0 (returns 0 otherwise).
size_t route_index(std::string_view utf8, size_t server_count);

}  // namespace shd::pomelo
