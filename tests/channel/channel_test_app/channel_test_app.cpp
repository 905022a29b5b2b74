// The channel tests' app: rooms held in channels (shaddock/cpp/channel.hpp), on a `room` backend in a
// cluster (members joined through a user remote roomRemote.join/leave) or, on a lone connector
// without RPC, on the connector itself.
//
//   connector.entryHandler.join {uid, rid?}        binds the session, joins room rid -> {code, amount}
//   connector.entryHandler.leave {}                leaves the room                   -> {code, status, amount}
//   <T>.roomHandler.say {text, seq}                pushes onSay {from, text, seq} to the caller's room
//   <T>.roomHandler.sayOld {text}                  the same with Pomelo's old pushMessage({route, ...})
//   <T>.roomHandler.whisper {receivers, text}      pushMessageByUids onWhisper {from, text}
//   <T>.roomHandler.broadcast {text, bound}        broadcast to every "connector" session: onBroadcast
//   <T>.roomHandler.flood {n, size, perTick, tickMs}  n pushes onFlood {i, pad}, perTick every tickMs
//   <T>.roomHandler.info {rid, uid}                {exists, amount, members, member}
//   <T>.roomHandler.add|leaveRaw {rid, uid, sid}   the channel's add/leave as they are -> {status}
//   <T>.roomHandler.destroy {rid}                  -> {status}
// <T> is "room" (the backend, in a cluster) or "connector" (alone). Push answers carry
// {code, status, failed}, sent once the push's callback has run.
#include <shaddock/cpp/channel.hpp>
#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/rpc.hpp>

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

std::string str(const rapidjson::Value &obj, const char *key, std::string fallback = "") {
    return obj.IsObject() && obj.HasMember(key) && obj[key].IsString() ? obj[key].GetString() : fallback;
}

int num(const rapidjson::Value &obj, const char *key, int fallback) {
    return obj.IsObject() && obj.HasMember(key) && obj[key].IsInt() ? obj[key].GetInt() : fallback;
}

std::string push_answer(shd_status s, const std::vector<std::string> &failed) {
    return R"({"code":)" + std::string(s == SHD_OK ? "200" : "500") + R"(,"status":)" + std::to_string(s) +
           R"(,"failed":)" + shd::json_string_array(failed) + "}";
}

class ChannelTestApp : public shd::App {
public:
    using shd::App::App;

    void configure() override {
        type_ = host().server().type;
        channels_.emplace(host());
        handlers_ = std::make_unique<shd::Handlers>(host());
        if (host().find<shd_rpc_v1>(SHD_RPC_SERVICE_ID).first) rpc_.emplace(host());
        if (rpc_ && type_ == "room") {
            rpc_->remote("roomRemote", "join", [this](const std::string &args, shd::RpcReply reply) {
                auto a = shd::parse_json_or_empty(args);
                if (!a.IsArray() || a.Size() < 3) return reply.fail(SHD_ERR_INVALID, "\"[uid, sid, rid]\"");
                shd_status s = join_local(a[0].GetString(), a[1].GetString(), a[2].GetString());
                reply.ok(s == SHD_OK ? "[null," + amount_of(a[2].GetString()) + "]"
                                     : R"([{"code":)" + std::to_string(s) + "}]");
            });
            rpc_->remote("roomRemote", "leave", [this](const std::string &args, shd::RpcReply reply) {
                auto a = shd::parse_json_or_empty(args);
                if (!a.IsArray() || a.Size() < 3) return reply.fail(SHD_ERR_INVALID, "\"[uid, sid, rid]\"");
                shd_status s = channels_->get_channel(a[2].GetString()).leave(a[0].GetString(), a[1].GetString());
                reply.ok("[" + std::to_string(s) + "," + amount_of(a[2].GetString()) + "]");
            });
        }

        auto &h = *handlers_;
        h.on("connector.entryHandler.join", [this](shd::RequestPtr req) { join(req); });
        // push_to_frontend to this very connector (the channel plugin's local path): {uids, text}.
        h.on("connector.entryHandler.tellHere", [this](shd::RequestPtr req) {
            auto body = req->json();
            std::vector<std::string> uids;
            if (body.HasMember("uids") && body["uids"].IsArray())
                for (const auto &u : body["uids"].GetArray())
                    if (u.IsString()) uids.emplace_back(u.GetString());
            channels_->push_to_frontend(host().server().id, "onTold",
                                        R"({"text":)" + shd::json_quote(str(body, "text")) + "}", uids,
                                        [req](shd_status s, std::vector<std::string> failed) {
                                            req->respond(push_answer(s, failed));
                                        });
        });
        h.on("connector.entryHandler.leave", [this](shd::RequestPtr req) {
            shd::Session &s = req->session();
            auto rid = s.get_string("rid");
            if (!rid) return req->respond(R"({"code":500})");
            room_leave(s.uid(), s.frontend_id(), *rid, [req](shd_status st, const std::string &amount) {
                req->respond(R"({"code":200,"status":)" + std::to_string(st) + R"(,"amount":)" + amount + "}");
            });
        });
        for (const char *t : {"room", "connector"}) room_handlers(t);
    }

private:
    bool room_is_remote() const { return rpc_ && type_ != "room"; }

