// libFuzzer target: the connector's whole receive path as the pomelo_protocol plugin runs it for one
// client connection (ProtocolConnection): bytes in -> package parser -> message decode -> route
// dictionary -> JSON check or protobuf decode to JSON -> the message handed to the connector.
// The link is a stand-in for the connector's. Checked: every delivered message has a route and a
// body that is valid JSON (what handlers parse); every byte sent back is a whole package; nothing
// is delivered before the handshake completes or after a close.
//
// Input: [mode][bytes...]. mode bit 0: the client has already completed a valid handshake (a
// handshake package and its ACK go first), so the fuzzer spends its time on messages. bit 1: the
// WebSocket transport, each message one package, messages split by a 2-byte big-endian length;
// otherwise the raw TCP stream, fed in slices of (mode >> 2) + 1 bytes.
#include "protocol_connection.hpp"
#include "protocol_setup.hpp"

#include <shaddock/pomelo/package_codec.hpp>

#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using namespace shd::pomelo;

namespace {

const char *const kClientProtos = R"({
  "chat.chatHandler.send": {"required string content": 1, "optional uInt32 n": 2, "optional float f": 3,
                            "optional double d": 4, "repeated sInt32 zs": 5, "repeated double ds": 6,
                            "message Item": {"required string name": 1, "optional Item next": 2},
                            "repeated Item items": 7, "optional int32 i": 8},
  "area.playerHandler.move": {"required float x": 1, "required float y": 2, "repeated float path": 3}
})";

const ProtocolSetup &setup() {
    static const std::unique_ptr<ProtocolSetup> s = [] {
        auto out = std::make_unique<ProtocolSetup>();
        out->heartbeat_s = 3;
        out->heartbeat_timeout_ms = 6000;
        out->max_package_size = 4096;
        out->use_dict = true;
        out->use_protobuf = true;
        out->dictionary = RouteDictionary(
            {"connector.entryHandler.entry", "chat.chatHandler.send", "area.playerHandler.move"}, {"onChat"});
        rapidjson::Document d;
        d.Parse(kClientProtos);
        if (d.HasParseError() || !out->client_protos.load(d).empty()) std::abort();
        return out;
    }();
    return *s;
}

// The connector's side of the link.
struct FakeLink {
    shd_protocol_link_v1 link{};
    bool closed = false;
    bool established = false;
    shd_handshake_reply_fn reply = nullptr;
    void *reply_ctx = nullptr;

    FakeLink() {
        link.struct_size = sizeof(link);
        link.link_ctx = this;
        link.send = [](void *ctx, shd_bytes data) {
            auto *me = static_cast<FakeLink *>(ctx);
            if (me->closed) std::abort();  // nothing after close
            // Only whole packages go out.
            std::string_view bytes(reinterpret_cast<const char *>(data.data), data.size);
            if (!decode_frame_package(bytes, kMaxPackageBodySize).ok()) std::abort();
        };
        link.close = [](void *ctx, shd_str) { static_cast<FakeLink *>(ctx)->closed = true; };
        link.set_timeout = [](void *, uint64_t) {};
        link.deliver = [](void *ctx, const shd_inbound_msg_v1 *msg) {
            auto *me = static_cast<FakeLink *>(ctx);
            if (me->closed || !me->established || !msg) std::abort();
            if (msg->kind != SHD_MSG_REQUEST && msg->kind != SHD_MSG_NOTIFY) std::abort();
            // A string route without a dot is dropped; a dictionary code may name any entry of
            // dictionary.json (the handler lookup answers an unknown one).
            if (msg->route.size == 0) std::abort();
            // Handlers parse the body as JSON: it must be JSON (RapidJSON's strict mode refuses
            // NaN and Infinity, as JSON.parse does).
            rapidjson::Document doc;
            doc.Parse<rapidjson::kParseIterativeFlag>(msg->body_json.data, msg->body_json.size);
            if (doc.HasParseError()) std::abort();
        };
        link.handshake = [](void *ctx, shd_str, shd_str, shd_str, shd_handshake_reply_fn reply, void *reply_ctx) {
            auto *me = static_cast<FakeLink *>(ctx);
            me->reply = reply;  // the app answers later, as the logic thread does
            me->reply_ctx = reply_ctx;
        };
        link.established = [](void *ctx) { static_cast<FakeLink *>(ctx)->established = true; };
    }

    void answer() {
        if (!reply || closed) return;
        shd_handshake_reply_fn r = reply;
        reply = nullptr;
        r(reply_ctx, 200, shd_str{"", 0});
    }
};

std::string handshake_bytes() {
    std::string out;
    if (encode_package(out, PackageType::handshake, R"({"sys":{"type":"fuzz","version":"0.1.0"},"user":{}})"))
        std::abort();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const uint8_t mode = data[0];
    std::string_view in(reinterpret_cast<const char *>(data + 1), size - 1);
    const bool websocket = mode & 2;

    FakeLink fake;
    auto conn = std::make_unique<ProtocolConnection>(setup(), fake.link);
    if (mode & 1) {
        const std::string hs = handshake_bytes();
        if (websocket)
            conn->receive(hs, true);
        else
            conn->receive(hs, false);
        fake.answer();
        std::string ack;
        if (encode_package(ack, PackageType::handshake_ack, {})) std::abort();
        conn->receive(ack, websocket);
        if (!fake.established) std::abort();
    }

    if (websocket) {
        while (!in.empty() && !fake.closed) {
            size_t n = in.size() >= 2 ? (size_t(uint8_t(in[0])) << 8 | uint8_t(in[1])) : 0;
            in.remove_prefix(std::min<size_t>(2, in.size()));
            n = std::min(n, in.size());
            conn->receive(in.substr(0, n), true);
            in.remove_prefix(n);
            fake.answer();
        }
    } else {
        const size_t slice = (mode >> 2) + 1;
        while (!in.empty() && !fake.closed) {
            const size_t n = std::min(slice, in.size());
            conn->receive(in.substr(0, n), false);
            in.remove_prefix(n);
            fake.answer();
        }
    }
    conn->on_timeout();
    return 0;
}
