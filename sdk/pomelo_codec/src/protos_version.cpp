#include <shaddock/pomelo/protos_version.hpp>

#include <shaddock/pomelo/md5_base64.hpp>
#include <shaddock/pomelo/pomelo_protobuf.hpp>

namespace shd::pomelo {

std::string protos_version(const ProtobufSchema &client, const ProtobufSchema &server) {
    return md5_base64(client.parsed_json() + server.parsed_json());
}

}  // namespace shd::pomelo
