// Map data as Lord of Pomelo keeps it: a Tiled map saved as JSON (config/map/<area>.json) whose
// object layers carry the game's data, among them `collision` (polygons and rectangles that block
// walking). Only object layers are read, as Lord of Pomelo reads them; tile layers are ignored.
//
//   TiledMap map = parse_tiled_map(text, "config/map/desert.json");
//   TileMap tiles = build_tile_map(map);             // 20 x 20 px tiles, `collision` blocks
//   const MapLayer *mobs = map.layer("mob");         // spawn zones, with their properties
//
// Blocking follows Lord of Pomelo's map.js: a rectangle blocks every tile it overlaps; a polygon
// blocks each tile of its bounding box one of whose four sample points (the tile centre plus and
// minus a quarter tile on each axis) lies inside it or on its edge. A polygon of fewer than three
// points blocks nothing and is listed in TileMapBuild::warnings.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <shaddock/path/tile_map.hpp>

namespace shd::path {

// A map file that cannot be read; what() names the file, the place in it (a JSON pointer) and what
// was expected there.
class MapError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct MapObject {
    int id = 0;
    std::string name;
    std::string type;
    double x = 0;
    double y = 0;
    double width = 0;
    double height = 0;
    // A polygon object's corners in map pixels (Tiled stores them relative to x, y; here x, y are
    // added). Empty for a rectangle.
    std::vector<Point> polygon;
    // The custom properties, flattened as Lord of Pomelo does: name -> value, a string as it is,
    // a number or boolean as its JSON text ("30", "true"). Both of Tiled's forms are read (an
    // object of values, or an array of {name, type, value}).
    std::map<std::string, std::string> properties;
};

struct MapLayer {
    std::string name;
    std::vector<MapObject> objects;
};

struct TiledMap {
    double width = 0;                     // pixels: Tiled's width (in tiles) times tilewidth
    double height = 0;                    // pixels: height times tileheight
    std::vector<MapLayer> object_layers;  // in file order

    // The first object layer of that name, or nullptr.
    const MapLayer *layer(std::string_view name) const;
};

// Parses a Tiled JSON map. `source` names it in errors. Throws MapError.
TiledMap parse_tiled_map(std::string_view json, std::string_view source);
// Reads and parses a file. Throws MapError (also when the file cannot be read).
TiledMap load_tiled_map(const std::string &path);

struct TileMapOptions {
    double tile_width = 20;
    double tile_height = 20;
    Neighbours neighbours = Neighbours::four;
    std::string collision_layer = "collision";
    // The map's size in pixels; 0 takes the Tiled map's (Lord of Pomelo takes it from area.json).
    double width = 0;
    double height = 0;
};

struct TileMapBuild {
    TileMap map;
    std::vector<std::string> warnings;  // objects skipped, each named by layer and index
};

// A TileMap of the map's size whose tiles the collision layer blocks (no such layer: all free).
// Throws std::invalid_argument for a bad size.
TileMapBuild build_tile_map(const TiledMap &map, const TileMapOptions &options = {});

// The two blocking rules, for maps built by hand. Tiles outside the map are ignored.
void block_rectangle(TileMap &map, double x, double y, double width, double height);
// Returns false (and blocks nothing) for a polygon of fewer than three points.
bool block_polygon(TileMap &map, const std::vector<Point> &polygon);

// Point in polygon (even-odd rule), a point on an edge counting as inside.
bool inside_polygon(Point p, const std::vector<Point> &polygon);

}  // namespace shd::path
