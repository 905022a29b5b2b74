#include "platform/team_manager.hpp"

#include "platform/app_context.hpp"
#include "world/game_data.hpp"

#include <shaddock/cpp/channel.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

namespace mmo {
namespace {

constexpr size_t kMaxMembers = 3;
constexpr int kOk = 1, kFull = -1, kAlreadyIn = -2, kOtherTeam = -3, kError = -4;

struct Member {
    int64_t player_id = 0;
    std::string uid, frontend, name;
    std::string area_server;  // the area server holding the player (told when it leaves the team)
    int64_t kind_id = 0, level = 0, hp = 0, mp = 0, max_hp = 0, max_mp = 0;
    std::string instance_id = "null";  // JSON
};

int64_t int_of(const rapidjson::Value &o, const char *key) {
    auto it = o.FindMember(key);
    return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

std::optional<Member> read_member(const rapidjson::Value &v) {
    if (!v.IsObject()) return std::nullopt;
    Member m;
    m.player_id = int_of(v, "playerId");
    m.uid = shd::json_string(v, "uid");
    m.frontend = shd::json_string(v, "frontendId");
    m.name = shd::json_string(v, "name");
    if (m.player_id <= 0 || m.uid.empty() || m.frontend.empty()) return std::nullopt;
    m.area_server = shd::json_string(v, "areaServerId");
    if (m.area_server.size() > 128) return std::nullopt;
    m.kind_id = int_of(v, "kindId");
    m.level = int_of(v, "level");
    m.hp = int_of(v, "hp");
    m.mp = int_of(v, "mp");
    m.max_hp = int_of(v, "maxHp");
    m.max_mp = int_of(v, "maxMp");
    auto inst = v.FindMember("instanceId");
    if (inst != v.MemberEnd() && (inst->value.IsString() || inst->value.IsInt64()))
        m.instance_id = shd::to_json(inst->value);
    return m;
}

std::string answer(int result, const std::string &more = "") {
    return "[null,{\"result\":" + std::to_string(result) + more + "}]";
}

}  // namespace

class TeamManager : public std::enable_shared_from_this<TeamManager> {
public:
    TeamManager(AppContext &ctx, std::vector<std::string> names)
        : ctx_(ctx), channels_(ctx.host), names_(std::move(names)) {}

    void install() {
        std::weak_ptr<TeamManager> weak = shared_from_this();
        auto on = [this, weak](const char *method,
                               void (TeamManager::*fn)(const rapidjson::Value &, const shd::RpcReply &)) {
            ctx_.rpc->remote("teamRemote", method, [weak, fn](const std::string &args, shd::RpcReply reply) {
                auto self = weak.lock();
                if (!self) return;
                rapidjson::Document a = shd::parse_json_or_empty(args);
                if (!a.IsArray()) return reply.ok(answer(kError));
                (self.get()->*fn)(a, reply);
            });
        };
        on("createTeam", &TeamManager::create_team);
        on("joinTeam", &TeamManager::join_team);
        on("leaveTeam", &TeamManager::leave_team);
        on("disbandTeam", &TeamManager::disband_team);
        on("kickOut", &TeamManager::kick_out);
        on("updateMemberInfo", &TeamManager::update_member);
        on("chatInTeam", &TeamManager::chat_in_team);
        on("getTeam", &TeamManager::get_team);
        on("dragMember2gameCopy", &TeamManager::drag_members);
        on("memberOffline", &TeamManager::member_offline);
    }

private:
    struct Team {
        int64_t id = 0;
        std::string name;
        int64_t captain = 0;
        std::vector<Member> members;  // in joining order
    };

    static int64_t arg_int(const rapidjson::Value &a, rapidjson::SizeType i) {
        return a.Size() > i && a[i].IsInt64() ? a[i].GetInt64() : 0;
    }
    Team *team(int64_t id) {
        auto it = teams_.find(id);
        return it == teams_.end() ? nullptr : &it->second;
    }
    std::string channel_name(int64_t id) const { return "team_" + std::to_string(id); }

