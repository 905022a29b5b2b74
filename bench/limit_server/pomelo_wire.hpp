// The least of the Pomelo client protocol a client needs to complete a handshake and get answers:
// package framing, the handshake reply, and the request -> response rewrite of a DATA package.
// No dictionary, no protobuf, no pushes. Everything else a client sends is a reason to close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace limit {

enum PackageType : uint8_t { kHandshake = 1, kHandshakeAck = 2, kHeartbeat = 3, kData = 4, kKick = 5 };

constexpr size_t kHeaderSize = 4;
constexpr size_t kMaxBody = 64 * 1024;

// What the next package of a byte stream is.
struct PackageView {
    enum Status { kNeedMore, kReady, kBad } status = kNeedMore;
    uint8_t type = 0;
    std::string_view body;  // valid while the input is
    size_t size = 0;        // header + body, when ready
};

// Looks at the front of `in`: a complete package, not yet one, or bytes no client sends (an unknown
// type, a body over kMaxBody).
PackageView next_package(std::string_view in);

// Appends a package with the given type and body.
void append_package(std::string &out, uint8_t type, std::string_view body);

// The handshake reply: {"code":200,"sys":{"heartbeat":N}} (no dictionary, no protos).
std::string handshake_reply(int heartbeat_seconds);

// True when a handshake body is a JSON object, as every client sends.
bool valid_handshake(std::string_view body);

// A DATA package body: a request gets its response (same id, the request body) appended to `out` as a
// whole DATA package; a notify gets nothing. Returns false for anything else (a malformed message,
// a response or push from the client, gzip), after which the connection should close.
bool answer_message(std::string_view message, std::string &out);

}  // namespace limit
