// Loading a pomelo-protobuf schema: first the parsed form exactly as lib/parser.js builds it (JS
// object semantics included: a repeated key keeps its first position and takes the last value),
// then the compiled model the encoder and decoder use.
#include <shaddock/pomelo/pomelo_protobuf.hpp>

#include <shaddock/pomelo/js_json_writer.hpp>

#include "js_object_order.hpp"
#include "protobuf_model.hpp"

#include <rapidjson/document.h>

#include <cmath>
#include <vector>

namespace shd::pomelo {

namespace {

constexpr unsigned kMaxSchemaDepth = 64;
constexpr double kMaxTag = (1u << 29) - 1;  // (tag << 3) must stay a positive int32 in JS

rapidjson::Value string_value(std::string_view s, JsonAllocator &a) {
    return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

// obj[key] = value with JS semantics: an existing key is overwritten in place.
void assign(rapidjson::Value &obj, std::string_view key, rapidjson::Value &value, JsonAllocator &a) {
    rapidjson::Value name(rapidjson::StringRef(key.data(), key.size()));
    auto it = obj.FindMember(name);
    if (it != obj.MemberEnd()) {
        it->value = value;
    } else {
        obj.AddMember(string_value(key, a), value, a);
    }
}

// JS name.split(' ').
std::vector<std::string_view> split_on_space(std::string_view s) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (;;) {
        const size_t space = s.find(' ', start);
        parts.push_back(s.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
        if (space == std::string_view::npos) return parts;
        start = space + 1;
    }
}

std::string describe(const rapidjson::Value &v) {
    std::string text;
    if (!append_js_json(text, v, 4)) text = "(deeply nested value)";
    return text;
}

struct SchemaParser {
    JsonAllocator &alloc;
    std::string error;

    // lib/parser.js parseObject(). `where` names the route and enclosing messages for errors.
    bool parse_object(const rapidjson::Value &obj, rapidjson::Value &proto, const std::string &where, unsigned depth) {
        proto.SetObject();
        if (depth > kMaxSchemaDepth) {
            error = where + ": messages nested deeper than " + std::to_string(kMaxSchemaDepth);
            return false;
        }
        rapidjson::Value nested(rapidjson::kObjectType);
        rapidjson::Value tags(rapidjson::kObjectType);
        // for..in over a non-object finds nothing usable (array indices are not rules).
        if (obj.IsObject()) {
            const bool ok = for_each_js_member(obj, [&](std::string_view name, const rapidjson::Value &tag) {
                const std::vector<std::string_view> params = split_on_space(name);
                if (params[0] == "message") {
                    if (params.size() != 2) return true;
                    rapidjson::Value inner;
                    if (!parse_object(tag, inner, where + " > " + std::string(name), depth + 1)) return false;
                    assign(nested, params[1], inner, alloc);
                    return true;
                }
                if (params[0] != "required" && params[0] != "optional" && params[0] != "repeated") return true;
                if (params.size() != 3) return true;
                if (!tag.IsNumber() || tag.GetDouble() < 0 || tag.GetDouble() > kMaxTag ||
                    std::floor(tag.GetDouble()) != tag.GetDouble()) {
                    error = where + ": key \"" + std::string(name) + "\": tag " + describe(tag) +
                            " is not an integer in 0.." + std::to_string(static_cast<uint32_t>(kMaxTag));
                    return false;
                }
                const uint32_t tag_number = static_cast<uint32_t>(tag.GetDouble());
                const std::string tag_key = std::to_string(tag_number);
                // `if (!!tags[tag]) continue;`: a tag already taken by a non-empty name.
                auto taken = tags.FindMember(tag_key);
                if (taken != tags.MemberEnd() && taken->value.GetStringLength() > 0) return true;

                rapidjson::Value field(rapidjson::kObjectType);
                field.AddMember("option", string_value(params[0], alloc), alloc);
                field.AddMember("type", string_value(params[1], alloc), alloc);
                field.AddMember("tag", rapidjson::Value(tag_number), alloc);
                assign(proto, params[2], field, alloc);
                rapidjson::Value field_name = string_value(params[2], alloc);
                assign(tags, tag_key, field_name, alloc);
                return true;
            });
            if (!ok) return false;
        }
        assign(proto, "__messages", nested, alloc);
        assign(proto, "__tags", tags, alloc);
        return true;
    }
};

FieldKind kind_of(std::string_view type) {
    if (type == "uInt32") return FieldKind::uint32;
    if (type == "sInt32" || type == "int32") return FieldKind::sint32;
    if (type == "float") return FieldKind::float32;
    if (type == "double") return FieldKind::float64;
    if (type == "string") return FieldKind::string;
    if (type == "uInt64" || type == "sInt64") return FieldKind::unsupported;
    return FieldKind::message;
}

FieldRule rule_of(std::string_view option) {
    if (option == "required") return FieldRule::required;
    if (option == "repeated") return FieldRule::repeated;
    return FieldRule::optional;
}

// Builds the model of one parsed message object (the shape parse_object produced).
std::unique_ptr<ProtoMessage> compile(const rapidjson::Value &parsed) {
    auto msg = std::make_unique<ProtoMessage>();
    const rapidjson::Value *tags = nullptr;
    for (auto it = parsed.MemberBegin(); it != parsed.MemberEnd(); ++it) {
        const std::string_view name = json_string_view(it->name);
        if (name == "__messages") {
            for (auto n = it->value.MemberBegin(); n != it->value.MemberEnd(); ++n)
                msg->nested.emplace(std::string(json_string_view(n->name)), compile(n->value));
        } else if (name == "__tags") {
            tags = &it->value;
        } else {
            ProtoField f;
            f.name = std::string(name);
            f.type = std::string(json_string_view(it->value["type"]));
            f.rule = rule_of(json_string_view(it->value["option"]));
            f.kind = kind_of(f.type);
            f.tag = it->value["tag"].GetUint();
            msg->fields.push_back(std::move(f));
        }
    }
    for (size_t i = 0; i < msg->fields.size(); ++i) msg->by_name.emplace(msg->fields[i].name, i);
    if (tags) {
        for (auto t = tags->MemberBegin(); t != tags->MemberEnd(); ++t) {
            auto field = msg->by_name.find(json_string_view(t->value));
            if (field == msg->by_name.end()) continue;  // the name was overwritten (e.g. "__tags")
            msg->by_tag.emplace(static_cast<uint32_t>(std::stoul(t->name.GetString())), field->second);
        }
    }
    return msg;
}

// Message types resolve to the current message's nested types, then to global "message <Name>".
void resolve(ProtoMessage &msg, const ProtobufSchema::Model &model) {
    for (ProtoField &f : msg.fields) {
        if (f.kind != FieldKind::message) continue;
        if (auto n = msg.nested.find(f.type); n != msg.nested.end()) {
            f.message = n->second.get();
        } else if (auto g = model.roots.find("message " + f.type); g != model.roots.end()) {
            f.message = g->second.get();
        }
    }
    for (auto &n : msg.nested) resolve(*n.second, model);
}

}  // namespace

ProtobufSchema::ProtobufSchema() : model_(std::make_unique<Model>()) {}
ProtobufSchema::~ProtobufSchema() = default;
ProtobufSchema::ProtobufSchema(ProtobufSchema &&) noexcept = default;
ProtobufSchema &ProtobufSchema::operator=(ProtobufSchema &&) noexcept = default;

bool ProtobufSchema::has_route(std::string_view route) const {
    return model_ && model_->route(route) != nullptr;
}

std::string ProtobufSchema::load(const rapidjson::Value &source) {
    if (!source.IsObject()) return "protos: expected a JSON object keyed by route, got " + describe(source);
    rapidjson::Document parsed(rapidjson::kObjectType);
    SchemaParser parser{parsed.GetAllocator(), {}};
    const bool ok = for_each_js_member(source, [&](std::string_view route, const rapidjson::Value &definition) {
        rapidjson::Value proto;
        if (!parser.parse_object(definition, proto, "route \"" + std::string(route) + "\"", 1)) return false;
        assign(parsed, route, proto, parser.alloc);
        return true;
    });
    if (!ok) return parser.error;

    std::string json;
    if (!append_js_json(json, parsed, 2 * kMaxSchemaDepth + 8)) return "protos: nested too deeply";

    auto model = std::make_unique<Model>();
    for (auto it = parsed.MemberBegin(); it != parsed.MemberEnd(); ++it)
        model->roots.emplace(std::string(json_string_view(it->name)), compile(it->value));
    for (auto &root : model->roots) resolve(*root.second, *model);

    model_ = std::move(model);
    parsed_json_ = std::move(json);
    return {};
}

}  // namespace shd::pomelo
