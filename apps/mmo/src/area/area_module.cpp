// Stub: the game world fills this in (see area_module.hpp).
#include "area/area_module.hpp"

#include "platform/app_context.hpp"

namespace mmo {

std::unique_ptr<WorldModule> install_world(AppContext &) { return nullptr; }

}  // namespace mmo
