// pomelo-protobuf: the worked example of POMELO.md 1.9, schema loading, and hostile bytes.
#include "hex.hpp"

#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/pomelo_protobuf.hpp>

#include <rapidjson/document.h>

#include <cppunit/extensions/HelperMacros.h>

namespace shd::pomelo {
namespace {

using test::from_hex;
using test::to_hex;

rapidjson::Document json(const std::string &text) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseFullPrecisionFlag>(text.c_str());
    CPPUNIT_ASSERT_MESSAGE(text, !d.HasParseError());
    return d;
}

ProtobufSchema schema(const std::string &source) {
    ProtobufSchema s;
    const std::string error = s.load(json(source));
    CPPUNIT_ASSERT_MESSAGE(error, error.empty());
    return s;
}

const char *const kSchema = R"({
  "doc": {"optional uInt32 a": 1, "optional sInt32 s": 2, "optional int32 i": 3, "optional string str": 4,
          "repeated uInt32 arr": 5, "message Item": {"required string name": 1}, "repeated Item items": 6,
          "optional float f": 7, "optional double d": 8},
  "send": {"required string content": 1, "optional uInt32 n": 2},
  "node": {"optional Node root": 1},
  "odd": {"optional uInt64 big": 1, "optional Missing m": 2, "optional uInt32 ok": 3},
  "message Node": {"optional Node child": 1, "optional uInt32 v": 2}
})";

class PomeloProtobufTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PomeloProtobufTest);
    CPPUNIT_TEST(encodesDocExample);
    CPPUNIT_TEST(decodesDocExample);
    CPPUNIT_TEST(ignoresWireTypes);
    CPPUNIT_TEST(writesFieldsInValueOrder);
    CPPUNIT_TEST(refusesMissingRequired);
    CPPUNIT_TEST(refusesWrongJsonTypes);
    CPPUNIT_TEST(refusesUnknownAndUnsupportedTypes);
    CPPUNIT_TEST(rejectsTruncatedBytes);
    CPPUNIT_TEST(rejectsUnknownTags);
    CPPUNIT_TEST(rejectsOverlongVarints);
    CPPUNIT_TEST(limitsNesting);
    CPPUNIT_TEST(hugeRepeatedCountIsNotTrusted);
    CPPUNIT_TEST(rejectsBadTagsInSchema);
    CPPUNIT_TEST(parsedFormHasPomeloShape);
    CPPUNIT_TEST(unknownRoute);
    CPPUNIT_TEST(nanAndInfinityBecomeNull);
    CPPUNIT_TEST_SUITE_END();

    ProtobufSchema schema_ = schema(kSchema);

    std::string encode(const char *route, const std::string &value) const {
        std::string out;
        const std::string error = schema_.encode(out, route, json(value));
        CPPUNIT_ASSERT_MESSAGE(error, error.empty());
        return to_hex(out);
    }
    std::string encode_error(const char *route, const std::string &value) const {
        std::string out = "keep";
        const std::string error = schema_.encode(out, route, json(value));
        CPPUNIT_ASSERT_EQUAL(std::string("keep"), out);  // nothing appended on error
        return error;
    }
    std::string decode(const char *route, const std::string &hex) const {
        rapidjson::Document doc;
        const std::string error = schema_.decode(route, from_hex(hex), doc, doc.GetAllocator());
        if (!error.empty()) return "error: " + error;
        std::string text;
        append_js_json(text, doc);
        return text;
    }

