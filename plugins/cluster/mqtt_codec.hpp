// The small part of MQTT 3.1 / 3.1.1 that Pomelo's admin clients speak (pomelo-admin's MqttClient: the
// npm `pomelo` command, pomelo-cli): the stream split into packets with bounded lengths, CONNECT and
// PUBLISH read, and the few packets the master sends (CONNACK, PUBLISH at QoS 0, PUBACK, PINGRESP).
// Everything here is pure: every byte comes from a peer that may be hostile, and a malformed packet is
// an error, never an exception. docs/cluster.md, "Pomelo's admin clients".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace shd::cluster::mqtt {

enum PacketType : uint8_t {
    kConnect = 1,
    kConnack = 2,
    kPublish = 3,
    kPuback = 4,
    kPubrec = 5,
    kPubrel = 6,
    kPubcomp = 7,
    kSubscribe = 8,
    kSuback = 9,
    kUnsubscribe = 10,
    kUnsuback = 11,
    kPingreq = 12,
    kPingresp = 13,
    kDisconnect = 14,
};

struct Packet {
    uint8_t type = 0;
    uint8_t flags = 0;  // the low four bits of the first byte
    std::string body;   // the variable header and payload
};

// Splits a byte stream into packets. The remaining length takes 1 to 4 bytes (a fifth continuation is an
// error) and may not exceed the packet cap, which is checked before the body is buffered: at most
// cap + 5 bytes of one packet are ever held. Type 0 and 15 and the reserved flag bits MQTT fixes for
// each type are errors.
class PacketReader {
public:
    explicit PacketReader(size_t max_packet) : max_packet_(max_packet) {}
    // The largest body accepted from now on (raised once the peer has logged in).
    void set_max_packet(size_t max_packet) { max_packet_ = max_packet; }

    // Appends received bytes. Then call next() until it returns need_more or error.
    void feed(const char *data, size_t size) { buf_.append(data, size); }

    enum Result { need_more, packet, error };
    // One complete packet into `out`, or need_more, or error (error() says why; the stream is then
    // unusable).
    Result next(Packet &out);
    const std::string &error_text() const { return error_; }
    size_t buffered() const { return buf_.size() - pos_; }

private:
    Result fail(std::string why);

    size_t max_packet_;
    std::string buf_;
    size_t pos_ = 0;
    std::string error_;
};

struct Connect {
    std::string protocol;  // "MQTT" (3.1.1, level 4) or "MQIsdp" (3.1, level 3)
    uint8_t level = 0;
    uint8_t flags = 0;
    uint16_t keepalive_s = 0;
    std::string client_id;
    bool has_username = false, has_password = false;
    std::string username, password;  // MQTT's own credentials (Pomelo's clients send none)
};
// Reads a CONNECT body; false with `error` for anything malformed (unknown protocol or level, the
// reserved flag, a will or password flag without its fields, bytes left over).
bool parse_connect(const std::string &body, Connect &out, std::string &error);

struct Publish {
    std::string topic;
    uint8_t qos = 0;
    uint16_t packet_id = 0;  // QoS 1 and 2
    std::string payload;
};
// Reads a PUBLISH body given the first byte's flags; false with `error` for QoS 3, an empty topic or one
// with wildcards or NUL, a QoS 1/2 packet id of 0.
bool parse_publish(uint8_t flags, const std::string &body, Publish &out, std::string &error);

// The remaining-length bytes of a body of `size` bytes (size < 2^28).
std::string encode_remaining_length(size_t size);
std::string encode_connack(uint8_t return_code);
// A PUBLISH at QoS 0.
std::string encode_publish(const std::string &topic, const std::string &payload);
std::string encode_puback(uint16_t packet_id);
std::string encode_pingresp();

}  // namespace shd::cluster::mqtt
