// The manager server's teams (lordofpomelo's teamManager): at most 3 members, a captain, a team
// channel team_<teamId> on the manager carrying the team's pushes, and the team chat. The area
// handlers (area.teamHandler.*) call these remotes and keep the session keys teamId and isCaptain.
//
// Remotes; args are a JSON array, every answer is [null, {result, ...}] with lordofpomelo's join
// codes: 1 done, -1 the team is full, -2 already in this team, -3 in another team, -4 anything else
// (no such team, not the captain, a bad argument).
//   teamRemote.createTeam [member]                    -> {result, teamId, teamName}; the creator is captain
//   teamRemote.joinTeam [teamId, member]              -> {result}
//   teamRemote.leaveTeam [teamId, playerId]           -> {result}; the captain leaving disbands the team
//   teamRemote.disbandTeam [teamId, captainId]        -> {result}
//   teamRemote.kickOut [teamId, captainId, playerId]  -> {result}
//   teamRemote.updateMemberInfo [teamId, member]      -> {result}; pushes onUpdateTeam
//   teamRemote.chatInTeam [teamId, playerId, body]    -> {result}; pushes onChat (body) to the team
//   teamRemote.getTeam [teamId]                       -> {result, team:{teamId, teamName, captainId,
//   members:[member...]}} teamRemote.memberOffline [playerId]               -> {result}; as leaveTeam for the player's
//   team
//                                                        (the connector calls it when a session closes)
// member: {playerId, uid, frontendId, name, kindId, level, hp, mp, maxHp, maxMp, instanceId?, areaServerId?}
// (areaServerId: the area server holding the player; it gets areaRemote.teamLeft [playerId, teamId]
// when the player leaves the team, is kicked out or the team ends)
// Pushes on the team channel: onUpdateTeam {<playerId>: {name, kindId, hp, mp, maxHp, maxMp, level,
// teamId, isCaptain, instanceId}} after every change of members, onTeammateLeaveTeam {playerId} to
// the others when one leaves or is kicked (the kicked one gets it too), onDisbandTeam [playerId...]
// when the team ends.
#pragma once
#include <memory>

namespace mmo {
struct AppContext;
class TeamManager;
std::shared_ptr<TeamManager> install_team_manager(AppContext &ctx);
}  // namespace mmo