public:
    void encodesDocExample() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("08ac02"
                        "1003"
                        "1801"
                        "22026869"
                        "2803010203"
                        "32030a0178"
                        "32030a0179"
                        "3d0000c03f"
                        "410000000000000440"),
            encode("doc", R"({"a":300,"s":-2,"i":-1,"str":"hi","arr":[1,2,3],"items":[{"name":"x"},{"name":"y"}],)"
                          R"("f":1.5,"d":2.5})"));
        CPPUNIT_ASSERT_EQUAL(std::string("0801"), encode("doc", R"({"a":1})"));
        CPPUNIT_ASSERT_EQUAL(std::string("0a0568656c6c6f1005"), encode("send", R"({"content":"hello","n":5})"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), encode("doc", "{}"));
    }

    void decodesDocExample() {
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"a":300,"s":-2,"i":-1,"str":"hi","arr":[1,2,3],"items":[{"name":"x"},{"name":"y"}],)"
                        R"("f":1.5,"d":2.5})"),
            decode("doc", "08ac021003180122026869280301020332030a017832030a01793d0000c03f410000000000000440"));
        // Repeated numbers split over several keys are appended; a repeated optional field overwrites.
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"arr":[1,2,3],"a":9})"), decode("doc", "2801010802 28020203 0809"));
    }

    void ignoresWireTypes() {
        // The JS client writes wire type 2 for varints (0x0a instead of 0x08); so does this.
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"a":300,"s":-2})"), decode("doc", "0aac02 1203"));
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"a":300})"), decode("doc", "0fac02"));
    }

    void writesFieldsInValueOrder() {
        CPPUNIT_ASSERT_EQUAL(std::string("10010801"), encode("doc", R"({"s":-1,"a":1})"));
        CPPUNIT_ASSERT_EQUAL(std::string("0801"), encode("doc", R"({"nope":1,"a":1,"arr":[],"items":null})"));
    }

    void refusesMissingRequired() {
        CPPUNIT_ASSERT_EQUAL(std::string("route \"send\": field content: required field missing"),
                             encode_error("send", R"({"n":1})"));
        CPPUNIT_ASSERT_EQUAL(std::string("route \"doc\": field items[1].name: required field missing"),
                             encode_error("doc", R"({"items":[{"name":"x"},{}]})"));
    }

    void refusesWrongJsonTypes() {
        CPPUNIT_ASSERT(!encode_error("doc", R"({"a":"1"})").empty());
        CPPUNIT_ASSERT(!encode_error("doc", R"({"a":-1})").empty());
        CPPUNIT_ASSERT(!encode_error("doc", R"({"a":null})").empty());
        CPPUNIT_ASSERT(!encode_error("doc", R"({"s":true})").empty());
        CPPUNIT_ASSERT(!encode_error("doc", R"({"f":"1.5"})").empty());
        CPPUNIT_ASSERT(!encode_error("doc", R"({"str":5})").empty());
        CPPUNIT_ASSERT(!encode_error("doc", R"({"arr":5})").empty());
        CPPUNIT_ASSERT(!encode_error("doc", R"({"items":[5]})").empty());
        CPPUNIT_ASSERT(!encode_error("doc", R"({"a":1e20})").empty());  // 20 digits: beyond 64 bits
        // Integer fields take parseInt(String(x)) as pomelo-protobuf does: 1e+30 -> 1, 2.9 -> 2, -0.5 -> 0.
        CPPUNIT_ASSERT_EQUAL(std::string("0801"), encode("doc", R"({"a":1e30})"));
        CPPUNIT_ASSERT_EQUAL(std::string("0802"), encode("doc", R"({"a":2.9})"));
        CPPUNIT_ASSERT_EQUAL(std::string("0800"), encode("doc", R"({"a":-0.5})"));
        CPPUNIT_ASSERT_EQUAL(std::string("1003"), encode("doc", R"({"s":-2.9})"));
        CPPUNIT_ASSERT(!encode_error("doc", "[1]").empty());
    }

    void refusesUnknownAndUnsupportedTypes() {
        CPPUNIT_ASSERT(!encode_error("odd", R"({"big":1})").empty());
        CPPUNIT_ASSERT(!encode_error("odd", R"({"m":{}})").empty());
        CPPUNIT_ASSERT_EQUAL(std::string("1801"), encode("odd", R"({"ok":1})"));
        CPPUNIT_ASSERT(decode("odd", "0801").rfind("error: ", 0) == 0);
        CPPUNIT_ASSERT(decode("odd", "1200").rfind("error: ", 0) == 0);
    }

    void rejectsTruncatedBytes() {
        for (const char *hex : {"08", "0880", "2203 6869", "3d0000c0", "41000000000000f0", "2803 0102", "3205 0a0178",
                                "3d", "2880", "32"}) {
            CPPUNIT_ASSERT_MESSAGE(hex, decode("doc", hex).rfind("error: ", 0) == 0);
        }
        // A nested message cannot read past its own length.
        CPPUNIT_ASSERT(decode("doc", "3202 0a05 6868686868").rfind("error: ", 0) == 0);
    }

    void rejectsUnknownTags() {
        CPPUNIT_ASSERT_EQUAL(std::string("error: route \"doc\": unknown tag 9"), decode("doc", "4801"));
        CPPUNIT_ASSERT(decode("doc", "0801 00").rfind("error: ", 0) == 0);  // tag 0 is not in the schema
        CPPUNIT_ASSERT(decode("doc", "3203 1001 00").rfind("error: ", 0) == 0);
    }

    void rejectsOverlongVarints() {
        CPPUNIT_ASSERT(decode("doc", "08 ffffffffffffffffff01").rfind("{", 0) == 0);  // 2^64-1 fits
        CPPUNIT_ASSERT(decode("doc", "08 ffffffffffffffffff02").rfind("error: ", 0) == 0);
        CPPUNIT_ASSERT(decode("doc", "08 8080808080808080808001").rfind("error: ", 0) == 0);
        CPPUNIT_ASSERT(decode("doc", "888080808001 01").rfind("error: ", 0) == 0);  // key beyond 5 bytes
        CPPUNIT_ASSERT(decode("doc", "8880808080 01").rfind("error: ", 0) == 0);    // 5 continuation bytes
        CPPUNIT_ASSERT_EQUAL(std::string("error: route \"doc\": field key out of range"),
                             decode("doc", "8880808010 01"));
    }

    void limitsNesting() {
        // node.root.child.child... : each level is "0a <len>" around the next.
        auto nested = [](int levels) {
            std::string bytes = from_hex("1001");  // v: 1
            for (int i = 0; i < levels; ++i) {
                std::string outer = from_hex("0a");
                outer.push_back(static_cast<char>(bytes.size()));  // short messages: 1-byte lengths
                bytes = outer + bytes;
                if (bytes.size() > 120) break;
            }
            return bytes;
        };
        rapidjson::Document doc;
        const std::string shallow = nested(10);
        CPPUNIT_ASSERT(schema_.decode("node", shallow, doc, doc.GetAllocator()).empty());
        CPPUNIT_ASSERT(!schema_.decode("node", shallow, doc, doc.GetAllocator(), 5).empty());

        // Deep enough to need multi-byte lengths: build with a proper varint length.
        std::string deep = from_hex("1001");
        for (int i = 0; i < 1000; ++i) {
            std::string prefix = from_hex("0a");
            size_t n = deep.size();
            while (n >= 0x80) {
                prefix.push_back(static_cast<char>((n & 0x7f) | 0x80));
                n >>= 7;
            }
            prefix.push_back(static_cast<char>(n));
            deep = prefix + deep;
        }
        const std::string error = schema_.decode("node", deep, doc, doc.GetAllocator());
        CPPUNIT_ASSERT_MESSAGE(error, error.find("nested deeper than 32") != std::string::npos);

        // Encoding a deep value is bounded too.
        std::string value = R"({"v":1})";
        for (int i = 0; i < 40; ++i) value = R"({"child":)" + value + "}";
        std::string out;
        CPPUNIT_ASSERT(!schema_.encode(out, "node", json(R"({"root":)" + value + "}")).empty());
    }

    void hugeRepeatedCountIsNotTrusted() {
        // arr with a count of 2^63 and two elements: fails on truncation, allocates nothing up front.
        CPPUNIT_ASSERT(decode("doc", "28 8080808080808080 80 01 0102").rfind("error: ", 0) == 0);
    }

    void rejectsBadTagsInSchema() {
        for (const char *source : {R"({"r":{"optional uInt32 a":"1"}})", R"({"r":{"optional uInt32 a":-1}})",
                                   R"({"r":{"optional uInt32 a":1.5}})", R"({"r":{"optional uInt32 a":536870912}})",
                                   R"({"r":{"message M":{"optional uInt32 a":null}}})", "[]"}) {
            ProtobufSchema s;
            const std::string error = s.load(json(source));
            CPPUNIT_ASSERT_MESSAGE(source, !error.empty());
            CPPUNIT_ASSERT_EQUAL(std::string("{}"), s.parsed_json());  // unchanged
        }
        ProtobufSchema s;
        const std::string error = s.load(json(R"({"chat.send":{"required string a":"x"}})"));
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"(route "chat.send": key "required string a": tag "x" is not an integer in 0..536870911)"),
            error);
    }

    void parsedFormHasPomeloShape() {
        const ProtobufSchema s =
            schema(R"({"r":{"required uInt32 a":1,"message M":{"optional string x":1},"repeated M ms":2}})");
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"r":{"a":{"option":"required","type":"uInt32","tag":1},)"
                                         R"("ms":{"option":"repeated","type":"M","tag":2},)"
                                         R"("__messages":{"M":{"x":{"option":"optional","type":"string","tag":1},)"
                                         R"("__messages":{},"__tags":{"1":"x"}}},"__tags":{"1":"a","2":"ms"}}})"),
                             s.parsed_json());
        CPPUNIT_ASSERT(s.has_route("r"));
        CPPUNIT_ASSERT(!s.has_route("M"));
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), ProtobufSchema().parsed_json());
    }

    // A client may send any IEEE bit pattern in a float or double field. Handlers get what
    // JSON.stringify gives for pomelo-protobuf's object: NaN and infinities are null.
    void nanAndInfinityBecomeNull() {
        struct Case {
            const char *hex, *json;
        } cases[] = {
            {"3d0000c07f", R"({"f":null})"},          // float NaN
            {"3d0000807f", R"({"f":null})"},          // float +Infinity
            {"3d000080ff", R"({"f":null})"},          // float -Infinity
            {"41000000000000f87f", R"({"d":null})"},  // double NaN
            {"41000000000000f0ff", R"({"d":null})"},  // double -Infinity
            {"3d0000c07f41000000000000f07f0801", R"({"f":null,"d":null,"a":1})"},
            {"3d0000c03f", R"({"f":1.5})"},
        };
        for (const Case &c : cases) {
            std::string out;
            const std::string error = schema_.decode_json("doc", from_hex(c.hex), out);
            CPPUNIT_ASSERT_MESSAGE(error, error.empty());
            CPPUNIT_ASSERT_EQUAL(std::string(c.json), out);
            rapidjson::Document strict;
            strict.Parse(out.c_str(), out.size());
            CPPUNIT_ASSERT_MESSAGE(out, !strict.HasParseError());
        }
        std::string out = "keep";
        CPPUNIT_ASSERT(!schema_.decode_json("doc", from_hex("3d0000"), out).empty());  // truncated float
        CPPUNIT_ASSERT_EQUAL(std::string("keep"), out);
    }

    void unknownRoute() {
        std::string out;
        CPPUNIT_ASSERT(!schema_.encode(out, "nope", json("{}")).empty());
        CPPUNIT_ASSERT(decode("nope", "").rfind("error: ", 0) == 0);
        CPPUNIT_ASSERT(schema_.has_route("message Node"));  // global types are keys too, as in Pomelo
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PomeloProtobufTest);

}  // namespace
}  // namespace shd::pomelo