    void create_team(const rapidjson::Value &a, const shd::RpcReply &reply) {
        auto m = a.Size() > 0 ? read_member(a[0]) : std::nullopt;
        if (!m) return reply.ok(answer(kError));
        if (team_of_.count(m->player_id)) return reply.ok(answer(kOtherTeam));
        Team t;
        t.id = ++last_id_;
        // team.json's names in turn (lordofpomelo drew one of them at random).
        t.name = names_.empty() ? "Team " + std::to_string(t.id) : names_[static_cast<size_t>(t.id - 1) % names_.size()];
        t.captain = m->player_id;
        teams_[t.id] = t;
        add_member(teams_[t.id], *m);
        reply.ok(answer(kOk, ",\"teamId\":" + std::to_string(t.id) + ",\"teamName\":" + shd::json_quote(t.name)));
    }

    void join_team(const rapidjson::Value &a, const shd::RpcReply &reply) {
        Team *t = team(arg_int(a, 0));
        auto m = a.Size() > 1 ? read_member(a[1]) : std::nullopt;
        if (!t || !m) return reply.ok(answer(kError));
        auto in = team_of_.find(m->player_id);
        if (in != team_of_.end()) return reply.ok(answer(in->second == t->id ? kAlreadyIn : kOtherTeam));
        if (t->members.size() >= kMaxMembers) return reply.ok(answer(kFull));
        add_member(*t, *m);
        reply.ok(answer(kOk));
    }

    void leave_team(const rapidjson::Value &a, const shd::RpcReply &reply) {
        reply.ok(answer(remove_player(arg_int(a, 0), arg_int(a, 1))));
    }

    void member_offline(const rapidjson::Value &a, const shd::RpcReply &reply) {
        int64_t player = arg_int(a, 0);
        auto in = team_of_.find(player);
        reply.ok(answer(in == team_of_.end() ? kOk : remove_player(in->second, player)));
    }

    void disband_team(const rapidjson::Value &a, const shd::RpcReply &reply) {
        Team *t = team(arg_int(a, 0));
        if (!t || t->captain != arg_int(a, 1)) return reply.ok(answer(kError));
        disband(t->id);
        reply.ok(answer(kOk));
    }

    void kick_out(const rapidjson::Value &a, const shd::RpcReply &reply) {
        Team *t = team(arg_int(a, 0));
        int64_t kicked = arg_int(a, 2);
        if (!t || t->captain != arg_int(a, 1) || kicked == t->captain) return reply.ok(answer(kError));
        reply.ok(answer(remove_player(t->id, kicked)));
    }

    void update_member(const rapidjson::Value &a, const shd::RpcReply &reply) {
        Team *t = team(arg_int(a, 0));
        auto m = a.Size() > 1 ? read_member(a[1]) : std::nullopt;
        if (!t || !m) return reply.ok(answer(kError));
        for (Member &old : t->members)
            if (old.player_id == m->player_id) {
                old = *m;
                push_update(*t);
                return reply.ok(answer(kOk));
            }
        reply.ok(answer(kError));
    }

    void chat_in_team(const rapidjson::Value &a, const shd::RpcReply &reply) {
        Team *t = team(arg_int(a, 0));
        auto in = team_of_.find(arg_int(a, 1));
        if (!t || in == team_of_.end() || in->second != t->id || a.Size() < 3 || !a[2].IsObject())
            return reply.ok(answer(kError));
        channels_.get_channel(channel_name(t->id)).push_message("onChat", shd::to_json(a[2]));
        reply.ok(answer(kOk));
    }

    // The captain entered a team instance: the members follow (their clients change area to target).
    // Not the captain: it is on its way already, and a second changeArea from it would be refused.
    void drag_members(const rapidjson::Value &a, const shd::RpcReply &reply) {
        Team *t = team(arg_int(a, 0));
        const int64_t target = arg_int(a, 2);
        if (!t || t->captain != arg_int(a, 1) || target <= 0) return reply.ok(answer(kError));
        std::vector<shd::ChannelMember> members;
        for (const Member &m : t->members)
            if (m.player_id != t->captain) members.push_back({m.uid, m.frontend});
        if (!members.empty())
            channels_.push_message_by_uids(
                "onDragMember2gameCopy",
                "{\"teamId\":" + std::to_string(t->id) + ",\"target\":" + std::to_string(target) + "}", members);
        reply.ok(answer(kOk));
    }

