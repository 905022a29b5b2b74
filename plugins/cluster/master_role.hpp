// The master's side of the cluster: spawns and supervises every server of servers.json, keeps the
// member list, tells every server of joins and leaves, holds the start barrier ("start_all"), and
// answers the admin commands of the `shaddock` CLI. Every peer authenticates first (docs/cluster.md,
// "The master link"). [logic] unless noted.
#pragma once

#include "admin_config.hpp"
#include "frame_link.hpp"
#include "link_messages.hpp"
#include "membership.hpp"
#include "process_spawner.hpp"
#include "server_stats.hpp"

#include <shaddock/cpp/plugin.hpp>
#include <shaddock/http/http_server.hpp>

#include <rapidjson/document.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace shd::cluster {

class AdminWeb;

// An admin HTTP route's answer, made on the logic thread.
struct HttpAnswer {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> fields;  // more header fields (Set-Cookie, Allow...)
    bool close = false;                                       // close the connection after it
};
// One request as a route's `call` sees it (copied off the HTTP thread).
struct HttpCall {
    http::RequestMessage message;
    std::string body;     // a POST's body (at most the port's max_body_bytes)
    std::string address;  // the peer's IP address
};
using HttpRespond = std::function<void(HttpAnswer)>;

struct MasterOptions {
    bool spawn = true;             // start the servers (false: wait for servers started elsewhere)
    int stop_timeout_ms = 8000;    // how long servers get to stop before SIGKILL
    int restart_delay_ms = 1000;   // first auto-restart delay; doubles up to 30 s
    int adopt_timeout_ms = 10000;  // servers of a previous master: how long to wait for them to re-register
    int max_unauthenticated = 64;  // concurrent links that have not authenticated
    FrameLimits limits{4096, 1 << 20, 16 << 20, 5000};
    int admin_max_failures = 5;  // failed admin logins per address within the window...
    int admin_fail_window_ms = 60000;
    int admin_lockout_ms = 60000;    // ...lock the address out this long
    int admin_fail_delay_ms = 1000;  // every failed login is answered this late
    SshOptions ssh;
    // The admin HTTP port (master_http.cpp): /metrics.
    bool admin_http = true;
    std::string admin_http_host = "127.0.0.1";
    int admin_http_port = 7001;
    std::string metrics_token;  // empty: /metrics needs no token
    int console_timeout_ms = 5000;  // how long a server gets to answer a console request
    // Pomelo's admin clients (`pomelo list`, pomelo-cli) over MQTT on the master port (pomelo_admin.cpp).
    bool pomelo_admin = false;
    int pomelo_admin_sniff_ms = 200;  // how long a new connection is watched for an MQTT CONNECT
    int admin_session_ttl_s = 3600;  // a dashboard login lasts this long (admin_web.cpp)
};

class PomeloAdmin;

class MasterRole {
public:
    MasterRole(const Host &host, Membership &members, boost::asio::io_context &io, MasterOptions options);
    ~MasterRole();

    void configure();
    void start();
    void stop(Done done);

    // Master high availability (plugins/masterha, docs/scaling.md "Master HA"). Before start: this
    // process only acts once elected. `fence` is asked before every registration, admin command and
    // supervision round; while it answers false the master refuses and does nothing. The state file
    // (adoption) becomes the one of master.json's id, shared by every master process of the machine.
    void enable_ha(std::function<bool()> fence);
    // Elected: read the state file now (adopt the servers of the previous master), then start().
    // `info` is the masterha event's data: this master's info, with "previous", the master info found
    // in ZooKeeper before. When a previous master was active, the servers the state file does not
    // account for (all of them for a standby on another machine) are given adoptTimeout to register
    // over their links before any is started here, and the cluster secret is learnt from the first
    // server that registers.
    void elected(const std::string &info = {});
    // The ZooKeeper session expired while leading: another master acts by now. Stops acting at once
    // (port, links, supervision), leaves the servers and the state file alone, and stops this process.
    void abandon();
    bool acting() const { return started_ && !abandoned_; }

    // Who asked for an admin command, and where its answer goes: the `shaddock` CLI over the master
    // link, or another admin front end of the master. `answer` is called once with the result object,
    // {"ok":true,...} or {"ok":false,"error":"..."}, possibly after admin_command returned (start, add and
    // restart answer once their servers have joined). [logic thread]
    struct AdminCaller {
        std::string user;
        int level = 99;        // 1: every command; above: only `list`
        std::string address;   // the caller's address, for the audit line
        std::function<void(const std::string &result)> answer;
    };
    // Runs one admin command given as JSON: {"cmd", "ids", "type", "force", "server"} (docs/cluster.md,
    // "Admin commands"). Every command gets an `admin audit:` line. [logic thread]
    void admin_command(const AdminCaller &caller, const rapidjson::Value &msg);

private:
    friend class PomeloAdmin;  // pomelo_admin.cpp: logins and admin commands of Pomelo's admin clients

