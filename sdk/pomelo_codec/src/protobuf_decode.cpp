// Decoding pomelo-protobuf bytes into JSON like lib/decoder.js: the wire type in each key is ignored
// (the schema decides how to read the value; the JS client writes wrong wire types). Where the JS
// decoder would crash or read past the end (unknown tag, truncation, endless varint) we return an
// error instead, and nesting is bounded.
#include <shaddock/pomelo/pomelo_protobuf.hpp>

#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/utf8_decode.hpp>
#include <shaddock/pomelo/varint.hpp>

#include "protobuf_model.hpp"

#include <rapidjson/document.h>

#include <cstring>

namespace shd::pomelo {

namespace {

constexpr size_t kMaxKeyBytes = 5;     // keys are uint32 in pomelo-protobuf
constexpr size_t kMaxValueBytes = 10;  // values up to 64 bits

class Decoder {
public:
    Decoder(JsonAllocator &alloc, unsigned max_depth) : alloc_(alloc), max_depth_(max_depth) {}

    // Decodes all of `in` as one message of type `pm` into `obj`.
    bool message(const ProtoMessage &pm, std::string_view in, rapidjson::Value &obj, unsigned depth) {
        obj.SetObject();
        if (depth > max_depth_) return fail("messages nested deeper than " + std::to_string(max_depth_));
        size_t pos = 0;
        while (pos < in.size()) {
            uint64_t key;
            if (!varint(in, pos, kMaxKeyBytes, key, "field key")) return false;
            if (key > 0xFFFFFFFFu) return fail("field key out of range");
            const uint32_t tag = static_cast<uint32_t>(key >> 3);
            const ProtoField *f = pm.field_tagged(tag);
            if (!f) return fail("unknown tag " + std::to_string(tag));
            if (!field(*f, in, pos, obj, depth)) {
                error_ = f->name + ": " + error_;
                return false;
            }
        }
        return true;
    }

    std::string error_;

private:
    bool fail(std::string problem) {
        error_ = std::move(problem);
        return false;
    }

    bool varint(std::string_view in, size_t &pos, size_t max_bytes, uint64_t &out, const char *what) {
        const VarintRead r = read_varint(in.substr(pos), max_bytes);
        if (r.status == VarintStatus::truncated) return fail(std::string(what) + " truncated");
        if (r.status == VarintStatus::too_long) return fail(std::string(what) + " varint too long");
        out = r.value;
        pos += r.size;
        return true;
    }

    bool field(const ProtoField &f, std::string_view in, size_t &pos, rapidjson::Value &obj, unsigned depth) {
        if (f.kind == FieldKind::unsupported) return fail("type " + f.type + " is not supported by pomelo-protobuf");
        if (f.kind == FieldKind::message && !f.message) return fail("unknown message type " + f.type);
        rapidjson::Value name(rapidjson::StringRef(f.name.data(), f.name.size()));
        auto member = obj.FindMember(name);

        if (f.rule != FieldRule::repeated) {
            rapidjson::Value value;
            if (!single(f, in, pos, value, depth)) return false;
            if (member != obj.MemberEnd()) {
                member->value = value;  // a repeated occurrence overwrites, as in JS
            } else {
                obj.AddMember(rapidjson::Value(f.name.data(), static_cast<rapidjson::SizeType>(f.name.size()), alloc_),
                              value, alloc_);
            }
            return true;
        }

        if (member == obj.MemberEnd()) {
            obj.AddMember(rapidjson::Value(f.name.data(), static_cast<rapidjson::SizeType>(f.name.size()), alloc_),
                          rapidjson::Value(rapidjson::kArrayType), alloc_);
            member = obj.MemberEnd() - 1;
        }
        rapidjson::Value &array = member->value;
        uint64_t count = 1;
        if (is_simple(f.kind) && !varint(in, pos, kMaxValueBytes, count, "element count")) return false;
        // The count is not trusted for allocation: every element consumes input or fails.
        for (uint64_t i = 0; i < count; ++i) {
            rapidjson::Value value;
            if (!single(f, in, pos, value, depth)) return false;
            array.PushBack(value, alloc_);
        }
        return true;
    }

