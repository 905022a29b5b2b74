// The master's side of the cluster: spawns and supervises every server of servers.json, keeps the
// member list, tells every server of joins and leaves, holds the start barrier ("start_all"), and
// answers the admin commands of the `shaddock` CLI. [logic] unless noted.
#pragma once

#include "frame_link.hpp"
#include "membership.hpp"
#include "process_spawner.hpp"

#include <shaddock/cpp/plugin.hpp>

#include <rapidjson/document.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace shd::cluster {

struct MasterOptions {
    bool spawn = true;              // start the servers (false: wait for servers started elsewhere)
    int stop_timeout_ms = 8000;     // how long servers get to stop before SIGKILL
    int restart_delay_ms = 1000;    // first auto-restart delay; doubles up to 30 s
    SshOptions ssh;
};

class MasterRole {
public:
    MasterRole(const Host &host, Membership &members, boost::asio::io_context &io, MasterOptions options);
    ~MasterRole();

    void configure();
    void start();
    void stop(Done done);

private:
    struct Child {
        std::string id, type, host, json;
        bool auto_restart = false;
        pid_t pid = -1;
        bool stopping = false;  // a stop was asked: no restart
        bool recorded = false;
        int restarts = 0;
        uint64_t started_ms = 0;
        std::shared_ptr<FrameLink> link;
    };

    void accept_next();
    void on_frame(const std::shared_ptr<FrameLink> &link, const std::string &text);
    void on_link_closed(const std::shared_ptr<FrameLink> &link, const std::string &reason);
    void handle_register(const std::shared_ptr<FrameLink> &link, const rapidjson::Document &msg);
    void handle_record(const std::string &id);
    void handle_admin(const std::shared_ptr<FrameLink> &link, const rapidjson::Document &msg);
    void broadcast(const std::string &json, const std::string &except_id = {});
    void spawn(Child &child);
    void supervise();
    void log_crash(const Child &child, const std::string &reason);
    bool token_ok(const std::string &type, const std::string &token) const;
    bool user_ok(const std::string &user, const std::string &password, int &level) const;
    std::string servers_status_json() const;
    void stop_servers(const std::vector<std::string> &ids);
    void finish_stop_when_done();

    Host host_;
    Membership &members_;
    boost::asio::io_context &io_;
    MasterOptions options_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    std::string exe_;
    std::string self_json_;

    std::vector<std::string> order_;       // servers.json order (master excluded)
    std::map<std::string, Child> children_;
    std::map<FrameLink *, std::string> link_ids_;  // registered links -> server id
    std::set<std::shared_ptr<FrameLink>> links_;   // every open link (admin links included)
    bool tokens_configured_ = false;
    std::map<std::string, std::string> tokens_;    // server type -> token
    struct User {
        std::string password;
        int level;
    };
    std::map<std::string, User> users_;
    uint64_t start_ms_ = 0;
    uint64_t supervise_timer_ = 0;
    bool stopping_ = false;
    std::unique_ptr<Done> stop_done_;
    uint64_t stop_deadline_ms_ = 0;
};

}  // namespace shd::cluster
