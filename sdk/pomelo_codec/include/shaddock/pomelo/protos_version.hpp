// The protos version Pomelo sends as sys.protos.version and compares with the client's
// sys.protoVersion (lib/components/protobuf.js): base64(md5(JSON.stringify(clientProtos) +
// JSON.stringify(serverProtos))), both in the parsed form, client first.
#pragma once

#include <string>

namespace shd::pomelo {

class ProtobufSchema;

// An absent file counts as an empty schema ("{}"). (Pomelo leaves the version "" when neither
// file exists; the caller decides whether to mimic that.)
std::string protos_version(const ProtobufSchema &client, const ProtobufSchema &server);

}  // namespace shd::pomelo