    struct Child {
        std::string id, type, host, json;
        bool auto_restart = false;
        pid_t pid = -1;
        bool adopted = false;  // pid is a server a previous master started (not our child)
        uint64_t adopt_deadline_ms = 0;
        // Adopted over its link (it registered while no process of this master ran it: a standby on
        // another machine took over, say): pid is what the server reported on its own host, and
        // nothing here may signal it; its link is its only sign of life.
        bool by_link = false;
        bool awaiting = false;  // a takeover waits until adopt_deadline_ms for it to register before starting it
        bool replacing = false;  // killed because it did not re-register: spawn when gone
        bool stopping = false;   // a stop was asked: no restart
        bool recorded = false;
        int restarts = 0;
        uint64_t started_ms = 0;
        std::shared_ptr<FrameLink> link;
        bool added = false;                // added at run time (`shaddock add`): spawned with its entry
        bool local = true;                 // runs on this machine (not over ssh): /proc describes it
        bool restarting = false;           // `shaddock restart`: spawn again once it has exited
        uint64_t restart_deadline_ms = 0;  // ...and SIGKILL it if it has not exited by then
        int port = 0, client_port = 0;
        unsigned spawns = 0;    // processes started for it so far
        std::string last_exit;  // how the last one ended
    };
    // An admin command answered once its servers have (re)joined: start, add and restart.
    struct Waiter {
        AdminCaller caller;
        std::string shown;
        std::vector<std::string> ids;
        std::map<std::string, unsigned> spawns;  // Child::spawns when the command was taken
        std::map<std::string, pid_t> old_pids;
        uint64_t deadline_ms = 0;
    };
    // What the master knows of one link; every link starts `challenged`.
    struct Peer {
        enum State { challenged, admin_challenged, server, admin } state = challenged;
        std::string master_nonce, peer_nonce;
        std::string id, type;  // server
        bool registered = false;
        std::string user;  // admin
        std::string key;   // admin: the login key K
        int level = 99;
        bool known_user = false;
    };

    void accept_next();                                    // [io]
    void start_link(boost::asio::ip::tcp::socket socket);  // [io] a master link on an accepted socket
    void on_accepted(const std::shared_ptr<FrameLink> &link);
    void on_frame(const std::shared_ptr<FrameLink> &link, const std::string &text);
    void on_link_closed(const std::shared_ptr<FrameLink> &link, const std::string &reason);
    void handle_hello(const std::shared_ptr<FrameLink> &link, Peer &p, const rapidjson::Document &msg);
    void handle_server_hello(const std::shared_ptr<FrameLink> &link, Peer &p, const Hello &hello);
    void handle_admin_hello(const std::shared_ptr<FrameLink> &link, Peer &p, const Hello &hello);
    void handle_admin_proof(const std::shared_ptr<FrameLink> &link, Peer &p, const rapidjson::Document &msg);
    void refuse(const std::shared_ptr<FrameLink> &link, const std::string &reason, bool retry = false);
    void authenticated(Peer &p);
    void handle_register(const std::shared_ptr<FrameLink> &link, Peer &p, const rapidjson::Document &msg);
    void handle_record(const std::string &id);
    void handle_admin(const std::shared_ptr<FrameLink> &link, Peer &p, const rapidjson::Document &msg);
    void audit(const std::string &user, const std::string &address, const std::string &command,
               const std::string &result);
    bool admin_locked(const std::string &address);
    void admin_failed(const std::string &address);
    void broadcast(const std::string &json, const std::string &except_id = {});
    void spawn(Child &child);
    void supervise();
    void on_exit(Child &child, const std::string &how);
    void log_crash(const Child &child, const std::string &reason);
    std::string servers_status_json() const;
    std::string master_status_json() const;
    void admin_reply(const AdminCaller &caller, const std::string &shown, bool ok, const std::string &body_or_error,
                     const std::string &audit_result = {});
    bool admin_targets(const std::vector<std::string> &ids, const std::string &type, std::vector<Child *> &out,
                       std::string &error);
    void admin_start(const AdminCaller &caller, const std::string &shown, const std::vector<std::string> &ids,
                     const std::string &type);
    void admin_add(const AdminCaller &caller, const std::string &shown, const rapidjson::Value &fields);
    void admin_restart(const AdminCaller &caller, const std::string &shown, const std::vector<std::string> &ids,
                       const std::string &type);
    void admin_kill(const AdminCaller &caller, const std::string &shown, bool force);
    void wait_for_join(const AdminCaller &caller, const std::string &shown, const std::vector<Child *> &targets,
                       const std::map<std::string, unsigned> &spawns,
                       const std::map<std::string, pid_t> &old_pids = {});
    void check_waiters();
    void stop_servers(const std::vector<std::string> &ids);
    void finish_stop_when_done();
    std::set<std::string> read_state();  // the ids the state file lists
    void signal_child(Child &c, int sig);  // SIGTERM/SIGKILL a process of ours; never a by_link one
    void write_state();
    std::string state_path() const;
    bool fenced() const { return fence_ && !fence_(); }

