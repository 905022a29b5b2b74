#include "protos_version.hpp"

#include "md5_base64.hpp"
#include "pomelo_protobuf.hpp"

namespace shd::pomelo {

std::string protos_version(const ProtobufSchema &client, const ProtobufSchema &server) {
    return md5_base64(client.parsed_json() + server.parsed_json());
}

}  // namespace shd::pomelo
