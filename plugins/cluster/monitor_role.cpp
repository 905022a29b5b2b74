#include "monitor_role.hpp"

#include "console_agent.hpp"
#include "link_crypto.hpp"
#include "link_messages.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/document.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <unistd.h>
#include <chrono>

namespace shd::cluster {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string str(const rapidjson::Value &o, const char *key) {
    return o.HasMember(key) && o[key].IsString() ? std::string(o[key].GetString(), o[key].GetStringLength())
                                                 : std::string();
}

}  // namespace

MonitorRole::MonitorRole(const Host &host, Membership &members, asio::io_context &io, MonitorOptions options)
    : host_(host), members_(members), io_(io), options_(options) {}

MonitorRole::~MonitorRole() = default;

void MonitorRole::configure() {
    auto master = host_.read_config("master.json");
    if (!master)
        throw Error(SHD_ERR_NOT_FOUND,
                    "config/master.json is missing: a cluster server needs its master's host and port");
    rapidjson::Document d;
    d.Parse(master->c_str(), master->size());
    if (!d.IsObject() || !d.HasMember("port") || !d["port"].IsInt())
        throw Error(SHD_ERR_INVALID, "config/master.json: port: expected the master's port number");
    master_port_ = d["port"].GetInt();
    master_host_ = d.HasMember("host") && d["host"].IsString() ? d["host"].GetString() : "127.0.0.1";
    // Members are kept in servers.json order, whatever order they join in (as on the master).
    rapidjson::Document all;
    std::string list = host_.list_servers();
    all.Parse(list.c_str(), list.size());
    if (all.IsArray()) {
        std::vector<std::string> ids;
        for (const auto &e : all.GetArray()) ids.push_back(json_string(e, "id"));
        members_.set_config_order(ids);
    }
    std::string type = host_.server().type;
    if (auto tokens = host_.read_config("adminServer.json")) {
        rapidjson::Document t;
        t.Parse(tokens->c_str(), tokens->size());
        if (t.IsArray())
            for (const auto &e : t.GetArray())
                if (e.IsObject() && e.HasMember("type") && e["type"].IsString() && type == e["type"].GetString() &&
                    e.HasMember("token") && e["token"].IsString())
                    token_ = e["token"].GetString();
    }
    self_json_ = host_.server().json;
    members_.add(self_json_);
}

void MonitorRole::start() {
    first_attempt_ms_ = host_.now_ms();
    uint64_t generation = generation_.load();
    asio::post(io_, [this, generation] { connect(0, generation); });
    // This server's figures, once a second, while it is registered (docs/operations.md, "Metrics").
    stats_ = std::make_unique<ServerStats>(host_);
    stats_->start(options_.stats_interval_ms, [this](const std::string &snapshot) {
        if (link_ && registered_ && state_ == State::secure) link_->send(R"({"t":"stats","metrics":)" + snapshot + "}");
    });
    // Posted now, this runs after the host has started every plugin and the app: then we are "up".
    host_.post([this] {
        local_started_ = true;
        send_record_if_ready();
    });
}

void MonitorRole::connect(int attempt, uint64_t generation) {
    if (generation != generation_.load()) return;  // a newer master address took over
    std::string master_host;
    int master_port;
    {
        std::lock_guard<std::mutex> lock(address_mutex_);
        master_host = master_host_;
        master_port = master_port_;
    }
    auto socket = std::make_shared<tcp::socket>(io_);
    boost::system::error_code ec;
    auto address = asio::ip::make_address(master_host, ec);
    if (ec) {
        host_.post([this, master_host] {
            host_.request_stop("config/master.json: host \"" + master_host + "\" is not an IP address");
        });
        return;
    }
    socket->async_connect(
        tcp::endpoint(address, static_cast<unsigned short>(master_port)),
        [this, socket, attempt, generation](boost::system::error_code ec) {
            if (stopping_ || generation != generation_.load()) return;
            if (!ec) {
                auto link = std::make_shared<FrameLink>(std::move(*socket), options_.limits);
                host_.post([this, link] { on_connected(link); });
                return;
            }
            // Before the first registration: retry every 200 ms up to the limit,
            // then give up (Pomelo exits too). Afterwards: back off up to a minute.
            int delay;
            if (!ever_registered_) {
                delay = 200;
                if (attempt * 200 >= options_.first_connect_timeout_ms) {
                    host_.post([this] {
                        std::lock_guard<std::mutex> lock(address_mutex_);
                        host_.error("cannot reach the master at " + master_host_ + ":" + std::to_string(master_port_));
                        host_.request_stop("no master");
                    });
                    return;
                }
            } else {
                // 250 ms doubling: a restarted master finds its servers back quickly.
                delay = std::min(options_.max_backoff_ms, 250 << std::min(attempt, 8));
            }
            retry_timer_ = std::make_unique<asio::steady_timer>(io_, std::chrono::milliseconds(delay));
            retry_timer_->async_wait([this, attempt, generation](boost::system::error_code e) {
                if (!e && !stopping_) connect(attempt + 1, generation);
            });
        });
}