    bool fixed(std::string_view in, size_t &pos, int bytes, uint64_t &bits) {
        if (in.size() - pos < static_cast<size_t>(bytes)) return fail("value truncated");
        bits = 0;
        for (int i = 0; i < bytes; ++i) bits |= uint64_t{static_cast<uint8_t>(in[pos + i])} << (8 * i);
        pos += static_cast<size_t>(bytes);
        return true;
    }

    bool single(const ProtoField &f, std::string_view in, size_t &pos, rapidjson::Value &out, unsigned depth) {
        switch (f.kind) {
            case FieldKind::uint32: {
                uint64_t n;
                if (!varint(in, pos, kMaxValueBytes, n, "value")) return false;
                out.SetUint64(n);
                return true;
            }
            case FieldKind::sint32: {
                uint64_t n;
                if (!varint(in, pos, kMaxValueBytes, n, "value")) return false;
                out.SetInt64(static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1));
                return true;
            }
            case FieldKind::float32: {
                uint64_t bits;
                if (!fixed(in, pos, 4, bits)) return false;
                const uint32_t b32 = static_cast<uint32_t>(bits);
                float f32;
                std::memcpy(&f32, &b32, sizeof f32);
                out.SetDouble(static_cast<double>(f32));
                return true;
            }
            case FieldKind::float64: {
                uint64_t bits;
                if (!fixed(in, pos, 8, bits)) return false;
                double d;
                std::memcpy(&d, &bits, sizeof d);
                out.SetDouble(d);
                return true;
            }
            case FieldKind::string:
            case FieldKind::message: {
                uint64_t size;
                if (!varint(in, pos, kMaxValueBytes, size, "length")) return false;
                if (size > in.size() - pos) return fail("length beyond the end of the message");
                const std::string_view bytes = in.substr(pos, static_cast<size_t>(size));
                pos += static_cast<size_t>(size);
                if (f.kind == FieldKind::message) return message(*f.message, bytes, out, depth + 1);
                set_string(out, bytes);
                return true;
            }
            case FieldKind::unsupported: break;
        }
        return fail("unsupported type");
    }

    // Buffer#toString('utf8'): invalid sequences become U+FFFD.
    void set_string(rapidjson::Value &out, std::string_view bytes) {
        if (is_valid_utf8(bytes)) {
            out.SetString(bytes.data(), static_cast<rapidjson::SizeType>(bytes.size()), alloc_);
            return;
        }
        std::string fixed;
        size_t pos = 0;
        while (pos < bytes.size()) append_utf8(fixed, decode_utf8(bytes, pos));
        out.SetString(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()), alloc_);
    }

    JsonAllocator &alloc_;
    unsigned max_depth_;
};

}  // namespace

std::string ProtobufSchema::decode(std::string_view route, std::string_view bytes, rapidjson::Value &out,
                                   JsonAllocator &allocator, unsigned max_depth) const {
    out.SetObject();
    const ProtoMessage *pm = model_ ? model_->route(route) : nullptr;
    if (!pm) return "route \"" + std::string(route) + "\": no protobuf schema";
    Decoder decoder(allocator, max_depth);
    if (decoder.message(*pm, bytes, out, 1)) return {};
    out.SetObject();
    return "route \"" + std::string(route) + "\": " + decoder.error_;
}

std::string ProtobufSchema::decode_json(std::string_view route, std::string_view bytes, std::string &json_out,
                                        unsigned max_depth) const {
    rapidjson::Document doc;
    std::string error = decode(route, bytes, doc, doc.GetAllocator(), max_depth);
    if (!error.empty()) return error;
    std::string text;
    // Nesting is bounded by max_depth (each message level is one object, each repeated field one
    // array more), so the writer's own limit only guards against a caller's huge max_depth.
    if (!append_js_json(text, doc, 2 * max_depth + 2)) return "route \"" + std::string(route) + "\": nests too deeply";
    json_out += text;
    return {};
}

}  // namespace shd::pomelo
