// The rpc plugin's wire format (docs/rpc.md): length-prefixed binary frames on TCP.
//
//   frame = u32 length (big-endian; counts the type byte and the body) | u8 type | body
//
// Pure functions and a bounded incremental reader; no sockets, no threads. Encoders append to a
// caller-owned buffer so the connection's send queue is filled without temporary strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shd::rpc {

constexpr uint8_t kProtocolVersion = 1;
constexpr size_t kNonceSize = 32;  // random bytes per side and connection
constexpr size_t kMacSize = 32;    // HMAC-SHA256
constexpr size_t kLengthSize = 4;  // the u32 length prefix
constexpr size_t kMaxNameSize = 0xffff;
// The largest frame accepted before a connection is authenticated: a challenge or a hello with server
// ids of up to 400 bytes together (a hello is 69 bytes plus its two ids). Anything larger closes the
// connection before its body is read, so an unauthenticated peer never makes a server buffer more.
constexpr size_t kMaxHandshakeFrame = 512;

enum class FrameType : uint8_t {
    challenge = 0x01,  // server -> client, first frame on a connection
    hello = 0x02,      // client -> server, answers the challenge
    welcome = 0x03,    // server -> client, proves the server knows the secret too
    request = 0x10,    // client -> server
    response = 0x11,   // server -> client
    forward = 0x12,    // client -> server: a client message forwarded by a frontend, answered by a response
};

// Bits of a forward frame's flags byte; any other bit set makes the frame malformed.
constexpr uint8_t kForwardSettingsCached = 0x01;  // no settings field: the link's last for this session
constexpr uint8_t kForwardKnownFlags = kForwardSettingsCached;

struct ChallengeView {
    uint8_t version = 0;
    std::string_view nonce;      // kNonceSize bytes
    std::string_view server_id;  // who accepted the connection
};

struct HelloView {
    uint8_t version = 0;
    std::string_view nonce;      // the client's nonce, kNonceSize bytes
    std::string_view mac;        // kMacSize bytes
    std::string_view client_id;  // the calling server
    std::string_view server_id;  // the server the client meant to reach
};

struct RequestView {
    uint64_t id = 0;
    std::string_view ns, service, method;
    std::string_view args;  // JSON array text
};

// A client message and its session, as fields (docs/rpc.md, FORWARD).
struct ForwardView {
    uint64_t id = 0;
    uint8_t kind = 0;   // 0 request, 1 notify (SHD_MSG_REQUEST / SHD_MSG_NOTIFY)
    uint8_t flags = 0;  // kForwardSettingsCached: `settings` is empty and absent from the frame
    uint32_t msg_id = 0;
    uint64_t session_id = 0;
    std::string_view route, frontend_id, uid;
    std::string_view settings;  // JSON object text
    std::string_view body;      // JSON text, the rest of the frame
};

struct ResponseView {
    uint64_t id = 0;
    int32_t status = 0;
    std::string_view result;  // JSON text
};

// Whole-frame sizes (length prefix included), to check a limit before encoding.
size_t request_frame_size(std::string_view ns, std::string_view service, std::string_view method,
                          std::string_view args);
size_t response_frame_size(std::string_view result);
// For a forward without kForwardSettingsCached; with it, subtract 4 + settings.size().
size_t forward_frame_size(const ForwardView &f);

// Encoders: append one complete frame to `out`. Names longer than kMaxNameSize are the caller's
// error (checked before calling).
void append_challenge(std::string &out, std::string_view nonce, std::string_view server_id);
void append_hello(std::string &out, std::string_view nonce, std::string_view mac, std::string_view client_id,
                  std::string_view server_id);
void append_welcome(std::string &out, std::string_view mac);
void append_request(std::string &out, uint64_t id, std::string_view ns, std::string_view service,
                    std::string_view method, std::string_view args);
void append_response(std::string &out, uint64_t id, int32_t status, std::string_view result);
// Writes f.settings unless f.flags has kForwardSettingsCached. route, frontend_id and uid longer than
// kMaxNameSize are the caller's error.
void append_forward(std::string &out, const ForwardView &f);

// Decoders of a frame body (the bytes after the type byte). False when the body is malformed; the
// views point into `body`.
bool parse_challenge(std::string_view body, ChallengeView &out);
bool parse_hello(std::string_view body, HelloView &out);
bool parse_welcome(std::string_view body, std::string_view &mac);
bool parse_request(std::string_view body, RequestView &out);
bool parse_response(std::string_view body, ResponseView &out);
// Also false for an unknown kind or flag bit.
bool parse_forward(std::string_view body, ForwardView &out);

// Splits a byte stream into frames. A declared length of 0 or above max_frame is an error the reader
// reports without waiting for the body, so an attacker cannot make it buffer more than max_frame.
// The buffer grows to hold the frame in progress (at its declared size, once the 4 length bytes are
// in) and shrinks back once a large frame is followed by a smaller one: its capacity stays within a
// few times the largest of (unread bytes + min_space), the frame in progress and the last frame.
class FrameReader {
public:
    enum class Result { frame, need_more, bad_length };

    explicit FrameReader(size_t max_frame) : max_frame_(max_frame) {}

    // The limit for the frames from now on (a connection allows big frames only once authenticated).
    void set_max_frame(size_t max_frame) { max_frame_ = max_frame; }

    // A writable region of at least `min_space` bytes at the end of the buffer; commit() what was read.
    // A buffer far larger than the unread bytes plus min_space (left by a large frame) is released
    // here and a right-sized one allocated.
    char *prepare(size_t min_space, size_t &space);
    void commit(size_t n) { end_ += n; }

    // The next complete frame. `type` is the raw type byte (unknown values are the caller's concern);
    // `body` stays valid until the next prepare().
    Result next(uint8_t &type, std::string_view &body);

    // The length the last bad_length result saw.
    uint32_t bad_length_value() const { return bad_length_; }
    size_t buffered() const { return end_ - begin_; }
    // The bytes the buffer holds allocated (for tests and statistics).
    size_t capacity() const { return buf_.capacity(); }

private:
    size_t max_frame_;
    std::string buf_;
    size_t begin_ = 0, end_ = 0;
    size_t last_frame_ = 0;  // bytes of the last frame returned, its length field included
    uint32_t bad_length_ = 0;
};

}  // namespace shd::rpc
