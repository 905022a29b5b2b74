#include "pomelo_admin.hpp"

#include "frame_link.hpp"
#include "link_crypto.hpp"
#include "link_messages.hpp"
#include "master_role.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cctype>

namespace shd::cluster {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string str(const rapidjson::Value &o, const char *key) {
    return o.IsObject() && o.HasMember(key) && o[key].IsString()
               ? std::string(o[key].GetString(), o[key].GetStringLength())
               : std::string();
}

// pomelo-admin serialises requests and responses twice: the payload is either a JSON object or a JSON
// string holding one. Both are read; anything else is false.
bool parse_payload(const std::string &payload, rapidjson::Document &doc) {
    if (!pomelo::parse_json(payload, doc)) return false;
    if (doc.IsString()) {
        std::string inner(doc.GetString(), doc.GetStringLength());
        if (!pomelo::parse_json(inner, doc)) return false;
    }
    return doc.IsObject();
}

constexpr unsigned char kConnectByte = mqtt::kConnect << 4;
constexpr int kMaxPending = 8;  // requests of one client not answered yet

}  // namespace

// ---- MqttLink [I/O thread] ----

MqttLink::MqttLink(tcp::socket socket, MqttLimits limits)
    : socket_(std::move(socket)),
      limits_(limits),
      deadline_(socket_.get_executor()),
      idle_(socket_.get_executor()),
      reader_(limits.max_packet_before_login),
      writes_(limits.max_queued_bytes),
      tokens_(limits.packet_burst) {
    boost::system::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    auto ep = socket_.remote_endpoint(ec);
    address_ = ec ? std::string("?") : ep.address().to_string();
    peer_ = ec ? std::string("?") : address_ + ":" + std::to_string(ep.port());
    last_packet_ = last_refill_ = std::chrono::steady_clock::now();
}

void MqttLink::start(OnPacket on_packet, OnClose on_close) {
    on_packet_ = std::move(on_packet);
    on_close_ = std::move(on_close);
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        if (self->limits_.handshake_timeout_ms > 0) {
            self->deadline_.expires_after(std::chrono::milliseconds(self->limits_.handshake_timeout_ms));
            self->deadline_.async_wait([weak = std::weak_ptr<MqttLink>(self)](boost::system::error_code ec) {
                auto s = weak.lock();
                if (ec || !s || s->logged_in_) return;
                s->fail("no login within " + std::to_string(s->limits_.handshake_timeout_ms) + " ms");
            });
        }
        self->read_some();
    });
}

void MqttLink::read_some() {
    if (closed_) return;
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        if (self->closed_) return;
        if (ec) return self->fail(ec == asio::error::eof ? "connection closed by peer" : ec.message());
        self->reader_.feed(self->buf_, n);
        mqtt::Packet packet;
        for (;;) {
            auto r = self->reader_.next(packet);
            if (r == mqtt::PacketReader::need_more) break;
            if (r == mqtt::PacketReader::error) return self->fail("not MQTT: " + self->reader_.error_text());
            auto now = std::chrono::steady_clock::now();
            self->tokens_ =
                std::min(self->limits_.packet_burst,
                         self->tokens_ + self->limits_.packets_per_second *
                                             std::chrono::duration<double>(now - self->last_refill_).count());
            self->last_refill_ = now;
            if (self->tokens_ < 1) return self->fail("flooding: more packets than allowed");
            self->tokens_ -= 1;
            self->last_packet_ = now;
            if (!self->logged_in_ && ++self->packets_before_login_ > self->limits_.max_packets_before_login)
                return self->fail("too many packets before login");
            if (self->on_packet_) self->on_packet_(std::move(packet));
            if (self->closed_) return;
        }
        self->read_some();
    });
}

void MqttLink::logged_in(int idle_ms) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), idle_ms] {
        if (self->closed_) return;
        self->logged_in_ = true;
        self->reader_.set_max_packet(self->limits_.max_packet_after_login);
        self->deadline_.cancel();
        self->idle_ms_ = idle_ms;
        self->last_packet_ = std::chrono::steady_clock::now();
        self->arm_idle();
    });
}

void MqttLink::arm_idle() {
    if (idle_ms_ <= 0 || closed_) return;
    auto due = last_packet_ + std::chrono::milliseconds(idle_ms_);
    idle_.expires_at(due);
    idle_.async_wait([weak = std::weak_ptr<MqttLink>(shared_from_this())](boost::system::error_code ec) {
        auto s = weak.lock();
        if (ec || !s || s->closed_) return;
        if (std::chrono::steady_clock::now() >= s->last_packet_ + std::chrono::milliseconds(s->idle_ms_))
            return s->fail("no packet for " + std::to_string(s->idle_ms_) + " ms");
        s->arm_idle();
    });
}