    void get_team(const rapidjson::Value &a, const shd::RpcReply &reply) {
        Team *t = team(arg_int(a, 0));
        if (!t) return reply.ok(answer(kError));
        std::string members;
        for (const Member &m : t->members) members += (members.empty() ? "" : ",") + member_json(m, *t, true);
        reply.ok(answer(kOk, ",\"team\":{\"teamId\":" + std::to_string(t->id) +
                                 ",\"teamName\":" + shd::json_quote(t->name) +
                                 ",\"captainId\":" + std::to_string(t->captain) + ",\"members\":[" + members + "]}"));
    }

    void add_member(Team &t, const Member &m) {
        t.members.push_back(m);
        team_of_[m.player_id] = t.id;
        channels_.get_channel(channel_name(t.id), true).add(m.uid, m.frontend);
        push_update(t);
    }

    // The player leaves (the captain: the team ends). A join code.
    int remove_player(int64_t team_id, int64_t player) {
        Team *t = team(team_id);
        if (!t) return kError;
        auto it = std::find_if(t->members.begin(), t->members.end(),
                               [player](const Member &m) { return m.player_id == player; });
        if (it == t->members.end()) return kError;
        if (player == t->captain) {
            disband(team_id);
            return kOk;
        }
        shd::Channel ch = channels_.get_channel(channel_name(team_id));
        ch.push_message("onTeammateLeaveTeam", "{\"playerId\":" + std::to_string(player) + "}");
        ch.leave(it->uid, it->frontend);
        tell_left(*it, team_id);
        t->members.erase(it);
        team_of_.erase(player);
        push_update(*t);
        return kOk;
    }

    void disband(int64_t team_id) {
        Team *t = team(team_id);
        if (!t) return;
        std::string ids;
        for (const Member &m : t->members) {
            ids += (ids.empty() ? "" : ",") + std::to_string(m.player_id);
            team_of_.erase(m.player_id);
            tell_left(m, team_id);
        }
        channels_.get_channel(channel_name(team_id)).push_message("onDisbandTeam", "[" + ids + "]");
        // The channel goes after the push has been sent to its members.
        channels_.destroy_channel(channel_name(team_id));
        teams_.erase(team_id);
    }

    // The member's area server learns that the player is in no team now (its session keys, and the
    // players around it). The server that asked for the change did that already; a second time is
    // nothing (teamLeft names the team the player left).
    void tell_left(const Member &m, int64_t team_id) {
        if (m.area_server.empty() || !ctx_.rpc) return;
        ctx_.rpc->to_server(m.area_server, "area", "areaRemote", "teamLeft",
                            "[" + std::to_string(m.player_id) + "," + std::to_string(team_id) + "]",
                            [](shd_status, const std::string &) {});
    }

    std::string member_json(const Member &m, const Team &t, bool with_id) const {
        std::string s = "{";
        if (with_id) s += "\"playerId\":" + std::to_string(m.player_id) + ",";
        s += "\"name\":" + shd::json_quote(m.name) + ",\"kindId\":" + std::to_string(m.kind_id) +
             ",\"hp\":" + std::to_string(m.hp) + ",\"mp\":" + std::to_string(m.mp) +
             ",\"maxHp\":" + std::to_string(m.max_hp) + ",\"maxMp\":" + std::to_string(m.max_mp) +
             ",\"level\":" + std::to_string(m.level) + ",\"teamId\":" + std::to_string(t.id) +
             ",\"isCaptain\":" + (m.player_id == t.captain ? "true" : "false") + ",\"instanceId\":" + m.instance_id +
             "}";
        return s;
    }

    void push_update(const Team &t) {
        std::string body = "{";
        for (const Member &m : t.members)
            body += (body.size() > 1 ? "," : "") + shd::json_quote(std::to_string(m.player_id)) + ":" +
                    member_json(m, t, false);
        channels_.get_channel(channel_name(t.id)).push_message("onUpdateTeam", body + "}");
    }

    AppContext &ctx_;
    shd::ChannelService channels_;
    std::map<int64_t, Team> teams_;
    std::unordered_map<int64_t, int64_t> team_of_;  // playerId -> teamId
    int64_t last_id_ = 0;
    std::vector<std::string> names_;  // team.json
};

std::shared_ptr<TeamManager> install_team_manager(AppContext &ctx) {
    auto m = std::make_shared<TeamManager>(ctx, world::GameData::load(ctx.server.app_dir).team_names());
    m->install();
    return m;
}

}  // namespace mmo
