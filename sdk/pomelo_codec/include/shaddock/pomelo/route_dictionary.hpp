// The route dictionary (useDict), computed as pomelo 2.2.7 lib/components/dictionary.js does, so
// codes agree with clients that cached Pomelo's dictionary: all handler routes sorted by UTF-16
// code units (JS default sort) and numbered from 1, then the entries of config/dictionary.json
// numbered on. Pomelo does not skip repeated entries: a repeated route takes the later code while
// keeping its first place in `dict`, and every code stays valid in `codeToRoute`.
//
// Immutable once built; safe to share between threads. Movable, not copyable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shd::pomelo {

class RouteDictionary {
public:
    RouteDictionary();  // empty: dict "{}"
    // handler_routes: "serverType.handler.method" of every handler method, any order.
    // extra_routes: the array in dictionary.json, in file order.
    RouteDictionary(std::vector<std::string> handler_routes, const std::vector<std::string> &extra_routes);

    RouteDictionary(RouteDictionary &&) noexcept = default;
    RouteDictionary &operator=(RouteDictionary &&) noexcept = default;
    RouteDictionary(const RouteDictionary &) = delete;
    RouteDictionary &operator=(const RouteDictionary &) = delete;

    // The code of `route`, or 0 if it has none. Codes above 0xFFFF exist in large apps but cannot
    // be sent compressed (Pomelo would throw); send those routes as strings.
    uint32_t code_of(std::string_view route) const;
    // The route of `code`, or nullptr.
    const std::string *route_of(uint32_t code) const;
    size_t code_count() const { return routes_by_code_.size() - 1; }

    // JSON.stringify(dict) (sent as sys.dict and sys.routeToCode) and JSON.stringify(abbrs) (sent
    // as sys.codeToRoute), byte-identical to Pomelo.
    const std::string &dict_json() const { return dict_json_; }
    const std::string &code_to_route_json() const { return code_to_route_json_; }
    // sys.dictVersion: base64(md5(JSON.stringify(dict))).
    const std::string &version() const { return version_; }

private:
    std::vector<std::string> routes_by_code_;                       // [0] unused
    std::unordered_map<std::string_view, uint32_t> code_by_route_;  // views into routes_by_code_
    std::string dict_json_;
    std::string code_to_route_json_;
    std::string version_;
};

}  // namespace shd::pomelo
