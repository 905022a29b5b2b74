#include <shaddock/pomelo/message_codec.hpp>

#include <shaddock/pomelo/package_codec.hpp>
#include <shaddock/pomelo/varint.hpp>

namespace shd::pomelo {

namespace {

constexpr size_t kMaxIdBytes = 5;  // 2^31-1 needs 5 groups of 7 bits

const char *check_encodable(const Message &m) {
    if (static_cast<uint8_t>(m.type) > 3) return "unknown message type";
    if (message_has_id(m.type) && (m.id == 0 || m.id > kMaxMessageId)) return "message id out of 1..2^31-1";
    if (message_has_route(m.type) && !m.route_compressed && m.route.size() > kMaxRouteSize)
        return "route longer than 255 bytes";
    return nullptr;
}

}  // namespace

MessageDecodeResult decode_message(std::string_view bytes) {
    MessageDecodeResult r;
    Message &m = r.message;
    if (bytes.empty()) {
        r.error = "empty message";
        return r;
    }
    const uint8_t flag = static_cast<uint8_t>(bytes[0]);
    const uint8_t type = (flag >> 1) & 0x7;
    if (type > 3) {
        r.error = "unknown message type";
        return r;
    }
    m.type = static_cast<MessageType>(type);
    m.gzip = (flag & kMessageFlagGzip) != 0;
    size_t pos = 1;

    if (message_has_id(m.type)) {
        const VarintRead id = read_varint(bytes.substr(pos), kMaxIdBytes);
        if (id.status == VarintStatus::truncated) {
            r.error = "message id truncated";
            return r;
        }
        if (id.status == VarintStatus::too_long) {
            r.error = "message id longer than 5 bytes";
            return r;
        }
        if (id.value == 0 || id.value > kMaxMessageId) {
            r.error = "message id out of 1..2^31-1";
            return r;
        }
        m.id = static_cast<uint32_t>(id.value);
        pos += id.size;
    }

    if (message_has_route(m.type)) {
        m.route_compressed = (flag & kMessageFlagRouteCompressed) != 0;
        if (m.route_compressed) {
            if (bytes.size() - pos < 2) {
                r.error = "route code truncated";
                return r;
            }
            m.route_code =
                static_cast<uint16_t>((static_cast<uint8_t>(bytes[pos]) << 8) | static_cast<uint8_t>(bytes[pos + 1]));
            pos += 2;
        } else {
            if (pos == bytes.size()) {
                r.error = "route length missing";
                return r;
            }
            const size_t size = static_cast<uint8_t>(bytes[pos++]);
            if (bytes.size() - pos < size) {
                r.error = "route longer than the message";
                return r;
            }
            m.route = bytes.substr(pos, size);
            pos += size;
        }
    }

    m.body = bytes.substr(pos);
    return r;
}

size_t encoded_message_size(const Message &m) {
    size_t n = 1;
    if (message_has_id(m.type)) n += varint_size(m.id);
    if (message_has_route(m.type)) n += m.route_compressed ? 2 : 1 + m.route.size();
    return n + m.body.size();
}

const char *encode_message(std::string &out, const Message &m) {
    if (const char *error = check_encodable(m)) return error;
    const bool compressed = message_has_route(m.type) && m.route_compressed;
    uint8_t flag = static_cast<uint8_t>(static_cast<uint8_t>(m.type) << 1);
    if (compressed) flag |= kMessageFlagRouteCompressed;
    if (m.gzip) flag |= kMessageFlagGzip;

    out.reserve(out.size() + encoded_message_size(m));
    out.push_back(static_cast<char>(flag));
    if (message_has_id(m.type)) append_varint(out, m.id);
    if (message_has_route(m.type)) {
        if (compressed) {
            out.push_back(static_cast<char>(m.route_code >> 8));
            out.push_back(static_cast<char>(m.route_code & 0xFF));
        } else {
            out.push_back(static_cast<char>(m.route.size()));
            out.append(m.route);
        }
    }
    out.append(m.body);
    return nullptr;
}

const char *encode_data_package(std::string &out, const Message &m) {
    if (const char *error = check_encodable(m)) return error;
    const size_t size = encoded_message_size(m);
    if (size > kMaxPackageBodySize) return "message longer than a package can hold";
    out.reserve(out.size() + kPackageHeaderSize + size);
    append_package_header(out, PackageType::data, static_cast<uint32_t>(size));
    return encode_message(out, m);
}

}  // namespace shd::pomelo