void MqttLink::send(std::string bytes) {
    asio::post(socket_.get_executor(),
               [self = shared_from_this(), bytes = std::move(bytes)]() mutable { self->writes_.push(*self, std::move(bytes)); });
}

void MqttLink::close(const std::string &reason) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), reason] { self->writes_.close(*self, reason); });
}

void MqttLink::fail(const std::string &reason) {
    if (closed_) return;
    closed_ = true;
    deadline_.cancel();
    idle_.cancel();
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    OnClose cb = std::move(on_close_);
    on_packet_ = nullptr;
    if (cb) cb(reason);
}

// ---- PomeloAdmin ----

PomeloAdmin::PomeloAdmin(MasterRole &master, MqttLimits limits, int sniff_ms)
    : m_(master), limits_(limits), sniff_ms_(sniff_ms) {}

void PomeloAdmin::sniff(tcp::socket socket, std::function<void(tcp::socket)> frame_link) {
    struct Sniff {
        Sniff(tcp::socket s, asio::io_context &io) : socket(std::move(s)), timer(io) {}
        tcp::socket socket;
        asio::steady_timer timer;
        bool decided = false;
    };
    auto s = std::make_shared<Sniff>(std::move(socket), m_.io_);
    s->timer.expires_after(std::chrono::milliseconds(sniff_ms_));
    s->timer.async_wait([s, frame_link](boost::system::error_code ec) {
        if (ec || s->decided) return;
        s->decided = true;  // silent: a peer of the master link, waiting for its challenge
        boost::system::error_code ignored;
        s->socket.cancel(ignored);
        frame_link(std::move(s->socket));
    });
    s->socket.async_wait(tcp::socket::wait_read, [this, s](boost::system::error_code ec) {
        if (s->decided) return;
        s->decided = true;
        s->timer.cancel();
        unsigned char first = 0;
        ssize_t n = ec ? -1 : ::recv(s->socket.native_handle(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 1 && first == kConnectByte) return accept(std::move(s->socket));
        // No peer of the master speaks first except an MQTT client, whose first packet is CONNECT.
        boost::system::error_code ignored;
        s->socket.close(ignored);
        --m_.unauthenticated_;
    });
}

void PomeloAdmin::accept(tcp::socket socket) {
    auto link = std::make_shared<MqttLink>(std::move(socket), limits_);
    std::weak_ptr<MqttLink> weak = link;
    m_.host_.post([this, link] {
        links_.insert(link);
        clients_[link.get()];
    });
    link->start(
        [this, weak](mqtt::Packet packet) {
            m_.host_.post([this, weak, packet = std::move(packet)] {
                if (auto l = weak.lock()) on_packet(l, packet);
            });
        },
        [this, weak](std::string reason) {
            m_.host_.post([this, weak, reason] {
                if (auto l = weak.lock()) on_closed(l, reason);
            });
        });
}

void PomeloAdmin::close_all(const std::string &reason) {
    for (const auto &l : links_) l->close(reason);
}

void PomeloAdmin::on_closed(const std::shared_ptr<MqttLink> &link, const std::string &reason) {
    if (!links_.erase(link)) return;
    auto it = clients_.find(link.get());
    if (it == clients_.end()) return;
    if (it->second.state == Client::registered)
        m_.host_.info("pomelo-admin client " + json_quote(printable(it->second.id, 64)) + " of " +
                      json_quote(printable(it->second.user, 64)) + " from " + link->peer() + " closed (" + reason + ")");
    else
        --m_.unauthenticated_;
    clients_.erase(it);
}

void PomeloAdmin::drop(const std::shared_ptr<MqttLink> &link, const std::string &why) {
    auto it = clients_.find(link.get());
    if (it != clients_.end()) it->second.closing = true;
    m_.host_.warn("closing pomelo-admin client " + link->peer() + ": " + why);
    link->close(why);
}

void PomeloAdmin::on_packet(const std::shared_ptr<MqttLink> &link, const mqtt::Packet &packet) {
    auto it = clients_.find(link.get());
    if (it == clients_.end()) return;
    Client &c = it->second;
    if (c.closing) return;  // refused or dropped: its close is on the way
    std::string error;
    switch (packet.type) {
        case mqtt::kConnect: {
            if (c.state != Client::connecting) return drop(link, "a second CONNECT");
            mqtt::Connect connect;
            if (!mqtt::parse_connect(packet.body, connect, error)) return drop(link, error);
            c.client_id = connect.client_id;
            c.keepalive_s = connect.keepalive_s;
            c.state = Client::connected;
            link->send(mqtt::encode_connack(0));
            return;
        }
        case mqtt::kPingreq:
            if (c.state == Client::connecting) return drop(link, "PINGREQ before CONNECT");
            link->send(mqtt::encode_pingresp());
            return;
        case mqtt::kDisconnect: link->close("the client disconnected"); return;
        case mqtt::kPublish: break;
        default: return drop(link, "MQTT packet type " + std::to_string(packet.type) + " is not part of pomelo-admin");
    }
    if (c.state == Client::connecting) return drop(link, "PUBLISH before CONNECT");
    mqtt::Publish pub;
    if (!mqtt::parse_publish(packet.flags, packet.body, pub, error)) return drop(link, error);
    if (pub.qos == 2) return drop(link, "PUBLISH at QoS 2");
    if (pub.qos == 1) link->send(mqtt::encode_puback(pub.packet_id));
    rapidjson::Document msg;
    if (!parse_payload(pub.payload, msg)) return drop(link, "a payload that is not a JSON object");
    if (c.state == Client::connected) {
        if (pub.topic != "register") return drop(link, "\"" + printable(pub.topic, 64) + "\" before register");
        return handle_register(link, c, msg);
    }
    if (pub.topic != "client") return drop(link, "topic \"" + printable(pub.topic, 64) + "\" from an admin client");
    handle_client(link, c, msg);
}

void PomeloAdmin::refuse_register(const std::shared_ptr<MqttLink> &link, const std::string &msg) {
    auto it = clients_.find(link.get());
    if (it != clients_.end()) it->second.closing = true;
    link->send(mqtt::encode_publish("register", R"({"code":-1,"msg":)" + json_quote(msg) + "}"));
    link->close("refused: " + msg);
}

void PomeloAdmin::handle_register(const std::shared_ptr<MqttLink> &link, Client &c, const rapidjson::Value &msg) {
    std::string address = link->address();
    std::string type = str(msg, "type"), id = str(msg, "id"), user = str(msg, "username");
    if (type != "client") {
        // Servers register over the sealed master link (adminServer.json tokens), never here.
        m_.host_.warn("refused a pomelo-admin register of type \"" + printable(type, 64) + "\" from " + link->peer() +
                      ": only admin clients use this protocol");
        return refuse_register(link, "only admin clients register here; servers use the master link");
    }
    if (id.empty()) return refuse_register(link, "client should has a client id");
    if (user.empty()) return refuse_register(link, "client should auth with username");
    c.user = user;
    if (m_.admin_locked(address)) {
        m_.audit(user, address, "login (pomelo-admin)", "refused (address locked out after failed logins)");
        return refuse_register(link, "too many failed logins from this address; try again later");
    }
    // pomelo-admin sends the MD5 of the password ("md5": true, as the `pomelo` command does) or the
    // password itself. Plain and md5: entries of adminUser.json store that MD5 (AdminUser::key); PBKDF2
    // entries cannot be checked against an MD5 and are refused here (docs/security.md).
    std::string password = str(msg, "password");
    bool md5 = msg.HasMember("md5") && msg["md5"].IsBool() && msg["md5"].GetBool();
    std::string sent = md5 ? password : md5_hex(password);
    std::transform(sent.begin(), sent.end(), sent.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    auto u = m_.users_.find(user);
    bool usable = u != m_.users_.end() && u->second.kdf == "md5";
    bool ok = equal_ct(sent, usable ? u->second.key : to_hex(m_.decoy_key_).substr(0, 32)) && usable;
    if (!ok) {
        bool pbkdf2 = u != m_.users_.end() && u->second.kdf == "pbkdf2";
        m_.audit(user, address, "login (pomelo-admin)",
                 pbkdf2 ? "refused (a PBKDF2 password cannot be checked over pomelo-admin's md5 login)"
                        : "refused (wrong user name or password)");
        m_.admin_failed(address);
        c.closing = true;
        // Slowed like the master link's: the answer comes late, the connection holds its unauthenticated
        // slot meanwhile.
        std::weak_ptr<MqttLink> weak = link;
        m_.host_.after(static_cast<uint64_t>(m_.options_.admin_fail_delay_ms), [this, weak] {
            if (auto l = weak.lock(); l && links_.count(l))
                refuse_register(l, "client auth failed with username or password error");
        });
        return;
    }
    for (const auto &[l, other] : clients_)
        if (other.state == Client::registered && other.id == id)
            return refuse_register(link, "id has been registered. id:" + id);
    c.state = Client::registered;
    c.id = id;
    c.level = u->second.level;
    --m_.unauthenticated_;
    // The client pings every 60 s (pomelo-admin) or as its keepalive says: closed after 2.5 times that.
    int idle_ms = c.keepalive_s > 0 ? std::min(c.keepalive_s, 600) * 2500 : 150000;
    link->logged_in(idle_ms);
    m_.audit(user, address, "login (pomelo-admin)", "ok");
    link->send(mqtt::encode_publish("register", R"({"code":1,"msg":"ok"})"));
}

void PomeloAdmin::respond(const std::shared_ptr<MqttLink> &link, const std::string &req_id, const std::string &error,
                          const std::string &body_json) {
    std::string resp = R"({"respId":)" + req_id + R"(,"error":)" + (error.empty() ? "null" : json_quote(error)) +
                       R"(,"body":)" + body_json + "}";
    // Serialised twice, as pomelo-admin's master does: the payload is a JSON string holding the response.
    link->send(mqtt::encode_publish("client", json_quote(resp)));
}

void PomeloAdmin::handle_client(const std::shared_ptr<MqttLink> &link, Client &c, const rapidjson::Value &msg) {
    // A notify (no reqId) asks for no answer: nothing of __console__ is run without one.
    if (!msg.HasMember("reqId") || msg["reqId"].IsNull()) return;
    if (!msg["reqId"].IsUint64() || msg["reqId"].GetUint64() == 0) return drop(link, "a bad reqId");
    std::string req_id = std::to_string(msg["reqId"].GetUint64());
    std::string module_id = str(msg, "moduleId");
    if (msg.HasMember("command")) {
        // Module commands (list/enable/disable): pomelo-admin's level rule; the master has one module.
        if (c.level > 1) return respond(link, req_id, "Command permission denied", "null");
        if (str(msg, "command") == "list") return respond(link, req_id, "", R"({"modules":["__console__"]})");
        return respond(link, req_id, "this master has no pomelo-admin modules to enable or disable", "null");
    }
    if (c.pending >= kMaxPending) return drop(link, "more than " + std::to_string(kMaxPending) + " requests in flight");
    static const rapidjson::Value null_body;
    const rapidjson::Value &body = msg.HasMember("body") ? msg["body"] : null_body;
    MasterRole::AdminCaller caller;
    caller.user = c.user;
    caller.level = c.level;
    caller.address = link->address();
    std::weak_ptr<MqttLink> weak = link;
    // The answer to one request: the client's pending count goes down, `make` shapes the answer.
    using Make = std::function<void(const std::string &result, std::string &error, std::string &body_json)>;
    auto answer_with = [this, weak, req_id](Make make) {
        return [this, weak, req_id, make](const std::string &result) {
            auto l = weak.lock();
            if (!l || !links_.count(l)) return;
            auto it = clients_.find(l.get());
            if (it != clients_.end() && it->second.pending > 0) --it->second.pending;
            std::string error, body_json;
            make(result, error, body_json);
            respond(l, req_id, error, body_json);
        };
    };
    if (module_id == "watchServer") {
        // pomelo-cli's `show servers`, `show connections` and `use ID`: answered from `list`.
        std::string comd = str(body, "comd"), context = str(body, "context");
        if (comd != "servers" && comd != "connections")
            return respond(link, req_id, "watchServer " + printable(comd, 64) + " is not served by this master", "null");
        if (context.empty()) context = "all";
        ++c.pending;
        caller.answer = answer_with([comd, context](const std::string &result, std::string &error, std::string &out) {
            admin_list_to_watch_server(comd, context, result, error, out);
        });
        rapidjson::Document list;
        list.Parse(R"({"cmd":"list"})");
        return m_.admin_command(caller, list);
    }
    if (module_id != "__console__")
        return respond(link, req_id, "module " + printable(module_id, 64) + " is not served by this master", "null");
    std::string command_json, error;
    if (!console_to_admin_command(body, m_.order_, command_json, error)) return respond(link, req_id, error, "null");
    auto command = std::make_shared<rapidjson::Document>();
    command->Parse(command_json.c_str(), command_json.size());
    std::string signal = str(body, "signal");
    ++c.pending;
    caller.answer = answer_with([signal, command](const std::string &result, std::string &error, std::string &out) {
        admin_result_to_console(signal, *command, result, error, out);
    });
    m_.admin_command(caller, *command);
}

}  // namespace shd::cluster
