// Pomelo's admin client protocol on the master port (option `pomeloAdmin`): the npm `pomelo` command
// (`pomelo list/stop/kill/add/restart`) and pomelo-cli connect with MQTT, log in with pomelo-admin's
// `register` (an MD5 of the password, no challenge) and send `__console__` requests, which run through
// MasterRole::admin_command like the `shaddock` CLI's (same levels, audit lines and behaviour) and are
// answered in the shapes those tools print. Servers never use it: they keep the sealed master link.
// docs/cluster.md, "Pomelo's admin clients"; docs/security.md, "Master port".
#pragma once

#include "mqtt_codec.hpp"
#include "pomelo_console.hpp"
#include "write_queue.hpp"

#include <rapidjson/document.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace shd::cluster {

class MasterRole;

struct MqttLimits {
    size_t max_packet_before_login = 4096;
    size_t max_packet_after_login = 64 << 10;
    size_t max_queued_bytes = 16 << 20;
    int handshake_timeout_ms = 5000;  // CONNECT and a successful `register` by then, or closed
    int max_packets_before_login = 8;
    double packets_per_second = 50;  // sustained, after a burst of...
    double packet_burst = 200;
};

// One MQTT connection: reads packets (bounded by MqttLimits) and writes bytes. I/O on the plugin's
// io_context; packets and the close are handed to callbacks on the I/O thread.
class MqttLink : public std::enable_shared_from_this<MqttLink> {
public:
    using OnPacket = std::function<void(mqtt::Packet)>;
    using OnClose = std::function<void(std::string reason)>;

    MqttLink(boost::asio::ip::tcp::socket socket, MqttLimits limits);
    void start(OnPacket on_packet, OnClose on_close);  // call once
    void send(std::string bytes);                      // [any]
    // [any] Logged in: the larger packet cap, no handshake deadline; from now on the link is closed when
    // no packet came for idle_ms (the client's pings keep it open).
    void logged_in(int idle_ms);
    void close(const std::string &reason);  // [any] after the queued bytes
    std::string peer() const { return peer_; }
    std::string address() const { return address_; }

private:
    friend class WriteQueue<MqttLink>;
    void read_some();
    void arm_idle();
    void fail(const std::string &reason);

    boost::asio::ip::tcp::socket socket_;
    MqttLimits limits_;
    boost::asio::steady_timer deadline_, idle_;
    std::string peer_, address_;
    mqtt::PacketReader reader_;
    char buf_[4096];
    WriteQueue<MqttLink> writes_;
    bool logged_in_ = false;
    int packets_before_login_ = 0;
    int idle_ms_ = 0;
    std::chrono::steady_clock::time_point last_packet_, last_refill_;
    double tokens_;
    OnPacket on_packet_;
    OnClose on_close_;
    bool closed_ = false;
};

// The pomelo-admin side of the master. [logic] unless noted.
class PomeloAdmin {
public:
    explicit PomeloAdmin(MasterRole &master, MqttLimits limits, int sniff_ms);

    // [io] A connection just accepted (counted in the master's unauthenticated links): waits up to
    // sniff_ms for the peer's first byte. None (the master link's peers wait for the master's challenge):
    // `frame_link(socket)` takes it. An MQTT CONNECT's first byte: an MQTT admin client. Anything else
    // (bytes no client of the master sends first, or an immediate close): closed.
    void sniff(boost::asio::ip::tcp::socket socket, std::function<void(boost::asio::ip::tcp::socket)> frame_link);
    void close_all(const std::string &reason);

private:
    struct Client {
        enum State { connecting, connected, registered } state = connecting;
        bool closing = false;   // refused or dropped: what it sends from now on is ignored
        std::string client_id;  // MQTT's
        std::string id;         // pomelo-admin's (register's "id")
        std::string user;
        int level = 99;
        int keepalive_s = 0;
        int pending = 0;  // requests not answered yet
    };

    void accept(boost::asio::ip::tcp::socket socket);  // [io]
    void on_packet(const std::shared_ptr<MqttLink> &link, const mqtt::Packet &packet);
    void on_closed(const std::shared_ptr<MqttLink> &link, const std::string &reason);
    void drop(const std::shared_ptr<MqttLink> &link, const std::string &why);
    void handle_register(const std::shared_ptr<MqttLink> &link, Client &c, const rapidjson::Value &msg);
    void refuse_register(const std::shared_ptr<MqttLink> &link, const std::string &msg);
    void handle_client(const std::shared_ptr<MqttLink> &link, Client &c, const rapidjson::Value &msg);
    void respond(const std::shared_ptr<MqttLink> &link, const std::string &req_id, const std::string &error,
                 const std::string &body_json);
    std::string list_body() const;

    MasterRole &m_;
    MqttLimits limits_;
    int sniff_ms_;
    std::set<std::shared_ptr<MqttLink>> links_;
    std::map<MqttLink *, Client> clients_;
};

}  // namespace shd::cluster