void MonitorRole::on_connected(std::shared_ptr<FrameLink> link) {
    if (stopping_) {
        link->close("stopping");
        return;
    }
    link_ = link;
    state_ = State::awaiting_challenge;
    std::weak_ptr<FrameLink> weak = link;
    link->start(
        [this, weak](std::string f) {
            host_.post([this, weak, f = std::move(f)] {
                if (weak.lock() == link_) on_frame(f);
            });
        },
        [this, weak](std::string reason) {
            host_.post([this, weak, reason] {
                if (weak.lock() == link_) on_closed(reason);
            });
        });
}

// The handshake (docs/cluster.md, "The master link"): answer the challenge with a proof of this type's
// token, check the master's proof, then seal the link and register.
bool MonitorRole::handshake(const std::string &t, const rapidjson::Document &msg) {
    ServerInfo me = host_.server();
    if (state_ == State::awaiting_challenge) {
        std::string hex = str(msg, "nonce");
        if (t != "challenge" || hex.size() != 2 * kLinkNonceSize || !from_hex(hex, master_nonce_)) return false;
        my_nonce_ = random_bytes(kLinkNonceSize);
        link_->send(R"({"t":"hello","v":2,"role":"server","id":)" + json_quote(me.id) + R"(,"serverType":)" +
                    json_quote(me.type) + R"(,"nonce":")" + to_hex(my_nonce_) + R"(","mac":")" +
                    to_hex(link_mac(token_, "shd.cluster/2 server-hello", {master_nonce_, my_nonce_, me.id, me.type})) +
                    "\"}");
        link_->resume();
        state_ = State::awaiting_welcome;
        return true;
    }
    std::string mac;
    std::string hex = str(msg, "mac");
    if (t != "welcome" || hex.size() != 2 * kLinkMacSize || !from_hex(hex, mac) ||
        !equal_ct(mac, link_mac(token_, "shd.cluster/2 server-welcome", {master_nonce_, my_nonce_, me.id, me.type}))) {
        host_.error("the master at " + master_host_ + ":" + std::to_string(master_port_) +
                    " did not prove it holds this type's token (config/adminServer.json): closing the link");
        return false;
    }
    LinkKeys keys = derive_link_keys(token_, master_nonce_, my_nonce_, server_who(me.id, me.type));
    link_->secure(keys.peer_to_master, keys.master_to_peer);
    state_ = State::secure;
    // The cluster secret it holds goes along (the link is sealed by now): a master that took over
    // without the previous one's state (a standby on another machine) takes it, so the RPC links
    // between servers stay valid.
    link_->send(R"({"t":"register","pid":)" + std::to_string(::getpid()) +
                (members_.secret.empty() ? std::string() : R"(,"secret":)" + json_quote(members_.secret)) +
                R"(,"server":)" + self_json_ + "}");
    return true;
}

