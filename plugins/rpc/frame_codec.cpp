#include "frame_codec.hpp"

#include <algorithm>
#include <cstring>

namespace shd::rpc {

namespace {

void put_u16(std::string &out, size_t v) {
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
}

void put_u32(std::string &out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_u64(std::string &out, uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_short_string(std::string &out, std::string_view s) {
    put_u16(out, s.size());
    out.append(s.data(), s.size());
}

void put_long_string(std::string &out, std::string_view s) {
    put_u32(out, static_cast<uint32_t>(s.size()));
    out.append(s.data(), s.size());
}

// Starts a frame whose body will be `body_size` bytes.
void begin_frame(std::string &out, FrameType type, size_t body_size) {
    out.reserve(out.size() + kLengthSize + 1 + body_size);
    put_u32(out, static_cast<uint32_t>(1 + body_size));
    out.push_back(static_cast<char>(type));
}

// A cursor over a frame body; every read checks the remaining size.
class Cursor {
public:
    explicit Cursor(std::string_view body) : rest_(body) {}
    bool u8(uint8_t &v) {
        if (rest_.size() < 1) return false;
        v = static_cast<uint8_t>(rest_[0]);
        rest_.remove_prefix(1);
        return true;
    }
    bool u16(size_t &v) {
        if (rest_.size() < 2) return false;
        v = (size_t(uint8_t(rest_[0])) << 8) | uint8_t(rest_[1]);
        rest_.remove_prefix(2);
        return true;
    }
    bool u32(uint32_t &v) {
        if (rest_.size() < 4) return false;
        v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | uint8_t(rest_[i]);
        rest_.remove_prefix(4);
        return true;
    }
    bool u64(uint64_t &v) {
        if (rest_.size() < 8) return false;
        v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | uint8_t(rest_[i]);
        rest_.remove_prefix(8);
        return true;
    }
    bool bytes(size_t n, std::string_view &v) {
        if (rest_.size() < n) return false;
        v = rest_.substr(0, n);
        rest_.remove_prefix(n);
        return true;
    }
    bool short_string(std::string_view &v) {
        size_t n = 0;
        return u16(n) && bytes(n, v);
    }
    bool long_string(std::string_view &v) {
        uint32_t n = 0;
        return u32(n) && bytes(n, v);
    }
    std::string_view rest() const { return rest_; }
    bool done() const { return rest_.empty(); }

private:
    std::string_view rest_;
};

}  // namespace

size_t request_frame_size(std::string_view ns, std::string_view service, std::string_view method,
                          std::string_view args) {
    return kLengthSize + 1 + 8 + 6 + ns.size() + service.size() + method.size() + args.size();
}

size_t response_frame_size(std::string_view result) {
    return kLengthSize + 1 + 8 + 4 + result.size();
}

size_t forward_frame_size(const ForwardView &f) {
    return kLengthSize + 1 + 8 + 1 + 1 + 4 + 8 + 6 + f.route.size() + f.frontend_id.size() + f.uid.size() + 4 +
           f.settings.size() + f.body.size();
}

void append_challenge(std::string &out, std::string_view nonce, std::string_view server_id) {
    begin_frame(out, FrameType::challenge, 1 + nonce.size() + 2 + server_id.size());
    out.push_back(static_cast<char>(kProtocolVersion));
    out.append(nonce.data(), nonce.size());
    put_short_string(out, server_id);
}

void append_hello(std::string &out, std::string_view nonce, std::string_view mac, std::string_view client_id,
                  std::string_view server_id) {
    begin_frame(out, FrameType::hello, 1 + nonce.size() + mac.size() + 4 + client_id.size() + server_id.size());
    out.push_back(static_cast<char>(kProtocolVersion));
    out.append(nonce.data(), nonce.size());
    out.append(mac.data(), mac.size());
    put_short_string(out, client_id);
    put_short_string(out, server_id);
}

void append_welcome(std::string &out, std::string_view mac) {
    begin_frame(out, FrameType::welcome, mac.size());
    out.append(mac.data(), mac.size());
}

void append_request(std::string &out, uint64_t id, std::string_view ns, std::string_view service,
                    std::string_view method, std::string_view args) {
    begin_frame(out, FrameType::request, request_frame_size(ns, service, method, args) - kLengthSize - 1);
    put_u64(out, id);
    put_short_string(out, ns);
    put_short_string(out, service);
    put_short_string(out, method);
    out.append(args.data(), args.size());
}

void append_response(std::string &out, uint64_t id, int32_t status, std::string_view result) {
    begin_frame(out, FrameType::response, response_frame_size(result) - kLengthSize - 1);
    put_u64(out, id);
    put_u32(out, static_cast<uint32_t>(status));
    out.append(result.data(), result.size());
}

void append_forward(std::string &out, const ForwardView &f) {
    const bool cached = (f.flags & kForwardSettingsCached) != 0;
    size_t size = forward_frame_size(f) - kLengthSize - 1;
    if (cached) size -= 4 + f.settings.size();
    begin_frame(out, FrameType::forward, size);
    put_u64(out, f.id);
    out.push_back(static_cast<char>(f.kind));
    out.push_back(static_cast<char>(f.flags));
    put_u32(out, f.msg_id);
    put_u64(out, f.session_id);
    put_short_string(out, f.route);
    put_short_string(out, f.frontend_id);
    put_short_string(out, f.uid);
    if (!cached) put_long_string(out, f.settings);
    out.append(f.body.data(), f.body.size());
}

bool parse_challenge(std::string_view body, ChallengeView &out) {
    Cursor c(body);
    return c.u8(out.version) && c.bytes(kNonceSize, out.nonce) && c.short_string(out.server_id) && c.done();
}

bool parse_hello(std::string_view body, HelloView &out) {
    Cursor c(body);
    return c.u8(out.version) && c.bytes(kNonceSize, out.nonce) && c.bytes(kMacSize, out.mac) &&
           c.short_string(out.client_id) && c.short_string(out.server_id) && c.done();
}

bool parse_welcome(std::string_view body, std::string_view &mac) {
    Cursor c(body);
    return c.bytes(kMacSize, mac) && c.done();
}

bool parse_request(std::string_view body, RequestView &out) {
    Cursor c(body);
    if (!(c.u64(out.id) && c.short_string(out.ns) && c.short_string(out.service) && c.short_string(out.method)))
        return false;
    out.args = c.rest();
    return true;
}

bool parse_response(std::string_view body, ResponseView &out) {
    Cursor c(body);
    uint32_t status = 0;
    if (!(c.u64(out.id) && c.u32(status))) return false;
    out.status = static_cast<int32_t>(status);
    out.result = c.rest();
    return true;
}

bool parse_forward(std::string_view body, ForwardView &out) {
    Cursor c(body);
    if (!(c.u64(out.id) && c.u8(out.kind) && c.u8(out.flags) && c.u32(out.msg_id) && c.u64(out.session_id) &&
          c.short_string(out.route) && c.short_string(out.frontend_id) && c.short_string(out.uid)))
        return false;
    if (out.kind > 1 || (out.flags & ~kForwardKnownFlags) != 0) return false;
    out.settings = {};
    if (!(out.flags & kForwardSettingsCached) && !c.long_string(out.settings)) return false;
    out.body = c.rest();
    return true;
}

char *FrameReader::prepare(size_t min_space, size_t &space) {
    // What the buffer must hold: the unread bytes and one read, or the whole frame in progress once
    // its length is known (so a large frame gets one allocation of its size, not a chain of
    // doublings whose freed steps the allocator may keep).
    const size_t pending = end_ - begin_;
    size_t want = pending + min_space;
    if (pending >= kLengthSize) {
        const auto *p = reinterpret_cast<const uint8_t *>(buf_.data() + begin_);
        const uint32_t len = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
        if (len <= max_frame_) want = std::max(want, kLengthSize + size_t(len));
    }
    // Move the unread tail to the front once the consumed part dominates, so the buffer stays
    // about the size of the largest frame in progress plus one read.
    if (begin_ > 0 && (begin_ == end_ || begin_ >= buf_.size() / 2)) {
        std::memmove(buf_.data(), buf_.data() + begin_, pending);
        end_ = pending;
        begin_ = 0;
    }
    // After a large frame the buffer would keep its size for the life of the connection: move what
    // is unread to a right-sized one. Frames as large as the last one keep the buffer (a stream of
    // 300 KiB frames must not shrink and regrow it for each), and the factor 4 leaves room for the
    // doubling growth of a string.
    if (buf_.capacity() > 4 * std::max(want, last_frame_)) {
        std::string fresh(want, '\0');
        std::memcpy(fresh.data(), buf_.data() + begin_, pending);
        buf_.swap(fresh);
        end_ = pending;
        begin_ = 0;
    }
    if (buf_.size() - end_ < min_space) {
        if (begin_ > 0) {  // growing: compact first, so the frame's size is enough
            std::memmove(buf_.data(), buf_.data() + begin_, pending);
            end_ = pending;
            begin_ = 0;
        }
        if (buf_.capacity() < want) buf_.reserve(want);
        buf_.resize(end_ + min_space);
    }
    space = buf_.size() - end_;
    return buf_.data() + end_;
}

FrameReader::Result FrameReader::next(uint8_t &type, std::string_view &body) {
    size_t avail = end_ - begin_;
    if (avail < kLengthSize) return Result::need_more;
    const auto *p = reinterpret_cast<const uint8_t *>(buf_.data() + begin_);
    uint32_t len = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    if (len == 0 || len > max_frame_) {
        bad_length_ = len;
        return Result::bad_length;
    }
    if (avail < kLengthSize + len) return Result::need_more;
    type = p[kLengthSize];
    body = std::string_view(buf_.data() + begin_ + kLengthSize + 1, len - 1);
    begin_ += kLengthSize + len;
    last_frame_ = kLengthSize + len;
    return Result::frame;
}

}  // namespace shd::rpc
