#include "protocol_setup.hpp"

#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/document.h>

namespace shd::pomelo {

std::string ProtocolSetup::encode_body(std::string &out, std::string_view route, std::string_view json,
                                       bool add_error_code) const {
    bool protobuf = use_protobuf && server_protos.has_route(route);
    if (!protobuf && !add_error_code) {
        out.append(json);  // the hot path: the app's JSON goes out untouched
        return {};
    }
    rapidjson::Document doc;
    if (!parse_json(json, doc) || !doc.IsObject()) doc.SetObject();
    if (add_error_code && !doc.HasMember("code")) doc.AddMember("code", 500, doc.GetAllocator());
    if (protobuf) return server_protos.encode(out, route, doc);
    if (!append_js_json(out, doc)) return "response body nests too deeply";
    return {};
}

}  // namespace shd::pomelo
