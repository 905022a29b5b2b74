#include "mqtt_codec.hpp"

namespace shd::cluster::mqtt {

namespace {

// Reads a two-byte big-endian length and that many bytes from body[pos...].
bool read_field(const std::string &body, size_t &pos, std::string &out) {
    if (body.size() - pos < 2) return false;
    size_t n = (size_t(static_cast<unsigned char>(body[pos])) << 8) | static_cast<unsigned char>(body[pos + 1]);
    pos += 2;
    if (body.size() - pos < n) return false;
    out.assign(body, pos, n);
    pos += n;
    return true;
}

std::string field(const std::string &s) {
    std::string out;
    out.push_back(static_cast<char>((s.size() >> 8) & 0xff));
    out.push_back(static_cast<char>(s.size() & 0xff));
    return out + s;
}

}  // namespace

PacketReader::Result PacketReader::fail(std::string why) {
    error_ = std::move(why);
    return error;
}

PacketReader::Result PacketReader::next(Packet &out) {
    if (!error_.empty()) return error;
    // Drop what earlier packets used once it is most of the buffer.
    if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    size_t avail = buf_.size() - pos_;
    if (avail < 1) return need_more;
    const auto *p = reinterpret_cast<const unsigned char *>(buf_.data() + pos_);
    uint8_t type = p[0] >> 4, flags = p[0] & 0x0f;
    if (type == 0 || type == 15) return fail("packet type " + std::to_string(type) + " is reserved");
    bool flags_ok = type == kPublish                                                  ? (flags & 0x06) != 0x06
                    : (type == kPubrel || type == kSubscribe || type == kUnsubscribe) ? flags == 0x02
                                                                                      : flags == 0;
    if (!flags_ok) return fail("reserved flags of packet type " + std::to_string(type));
    size_t length = 0, header = 1;
    for (int i = 0;; ++i) {
        if (i == 4) return fail("remaining length longer than 4 bytes");
        if (avail < header + 1) return need_more;
        unsigned char b = p[header++];
        length |= size_t(b & 0x7f) << (7 * i);
        if (length > max_packet_)
            return fail("packet of " + std::to_string(length) + "+ bytes exceeds the limit of " +
                        std::to_string(max_packet_));
        if (!(b & 0x80)) break;
    }
    if (avail < header + length) return need_more;
    out.type = type;
    out.flags = flags;
    out.body.assign(buf_, pos_ + header, length);
    pos_ += header + length;
    return packet;
}

bool parse_connect(const std::string &body, Connect &out, std::string &error) {
    size_t pos = 0;
    if (!read_field(body, pos, out.protocol)) return error = "CONNECT: truncated protocol name", false;
    if (body.size() - pos < 4) return error = "CONNECT: truncated header", false;
    out.level = static_cast<uint8_t>(body[pos]);
    out.flags = static_cast<uint8_t>(body[pos + 1]);
    out.keepalive_s = static_cast<uint16_t>((static_cast<unsigned char>(body[pos + 2]) << 8) |
                                            static_cast<unsigned char>(body[pos + 3]));
    pos += 4;
    if (!((out.protocol == "MQTT" && out.level == 4) || (out.protocol == "MQIsdp" && out.level == 3)))
        return error = "CONNECT: not MQTT 3.1 or 3.1.1", false;
    if (out.flags & 0x01) return error = "CONNECT: reserved flag set", false;
    bool will = out.flags & 0x04;
    uint8_t will_qos = (out.flags >> 3) & 0x03;
    if (will_qos == 3 || (!will && (will_qos != 0 || (out.flags & 0x20))))
        return error = "CONNECT: bad will flags", false;
    out.has_username = out.flags & 0x80;
    out.has_password = out.flags & 0x40;
    if (out.has_password && !out.has_username && out.level == 4)
        return error = "CONNECT: a password without a user name", false;
    if (!read_field(body, pos, out.client_id)) return error = "CONNECT: truncated client id", false;
    std::string will_topic, will_message;
    if (will && (!read_field(body, pos, will_topic) || !read_field(body, pos, will_message)))
        return error = "CONNECT: truncated will", false;
    if (out.has_username && !read_field(body, pos, out.username)) return error = "CONNECT: truncated user name", false;
    if (out.has_password && !read_field(body, pos, out.password)) return error = "CONNECT: truncated password", false;
    if (pos != body.size()) return error = "CONNECT: bytes after the payload", false;
    return true;
}

bool parse_publish(uint8_t flags, const std::string &body, Publish &out, std::string &error) {
    out.qos = (flags >> 1) & 0x03;
    if (out.qos == 3) return error = "PUBLISH: QoS 3", false;
    size_t pos = 0;
    if (!read_field(body, pos, out.topic)) return error = "PUBLISH: truncated topic", false;
    if (out.topic.empty() || out.topic.find_first_of(std::string("+#\0", 3)) != std::string::npos)
        return error = "PUBLISH: an empty topic or one with wildcards or NUL", false;
    if (out.qos > 0) {
        if (body.size() - pos < 2) return error = "PUBLISH: truncated packet id", false;
        out.packet_id = static_cast<uint16_t>((static_cast<unsigned char>(body[pos]) << 8) |
                                              static_cast<unsigned char>(body[pos + 1]));
        pos += 2;
        if (out.packet_id == 0) return error = "PUBLISH: packet id 0", false;
    }
    out.payload.assign(body, pos, std::string::npos);
    return true;
}

std::string encode_remaining_length(size_t size) {
    std::string out;
    do {
        unsigned char b = size & 0x7f;
        size >>= 7;
        if (size > 0) b |= 0x80;
        out.push_back(static_cast<char>(b));
    } while (size > 0);
    return out;
}

std::string encode_connack(uint8_t return_code) {
    return std::string{static_cast<char>(kConnack << 4), 2, 0, static_cast<char>(return_code)};
}

std::string encode_publish(const std::string &topic, const std::string &payload) {
    std::string body = field(topic) + payload;
    return std::string(1, static_cast<char>(kPublish << 4)) + encode_remaining_length(body.size()) + body;
}

std::string encode_puback(uint16_t packet_id) {
    return std::string{static_cast<char>(kPuback << 4), 2, static_cast<char>(packet_id >> 8),
                       static_cast<char>(packet_id & 0xff)};
}

std::string encode_pingresp() {
    return std::string{static_cast<char>(kPingresp << 4), 0};
}

}  // namespace shd::cluster::mqtt
