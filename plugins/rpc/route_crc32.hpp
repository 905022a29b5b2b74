// Pomelo's default RPC route, bit for bit: abs(int32(crc32(String(uid)))) % servers.length.
//
// The crc32 is the IEEE/zlib one, but Pomelo (the npm `crc` module on a JS string) feeds it the low
// byte of each UTF-16 code unit, not UTF-8 bytes. For ASCII the two agree; for anything else we decode
// UTF-8 to UTF-16 first (invalid sequences become U+FFFD, as Node's decoder does) and take low bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shd::rpc {

// The IEEE crc32 of a byte string (check value: crc32_bytes("123456789") == 0xcbf43926).
uint32_t crc32_bytes(std::string_view bytes);

// Pomelo's crc32 of a UTF-8 string (see above).
uint32_t pomelo_crc32(std::string_view utf8);

// The index Pomelo's defaultRoute picks among `count` servers (count > 0).
size_t pomelo_route_index(std::string_view uid, size_t count);

}  // namespace shd::rpc
