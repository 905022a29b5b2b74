// libFuzzer target: the handshake parser and reply builder, the kick body and crc32 routing, on
// arbitrary bytes. Every JSON we produce must parse; a kick reason must survive the round trip.
#include <shaddock/cpp/route_hash.hpp>
#include <shaddock/pomelo/handshake.hpp>
#include <shaddock/pomelo/json_parse.hpp>
#include <shaddock/pomelo/kick_body.hpp>
#include <shaddock/pomelo/pomelo_protobuf.hpp>
#include <shaddock/pomelo/protos_version.hpp>
#include <shaddock/pomelo/route_dictionary.hpp>
#include <shaddock/pomelo/utf8_decode.hpp>

#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace shd::pomelo;

namespace {

bool valid_json(const std::string &text) {
    rapidjson::Document d;
    return parse_json(text, d, 1000);
}

struct Server {
    RouteDictionary dict{{"connector.entryHandler.entry", "chat.chatHandler.send"}, {"onChat"}};
    ProtobufSchema server, client;
    std::string version;
    Server() {
        rapidjson::Document d;
        d.Parse(R"({"onChat":{"required string msg":1,"message M":{"optional uInt32 x":1},"repeated M m":2}})");
        if (!server.load(d).empty()) std::abort();
        version = protos_version(client, server);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const Server server;
    const std::string_view in(reinterpret_cast<const char *>(data), size);

    const HandshakeRequest request = parse_handshake_request(in);
    if (!request.user_json.empty() && !valid_json(request.user_json)) std::abort();

    HandshakeReplyConfig config;
    config.heartbeat_seconds = size % 4;
    if (size % 3) config.dictionary = &server.dict;
    if (size % 5) {
        config.server_protos = &server.server;
        config.client_protos = &server.client;
        config.protos_version = server.version;
    }
    rapidjson::Document user;
    const bool user_ok = parse_json(in, user);
    if (json_valid(in) != user_ok) std::abort();  // the protocol layer's check agrees with the parser
    if (user_ok) config.user = &user;
    const std::string reply = request.has_sys ? handshake_reply(request, config) : handshake_error_reply(500);
    if (!valid_json(reply)) std::abort();

    const std::string kick = kick_body(in);
    rapidjson::Document parsed;
    if (!parse_json(kick, parsed) || !parsed.IsObject() || !parsed.HasMember("reason")) std::abort();
    if (is_valid_utf8(in) && std::string_view(parsed["reason"].GetString(), parsed["reason"].GetStringLength()) != in)
        std::abort();

    (void)shd::pomelo_route_index(in, 1 + size % 7);
    return 0;
}
