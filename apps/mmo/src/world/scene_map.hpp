// One scene's map: the walkable tiles (shd::path on 20 px tiles), the birth rectangle, the mob zones
// and the NPCs of a Tiled JSON map (config/map/<area>.json), and the weightMap sent to clients.
#pragma once
#include <shaddock/path/finder.hpp>
#include <shaddock/path/tile_map.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace mmo::world {

struct Rect {
    double x = 0, y = 0, width = 0, height = 0;
};

struct MobZoneSpec {
    int id = 0;
    Rect rect;
    int mob_kind = 0;
    int level = 1;
    int limit = 10;
};

struct NpcSpec {
    int kind = 0;
    double x = 0, y = 0;
};

class SceneMap {
public:
    // Reads a Tiled JSON map; width/height (px) override the file's when above 0 (the area table's
    // size, as Lord of Pomelo does). Throws shd::path::MapError naming the file and the place.
    static SceneMap load(const std::string &file, double width = 0, double height = 0);
    // A map built by hand (tests): all free, birth rectangle given.
    static SceneMap blank(double width, double height, Rect birth);

    const shd::path::TileMap &tiles() const { return tiles_; }
    shd::path::TileMap &tiles() { return tiles_; }
    double width() const { return tiles_.width(); }
    double height() const { return tiles_.height(); }
    const Rect &birth() const { return birth_; }
    const std::vector<MobZoneSpec> &zones() const { return zones_; }
    const std::vector<NpcSpec> &npcs() const { return npcs_; }
    std::vector<MobZoneSpec> &zones() { return zones_; }
    std::vector<NpcSpec> &npcs() { return npcs_; }

    bool reachable(double x, double y) const { return tiles_.reachable({x, y}); }
    // A random reachable point in the rectangle (`tries` attempts); false if none was found.
    bool random_point(const Rect &r, std::mt19937 &rng, shd::path::Point &out, int tries = 20) const;
    // The path between two points (A* and compression), with the finder this map keeps.
    shd::path::PointPath find_path(shd::path::Point from, shd::path::Point to) const;
    // {name, width, height, tileW, tileH, weightMap:[{collisions:[{start, length}]}...]} (enterScene).
    std::string client_json(const std::string &name) const;

private:
    shd::path::TileMap tiles_;
    Rect birth_;
    std::vector<MobZoneSpec> zones_;
    std::vector<NpcSpec> npcs_;
    mutable std::shared_ptr<shd::path::Finder> finder_;  // working arrays; the logic thread only
    mutable std::string weight_map_;                     // built on first use
};

}  // namespace mmo::world
