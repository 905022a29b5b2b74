// shd::path::TileMap and the Tiled map reader: straight-segment checks (including the cases Lord of
// Pomelo's check lets through), the two compressions, find_path on random maps (every result passes
// verify_path, starts and ends at the exact points, and is found exactly when a tile path exists),
// and our test map (tests/path/data/test_map.json): layers, properties, blocked tiles, errors.
#include <shaddock/path/tiled_map.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <cmath>
#include <string>
#include <vector>

#include "random_maps.hpp"

using namespace shd::path;
using shd::path::testing::Rng;

namespace {

bool has_text(const std::string &haystack, const std::string &needle) {
    return haystack.find(needle) != std::string::npos;
}

std::string map_error(const std::string &json) {
    try {
        parse_tiled_map(json, "maps/bad.json");
    } catch (const MapError &e) {
        return e.what();
    }
    return "(no error)";
}

const char *kMinimal = R"({"width":1,"height":1,"tilewidth":100,"tileheight":100,"layers":[%s]})";

std::string with_layers(const std::string &layers) {
    std::string s = kMinimal;
    return s.replace(s.find("%s"), 2, layers);
}

}  // namespace

class TileMapTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TileMapTest);
    CPPUNIT_TEST(size_and_tiles);
    CPPUNIT_TEST(straight_segments_through_a_wall_are_not_clear);
    CPPUNIT_TEST(diagonal_clipping_a_blocked_corner_is_not_clear);
    CPPUNIT_TEST(no_squeezing_between_tiles_touching_at_a_corner);
    CPPUNIT_TEST(segment_ends_must_be_reachable);
    CPPUNIT_TEST(verify_path_rules);
    CPPUNIT_TEST(compress_collinear_drops_evenly_spaced_points);
    CPPUNIT_TEST(compress_shortcuts_keeps_both_ends);
    CPPUNIT_TEST(find_path_on_random_maps);
    CPPUNIT_TEST(find_path_refusals);
    CPPUNIT_TEST(test_map_layers_and_properties);
    CPPUNIT_TEST(test_map_blocks_the_right_tiles);
    CPPUNIT_TEST(test_map_paths);
    CPPUNIT_TEST(map_errors_name_file_and_place);
    CPPUNIT_TEST(inside_polygon_edges_count);
    CPPUNIT_TEST_SUITE_END();

