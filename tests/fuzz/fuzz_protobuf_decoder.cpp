// libFuzzer target: the pomelo-protobuf decoder. Input: [route selector][bytes]. Whatever decodes
// must stringify; if it re-encodes (required fields may be missing), those bytes must decode, and
// encoding is then a fixed point. (The first re-encoding may differ: a repeated field seen with
// count 0 decodes as [] but is not written, split repeated numbers are merged.)
#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/pomelo_protobuf.hpp>

#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace shd::pomelo;

namespace {

const char *const kSchema = R"({
  "all": {"required uInt32 a": 1, "optional sInt32 s": 2, "optional int32 i": 3, "optional string str": 4,
          "repeated uInt32 arr": 5, "message Item": {"required string name": 1, "optional Node node": 2},
          "repeated Item items": 6, "optional float f": 7, "optional double d": 8, "repeated sInt32 zs": 9,
          "repeated float fs": 10, "repeated double ds": 11, "repeated string strs": 12, "optional Node n": 13},
  "node": {"optional Node root": 1, "optional uInt64 unsupported": 2, "optional Missing missing": 3},
  "message Node": {"optional Node child": 1, "optional uInt32 v": 2, "repeated Node kids": 3}
})";
const char *const kRoutes[] = {"all", "node", "message Node", "none"};

const ProtobufSchema &schema() {
    static const ProtobufSchema s = [] {
        ProtobufSchema loaded;
        rapidjson::Document d;
        d.Parse(kSchema);
        if (!loaded.load(d).empty()) std::abort();
        return loaded;
    }();
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char *route = kRoutes[data[0] % 4];
    const std::string_view in(reinterpret_cast<const char *>(data + 1), size - 1);

    rapidjson::Document decoded;
    if (!schema().decode(route, in, decoded, decoded.GetAllocator()).empty()) return 0;
    std::string json;
    if (!append_js_json(json, decoded, 200)) std::abort();

    std::string bytes;
    if (!schema().encode(bytes, route, decoded).empty()) return 0;
    rapidjson::Document again;
    if (!schema().decode(route, bytes, again, again.GetAllocator()).empty()) std::abort();
    std::string bytes_again;
    if (!schema().encode(bytes_again, route, again).empty() || bytes_again != bytes) std::abort();
    return 0;
}