    std::string amount_of(const std::string &rid) const {
        return std::to_string(channels_->get_channel(rid).get_user_amount());
    }

    shd_status join_local(const std::string &uid, const std::string &sid, const std::string &rid) {
        return channels_->get_channel(rid, true).add(uid, sid);
    }

    using AmountFn = std::function<void(shd_status, const std::string &amount)>;

    void room_join(const std::string &uid, const std::string &sid, const std::string &rid, AmountFn done) {
        if (!room_is_remote()) {
            shd_status s = join_local(uid, sid, rid);
            return done(s, amount_of(rid));
        }
        rpc_->call("room", R"({"uid":)" + shd::json_quote(uid) + "}", "roomRemote", "join",
                   "[" + shd::json_quote(uid) + "," + shd::json_quote(sid) + "," + shd::json_quote(rid) + "]",
                   [done](shd_status s, const std::string &result) {
                       auto r = shd::parse_json_or_empty(result);
                       if (s != SHD_OK || !r.IsArray() || r.Empty()) return done(s ? s : SHD_ERR_INTERNAL, "0");
                       if (!r[0].IsNull()) return done(num(r[0], "code", SHD_ERR_INTERNAL), "0");
                       done(SHD_OK, r.Size() > 1 ? shd::to_json(r[1]) : "0");
                   });
    }

    void room_leave(const std::string &uid, const std::string &sid, const std::string &rid, AmountFn done) {
        if (!room_is_remote()) {
            shd_status s = channels_->get_channel(rid).leave(uid, sid);
            return done(s, amount_of(rid));
        }
        rpc_->call("room", R"({"uid":)" + shd::json_quote(uid) + "}", "roomRemote", "leave",
                   "[" + shd::json_quote(uid) + "," + shd::json_quote(sid) + "," + shd::json_quote(rid) + "]",
                   [done](shd_status s, const std::string &result) {
                       auto r = shd::parse_json_or_empty(result);
                       if (s != SHD_OK || !r.IsArray() || r.Size() < 2 || !r[0].IsInt())
                           return done(s ? s : SHD_ERR_INTERNAL, "0");
                       done(r[0].GetInt(), shd::to_json(r[1]));
                   });
    }

    void join(const shd::RequestPtr &req) {
        auto body = req->json();
        std::string uid = str(body, "uid"), rid = str(body, "rid");
        shd::Session &s = req->session();
        if (uid.empty() || s.bind(uid) != SHD_OK) return req->respond(R"({"code":500,"error":"bind"})");
        if (rid.empty()) return req->respond(R"({"code":200,"amount":0})");
        s.set_string("rid", rid);
        s.push("rid");
        std::string sid = s.frontend_id();
        s.on_closed([this, uid, sid, rid](const std::string &, const std::string &reason) {
            host().info("session of " + uid + " closed: " + reason);
            room_leave(uid, sid, rid, [](shd_status, const std::string &) {});
        });
        room_join(uid, sid, rid, [req](shd_status st, const std::string &amount) {
            req->respond(st == SHD_OK ? R"({"code":200,"amount":)" + amount + "}"
                                      : R"({"code":500,"status":)" + std::to_string(st) + "}");
        });
    }

