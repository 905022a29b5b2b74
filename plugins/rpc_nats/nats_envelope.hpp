// How a frame of the rpc plugin travels as the payload of one NATS message (README.md, "Wire"):
//
//   payload = u8 version (1) | u8 sender length (1-255) | sender id | MAC (32 bytes) | frame
//   MAC     = HMAC-SHA256(cluster secret, "shd.rpc/1 nats" 0x00 | u16 len | subject | u16 len | reply
//                         | u8 len | sender id | frame)
//
// `frame` is a whole frame of frame_codec.hpp (u32 length | u8 type | body). The MAC binds the frame
// to its sender, to the subject it was published to (the server meant) and to its reply subject (where
// the answer goes), so another client of the same NATS can neither forge a call nor redirect an
// answer. Pure functions: no NATS, no threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shd::rpc::nats {

constexpr uint8_t kEnvelopeVersion = 1;
constexpr size_t kMaxSenderSize = 255;
// Envelope bytes before the frame, for a sender id of n bytes.
constexpr size_t envelope_overhead(size_t sender_size) {
    return 2 + sender_size + 32;
}
// A frame type of the NATS transport only: a liveness probe sent to a peer while calls to it are in
// flight. Never answered; when nobody is subscribed, NATS itself answers "no responders".
constexpr uint8_t kProbeFrame = 0x20;

// Appends the envelope of `frame` to `out`. The sender id is the caller's to keep within
// kMaxSenderSize (checked at start).
void seal(std::string &out, std::string_view secret, std::string_view subject, std::string_view reply,
          std::string_view sender, std::string_view frame);

struct Opened {
    std::string_view sender;
    uint8_t type = 0;
    std::string_view body;  // the frame's body, after its type byte
};

// Checks a received payload: its shape, the frame's length (at most max_frame, and exactly the rest
// of the payload) and the MAC. "" when it holds, else why not (for the log line of a dropped message);
// the views point into `payload`.
std::string open(std::string_view payload, std::string_view secret, std::string_view subject, std::string_view reply,
                 size_t max_frame, Opened &out);

}  // namespace shd::rpc::nats
