#include "platform/chat_service.hpp"

#include "platform/app_context.hpp"
#include "platform/codes.hpp"
#include "platform/utf8.hpp"

#include <shaddock/cpp/channel.hpp>

#include <algorithm>
#include <set>
#include <unordered_map>

namespace mmo {
namespace {

constexpr size_t kMaxContentBytes = 200;
// Messages per player: a burst of 10, then one a second.
constexpr double kChatBurst = 10, kChatPerSecond = 1;
constexpr size_t kMaxRawContentBytes = 4096;

// Code points that show nothing or change the direction of what follows: with them a line can show
// other text than it holds (a right-to-left override turning a name around). C1 controls too.
bool invisible(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
}

// Drops everything from '<' to the next '>' (an unclosed '<' drops the rest), as lordofpomelo
// stripped tags, control characters and invisible ones. `in` is valid UTF-8 (valid_utf8).
std::string strip_tags(const std::string &in) {
    std::string out;
    bool in_tag = false;
    for (size_t i = 0; i < in.size();) {
        unsigned char c = static_cast<unsigned char>(in[i]);
        size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (in_tag) {
            in_tag = c != '>';
        } else if (c == '<') {
            in_tag = true;
        } else if (len == 1) {
            if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
        } else {
            uint32_t cp = c & (0xffu >> (len + 1));
            for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(in[i + k]) & 0x3fu);
            if (!invisible(cp)) out.append(in, i, len);
        }
        i += len;
    }
    size_t b = out.find_first_not_of(' '), e = out.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : out.substr(b, e - b + 1);
}

// A numeric session setting (a number or a string of digits) as its digits; "" otherwise.
std::string setting_text(const shd::Session &s, const char *key) {
    auto v = s.get(key);
    if (!v) return {};
    std::string text = !v->empty() && (*v)[0] == '"' ? s.get_string(key).value_or("") : *v;
    if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) return {};
    return text;
}

}  // namespace

class ChatService : public std::enable_shared_from_this<ChatService> {
public:
    explicit ChatService(AppContext &ctx) : ctx_(ctx), channels_(ctx.host) {}

    void install() {
        std::weak_ptr<ChatService> weak = shared_from_this();
        ctx_.handlers->on("chat.chatHandler.send", [weak](shd::RequestPtr req) {
            if (auto s = weak.lock()) s->send(req);
        });
        ctx_.rpc->remote("chatRemote", "add", [weak](const std::string &args, shd::RpcReply reply) {
            if (auto s = weak.lock()) s->add(args, reply);
        });
        ctx_.rpc->remote("chatRemote", "kick", [weak](const std::string &args, shd::RpcReply reply) {
            if (auto s = weak.lock()) s->kick(args, reply);
        });
    }

private:
    struct Member {
        std::string name, frontend;
        double tokens = kChatBurst;  // the chat rate: a token bucket
        uint64_t refilled_ms = 0;
        int64_t player_id = 0;
        std::string session;  // "<frontendId>#<sid>" of the login that added it
        std::set<std::string> channels;
    };

    static std::string arg(const rapidjson::Value &a, rapidjson::SizeType i) {
        return a.IsArray() && a.Size() > i && a[i].IsString() ? std::string(a[i].GetString(), a[i].GetStringLength())
                                                              : "";
    }

    void add(const std::string &args, const shd::RpcReply &reply) {
        rapidjson::Document a = shd::parse_json_or_empty(args);
        std::string uid = arg(a, 0), name = arg(a, 1), frontend = arg(a, 2), channel = arg(a, 3);
        if (uid.empty() || name.empty() || frontend.empty() || channel.empty())
            return reply.fail(SHD_ERR_INVALID, "\"add needs [uid, name, frontendId, channel, playerId]\"");
        Member &m = members_[uid];
        if (!m.name.empty() && m.name != name) by_name_.erase(m.name);
        m.name = name;
        m.frontend = frontend;
        if (a.Size() > 4 && a[4].IsInt64()) m.player_id = a[4].GetInt64();
        m.session = arg(a, 5);
        by_name_[name] = uid;
        channels_.get_channel(channel, true).add(uid, frontend);
        m.channels.insert(channel);
        reply.ok("[null]");
    }