    // master_console.cpp: the admin console (info, module, settings, cron, blacklist), answered by the
    // servers' admin modules over the master link.
    struct ConsoleCall {
        AdminCaller caller;
        std::string shown;
        std::vector<std::string> ids;                // the servers asked, in order
        std::map<std::string, std::string> results;  // id -> {"id","ok",...} once it answered or failed
        uint64_t timer = 0;
    };
    static bool is_console_command(const std::string &cmd);
    void console_command(const AdminCaller &caller, const rapidjson::Value &msg);
    void console_record(ConsoleCall &call, const std::string &id, const rapidjson::Value &answer);
    void console_result(const std::string &id, const rapidjson::Document &msg);
    void console_link_closed(const std::string &id);
    void console_expire(uint64_t call_id);
    void console_finish_if_done(uint64_t call_id);
    std::map<uint64_t, ConsoleCall> console_calls_;
    std::map<uint64_t, std::pair<uint64_t, std::string>> console_reqs_;  // req -> (call, server id)
    uint64_t next_console_ = 1;

    // master_http.cpp: the servers' figures and the admin HTTP port.
    void handle_stats(const std::string &id, const rapidjson::Document &msg);
    std::string stats_field(const std::string &id) const;  // ',"stats":{...}' or ""
    void start_admin_http();
    void stop_admin_http();
    using HttpAnswer = cluster::HttpAnswer;
    using HttpCall = cluster::HttpCall;
    using HttpRespond = cluster::HttpRespond;
    struct HttpRoute {
        bool metrics_token = false;  // asks `Authorization: Bearer <metricsToken>` when one is set
        std::function<HttpAnswer(const http::RequestMessage &)> answer;  // [logic] GET and HEAD (else 405)
        // [logic] Instead of `answer`: any method; answers through the HttpRespond, once, at once or later.
        std::function<void(const HttpCall &, HttpRespond)> call;
    };
    // Before start_admin_http (the table is read from the HTTP thread afterwards, never changed).
    void add_http_route(const std::string &path, HttpRoute route);
    void serve_http(const http::Request &req, http::Reply reply);  // [HTTP I/O thread]
    std::string metrics_text();

    Host host_;
    Membership &members_;
    boost::asio::io_context &io_;
    MasterOptions options_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    std::string exe_;
    std::string self_json_;

    std::vector<std::string> order_;  // servers.json order (master excluded)
    std::map<std::string, Child> children_;
    std::map<FrameLink *, std::string> link_ids_;  // registered links -> server id
    std::set<std::shared_ptr<FrameLink>> links_;   // every open link (admin links included)
    std::map<FrameLink *, Peer> peers_;
    std::vector<Waiter> waiters_;
    std::atomic<int> unauthenticated_{0};           // [io + logic] links not yet authenticated
    std::atomic<uint64_t> refused_connections_{0};  // [io] over the cap
    uint64_t refused_logged_ = 0;
    uint64_t next_refused_log_ms_ = 0;
    bool tokens_configured_ = false;
    std::map<std::string, std::string> tokens_;  // server type -> token
    std::map<std::string, AdminUser> users_;
    std::string decoy_key_;  // unknown users are answered like known ones
    struct Failures {
        std::deque<uint64_t> times;
        uint64_t locked_until = 0;
    };
    std::map<std::string, Failures> failures_;  // admin login failures per address
    uint64_t start_ms_ = 0;
    uint64_t supervise_timer_ = 0;
    bool stopping_ = false;
    bool started_ = false;
    std::function<bool()> fence_;  // set in HA mode: true while this process is the active master
    bool learn_secret_ = false;    // a takeover without the previous secret: take the first registering server's
    bool abandoned_ = false;       // HA: the lead was lost; nothing is stopped on the way out
    std::string primary_id_;       // master.json's id (the state file's name)
    std::unique_ptr<Done> stop_done_;
    uint64_t stop_deadline_ms_ = 0;

    // The latest figures of each registered server (dropped when its link closes).
    struct Figures {
        std::string metrics_json;  // its "shd.metrics/1" snapshot
        std::string summary;       // stats_summary() of it
    };
    std::map<std::string, Figures> figures_;
    std::unique_ptr<ServerStats> own_stats_;        // the master's own figures
    std::map<std::string, HttpRoute> http_routes_;  // by path; fixed once the port is open
    std::unique_ptr<http::Server> http_;            // lives until the role is destroyed (replies may be pending)
    std::unique_ptr<PomeloAdmin> pomelo_admin_;     // set when options_.pomelo_admin
    // The HTTP admin API and dashboard (admin_web.cpp): login, sessions, commands through admin_command.
    friend class AdminWeb;
    std::shared_ptr<AdminWeb> admin_web_;
};

}  // namespace shd::cluster
