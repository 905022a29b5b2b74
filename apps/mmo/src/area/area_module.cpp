// The world's entry point (area_module.hpp): an AreaServer on each scene server and on each instance
// server, a PathServer on the path server.
#include "area/area_module.hpp"

#include "area/area_server.hpp"
#include "area/path_server.hpp"
#include "platform/app_context.hpp"

#include <shaddock/cpp/json.hpp>

namespace mmo {

std::unique_ptr<WorldModule> install_world(AppContext &ctx) {
    if (ctx.server.type == "path") return std::make_unique<PathServer>(ctx);
    if (ctx.server.type != "area" || !ctx.handlers) return nullptr;
    for (const auto &[area_id, server] : ctx.areas.all())
        if (server == ctx.server.id) return std::make_unique<AreaServer>(ctx, area_id);
    rapidjson::Document me = shd::parse_json_or_empty(ctx.server.json);
    if (me.IsObject() && me.HasMember("instance") && me["instance"].IsTrue())
        return std::make_unique<AreaServer>(ctx, 0);
    return nullptr;
}

}  // namespace mmo
