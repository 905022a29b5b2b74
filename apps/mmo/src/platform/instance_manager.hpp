// The manager server's instances (lordofpomelo's instanceManager): which instance server holds which
// dungeon instance. An instance is keyed "<areaId>_<id>" (id: the player's id for a single-player
// instance, the team's id for a team instance); a new one goes to the next instance server in turn
// (area servers with "instance": true in servers.json), which is asked to make it
// (area.areaRemote.create [{areaId, instanceId}], the world's remote); an instance server that closes
// an idle instance tells the manager (instanceRemote.remove).
//   instanceRemote.create [{areaId, id}]  -> [null, {code:200, instanceId, serverId}] (the existing
//                                            one when it is there); {code:500} when no instance
//                                            server is up or it could not make the instance
//   instanceRemote.remove [instanceId]    -> [null, {code:200}]
//   instanceRemote.find [instanceId]      -> [null, {code:200, serverId}] or {code:500}
#pragma once
#include <memory>

namespace mmo {
struct AppContext;
class InstanceManager;
std::shared_ptr<InstanceManager> install_instance_manager(AppContext &ctx);
}  // namespace mmo
