// Private: the compiled form of a pomelo-protobuf schema, shared by the parser, encoder and decoder.
#pragma once

#include <shaddock/pomelo/pomelo_protobuf.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shd::pomelo {

enum class FieldRule : uint8_t { required, optional, repeated };

enum class FieldKind : uint8_t {
    uint32,       // uInt32: varint
    sint32,       // sInt32 and int32: zigzag varint
    float32,      // float: 4 bytes LE
    float64,      // double: 8 bytes LE
    string,       // varint length + bytes
    message,      // varint length + nested encoding
    unsupported,  // uInt64/sInt64: "simple" in pomelo-protobuf but never encoded
};

// "Simple" types are the numeric ones: repeated, they go as one key + count + elements.
inline bool is_simple(FieldKind k) {
    return k != FieldKind::string && k != FieldKind::message;
}

struct ProtoMessage;

struct ProtoField {
    std::string name;
    std::string type;  // as written in the schema
    FieldRule rule = FieldRule::optional;
    FieldKind kind = FieldKind::message;
    uint32_t tag = 0;
    const ProtoMessage *message = nullptr;  // kind == message: the resolved type, or null if unknown
};

struct ProtoMessage {
    std::vector<ProtoField> fields;
    std::unordered_map<std::string_view, size_t> by_name;                      // views into fields[i].name
    std::unordered_map<uint32_t, size_t> by_tag;                               // pomelo's __tags, resolved to fields
    std::map<std::string, std::unique_ptr<ProtoMessage>, std::less<>> nested;  // __messages

    const ProtoField *field_named(std::string_view name) const {
        auto it = by_name.find(name);
        return it == by_name.end() ? nullptr : &fields[it->second];
    }
    const ProtoField *field_tagged(uint32_t tag) const {
        auto it = by_tag.find(tag);
        return it == by_tag.end() ? nullptr : &fields[it->second];
    }
};

struct ProtobufSchema::Model {
    // Top-level keys: routes and global "message <Name>" types alike, as in the parsed form.
    std::map<std::string, std::unique_ptr<ProtoMessage>, std::less<>> roots;

    const ProtoMessage *route(std::string_view name) const {
        auto it = roots.find(name);
        return it == roots.end() ? nullptr : it->second.get();
    }
};

// Wire type pomelo-protobuf writes in a field key: constant.js TYPES, 2 for anything else.
inline uint32_t wire_type_of(const ProtoField &f) {
    switch (f.kind) {
        case FieldKind::uint32:
        case FieldKind::sint32: return 0;
        case FieldKind::float64: return 1;
        case FieldKind::float32: return 5;
        default: return 2;
    }
}

}  // namespace shd::pomelo