    // The room's side: where the channels live.
    void room_handlers(const std::string &t) {
        auto &h = *handlers_;
        auto answer = [](const shd::RequestPtr &req) {
            return [req](shd_status s, std::vector<std::string> failed) { req->respond(push_answer(s, failed)); };
        };
        h.on(t + ".roomHandler.say", [this, answer](shd::RequestPtr req) {
            auto body = req->json();
            std::string rid = req->session().get_string("rid").value_or("");
            std::string msg = R"({"from":)" + shd::json_quote(req->session().uid()) + R"(,"text":)" +
                              shd::json_quote(str(body, "text")) + R"(,"seq":)" + std::to_string(num(body, "seq", 0)) +
                              "}";
            channels_->get_channel(rid).push_message("onSay", msg, answer(req));
        });
        h.on(t + ".roomHandler.sayOld", [this, answer](shd::RequestPtr req) {
            std::string rid = req->session().get_string("rid").value_or("");
            std::string msg = R"({"route":"onSay","from":)" + shd::json_quote(req->session().uid()) + R"(,"text":)" +
                              shd::json_quote(str(req->json(), "text")) + "}";
            channels_->get_channel(rid).push_message(msg, answer(req));
        });
        h.on(t + ".roomHandler.whisper", [this, answer](shd::RequestPtr req) {
            auto body = req->json();
            std::vector<shd::ChannelMember> receivers;
            if (body.HasMember("receivers") && body["receivers"].IsArray())
                for (const auto &r : body["receivers"].GetArray()) receivers.push_back({str(r, "uid"), str(r, "sid")});
            std::string msg = R"({"from":)" + shd::json_quote(req->session().uid()) + R"(,"text":)" +
                              shd::json_quote(str(body, "text")) + "}";
            channels_->push_message_by_uids("onWhisper", msg, receivers, answer(req));
        });
        // push_to_frontend with the uid array as the client wrote it: {sid, uidsJson, text}.
        h.on(t + ".roomHandler.tell", [this, answer](shd::RequestPtr req) {
            auto body = req->json();
            channels_->push_to_frontend(str(body, "sid"), "onTold",
                                        R"({"text":)" + shd::json_quote(str(body, "text")) + "}",
                                        str(body, "uidsJson"), answer(req));
        });
        h.on(t + ".roomHandler.broadcast", [this, answer](shd::RequestPtr req) {
            auto body = req->json();
            bool bound = body.HasMember("bound") && body["bound"].IsTrue();
            channels_->broadcast("connector", "onBroadcast", R"({"text":)" + shd::json_quote(str(body, "text")) + "}",
                                 bound, answer(req));
        });
        h.on(t + ".roomHandler.flood", [this](shd::RequestPtr req) { flood(req); });
        h.on(t + ".roomHandler.info", [this](shd::RequestPtr req) {
            auto body = req->json();
            shd::Channel c = channels_->get_channel(str(body, "rid"));
            auto m = c.get_member(str(body, "uid"));
            std::string member =
                m ? R"({"uid":)" + shd::json_quote(m->uid) + R"(,"sid":)" + shd::json_quote(m->sid) + "}" : "null";
            req->respond(R"({"code":200,"exists":)" + std::string(c.exists() ? "true" : "false") + R"(,"amount":)" +
                         std::to_string(c.get_user_amount()) + R"(,"members":)" + shd::json_string_array(c.get_members()) +
                         R"(,"member":)" + member + "}");
        });
        h.on(t + ".roomHandler.add", [this](shd::RequestPtr req) {
            auto b = req->json();
            shd_status s = channels_->get_channel(str(b, "rid")).add(str(b, "uid"), str(b, "sid"));
            req->respond(R"({"code":200,"status":)" + std::to_string(s) + "}");
        });
        h.on(t + ".roomHandler.leaveRaw", [this](shd::RequestPtr req) {
            auto b = req->json();
            shd_status s = channels_->get_channel(str(b, "rid")).leave(str(b, "uid"), str(b, "sid"));
            req->respond(R"({"code":200,"status":)" + std::to_string(s) + "}");
        });
        h.on(t + ".roomHandler.destroy", [this](shd::RequestPtr req) {
            shd_status s = channels_->get_channel(str(req->json(), "rid")).destroy();
            req->respond(R"({"code":200,"status":)" + std::to_string(s) + "}");
        });
    }

    // n pushes of about `size` bytes to the caller's room, perTick of them every tickMs; answers once
    // every push has called back, with the total of failed uids.
    void flood(const shd::RequestPtr &req) {
        auto body = req->json();
        struct State {
            shd::RequestPtr req;
            std::string rid, pad;
            int n, per_tick, sent = 0, done = 0;
            size_t failed = 0;
            uint64_t timer = 0;
        };
        auto st = std::make_shared<State>(State{req, req->session().get_string("rid").value_or(""),
                                                std::string(static_cast<size_t>(num(body, "size", 100)), 'x'),
                                                num(body, "n", 10), num(body, "perTick", 10)});
        int tick_ms = num(body, "tickMs", 1);
        auto on_done = [st](shd_status, std::vector<std::string> failed) {
            st->failed += failed.size();
            if (++st->done == st->n) st->req->respond(R"({"code":200,"failed":)" + std::to_string(st->failed) + "}");
        };
        auto tick = [this, st, on_done] {
            shd::Channel c = channels_->get_channel(st->rid);
            for (int k = 0; k < st->per_tick && st->sent < st->n; ++k, ++st->sent)
                c.push_message("onFlood", R"({"i":)" + std::to_string(st->sent) + R"(,"pad":")" + st->pad + "\"}",
                               on_done);
            if (st->sent == st->n && st->timer) host().cancel(st->timer);
        };
        tick();
        if (st->sent < st->n) st->timer = host().every(static_cast<uint64_t>(tick_ms), tick);
    }

    std::string type_;
    std::optional<shd::ChannelService> channels_;
    std::unique_ptr<shd::Handlers> handlers_;
    std::optional<shd::Rpc> rpc_;
};

}  // namespace

SHADDOCK_APP(ChannelTestApp, "channel_test", "1.0.0", "shd.handler/1 shd.channel/1")
