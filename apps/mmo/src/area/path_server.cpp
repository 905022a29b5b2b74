#include "area/path_server.hpp"

#include "platform/app_context.hpp"

#include <shaddock/cpp/json.hpp>

#include <cmath>
#include <cstdio>

namespace mmo {

namespace {

bool read_point(const rapidjson::Value &o, const char *key, shd::path::Point &out) {
    if (!o.IsObject() || !o.HasMember(key) || !o[key].IsObject()) return false;
    const rapidjson::Value &p = o[key];
    if (!p.HasMember("x") || !p.HasMember("y") || !p["x"].IsNumber() || !p["y"].IsNumber()) return false;
    out = {p["x"].GetDouble(), p["y"].GetDouble()};
    return std::isfinite(out.x) && std::isfinite(out.y);
}

}  // namespace

PathServer::PathServer(AppContext &ctx) : data_(world::GameData::load(ctx.server.app_dir)) {
    for (const auto &[id, kind] : data_.areas())
        maps_.emplace(id, world::SceneMap::load(ctx.server.app_dir + kind.map_path, kind.width, kind.height));
    if (!ctx.rpc) return;
    ctx.rpc->remote("pathFindingRemote", "findPath", [this](const std::string &args, shd::RpcReply reply) {
        reply.ok("[null," + find_path(args) + "]");
    });
}

std::string PathServer::find_path(const std::string &args_json) const {
    rapidjson::Document a = shd::parse_json_or_empty(args_json);
    if (!a.IsArray() || a.Empty() || !a[0].IsObject() || !a[0].HasMember("areaId") || !a[0]["areaId"].IsInt())
        return "null";
    auto it = maps_.find(a[0]["areaId"].GetInt());
    shd::path::Point from, to;
    if (it == maps_.end() || !read_point(a[0], "start", from) || !read_point(a[0], "end", to)) return "null";
    const shd::path::PointPath found = it->second.find_path(from, to);
    if (!found.found()) return "null";
    std::string out = "{\"path\":[";
    for (size_t i = 0; i < found.points.size(); ++i)
        out += (i ? ",{\"x\":" : "{\"x\":") + std::to_string(static_cast<long long>(std::floor(found.points[i].x))) +
               ",\"y\":" + std::to_string(static_cast<long long>(std::floor(found.points[i].y))) + "}";
    char cost[32];
    std::snprintf(cost, sizeof cost, "%.1f", found.cost);
    return out + "],\"cost\":" + cost + "}";
}

}  // namespace mmo
