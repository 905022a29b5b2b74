// Pomelo's message layer (pomelo-protocol 0.1.6 Message), the body of a DATA package:
//   flag (type << 1 | route compressed, 0x10 = gzip) | varint id (request, response)
//   | route: u8 length + bytes, or u16 big-endian code (request, notify, push) | body (the rest)
// Decoding is strict where Pomelo is not: ids must be 1..2^31-1 in at most 5 bytes, truncated
// input and unknown types are errors. Errors are static reason strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shd::pomelo {

enum class MessageType : uint8_t {
    request = 0,   // client to server: id + route
    notify = 1,    // client to server: route
    response = 2,  // server to client: id
    push = 3,      // server to client: route
};

constexpr uint32_t kMaxMessageId = 0x7FFFFFFF;
constexpr size_t kMaxRouteSize = 255;
constexpr uint8_t kMessageFlagRouteCompressed = 0x01;
constexpr uint8_t kMessageFlagGzip = 0x10;

inline bool message_has_id(MessageType t) {
    return t == MessageType::request || t == MessageType::response;
}
inline bool message_has_route(MessageType t) {
    return t != MessageType::response;
}

// A message. Decoded views point into the decoder's input; for encoding they point wherever the
// caller keeps the bytes.
struct Message {
    MessageType type = MessageType::request;
    uint32_t id = 0;                // request/response: 1..kMaxMessageId
    bool route_compressed = false;  // route given as route_code (dictionary), else as route
    uint16_t route_code = 0;
    std::string_view route;  // UTF-8, up to 255 bytes
    std::string_view body;   // JSON or pomelo-protobuf bytes
    bool gzip = false;       // flag bit 0x10: written if set, reported on decode; Pomelo ignores it
};

struct MessageDecodeResult {
    Message message;
    const char *error = nullptr;  // static string; nullptr on success
    bool ok() const { return error == nullptr; }
};

// Decodes the body of a DATA package. Flag bits 5-7 are ignored, as Pomelo does.
MessageDecodeResult decode_message(std::string_view bytes);

// Bytes encode_message() will append for `m` (valid or not).
size_t encoded_message_size(const Message &m);

// Appends the encoding of `m`. Returns nullptr, or a reason (id out of 1..2^31-1 where one is
// needed, route longer than 255 bytes) and appends nothing.
[[nodiscard]] const char *encode_message(std::string &out, const Message &m);

// Appends a whole DATA package holding `m` (header + message). Also fails if the message is
// longer than a package can hold.
[[nodiscard]] const char *encode_data_package(std::string &out, const Message &m);

}  // namespace shd::pomelo
