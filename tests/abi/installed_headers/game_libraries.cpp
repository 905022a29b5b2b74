// Built from the installed SDK package only: the game-logic libraries link into a plugin through
// Shaddock::path, Shaddock::bt and Shaddock::gamedata (static libraries; every symbol this file uses
// must resolve).
#include <shaddock/bt/library.hpp>
#include <shaddock/bt/tree.hpp>
#include <shaddock/gamedata/database.hpp>
#include <shaddock/path/tiled_map.hpp>

namespace {

struct Board {
    int steps = 0;
};

}  // namespace

// Called by nothing: linking it is the test.
double installed_game_libraries_probe() {
    shd::path::TileMapBuild built = shd::path::build_tile_map(shd::path::parse_tiled_map(
        R"({"width":1,"height":1,"tilewidth":100,"tileheight":100,"layers":[]})", "probe"));
    shd::path::Finder finder(built.map.grid());
    const shd::path::PointPath path = built.map.find_path(finder, {10, 10}, {90, 90});
    shd::bt::Library<Board> library;
    library.leaf("step", [](Board &b) { return ++b.steps, shd::bt::Result::success; });
    Board board;
    shd::bt::Tree tree(library.build(shd::bt::parse_description(R"({"type":"action","name":"step"})", "probe"), board));
    tree.tick();
    shd::gamedata::Schema schema("probe");
    schema.integer("id").number("cost");
    const shd::gamedata::Table table =
        shd::gamedata::load_table("id,cost\n1,2.5\n", shd::gamedata::Format::csv, schema, "probe.csv");
    return path.cost + board.steps + table.row(1).number("cost");
}
