// Pomelo's package layer (pomelo-protocol 0.1.6 Package): a 4-byte header, type (1..5) then the
// body length as 24-bit big-endian, then the body. Errors are values: a static reason string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shd::pomelo {

enum class PackageType : uint8_t {
    handshake = 1,      // both ways, JSON body
    handshake_ack = 2,  // client to server, empty
    heartbeat = 3,      // both ways, empty
    data = 4,           // both ways, one message (message_codec.hpp)
    kick = 5,           // server to client, JSON {"reason":...}
};

constexpr size_t kPackageHeaderSize = 4;
constexpr uint32_t kMaxPackageBodySize = 0xFFFFFF;  // what 24 bits can say
// What a server should accept from clients unless configured otherwise.
constexpr uint32_t kDefaultMaxPackageBodySize = 64 * 1024;

inline bool is_package_type(uint8_t byte) {
    return byte >= 1 && byte <= 5;
}

// A decoded package. `body` points into the decoder's input.
struct Package {
    PackageType type = PackageType::heartbeat;
    std::string_view body;
};

// Appends the 4-byte header for a body of `body_size` bytes (<= kMaxPackageBodySize).
void append_package_header(std::string &out, PackageType type, uint32_t body_size);

// Appends header + body. Returns nullptr, or a reason if the body is longer than 2^24-1 bytes.
[[nodiscard]] const char *encode_package(std::string &out, PackageType type, std::string_view body);

struct PackageDecodeResult {
    Package package;
    const char *error = nullptr;  // static string; nullptr on success
    bool ok() const { return error == nullptr; }
};

// Decodes a WebSocket frame from a client, which must hold exactly one package: a short frame, an
// invalid type, a length above max_body_size or beyond the frame, and trailing bytes (several
// packages in one frame, which Pomelo answers with a disconnect) are all errors.
PackageDecodeResult decode_frame_package(std::string_view frame, uint32_t max_body_size = kDefaultMaxPackageBodySize);

}  // namespace shd::pomelo
