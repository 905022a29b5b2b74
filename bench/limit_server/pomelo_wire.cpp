#include "pomelo_wire.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace limit {

namespace {

// Message types of the message layer (reference/POMELO.md 1.6).
constexpr uint8_t kRequest = 0, kNotify = 1, kResponse = 2;
constexpr uint8_t kFlagCompressRoute = 0x01, kFlagGzip = 0x10;

}  // namespace

PackageView next_package(std::string_view in) {
    PackageView p;
    if (in.size() < kHeaderSize) return p;
    auto byte = [&](size_t i) { return static_cast<uint8_t>(in[i]); };
    p.type = byte(0);
    size_t length = (size_t(byte(1)) << 16) | (size_t(byte(2)) << 8) | byte(3);
    if (p.type < kHandshake || p.type > kKick || length > kMaxBody) {
        p.status = PackageView::kBad;
        return p;
    }
    if (in.size() < kHeaderSize + length) return p;
    p.status = PackageView::kReady;
    p.body = in.substr(kHeaderSize, length);
    p.size = kHeaderSize + length;
    return p;
}

void append_package(std::string &out, uint8_t type, std::string_view body) {
    size_t n = body.size();
    out.push_back(static_cast<char>(type));
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    out.push_back(static_cast<char>((n >> 8) & 0xff));
    out.push_back(static_cast<char>(n & 0xff));
    out.append(body);
}

std::string handshake_reply(int heartbeat_seconds) {
    return R"({"code":200,"sys":{"heartbeat":)" + std::to_string(heartbeat_seconds) + "}}";
}

bool valid_handshake(std::string_view body) {
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    return !d.HasParseError() && d.IsObject();
}

bool answer_message(std::string_view m, std::string &out) {
    if (m.empty()) return false;
    uint8_t flag = static_cast<uint8_t>(m[0]);
    uint8_t type = (flag >> 1) & 0x07;
    if ((flag & kFlagGzip) || (flag & 0xe0) || type == kResponse || type > kNotify) return false;
    size_t pos = 1;

    // The id: base-128, low group first, at most 5 bytes (ids below 2^32; clients start at 1).
    uint64_t id = 0;
    size_t id_start = pos;
    if (type == kRequest) {
        for (int shift = 0;; shift += 7) {
            if (pos >= m.size() || shift > 28) return false;
            uint8_t b = static_cast<uint8_t>(m[pos++]);
            id |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) break;
        }
        if (id == 0 || id > 0xffffffffu) return false;
    }
    size_t id_end = pos;

    // The route: a 2-byte dictionary code, or a length byte and the route's bytes.
    if (flag & kFlagCompressRoute) {
        pos += 2;
    } else {
        if (pos >= m.size()) return false;
        pos += 1 + static_cast<uint8_t>(m[pos]);
    }
    if (pos > m.size()) return false;
    if (type == kNotify) return true;

    // Response: flag (type 2, no route), the same id bytes, the request's body.
    std::string_view id_bytes = m.substr(id_start, id_end - id_start);
    std::string_view body = m.substr(pos);
    size_t n = 1 + id_bytes.size() + body.size();
    out.push_back(static_cast<char>(kData));
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    out.push_back(static_cast<char>((n >> 8) & 0xff));
    out.push_back(static_cast<char>(n & 0xff));
    out.push_back(static_cast<char>(kResponse << 1));
    out.append(id_bytes);
    out.append(body);
    return true;
}

}  // namespace limit
