// Encoding a JSON value with a pomelo-protobuf schema, byte-identical to lib/encoder.js for the
// values it can encode: fields in the value's JS key order, present fields only, repeated numbers as
// one key + element count, repeated strings/messages as one key per element.
#include <shaddock/pomelo/pomelo_protobuf.hpp>

#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/varint.hpp>

#include "js_object_order.hpp"
#include "protobuf_model.hpp"

#include <rapidjson/document.h>

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace shd::pomelo {

namespace {

struct EncodeError {
    std::string path;  // field path, e.g. items[2].name
    std::string problem;
};

void prefix_path(EncodeError &e, const std::string &segment) {
    e.path = e.path.empty() ? segment : (e.path[0] == '[' ? segment + e.path : segment + "." + e.path);
}

// parseInt(String(x)) for a JS number, as codec.js applies to every integer field. Returns false
// for NaN (no leading digits: Infinity, NaN).
bool js_parse_int(double x, double &result) {
    std::string text;
    append_js_number(text, x);
    size_t end = text[0] == '-' ? 1 : 0;
    const size_t digits_start = end;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == digits_start) return false;
    result = std::strtod(text.substr(0, end).c_str(), nullptr);
    return true;
}

bool to_unsigned(const rapidjson::Value &v, uint64_t &out, EncodeError &err) {
    if (!v.IsNumber()) {
        err.problem = "expected a number";
        return false;
    }
    if (v.IsUint64()) {
        out = v.GetUint64();
        return true;
    }
    double n;
    if (v.IsInt64() || !js_parse_int(v.GetDouble(), n) || n < 0) {
        err.problem = "expected a non-negative number";
        return false;
    }
    if (n >= 18446744073709551616.0) {
        err.problem = "number too large";
        return false;
    }
    out = static_cast<uint64_t>(n);
    return true;
}

bool to_signed(const rapidjson::Value &v, int64_t &out, EncodeError &err) {
    if (!v.IsNumber()) {
        err.problem = "expected a number";
        return false;
    }
    if (v.IsInt64()) {
        out = v.GetInt64();
        return true;
    }
    double n;
    if (v.IsUint64()) {
        err.problem = "number out of range";
        return false;
    }
    if (!js_parse_int(v.GetDouble(), n)) {
        err.problem = "expected a finite number";
        return false;
    }
    if (n >= 9223372036854775808.0 || n < -9223372036854775808.0) {
        err.problem = "number out of range";
        return false;
    }
    out = static_cast<int64_t>(n);
    return true;
}

// Float32Array rounding without the undefined behaviour of converting an out-of-range double.
float to_float32(double d) {
    if (std::isnan(d) || std::fabs(d) <= FLT_MAX) return static_cast<float>(d);
    constexpr double kRoundsToInfinity = 0x1.ffffffp127;  // FLT_MAX + half an ulp
    const float big = std::fabs(d) >= kRoundsToInfinity ? INFINITY : FLT_MAX;
    return d < 0 ? -big : big;
}

void append_le(std::string &out, uint64_t bits, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

class Encoder {
public:
    Encoder(std::string &out, unsigned max_depth) : out_(out), max_depth_(max_depth) {}

    bool message(const ProtoMessage &pm, const rapidjson::Value &obj, unsigned depth, EncodeError &err) {
        if (!obj.IsObject()) {
            err.problem = "expected an object";
            return false;
        }
        if (depth > max_depth_) {
            err.problem = "messages nested deeper than " + std::to_string(max_depth_);
            return false;
        }
        for (const ProtoField &f : pm.fields) {
            if (f.rule == FieldRule::required && !obj.HasMember(f.name)) {
                err.path = f.name;
                err.problem = "required field missing";
                return false;
            }
        }
        return for_each_js_member(obj, [&](std::string_view key, const rapidjson::Value &value) {
            const ProtoField *f = pm.field_named(key);
            if (!f) return true;  // not in the schema: ignored, as pomelo-protobuf does
            if (!field(*f, value, depth, err)) {
                prefix_path(err, f->name);
                return false;
            }
            return true;
        });
    }

private:
    void key(const ProtoField &f) { append_varint(out_, (uint64_t{f.tag} << 3) | wire_type_of(f)); }

    bool field(const ProtoField &f, const rapidjson::Value &value, unsigned depth, EncodeError &err) {
        if (f.kind == FieldKind::unsupported) {
            err.problem = "type " + f.type + " is not supported by pomelo-protobuf";
            return false;
        }
        if (f.kind == FieldKind::message && !f.message) {
            err.problem = "unknown message type " + f.type;
            return false;
        }
        if (f.rule != FieldRule::repeated) {
            key(f);
            return single(f, value, depth, err);
        }
        if (value.IsNull()) return true;  // `if (!!msg[name] && ...)`
        if (!value.IsArray()) {
            err.problem = "expected an array";
            return false;
        }
        const rapidjson::SizeType n = value.Size();
        if (n == 0) return true;
        if (is_simple(f.kind)) {
            key(f);
            append_varint(out_, n);
        }
        for (rapidjson::SizeType i = 0; i < n; ++i) {
            if (!is_simple(f.kind)) key(f);
            if (!single(f, value[i], depth, err)) {
                prefix_path(err, "[" + std::to_string(i) + "]");
                return false;
            }
        }
        return true;
    }

    bool single(const ProtoField &f, const rapidjson::Value &v, unsigned depth, EncodeError &err) {
        switch (f.kind) {
            case FieldKind::uint32: {
                uint64_t n;
                if (!to_unsigned(v, n, err)) return false;
                append_varint(out_, n);
                return true;
            }
            case FieldKind::sint32: {
                int64_t n;
                if (!to_signed(v, n, err)) return false;
                // zigzag: n >= 0 -> 2n, n < 0 -> 2|n| - 1
                append_varint(out_, (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63));
                return true;
            }
            case FieldKind::float32: {
                if (!v.IsNumber()) {
                    err.problem = "expected a number";
                    return false;
                }
                const float f32 = to_float32(v.GetDouble());
                uint32_t bits;
                std::memcpy(&bits, &f32, sizeof bits);
                append_le(out_, bits, 4);
                return true;
            }
            case FieldKind::float64: {
                if (!v.IsNumber()) {
                    err.problem = "expected a number";
                    return false;
                }
                const double d = v.GetDouble();
                uint64_t bits;
                std::memcpy(&bits, &d, sizeof bits);
                append_le(out_, bits, 8);
                return true;
            }
            case FieldKind::string:
                if (!v.IsString()) {
                    err.problem = "expected a string";
                    return false;
                }
                append_varint(out_, v.GetStringLength());
                out_.append(v.GetString(), v.GetStringLength());
                return true;
            case FieldKind::message: {
                // Encode in place, then put the length in front of it.
                const size_t start = out_.size();
                if (!message(*f.message, v, depth + 1, err)) return false;
                std::string length;
                append_varint(length, out_.size() - start);
                out_.insert(start, length);
                return true;
            }
            case FieldKind::unsupported: break;
        }
        err.problem = "unsupported type";
        return false;
    }

    std::string &out_;
    unsigned max_depth_;
};

}  // namespace

std::string ProtobufSchema::encode(std::string &out, std::string_view route, const rapidjson::Value &value,
                                   unsigned max_depth) const {
    const ProtoMessage *pm = model_ ? model_->route(route) : nullptr;
    if (!pm) return "route \"" + std::string(route) + "\": no protobuf schema";
    const size_t start = out.size();
    Encoder encoder(out, max_depth);
    EncodeError err;
    if (encoder.message(*pm, value, 1, err)) return {};
    out.resize(start);
    std::string text = "route \"" + std::string(route) + "\": ";
    if (!err.path.empty()) text += "field " + err.path + ": ";
    return text + err.problem;
}

}  // namespace shd::pomelo
