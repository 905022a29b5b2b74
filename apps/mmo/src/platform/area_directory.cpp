#include "platform/area_directory.hpp"

#include <shaddock/cpp/cluster.hpp>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/rpc.hpp>

#include <algorithm>

namespace mmo {

void AreaDirectory::load(const shd::Host &host) {
    servers_.clear();
    shd::Cluster cluster(host);
    for (const auto &s : cluster.servers_from_config()) {
        if (s.server_type != "area") continue;
        rapidjson::Document d = shd::parse_json_or_empty(s.json);
        auto it = d.FindMember("area");
        if (it == d.MemberEnd() || !it->value.IsInt()) continue;  // instance servers carry no "area"
        servers_[it->value.GetInt()] = s.id;
    }
}

std::string AreaDirectory::server_of(int area_id) const {
    auto it = servers_.find(area_id);
    return it == servers_.end() ? std::string() : it->second;
}

void install_area_route(shd::Rpc &rpc) {
    rpc.route("area", [](const std::string &param, const std::vector<std::string> &candidates) {
        std::string id = shd::json_path_string(param, {"settings", "serverId"});
        if (id.empty()) return std::string();
        return std::find(candidates.begin(), candidates.end(), id) != candidates.end() ? id : std::string();
    });
}

}  // namespace mmo