    void kick(const std::string &args, const shd::RpcReply &reply) {
        rapidjson::Document a = shd::parse_json_or_empty(args);
        std::string uid = arg(a, 0), channel = arg(a, 1), session = arg(a, 2);
        auto it = members_.find(uid);
        if (it == members_.end()) return reply.ok("[null]");
        Member &m = it->second;
        // The close of a session the user has already replaced (a second login) leaves the new one be.
        if (!session.empty() && !m.session.empty() && session != m.session) return reply.ok("[null]");
        for (auto c = m.channels.begin(); c != m.channels.end();) {
            if (!channel.empty() && *c != channel) {
                ++c;
                continue;
            }
            shd::Channel ch = channels_.get_channel(*c);
            ch.leave(uid, m.frontend);
            // Logging out: the area's other players are told (lordofpomelo's onUserLeave).
            if (channel.empty() && m.player_id != 0 && c->rfind("area_", 0) == 0)
                ch.push_message("onUserLeave", "{\"code\":200,\"playerId\":" + std::to_string(m.player_id) + "}");
            if (ch.get_user_amount() == 0) channels_.destroy_channel(*c);
            c = m.channels.erase(c);
        }
        if (channel.empty()) {
            auto n = by_name_.find(m.name);
            if (n != by_name_.end() && n->second == uid) by_name_.erase(n);
            members_.erase(it);
        }
        reply.ok("[null]");
    }

    bool take_token(Member &m) {
        uint64_t now = ctx_.host.now_ms();
        if (m.refilled_ms == 0) m.refilled_ms = now;
        m.tokens = std::min(kChatBurst, m.tokens + static_cast<double>(now - m.refilled_ms) / 1000.0 * kChatPerSecond);
        m.refilled_ms = now;
        if (m.tokens < 1) return false;
        m.tokens -= 1;
        return true;
    }

    void send(const shd::RequestPtr &req) {
        shd::Session &session = req->session();
        rapidjson::Document body = req->json();
        std::string uid = session.uid();
        auto me = members_.find(uid);
        if (uid.empty() || me == members_.end()) return req->respond(code_body(code::fail));  // no hero online
        auto content_it = body.IsObject() ? body.FindMember("content") : body.MemberEnd();
        if (!body.IsObject() || content_it == body.MemberEnd() || !content_it->value.IsString() ||
            content_it->value.GetStringLength() > kMaxRawContentBytes ||
            !valid_utf8({content_it->value.GetString(), content_it->value.GetStringLength()}))
            return req->respond(code_body(code::fail));
        if (!take_token(me->second)) return req->respond(R"({"code":500,"error":"too many messages"})");
        std::string content = strip_tags(content_it->value.GetString());
        if (content.empty() || content.size() > kMaxContentBytes) return req->respond(code_body(code::fail));
        std::string scope = shd::json_string(body, "scope");
        std::string player_id = setting_text(session, "playerId");
        std::string msg = "{\"playerId\":" + (player_id.empty() ? std::string("null") : player_id) +
                          ",\"uid\":" + shd::json_quote(uid) + ",\"content\":" + shd::json_quote(content) +
                          ",\"scope\":" + shd::json_quote(scope) +
                          ",\"kind\":0,\"from\":" + shd::json_quote(me->second.name) + "}";
        std::string channel;
        if (scope == "D41313") {
            channel = "pomelo";
        } else if (scope == "F7A900") {
            std::string area = setting_text(session, "areaId");
            if (area.empty()) return req->respond(code_body(code::fail));
            channel = "area_" + area;
        } else if (scope == "0897f7") {
            // The team channel is the manager's (lordofpomelo's teamRemote.chatInTeam).
            std::string team = setting_text(session, "teamId");
            if (team.empty() || team == "0" || player_id.empty() || !ctx_.rpc)
                return req->respond(code_body(code::fail));
            ctx_.rpc->call("manager", "{}", "teamRemote", "chatInTeam", "[" + team + "," + player_id + "," + msg + "]",
                           [req](shd_status s, const std::string &result) {
                               rapidjson::Document r = shd::parse_json_or_empty(result);
                               bool ok = s == SHD_OK && r.IsArray() && r.Size() > 1 && r[1].IsObject() &&
                                         r[1].HasMember("result") && r[1]["result"] == 1;
                               req->respond(code_body(ok ? code::ok : code::fail));
                           });
            return;
        } else if (scope == "279106") {
            auto target = by_name_.find(shd::json_string(body, "toName"));
            if (target == by_name_.end()) return req->respond(code_body(code::chat_user_offline));
            const Member &to = members_.at(target->second);
            channels_.push_message_by_uids("onChat", msg, {{target->second, to.frontend}});
            return req->respond(code_body(code::ok));
        } else {
            return req->respond(code_body(code::fail));
        }
        shd::Channel ch = channels_.get_channel(channel);
        if (!ch.exists()) return req->respond(code_body(code::fail));
        ch.push_message("onChat", msg);
        req->respond(code_body(code::ok));
    }

    AppContext &ctx_;
    shd::ChannelService channels_;
    std::unordered_map<std::string, Member> members_;       // by uid
    std::unordered_map<std::string, std::string> by_name_;  // player name -> uid
};

std::shared_ptr<ChatService> install_chat_service(AppContext &ctx) {
    auto chat = std::make_shared<ChatService>(ctx);
    chat->install();
    return chat;
}

}  // namespace mmo
