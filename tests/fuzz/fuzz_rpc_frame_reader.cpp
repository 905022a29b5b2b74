// libFuzzer target: the rpc plugin's frame reader and frame decoders (plugins/rpc/frame_codec.hpp),
// fed as a connection feeds them. The input is split in two: the first bytes choose the sizes of
// the reads, the rest is the byte stream. As on a connection, frames are limited to the handshake
// size until a well-formed hello arrives, then to a larger maxFrameSize. Checks, besides the
// sanitizers: every frame that decodes encodes back to the same bytes; the reader never holds more
// than one incomplete frame; its buffer stays within a small multiple of what it must hold (it
// shrinks back once a large frame is followed by a smaller one); the args and results go through
// the depth check; a forward's settings flag and fields survive the round trip.
#include "frame_codec.hpp"

#include <shaddock/pomelo/json_parse.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

using namespace shd::rpc;

namespace {

constexpr size_t kMaxFrameAfterHello = 4096;

void require(bool cond) {
    if (!cond) std::abort();
}

std::string whole_frame(uint8_t type, std::string_view body) {
    std::string out;
    const uint32_t len = static_cast<uint32_t>(body.size() + 1);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((len >> shift) & 0xff));
    out.push_back(static_cast<char>(type));
    out.append(body);
    return out;
}

// Decodes one frame by its type; a frame that decodes must encode back to the same bytes.
// Returns true for a well-formed hello.
bool check_frame(uint8_t type, std::string_view body) {
    const std::string original = whole_frame(type, body);
    std::string again;
    switch (static_cast<FrameType>(type)) {
        case FrameType::challenge: {
            ChallengeView v;
            if (!parse_challenge(body, v)) return false;
            require(v.nonce.size() == kNonceSize);
            append_challenge(again, v.nonce, v.server_id);
            // The version byte is not a parameter of the encoder.
            if (v.version == kProtocolVersion) require(again == original);
            return false;
        }
        case FrameType::hello: {
            HelloView v;
            if (!parse_hello(body, v)) return false;
            require(v.nonce.size() == kNonceSize && v.mac.size() == kMacSize);
            append_hello(again, v.nonce, v.mac, v.client_id, v.server_id);
            if (v.version == kProtocolVersion) require(again == original);
            return true;
        }
        case FrameType::welcome: {
            std::string_view mac;
            if (!parse_welcome(body, mac)) return false;
            append_welcome(again, mac);
            require(again == original);
            return false;
        }
        case FrameType::request: {
            RequestView v;
            if (!parse_request(body, v)) return false;
            append_request(again, v.id, v.ns, v.service, v.method, v.args);
            require(again == original);
            require(request_frame_size(v.ns, v.service, v.method, v.args) == original.size());
            (void)shd::pomelo::json_depth_within(v.args, 128);
            return false;
        }
        case FrameType::forward: {
            ForwardView v;
            if (!parse_forward(body, v)) return false;
            require(v.kind <= 1 && (v.flags & ~kForwardKnownFlags) == 0);
            append_forward(again, v);
            require(again == original);
            const bool cached = (v.flags & kForwardSettingsCached) != 0;
            require(cached ? v.settings.empty() : forward_frame_size(v) == original.size());
            (void)shd::pomelo::json_depth_within(v.body, 128);
            (void)shd::pomelo::json_depth_within(v.settings, 128);
            return false;
        }
        case FrameType::response: {
            ResponseView v;
            if (!parse_response(body, v)) return false;
            append_response(again, v.id, v.status, v.result);
            require(again == original);
            require(response_frame_size(v.result) == original.size());
            (void)shd::pomelo::json_depth_within(v.result, 128);
            return false;
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    // First byte: how many read sizes follow (0-15); each is one byte (a read of 1-256 bytes).
    const size_t n_sizes = data[0] & 0x0f;
    if (size < 1 + n_sizes) return 0;
    const uint8_t *sizes = data + 1;
    std::string_view stream(reinterpret_cast<const char *>(data + 1 + n_sizes), size - 1 - n_sizes);

    FrameReader reader(kMaxHandshakeFrame);
    size_t max_frame = kMaxHandshakeFrame;
    size_t pos = 0, turn = 0, last_frame = 0;
    while (pos < stream.size()) {
        const size_t chunk = n_sizes ? size_t(sizes[turn++ % n_sizes]) + 1 : size_t(64);
        size_t space = 0;
        char *p = reader.prepare(chunk, space);
        require(space >= chunk);
        // Never more than one incomplete frame, and a buffer within a small multiple of what it must
        // hold: the unread bytes and one read, the frame in progress once its length is known, or
        // the last frame (kept for the next one of its size).
        const size_t pending = reader.buffered();
        require(pending < kLengthSize + max_frame);
        size_t must_hold = std::max(pending + chunk, last_frame);
        if (pending >= kLengthSize) {
            const auto *q = reinterpret_cast<const uint8_t *>(stream.data() + pos - pending);
            const uint32_t len = (uint32_t(q[0]) << 24) | (uint32_t(q[1]) << 16) | (uint32_t(q[2]) << 8) | q[3];
            if (len <= max_frame) must_hold = std::max(must_hold, kLengthSize + size_t(len));
        }
        require(reader.capacity() <= 8 * must_hold + 32);
        const size_t n = std::min(chunk, stream.size() - pos);
        std::memcpy(p, stream.data() + pos, n);
        reader.commit(n);
        pos += n;
        for (;;) {
            uint8_t type = 0;
            std::string_view body;
            const FrameReader::Result r = reader.next(type, body);
            if (r == FrameReader::Result::need_more) break;
            if (r == FrameReader::Result::bad_length) {
                const uint32_t len = reader.bad_length_value();
                require(len == 0 || len > max_frame);
                return 0;  // a connection closes here
            }
            require(body.size() + 1 <= max_frame);
            last_frame = kLengthSize + body.size() + 1;
            if (check_frame(type, body) && max_frame == kMaxHandshakeFrame) {
                max_frame = kMaxFrameAfterHello;  // authenticated: larger frames from now on
                reader.set_max_frame(max_frame);
            }
        }
    }
    return 0;
}
