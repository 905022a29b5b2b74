// The path server (lordofpomelo's path-server-1): A* on every scene's map for whoever asks.
//   pathFindingRemote.findPath [{areaId, start:{x,y}, end:{x,y}}] -> [null, {path:[{x,y}...], cost}],
//   or [null, null] when there is no such area or no path.
// The area servers find their own paths (the AI's chase paths are local); this remote is for other
// servers and tools. Logic thread only.
#pragma once
#include "area/area_module.hpp"
#include "world/game_data.hpp"
#include "world/scene_map.hpp"

#include <map>
#include <memory>

namespace mmo {

struct AppContext;

class PathServer : public WorldModule {
public:
    // Loads the game data and every area's map; throws naming the file on a bad one.
    explicit PathServer(AppContext &ctx);
    // The answer's JSON (the remote's second callback argument) for a request's arguments.
    std::string find_path(const std::string &args_json) const;

private:
    world::GameData data_;
    std::map<int, world::SceneMap> maps_;
};

}  // namespace mmo
