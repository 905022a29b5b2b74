// The chat server (lordofpomelo's chat): chat.chatHandler.send {scope, content, toName} -> {code}
// and pushes onChat {playerId, uid, content, scope, kind:0, from}. Scopes (the original's colour
// strings): "D41313" world (channel pomelo), "F7A900" area (area_<the sender's areaId>), "0897f7"
// team (the manager's teamRemote.chatInTeam for the sender's teamId; 500 without a team or when the
// sender is not in it), "279106" private (the player named toName; 3004 when offline).
// The sender's name, ids and area come from the session, never from the body; HTML tags are
// stripped and the content is limited to 200 bytes after stripping (longer, empty or not a string:
// 500). A player may send a burst of 10 messages, then one a second (faster: 500 "too many messages").
//
// Membership comes from the other servers:
//   chatRemote.add [uid, playerName, frontendId, channel, playerId, session]
//        joins a channel (pomelo, area_N); session names the login ("<frontendId>#<sid>")
//   chatRemote.kick [uid, channel?, session?]
//        leaves the channel; without one (logout) every channel and the player list, pushing
//        onUserLeave {code:200, playerId} to the area channels the player was in. With a session
//        other than the one that added the player (an older login's close), nothing happens.
// The connector adds world and area channels at login and kicks at logout; an area change moves
// the area_ channel the same way. One chat server holds every channel.
#pragma once
#include <memory>

namespace mmo {
struct AppContext;
class ChatService;
std::shared_ptr<ChatService> install_chat_service(AppContext &ctx);
}  // namespace mmo
