// A server's side of the cluster: registers with the master (retrying), keeps the member list the
// master sends, reports "record" once this server has started, and turns the master's "start_all"
// and "stop" into host events. [logic] unless noted.
#pragma once

#include "frame_link.hpp"
#include "membership.hpp"
#include "server_stats.hpp"

#include <shaddock/cpp/plugin.hpp>

#include <rapidjson/document.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace shd::cluster {

struct MonitorOptions {
    int first_connect_timeout_ms = 5000;  // Pomelo: a server that cannot reach the master at start exits
    int max_backoff_ms = 60000;
    uint64_t stats_interval_ms = 1000;  // figures to the master ("stats" frames); 0: never
    FrameLimits limits{4096, 1 << 20, 16 << 20, 10000};
};

class MonitorRole {
public:
    MonitorRole(const Host &host, Membership &members, boost::asio::io_context &io, MonitorOptions options);
    ~MonitorRole();

    void configure();
    void start();
    void stop(Done done);
    // Master HA: the active master is at host:port now (the master info of ZooKeeper). A link to
    // another address is closed and this server registers with the new master at once.
    void set_master(const std::string &host, int port, const std::string &id);

private:
    void connect(int attempt, uint64_t generation);  // [io]
    void on_connected(std::shared_ptr<FrameLink> link);
    void on_frame(const std::string &text);
    bool handshake(const std::string &t, const rapidjson::Document &msg);
    void on_closed(const std::string &reason);
    void send_record_if_ready();

    Host host_;
    Membership &members_;
    boost::asio::io_context &io_;
    MonitorOptions options_;
    std::string master_host_;  // [logic + io: guarded by address_mutex_]
    int master_port_ = 0;
    std::mutex address_mutex_;
    // Each (re)connection chain carries the generation it was started in; a newer master address
    // starts a new chain and the older one ends at its next step.
    std::atomic<uint64_t> generation_{0};
    std::string token_;
    enum class State { awaiting_challenge, awaiting_welcome, secure } state_ = State::awaiting_challenge;
    std::string master_nonce_, my_nonce_;
    std::string self_json_;
    std::shared_ptr<FrameLink> link_;
    std::unique_ptr<boost::asio::steady_timer> retry_timer_;  // [io]
    uint64_t first_attempt_ms_ = 0;
    bool ever_registered_ = false;
    bool registered_ = false;
    bool local_started_ = false;
    bool recorded_ = false;
    bool retry_later_ = false;  // the master refused with "retry": reconnect after a pause
    std::atomic<bool> master_from_ha_{false};  // the address came from ZooKeeper (set_master), not master.json
    std::atomic<bool> stopping_{false};  // read by I/O-thread handlers
    std::unique_ptr<ServerStats> stats_;
};

}  // namespace shd::cluster
