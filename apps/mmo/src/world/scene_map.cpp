#include "world/scene_map.hpp"

#include <shaddock/path/tiled_map.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace mmo::world {

namespace sp = shd::path;

namespace {

int int_property(const sp::MapObject &o, const char *name, int fallback) {
    auto it = o.properties.find(name);
    if (it == o.properties.end()) return fallback;
    char *end = nullptr;
    const long v = std::strtol(it->second.c_str(), &end, 10);
    return end && *end == '\0' ? static_cast<int>(v) : fallback;
}

}  // namespace

SceneMap SceneMap::load(const std::string &file, double width, double height) {
    const sp::TiledMap tiled = sp::load_tiled_map(file);
    sp::TileMapOptions options;
    options.width = width;
    options.height = height;
    SceneMap m;
    m.tiles_ = sp::build_tile_map(tiled, options).map;
    if (const sp::MapLayer *birth = tiled.layer("birth"); birth && !birth->objects.empty()) {
        const sp::MapObject &b = birth->objects.front();
        m.birth_ = Rect{b.x, b.y, b.width, b.height};
    } else {
        throw sp::MapError(file + ": no object in layer 'birth' (the spawn rectangle)");
    }
    if (const sp::MapLayer *mobs = tiled.layer("mob")) {
        for (const sp::MapObject &o : mobs->objects) {
            MobZoneSpec z;
            z.id = o.id;
            z.rect = Rect{o.x, o.y, o.width, o.height};
            z.mob_kind = int_property(o, "mobId", 0);
            z.level = int_property(o, "level", 1);
            z.limit = int_property(o, "mobNum", 10);
            if (z.mob_kind > 0 && z.limit > 0) m.zones_.push_back(z);
        }
    }
    if (const sp::MapLayer *npcs = tiled.layer("npc")) {
        for (const sp::MapObject &o : npcs->objects) m.npcs_.push_back(NpcSpec{int_property(o, "id", 0), o.x, o.y});
    }
    return m;
}

SceneMap SceneMap::blank(double width, double height, Rect birth) {
    SceneMap m;
    m.tiles_ = sp::TileMap(width, height);
    m.birth_ = birth;
    return m;
}

bool SceneMap::random_point(const Rect &r, std::mt19937 &rng, sp::Point &out, int tries) const {
    std::uniform_real_distribution<double> ux(r.x, r.x + std::max(r.width, 1.0));
    std::uniform_real_distribution<double> uy(r.y, r.y + std::max(r.height, 1.0));
    for (int i = 0; i < tries; ++i) {
        sp::Point p{std::floor(ux(rng)), std::floor(uy(rng))};
        if (tiles_.reachable(p)) {
            out = p;
            return true;
        }
    }
    return false;
}

sp::PointPath SceneMap::find_path(sp::Point from, sp::Point to) const {
    // The finder points at the grid: made on first use, again if this map was moved since.
    if (!finder_ || &finder_->grid() != &tiles_.grid()) finder_ = std::make_shared<sp::Finder>(tiles_.grid());
    return tiles_.find_path(*finder_, from, to);
}

std::string SceneMap::client_json(const std::string &name) const {
    if (weight_map_.empty()) {
        const sp::Grid &g = tiles_.grid();
        std::string w = "[";
        for (int x = 0; x < g.width(); ++x) {
            if (x) w += ',';
            w += "{\"collisions\":[";
            bool first = true;
            for (int y = 0; y < g.height();) {
                if (g.walkable(sp::Tile{x, y})) {
                    ++y;
                    continue;
                }
                int start = y;
                while (y < g.height() && !g.walkable(sp::Tile{x, y})) ++y;
                if (!first) w += ',';
                first = false;
                w += "{\"start\":" + std::to_string(start) + ",\"length\":" + std::to_string(y - start) + "}";
            }
            w += "]}";
        }
        w += "]";
        weight_map_ = std::move(w);
    }
    std::string out = "{\"name\":\"" + name + "\",\"width\":" + std::to_string(static_cast<long>(width())) +
                      ",\"height\":" + std::to_string(static_cast<long>(height())) +
                      ",\"tileW\":" + std::to_string(static_cast<int>(tiles_.tile_width())) +
                      ",\"tileH\":" + std::to_string(static_cast<int>(tiles_.tile_height())) +
                      ",\"weightMap\":" + weight_map_ + "}";
    return out;
}

}  // namespace mmo::world
