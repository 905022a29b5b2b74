// Pomelo's own "protobuf" dialect (pomelo-protobuf 0.4.0), which is NOT Google protobuf: int32 is
// zigzag like sInt32, repeated numbers are one key + element COUNT + elements, wire types are
// ignored when decoding, fields come out in the value's key order.
//
// One ProtobufSchema holds one side's schemas (serverProtos.json or clientProtos.json): messages
// keyed by route, plus global "message X" types. Lookups of a message type go to the types declared
// inside the current message, then to the global ones, exactly as pomelo-protobuf does.
//
// Thread safety: a loaded schema is immutable; encode/decode may run concurrently.
#pragma once

#include <rapidjson/fwd.h>

#include <memory>
#include <string>
#include <string_view>

namespace shd::pomelo {

using JsonAllocator = rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>;

class ProtobufSchema {
public:
    static constexpr unsigned kDefaultMaxDepth = 32;  // nested messages per decode/encode

    ProtobufSchema();  // no routes; parsed form "{}"
    ~ProtobufSchema();
    ProtobufSchema(ProtobufSchema &&) noexcept;
    ProtobufSchema &operator=(ProtobufSchema &&) noexcept;

    // Loads the source form: {"<route>": {"<rule> <type> <name>": tag, "message <Name>": {...}},
    // "message <Name>": {...}}. Malformed keys are skipped as pomelo-protobuf's parser skips them;
    // a tag that is not an integer in 0..2^29-1 is an error. Returns an empty string on success, or
    // a message naming the route, key and value (the schema is then unchanged).
    std::string load(const rapidjson::Value &source);

    // The parsed form Pomelo sends in the handshake (protos.server / protos.client):
    // JSON.stringify(protobuf.parse(source)), byte for byte.
    const std::string &parsed_json() const { return parsed_json_; }

    bool has_route(std::string_view route) const;

    // Appends the encoding of `value` (a JSON object) under `route`'s schema. Returns an empty
    // string, or an error naming the route and field path, and then appends nothing.
    // Deviations from pomelo-protobuf, which would throw or write garbage instead: values must have
    // the JSON type the schema asks for (numbers as numbers), unknown/unsupported types are errors.
    std::string encode(std::string &out, std::string_view route, const rapidjson::Value &value,
                       unsigned max_depth = kDefaultMaxDepth) const;

    // Decodes `bytes` under `route`'s schema into `out` (set to an object, memory from
    // `allocator`). Unknown tags, truncated values, over-long varints and nesting deeper than
    // max_depth are errors. uInt32 values come out as unsigned integers, int32/sInt32 as signed,
    // float/double as doubles; strings with invalid UTF-8 get U+FFFD as Node would.
    std::string decode(std::string_view route, std::string_view bytes, rapidjson::Value &out, JsonAllocator &allocator,
                       unsigned max_depth = kDefaultMaxDepth) const;

    // decode(), then the JSON text pomelo-protobuf's object would give under JSON.stringify, as
    // handlers receive it: a float or double that decodes to NaN or an infinity becomes null (the
    // bytes can carry any IEEE pattern; RapidJSON's writer would emit nothing and leave invalid
    // JSON). Appends to json_out only on success.
    std::string decode_json(std::string_view route, std::string_view bytes, std::string &json_out,
                            unsigned max_depth = kDefaultMaxDepth) const;

    struct Model;  // compiled schema, defined in protobuf_model.hpp

private:
    std::unique_ptr<Model> model_;
    std::string parsed_json_ = "{}";
};

}  // namespace shd::pomelo
