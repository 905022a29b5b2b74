// The handshake (package type 1), as pomelo 2.2.7 lib/connectors/commands/handshake.js handles it:
// reading the client's request and building the reply byte-identical to Pomelo's.
#pragma once

#include <rapidjson/fwd.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace shd::pomelo {

class RouteDictionary;
class ProtobufSchema;

enum HandshakeCode : int {
    kHandshakeOk = 200,
    kHandshakeBadRequest = 500,  // no `sys` (or not JSON), or the app's handshake hook failed
    kHandshakeOldClient = 501,   // the app's checkClient(type, version) refused the client
};

// What the server needs from the client's handshake body. Pomelo treats a body that is not JSON as
// {}, and a missing or falsy `sys` as a bad request; fields that are absent or not strings read as
// empty here (for the versions an empty string means "not cached", as in Pomelo).
struct HandshakeRequest {
    bool has_sys = false;  // false: reply kHandshakeBadRequest and close
    std::string type;      // sys.type, e.g. "js-websocket"
    std::string version;   // sys.version
    std::string dict_version;
    std::string proto_version;
    std::string user_json;  // JSON.stringify(user), or empty if there is no `user`
};

// Never fails; bodies nested deeper than kDefaultMaxJsonDepth count as not JSON.
HandshakeRequest parse_handshake_request(std::string_view body);

// What the server is configured with. Pointers are borrowed for the duration of the call.
struct HandshakeReplyConfig {
    uint32_t heartbeat_seconds = 0;               // 0: not configured, no sys.heartbeat
    const RouteDictionary *dictionary = nullptr;  // set: useDict
    // Both set: useProtobuf (an app with one proto file passes an empty schema for the other).
    const ProtobufSchema *server_protos = nullptr;
    const ProtobufSchema *client_protos = nullptr;
    std::string_view protos_version;  // protos_version(client, server)
    // The result of the app's handshake hook, sent as `user` unless absent or falsy (null, false,
    // 0, ""), as Pomelo does.
    const rapidjson::Value *user = nullptr;
};

// The JSON body of a code-200 reply: {"code":200,"sys":{heartbeat, dict, routeToCode, codeToRoute,
// dictVersion, useDict, protos{server,client,version}, useProto},"user":...} in Pomelo's key order,
// the dictionary parts only when the client's dictVersion differs, the protos only when its
// protoVersion differs.
std::string handshake_reply(const HandshakeRequest &request, const HandshakeReplyConfig &config);

// The JSON body of an error reply: {"code":500} or {"code":501}. The server closes the connection
// after sending it.
std::string handshake_error_reply(int code);

}  // namespace shd::pomelo