void MonitorRole::on_frame(const std::string &text) {
    rapidjson::Document msg;
    if (!parse_link_message(text, msg)) {
        if (link_) link_->close("bad message from the master");
        return;
    }
    std::string t = msg["t"].GetString();
    if (t == "refused") {
        std::string reason =
            msg.HasMember("reason") && msg["reason"].IsString() ? msg["reason"].GetString() : "no reason";
        if (msg.HasMember("retry") && msg["retry"].IsBool() && msg["retry"].GetBool()) {
            host_.warn("the master refused this server for now: " + reason + "; retrying");
            retry_later_ = true;  // not at once: the master says why it may take a moment
            if (link_) link_->close("refused");
            return;
        }
        if (state_ != State::secure && master_from_ha_) {
            // Not proved yet, and its address came from ZooKeeper: a refusal that could be anyone's
            // does not stop this server; it tries again later.
            host_.warn("the master at " + master_host_ + ":" + std::to_string(master_port_) +
                       " refused this server before proving itself: " + reason + "; retrying");
            retry_later_ = true;
            if (link_) link_->close("refused");
            return;
        }
        host_.error("the master refused this server: " + reason);
        host_.request_stop("refused by the master");
        return;
    }
    if (state_ != State::secure) {
        if (!handshake(t, msg) && link_) link_->close("handshake failed");
        return;
    }
    if (t == "registered") {
        // The first registration takes the master's list as it is. Registering again (with a restarted
        // or a new master) keeps the servers known before: they are registering again too, one by one,
        // and dropping them meanwhile would fail the calls and pushes sent to them (a master failover
        // lost chat broadcasts so); the list's entries replace the ones kept.
        if (!ever_registered_) members_.clear();
        registered_ = ever_registered_ = true;
        if (msg.HasMember("secret") && msg["secret"].IsString()) members_.secret = msg["secret"].GetString();
        std::string added = "[";
        if (msg.HasMember("servers") && msg["servers"].IsArray()) {
            for (const auto &s : msg["servers"].GetArray()) {
                std::string entry = to_json(s);
                members_.add(entry);
                added += (added.size() > 1 ? "," : "") + entry;
            }
        }
        members_.add(self_json_);
        host_.info("registered with the master (" + std::to_string(members_.size()) + " member(s))");
        host_.emit("add_servers", added + "]");
        send_record_if_ready();
    } else if (t == "add" && msg.HasMember("servers") && msg["servers"].IsArray()) {
        for (const auto &s : msg["servers"].GetArray()) members_.add(to_json(s));
        host_.emit("add_servers", to_json(msg["servers"]));
    } else if (t == "remove" && msg.HasMember("ids") && msg["ids"].IsArray()) {
        for (const auto &id : msg["ids"].GetArray())
            if (id.IsString()) members_.remove(id.GetString());
        host_.emit("remove_servers", to_json(msg["ids"]));
    } else if (t == "start_all") {
        if (!members_.all_started) {
            members_.all_started = true;
            host_.emit("start_all", "{}");
        }
    } else if (t == "stop") {
        host_.request_stop("the master asked this server to stop");
    } else if (t == "console") {
        // The admin console (console_agent.cpp): one of this server's admin modules answers.
        if (link_) link_->send(console_answer(host_, msg));
    }
}

void MonitorRole::send_record_if_ready() {
    if (!registered_ || !local_started_ || !link_) return;
    // Sent after every (re-)registration; the master counts each server once.
    link_->send(R"({"t":"record"})");
    recorded_ = true;
}

void MonitorRole::on_closed(const std::string &reason) {
    link_.reset();
    registered_ = false;
    if (stopping_) return;
    host_.warn("lost the master (" + reason + "); reconnecting");
    int attempt = ever_registered_ ? 0 : 1;
    uint64_t generation = ++generation_;
    // A link that never became secure (a handshake that failed) is tried again a moment later, not at
    // once: whatever answers there must not have every server spinning on it.
    bool later = retry_later_ || state_ != State::secure;
    retry_later_ = false;
    asio::post(io_, [this, attempt, generation, later] {
        if (!later) return connect(attempt, generation);
        retry_timer_ = std::make_unique<asio::steady_timer>(io_, std::chrono::milliseconds(250));
        retry_timer_->async_wait([this, attempt, generation](boost::system::error_code e) {
            if (!e && !stopping_) connect(attempt, generation);
        });
    });
}

void MonitorRole::set_master(const std::string &host, int port, const std::string &id) {
    if (stopping_) return;
    {
        std::lock_guard<std::mutex> lock(address_mutex_);
        if (host == master_host_ && port == master_port_) return;
        master_host_ = host;
        master_port_ = port;
    }
    master_from_ha_ = true;
    host_.info("master HA: the active master is " + (id.empty() ? std::string("?") : id) + " at " + host + ":" +
               std::to_string(port) + "; registering with it");
    if (link_) {
        link_->close("another master is active");
        return;  // on_closed starts a new chain, to the new address
    }
    uint64_t generation = ++generation_;
    asio::post(io_, [this, generation] {
        if (retry_timer_) retry_timer_->cancel();
        connect(0, generation);
    });
}

void MonitorRole::stop(Done done) {
    stopping_ = true;
    if (stats_) stats_->stop();
    if (link_) link_->close("server stopping");
    link_.reset();
    asio::post(io_, [this] {
        if (retry_timer_) retry_timer_->cancel();
    });
    done();
}

}  // namespace shd::cluster
