#include <shaddock/pomelo/route_dictionary.hpp>

#include <shaddock/pomelo/js_json_writer.hpp>
#include <shaddock/pomelo/md5_base64.hpp>
#include <shaddock/pomelo/utf8_decode.hpp>

#include <rapidjson/document.h>

#include <algorithm>

namespace shd::pomelo {

RouteDictionary::RouteDictionary() : RouteDictionary({}, {}) {}

RouteDictionary::RouteDictionary(std::vector<std::string> handler_routes,
                                 const std::vector<std::string> &extra_routes) {
    std::sort(handler_routes.begin(), handler_routes.end(),
              [](const std::string &a, const std::string &b) { return compare_as_utf16(a, b) < 0; });
    routes_by_code_.reserve(1 + handler_routes.size() + extra_routes.size());
    routes_by_code_.emplace_back();
    for (std::string &r : handler_routes) routes_by_code_.push_back(std::move(r));
    routes_by_code_.insert(routes_by_code_.end(), extra_routes.begin(), extra_routes.end());

    // `dict` as a JS object: the first assignment of a key fixes its place, the last its value.
    rapidjson::Document dict(rapidjson::kObjectType);
    auto &alloc = dict.GetAllocator();
    code_to_route_json_ = "{";
    for (uint32_t code = 1; code < routes_by_code_.size(); ++code) {
        const std::string &route = routes_by_code_[code];
        auto [it, inserted] = code_by_route_.emplace(route, code);
        if (inserted) {
            dict.AddMember(rapidjson::Value(route.data(), static_cast<rapidjson::SizeType>(route.size()), alloc),
                           rapidjson::Value(code), alloc);
        } else {
            it->second = code;
            dict.FindMember(rapidjson::Value(rapidjson::StringRef(route.data(), route.size())))->value.SetUint(code);
        }
        // Codes are array-index keys, so JS orders them numerically: the order we write them in.
        if (code > 1) code_to_route_json_.push_back(',');
        code_to_route_json_ += '"' + std::to_string(code) + "\":";
        append_js_string(code_to_route_json_, route);
    }
    code_to_route_json_.push_back('}');
    append_js_json(dict_json_, dict, 1);
    version_ = md5_base64(dict_json_);
}

uint32_t RouteDictionary::code_of(std::string_view route) const {
    auto it = code_by_route_.find(route);
    return it == code_by_route_.end() ? 0 : it->second;
}

const std::string *RouteDictionary::route_of(uint32_t code) const {
    return code == 0 || code >= routes_by_code_.size() ? nullptr : &routes_by_code_[code];
}

}  // namespace shd::pomelo
