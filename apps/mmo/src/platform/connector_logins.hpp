// The connector's side of a login: entry, hero creation and logout.
//   connector.entryHandler.entry {token}           -> {code:200, player | null} or {code, player:null}
//   connector.roleHandler.createPlayer {name, roleId} -> {code:200, user, player} or {code}
//   connector.timeSyncHandler.timeSync {clientTime} -> {code:200}
// entry asks the auth server (authRemote.auth), kicks an older session of the same user, binds the
// session to the uid and, once the user has a hero, sets the session keys the areas route by
// (serverId, playerId, playername, areaId) and joins the world and area chat channels. When the
// session closes, every area server is told (playerRemote.playerLeave {playerId, instanceId}: the
// connector does not follow area changes, which the areas make in the session; an area ignores a
// player it does not hold), the chat server forgets the player (chatRemote.kick) and the manager
// takes it out of its team (teamRemote.memberOffline).
#pragma once
#include <memory>

namespace mmo {
struct AppContext;
class ConnectorLogins;
// Keep the result alive as long as the app.
std::shared_ptr<ConnectorLogins> install_connector_logins(AppContext &ctx);
}  // namespace mmo