public:
    void size_and_tiles() {
        const TileMap map(105, 40);  // 6 x 2 tiles, the last column partly outside the map
        CPPUNIT_ASSERT_EQUAL(6, map.grid().width());
        CPPUNIT_ASSERT_EQUAL(2, map.grid().height());
        CPPUNIT_ASSERT(map.tile_of(Point{104.9, 39.9}) == (Tile{5, 1}));
        CPPUNIT_ASSERT(map.tile_of(Point{20, 0}) == (Tile{1, 0}));
        CPPUNIT_ASSERT(map.centre_of(Tile{1, 1}) == (Point{30, 30}));
        CPPUNIT_ASSERT(map.centre_of(Tile{5, 1}) == (Point{102.5, 30}));  // of the part inside the map
        CPPUNIT_ASSERT(map.reachable(Point{104.9, 0}));
        CPPUNIT_ASSERT(!map.reachable(Point{105, 0}));  // inside the last tile, outside the map
        CPPUNIT_ASSERT(!map.reachable(Point{-0.1, 0}));
        CPPUNIT_ASSERT_THROW(TileMap(0, 10), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(TileMap(10, 10, 0, 20), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(TileMap(std::nan(""), 10), std::invalid_argument);
    }

    void straight_segments_through_a_wall_are_not_clear() {
        TileMap map(100, 100);
        map.grid().block(Tile{2, 2});
        // Horizontal and vertical, both ways: Lord of Pomelo's check passes all of these.
        CPPUNIT_ASSERT(!map.segment_clear(Point{10, 50}, Point{90, 50}));
        CPPUNIT_ASSERT(!map.segment_clear(Point{90, 50}, Point{10, 50}));
        CPPUNIT_ASSERT(!map.segment_clear(Point{50, 10}, Point{50, 90}));
        CPPUNIT_ASSERT(!map.segment_clear(Point{50, 90}, Point{50, 10}));
        CPPUNIT_ASSERT(map.segment_clear(Point{10, 30}, Point{90, 30}));
        CPPUNIT_ASSERT(map.segment_clear(Point{70, 10}, Point{70, 90}));
        // A segment inside one tile.
        CPPUNIT_ASSERT(map.segment_clear(Point{1, 1}, Point{19, 19}));
    }

    void diagonal_clipping_a_blocked_corner_is_not_clear() {
        TileMap map(100, 100);
        map.grid().block(Tile{1, 1});  // [20, 40) x [20, 40)
        // x + y = 45 runs through the blocked tile's corner (20..25, 25..20).
        CPPUNIT_ASSERT(!map.segment_clear(Point{10, 35}, Point{35, 10}));
        CPPUNIT_ASSERT(!map.segment_clear(Point{35, 10}, Point{10, 35}));
        // x + y = 38 passes beside it.
        CPPUNIT_ASSERT(map.segment_clear(Point{10, 28}, Point{28, 10}));
        // A long shallow line that touches the tile for a short stretch.
        CPPUNIT_ASSERT(!map.segment_clear(Point{1, 15}, Point{60, 25}));  // in row 1 from x = 31.5
        CPPUNIT_ASSERT(map.segment_clear(Point{1, 15}, Point{99, 19}));
    }

    void no_squeezing_between_tiles_touching_at_a_corner() {
        TileMap map(60, 60);
        map.grid().block(Tile{1, 0});
        // Exactly through the corner (20, 20) from tile (0,0) to (1,1): (1,0) is one of the tiles
        // beside the corner.
        CPPUNIT_ASSERT(!map.segment_clear(Point{10, 10}, Point{30, 30}));
        CPPUNIT_ASSERT(!map.segment_clear(Point{30, 30}, Point{10, 10}));
        map.grid().set_weight(Tile{1, 0}, 1);
        CPPUNIT_ASSERT(map.segment_clear(Point{10, 10}, Point{30, 30}));
        map.grid().block(Tile{0, 1});
        CPPUNIT_ASSERT(!map.segment_clear(Point{10, 10}, Point{50, 50}));
    }

    void segment_ends_must_be_reachable() {
        TileMap map(100, 100);
        map.grid().block(Tile{4, 4});
        CPPUNIT_ASSERT(!map.segment_clear(Point{10, 10}, Point{90, 90}));
        CPPUNIT_ASSERT(!map.segment_clear(Point{10, 10}, Point{100, 10}));
        CPPUNIT_ASSERT(!map.segment_clear(Point{-1, 10}, Point{10, 10}));
    }

    void verify_path_rules() {
        TileMap map(100, 100);
        map.grid().block(Tile{2, 2});
        CPPUNIT_ASSERT(!map.verify_path({}));
        CPPUNIT_ASSERT(!map.verify_path({Point{10, 10}}));
        CPPUNIT_ASSERT(map.verify_path({Point{10, 10}, Point{90, 10}, Point{90, 90}}));
        CPPUNIT_ASSERT(map.verify_path({Point{10, 10}, Point{10, 10}}));
        CPPUNIT_ASSERT(!map.verify_path({Point{10, 50}, Point{90, 50}}));                 // through the wall
        CPPUNIT_ASSERT(!map.verify_path({Point{10, 10}, Point{50, 50}, Point{90, 90}}));  // a point on it
        CPPUNIT_ASSERT(!map.verify_path({Point{10, 10}, Point{10, 120}}));                // off the map
    }

    void compress_collinear_drops_evenly_spaced_points() {
        const std::vector<Point> path{{10, 10}, {30, 10}, {50, 10}, {50, 30}, {50, 50}, {70, 70}};
        const std::vector<Point> expected{{10, 10}, {50, 10}, {50, 50}, {70, 70}};
        CPPUNIT_ASSERT(TileMap::compress_collinear(path) == expected);
        // On a line but unevenly spaced: kept (the rule compares steps, as Lord of Pomelo's does).
        const std::vector<Point> uneven{{0, 0}, {10, 0}, {30, 0}};
        CPPUNIT_ASSERT(TileMap::compress_collinear(uneven) == uneven);
        const std::vector<Point> two{{0, 0}, {5, 5}};
        CPPUNIT_ASSERT(TileMap::compress_collinear(two) == two);
    }

    void compress_shortcuts_keeps_both_ends() {
        const TileMap open(100, 100);
        const std::vector<Point> l{{10, 10}, {30, 10}, {50, 10}, {50, 30}, {50, 50}};
        // Pass 1 gives 3 points, pass 2 two; pass 3 must keep both (Lord of Pomelo's drops the last).
        const std::vector<Point> expected{{10, 10}, {50, 50}};
        CPPUNIT_ASSERT(open.compress_shortcuts(l, 3) == expected);
        TileMap walled(100, 100);
        walled.grid().block(Tile{1, 1});
        const std::vector<Point> around{{10, 30}, {10, 50}, {30, 50}, {50, 50}, {50, 30}, {50, 10}, {30, 10}};
        const std::vector<Point> out = walled.compress_shortcuts(around, 3);
        CPPUNIT_ASSERT(out.front() == around.front());
        CPPUNIT_ASSERT(out.back() == around.back());
        CPPUNIT_ASSERT(out.size() < around.size());
        CPPUNIT_ASSERT(walled.verify_path(out));
    }

    void find_path_on_random_maps() {
        Rng rng(11);
        int straight = 0, searched = 0, none = 0;
        for (int m = 0; m < 120; ++m) {
            const int w = 4 + rng.below(25), h = 4 + rng.below(25);
            TileMap map(w * 20.0 - rng.below(15), h * 20.0 - rng.below(15), 20, 20,
                        m % 2 ? Neighbours::eight : Neighbours::four);
            map.grid() =
                shd::path::testing::random_grid(rng, w, h, 0.05 * rng.below(8), false, map.grid().neighbours());
            Finder finder(map.grid());
            for (int q = 0; q < 25; ++q) {
                Point from{rng.unit() * map.width(), rng.unit() * map.height()};
                Point to{rng.unit() * map.width(), rng.unit() * map.height()};
                const PointPath p = map.find_path(finder, from, to);
                const std::string what = "map " + std::to_string(m) + " query " + std::to_string(q);
                if (!map.reachable(from)) {
                    CPPUNIT_ASSERT_MESSAGE(what, p.status == Status::start_blocked);
                    continue;
                }
                if (!map.reachable(to)) {
                    CPPUNIT_ASSERT_MESSAGE(what, p.status == Status::goal_blocked);
                    continue;
                }
                const TilePath tiles = finder.find(map.tile_of(from), map.tile_of(to));
                if (!tiles.found()) {
                    CPPUNIT_ASSERT_MESSAGE(what, p.status == Status::unreachable);
                    CPPUNIT_ASSERT_MESSAGE(what, p.points.empty());
                    ++none;
                    continue;
                }
                CPPUNIT_ASSERT_MESSAGE(what, p.found());
                CPPUNIT_ASSERT_MESSAGE(what, p.points.front() == from && p.points.back() == to);
                if (!map.verify_path(p.points)) {
                    std::string pts;
                    for (const Point &pt : p.points)
                        pts += " (" + std::to_string(pt.x) + "," + std::to_string(pt.y) + ")";
                    for (const Tile &t : tiles.tiles)
                        pts += " [" + std::to_string(t.x) + "," + std::to_string(t.y) + "]";
                    CPPUNIT_FAIL(what + pts);
                }
                CPPUNIT_ASSERT_DOUBLES_EQUAL_MESSAGE(what, TileMap::length(p.points), p.cost, 1e-9);
                const double direct = std::hypot(to.x - from.x, to.y - from.y);
                CPPUNIT_ASSERT_MESSAGE(what, p.cost >= direct - 1e-9);
                // Never longer than walking the tile path centre to centre, plus the two end offsets.
                CPPUNIT_ASSERT_MESSAGE(what, p.cost <= 20.0 * std::sqrt(2.0) * (tiles.tiles.size() + 1));
                (p.points.size() == 2 ? straight : searched) += 1;
            }
        }
        CPPUNIT_ASSERT(straight > 300);
        CPPUNIT_ASSERT(searched > 300);
        CPPUNIT_ASSERT(none > 30);
    }

    void find_path_refusals() {
        TileMap map(100, 100);
        map.grid().block(Tile{0, 0});
        for (int y = 0; y < 5; ++y) map.grid().block(Tile{3, y});
        Finder finder(map.grid());
        CPPUNIT_ASSERT(map.find_path(finder, Point{-1, 50}, Point{30, 50}).status == Status::out_of_map);
        CPPUNIT_ASSERT(map.find_path(finder, Point{30, 50}, Point{30, 100}).status == Status::out_of_map);
        CPPUNIT_ASSERT(map.find_path(finder, Point{10, 10}, Point{30, 50}).status == Status::start_blocked);
        CPPUNIT_ASSERT(map.find_path(finder, Point{30, 50}, Point{70, 50}).status == Status::goal_blocked);
        CPPUNIT_ASSERT(map.find_path(finder, Point{30, 50}, Point{90, 50}).status == Status::unreachable);
        const TileMap other(100, 100);
        CPPUNIT_ASSERT_THROW(other.find_path(finder, Point{30, 50}, Point{50, 90}), std::invalid_argument);
        const PointPath ok = map.find_path(finder, Point{30, 50}, Point{50, 90});
        CPPUNIT_ASSERT(ok.found());
        CPPUNIT_ASSERT_EQUAL(size_t(2), ok.points.size());
    }

    void test_map_layers_and_properties() {
        const TiledMap map = load_tiled_map(SHD_PATH_TEST_MAP);
        CPPUNIT_ASSERT_EQUAL(400.0, map.width);
        CPPUNIT_ASSERT_EQUAL(300.0, map.height);
        CPPUNIT_ASSERT_EQUAL(size_t(4), map.object_layers.size());  // the tile layer is not read
        CPPUNIT_ASSERT_EQUAL(std::string("collision"), map.object_layers[0].name);
        CPPUNIT_ASSERT(map.layer("npc") == &map.object_layers[3]);
        CPPUNIT_ASSERT(map.layer("ground") == nullptr);
        const MapLayer &mobs = *map.layer("mob");
        CPPUNIT_ASSERT_EQUAL(size_t(2), mobs.objects.size());
        CPPUNIT_ASSERT_EQUAL(std::string("beetles"), mobs.objects[0].name);
        CPPUNIT_ASSERT_EQUAL(std::string("201"), mobs.objects[0].properties.at("mobId"));
        CPPUNIT_ASSERT_EQUAL(std::string("Beetle"), mobs.objects[0].properties.at("mobName"));
        // Tiled's array form: numbers and booleans as their JSON text.
        CPPUNIT_ASSERT_EQUAL(std::string("202"), mobs.objects[1].properties.at("mobId"));
        CPPUNIT_ASSERT_EQUAL(std::string("false"), mobs.objects[1].properties.at("boss"));
        CPPUNIT_ASSERT_EQUAL(std::string("Crab"), mobs.objects[1].properties.at("mobName"));
        const MapObject &pond = map.object_layers[0].objects[2];
        CPPUNIT_ASSERT_EQUAL(3, pond.id);
        CPPUNIT_ASSERT_EQUAL(size_t(3), pond.polygon.size());
        CPPUNIT_ASSERT(pond.polygon[1] == (Point{360, 160}));  // x, y added
        const MapObject &birth = map.layer("birth")->objects.at(0);
        CPPUNIT_ASSERT_EQUAL(60.0, birth.width);
    }

    void test_map_blocks_the_right_tiles() {
        const TileMapBuild built = build_tile_map(load_tiled_map(SHD_PATH_TEST_MAP));
        const Grid &g = built.map.grid();
        CPPUNIT_ASSERT_EQUAL(20, g.width());
        CPPUNIT_ASSERT_EQUAL(15, g.height());
        auto free = [&](int x, int y) { return g.walkable(Tile{x, y}); };
        // West wall: column 5, rows 0..9.
        for (int y = 0; y < 15; ++y) CPPUNIT_ASSERT_EQUAL(y >= 10, free(5, y));
        CPPUNIT_ASSERT(free(4, 0) && free(6, 0));
        // Rock at 205..235 x 95..105: every tile it overlaps.
        CPPUNIT_ASSERT(!free(10, 4) && !free(11, 4) && !free(10, 5) && !free(11, 5));
        CPPUNIT_ASSERT(free(9, 4) && free(12, 4) && free(10, 3) && free(10, 6));
        // Pond, the triangle (260,160) (360,160) (260,260): a tile is blocked when one of its four
        // sample points is inside.
        CPPUNIT_ASSERT(!free(13, 8));   // all samples inside
        CPPUNIT_ASSERT(!free(17, 8));   // (345, 165): 345 + 165 = 510 <= 520
        CPPUNIT_ASSERT(free(17, 9));    // (345, 185): 530 > 520, the others further out
        CPPUNIT_ASSERT(free(18, 8));    // right of the triangle's box
        CPPUNIT_ASSERT(!free(13, 12));  // (265, 245): inside the lower corner
        CPPUNIT_ASSERT(free(14, 12));   // nearest sample (285, 245): 530 > 520
        // East wall: column 15, rows 0..5. Fence: columns 7..11, row 11.
        CPPUNIT_ASSERT(!free(15, 5) && free(15, 6));
        CPPUNIT_ASSERT(!free(7, 11) && !free(11, 11) && free(12, 11) && free(6, 11));
        // The two-point polygon blocks nothing and is reported.
        CPPUNIT_ASSERT(free(1, 1) && free(2, 1));
        CPPUNIT_ASSERT_EQUAL(size_t(1), built.warnings.size());
        CPPUNIT_ASSERT(has_text(built.warnings[0], "id 4"));
        size_t blocked_tiles = 0;
        for (size_t i = 0; i < g.tile_count(); ++i) blocked_tiles += !g.walkable(g.tile_at(i));
        CPPUNIT_ASSERT(blocked_tiles > 30 && blocked_tiles < 80);
    }

    void test_map_paths() {
        const TileMapBuild built = build_tile_map(load_tiled_map(SHD_PATH_TEST_MAP));
        const TileMap &map = built.map;
        Finder finder(map.grid());
        // From the birth area to behind the west wall: around its bottom end (rows 10+).
        const PointPath p = map.find_path(finder, Point{50, 260}, Point{150, 30});
        CPPUNIT_ASSERT(p.found());
        CPPUNIT_ASSERT(p.points.size() >= 3);
        CPPUNIT_ASSERT(map.verify_path(p.points));
        bool below_wall = false;
        for (const Point &pt : p.points) below_wall |= pt.y >= 200;
        CPPUNIT_ASSERT(below_wall);
        // A client path straight through the wall is refused.
        CPPUNIT_ASSERT(!map.verify_path({Point{50, 30}, Point{150, 30}}));
        // Lord of Pomelo's own settings: the size taken from elsewhere (area.json), other tile sizes.
        TileMapOptions options;
        options.width = 380;
        options.tile_width = options.tile_height = 10;
        const TileMapBuild small = build_tile_map(load_tiled_map(SHD_PATH_TEST_MAP), options);
        CPPUNIT_ASSERT_EQUAL(38, small.map.grid().width());
        CPPUNIT_ASSERT_EQUAL(30, small.map.grid().height());
        CPPUNIT_ASSERT(!small.map.grid().walkable(Tile{10, 0}) && small.map.grid().walkable(Tile{12, 0}));
    }

    void map_errors_name_file_and_place() {
        std::string e = map_error("{");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "maps/bad.json: not JSON at offset"));
        e = map_error("[]");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "maps/bad.json: /: expected a Tiled map"));
        e = map_error(R"({"width":1,"height":1,"tilewidth":10})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/tileheight: missing"));
        e = map_error(R"({"width":1,"height":0,"tilewidth":10,"tileheight":10,"layers":[]})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/height: expected a positive number"));
        e = map_error(R"({"width":1,"height":1,"tilewidth":10,"tileheight":10})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/layers: expected an array"));
        e = map_error(with_layers(R"({"type":"objectgroup","name":"collision","objects":[{"x":1},{"x":"2"}]})"));
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "maps/bad.json: /layers/0/objects/1/x: expected a number"));
        e = map_error(with_layers(
            R"({"type":"tilelayer"},{"type":"objectgroup","objects":[{"polygon":[{"x":0,"y":0},{"x":true,"y":1}]}]})"));
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/layers/1/objects/0/polygon/1/x: expected a number"));
        e = map_error(with_layers(R"({"type":"objectgroup","objects":[{"properties":[{"name":"a","value":{}}]}]})"));
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/layers/0/objects/0/properties/0/value: expected a string, number"));
        try {
            load_tiled_map("/nonexistent/map.json");
            CPPUNIT_FAIL("no error for a missing file");
        } catch (const MapError &err) {
            CPPUNIT_ASSERT(has_text(err.what(), "/nonexistent/map.json: cannot be read"));
        }
        // A map without a collision layer is all free.
        const TileMapBuild free = build_tile_map(parse_tiled_map(with_layers(""), "x"));
        CPPUNIT_ASSERT_EQUAL(5, free.map.grid().width());
        CPPUNIT_ASSERT(free.map.grid().walkable(Tile{4, 4}));
    }

    void inside_polygon_edges_count() {
        const std::vector<Point> square{{0, 0}, {10, 0}, {10, 10}, {0, 10}};
        CPPUNIT_ASSERT(inside_polygon(Point{5, 5}, square));
        CPPUNIT_ASSERT(inside_polygon(Point{0, 5}, square));
        CPPUNIT_ASSERT(inside_polygon(Point{10, 10}, square));
        CPPUNIT_ASSERT(!inside_polygon(Point{10.01, 5}, square));
        CPPUNIT_ASSERT(!inside_polygon(Point{-5, 0}, square));  // on the line of an edge, outside it
        const std::vector<Point> concave{{0, 0}, {10, 0}, {10, 10}, {5, 3}, {0, 10}};
        CPPUNIT_ASSERT(!inside_polygon(Point{5, 8}, concave));
        CPPUNIT_ASSERT(inside_polygon(Point{2, 2}, concave));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TileMapTest);
