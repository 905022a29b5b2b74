// The AI of LORDOFPOMELO.md §3.6 on shd::bt: the player brain (chase and attack the target, walk to
// and pick an item, walk to and talk to an NPC) and the mob brain ("tiger": chase and attack its
// target, else patrol). Ticked by the area every 100 ms.
#pragma once
#include <shaddock/bt/node.hpp>

#include <memory>

namespace mmo::world {

class Area;
struct Player;
struct Mob;

std::unique_ptr<shd::bt::Node> make_player_brain(Area &area, Player &self);
std::unique_ptr<shd::bt::Node> make_mob_brain(Area &area, Mob &self);

}  // namespace mmo::world
