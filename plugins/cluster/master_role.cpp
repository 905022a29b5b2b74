#include "master_role.hpp"

#include "process_spawner.hpp"

#include <shaddock/cpp/json.hpp>

#include <boost/asio/post.hpp>

#include <csignal>
#include <ctime>
#include <fstream>
#include <unistd.h>

namespace shd::cluster {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool truthy(const rapidjson::Value &obj, const char *key) {
    if (!obj.HasMember(key)) return false;
    const auto &v = obj[key];
    return (v.IsBool() && v.GetBool()) || (v.IsString() && std::string(v.GetString()) == "true");
}

std::string self_exe() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("shaddock-host");
}

}  // namespace

MasterRole::MasterRole(const Host &host, Membership &members, asio::io_context &io, MasterOptions options)
    : host_(host), members_(members), io_(io), options_(std::move(options)) {}

MasterRole::~MasterRole() = default;

void MasterRole::configure() {
    ServerInfo me = host_.server();
    self_json_ = me.json;
    exe_ = self_exe();
    auto list = host_.list_servers();
    rapidjson::Document servers;
    servers.Parse(list.c_str(), list.size());
    if (servers.HasParseError() || !servers.IsArray()) throw Error(SHD_ERR_INTERNAL, "the host's server list is not a JSON array");
    for (const auto &entry : servers.GetArray()) {
        std::string id = json_string(entry, "id");
        if (id == me.id) continue;
        Child c;
        c.id = id;
        c.type = json_string(entry, "serverType");
        c.host = json_string(entry, "host");
        c.json = to_json(entry);
        c.auto_restart = truthy(entry, "auto-restart") || truthy(entry, "restart-force");
        order_.push_back(id);
        children_.emplace(id, std::move(c));
    }
    order_.insert(order_.begin(), me.id);
    members_.set_config_order(order_);
    order_.erase(order_.begin());

    // adminServer.json: when present, every server type must present its type's token.
    if (auto text = host_.read_config("adminServer.json")) {
        rapidjson::Document d;
        d.Parse(text->c_str(), text->size());
        if (!d.IsArray()) throw Error(SHD_ERR_INVALID, "config/adminServer.json: expected an array of {\"type\", \"token\"}");
        tokens_configured_ = true;
        size_t i = 0;
        for (const auto &e : d.GetArray()) {
            if (!e.IsObject() || json_string(e, "type").empty() || !e.HasMember("token") || !e["token"].IsString())
                throw Error(SHD_ERR_INVALID, "config/adminServer.json: [" + std::to_string(i) +
                                                 "]: expected {\"type\": string, \"token\": string}");
            tokens_[json_string(e, "type")] = json_string(e, "token");
            ++i;
        }
    }
    if (auto text = host_.read_config("adminUser.json")) {
        rapidjson::Document d;
        d.Parse(text->c_str(), text->size());
        if (!d.IsArray()) throw Error(SHD_ERR_INVALID, "config/adminUser.json: expected an array of users");
        for (const auto &u : d.GetArray()) {
            if (!u.IsObject() || json_string(u, "username").empty()) continue;
            int level = u.HasMember("level") && u["level"].IsInt() ? u["level"].GetInt() : 99;
            users_[json_string(u, "username")] = User{json_string(u, "password"), level};
        }
    }
    // A fresh secret per cluster run: RPC peers prove they registered with this master.
    std::ifstream rnd("/dev/urandom", std::ios::binary);
    unsigned char bytes[24] = {};
    rnd.read(reinterpret_cast<char *>(bytes), sizeof bytes);
    static const char hex[] = "0123456789abcdef";
    for (unsigned char b : bytes) {
        members_.secret.push_back(hex[b >> 4]);
        members_.secret.push_back(hex[b & 15]);
    }
    members_.add(self_json_);
}

void MasterRole::start() {
    ServerInfo me = host_.server();
    if (me.port <= 0) throw Error(SHD_ERR_INVALID, "config/master.json: port: the master needs a port for its servers to register");
    boost::system::error_code ec;
    auto address = asio::ip::make_address(me.host.empty() ? "127.0.0.1" : me.host, ec);
    if (ec) throw Error(SHD_ERR_INVALID, "config/master.json: host: \"" + me.host + "\" is not an IP address");
    acceptor_ = std::make_unique<tcp::acceptor>(io_);
    tcp::endpoint ep(address, static_cast<unsigned short>(me.port));
    acceptor_->open(ep.protocol(), ec);
    if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_->bind(ep, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw Error(SHD_ERR_IO, "cannot listen on " + me.host + ":" + std::to_string(me.port) + ": " + ec.message());
    accept_next();
    host_.info("master listening on " + me.host + ":" + std::to_string(me.port) + " for " + std::to_string(order_.size()) +
               " server(s)");
    start_ms_ = host_.now_ms();
    if (options_.spawn)
        for (const auto &id : order_) spawn(children_.at(id));
    supervise_timer_ = host_.every(100, [this] { supervise(); });
    if (order_.empty()) {
        members_.all_started = true;
        host_.emit("start_all", "{}");
    }
}

void MasterRole::accept_next() {
    acceptor_->async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec) return;  // closed at stop
        auto link = std::make_shared<FrameLink>(std::move(socket));
        std::weak_ptr<FrameLink> weak = link;
        host_.post([this, link] { links_.insert(link); });
        link->start(
            [this, weak](std::string frame) {
                host_.post([this, weak, frame = std::move(frame)] {
                    if (auto l = weak.lock()) on_frame(l, frame);
                });
            },
            [this, link](std::string reason) { host_.post([this, link, reason] { on_link_closed(link, reason); }); });
        accept_next();
    });
}

void MasterRole::on_frame(const std::shared_ptr<FrameLink> &link, const std::string &text) {
    rapidjson::Document msg;
    msg.Parse(text.c_str(), text.size());
    if (msg.HasParseError() || !msg.IsObject() || !msg.HasMember("t") || !msg["t"].IsString()) {
        host_.warn("closing " + link->peer() + ": not a cluster message");
        link->close("bad message");
        return;
    }
    std::string t = msg["t"].GetString();
    auto it = link_ids_.find(link.get());
    if (t == "register") handle_register(link, msg);
    else if (t == "record" && it != link_ids_.end()) handle_record(it->second);
    else if (t == "admin") handle_admin(link, msg);
    else if (t == "ping") link->send(R"({"t":"pong"})");
    else {
        host_.warn("closing " + link->peer() + ": unexpected message \"" + t + "\"");
        link->close("unexpected message");
    }
}

bool MasterRole::token_ok(const std::string &type, const std::string &token) const {
    if (!tokens_configured_ || type == "master") return true;
    auto it = tokens_.find(type);
    return it != tokens_.end() && it->second == token;
}

void MasterRole::handle_register(const std::shared_ptr<FrameLink> &link, const rapidjson::Document &msg) {
    std::string id = json_string(msg, "id"), type = json_string(msg, "serverType"), token = json_string(msg, "token");
    if (id.empty() || type.empty() || !msg.HasMember("server") || !msg["server"].IsObject()) {
        link->send(R"({"t":"refused","reason":"register needs id, serverType and server"})");
        link->close("bad register");
        return;
    }
    if (!token_ok(type, token)) {
        host_.warn("refused server " + id + " (type " + type + "): wrong or missing token for its type in config/adminServer.json");
        link->send(R"({"t":"refused","reason":"authentication failed: check config/adminServer.json"})");
        link->close("auth failed");
        return;
    }
    for (const auto &[l, other] : link_ids_) {
        if (other == id) {
            link->send(R"({"t":"refused","reason":"a server with this id is already registered"})");
            link->close("duplicate id");
            return;
        }
    }
    std::string entry = to_json(msg["server"]);
    members_.add(entry);
    link_ids_[link.get()] = id;
    auto child = children_.find(id);
    if (child != children_.end()) child->second.link = link;
    link->send(std::string(R"({"t":"registered","secret":)") + json_quote(members_.secret) + R"(,"allStarted":)" +
               (members_.all_started ? "true" : "false") + R"(,"servers":)" + members_.to_json() + "}");
    broadcast(R"({"t":"add","servers":[)" + entry + "]}", id);
    host_.emit("add_servers", "[" + entry + "]");
    host_.info("server " + id + " (" + type + ") registered from " + link->peer());
    // A server that comes back after start_all starts at once.
    if (members_.all_started) link->send(R"({"t":"start_all"})");
}

void MasterRole::handle_record(const std::string &id) {
    auto it = children_.find(id);
    if (it == children_.end() || it->second.recorded) return;
    it->second.recorded = true;
    if (members_.all_started) return;
    for (const auto &cid : order_)
        if (!children_.at(cid).recorded) return;
    members_.all_started = true;
    std::map<std::string, int> by_type;
    for (const auto &cid : order_) ++by_type[children_.at(cid).type];
    std::string types;
    for (const auto &[type, n] : by_type) types += (types.empty() ? "" : ", ") + std::to_string(n) + " " + type;
    host_.info("all servers startup in " + std::to_string(host_.now_ms() - start_ms_) + " ms (" +
               std::to_string(order_.size()) + " server(s) and the master): cluster up: " + types);
    broadcast(R"({"t":"start_all"})");
    host_.emit("start_all", "{}");
}

void MasterRole::on_link_closed(const std::shared_ptr<FrameLink> &link, const std::string &reason) {
    links_.erase(link);
    auto it = link_ids_.find(link.get());
    if (it == link_ids_.end()) return;
    std::string id = it->second;
    link_ids_.erase(it);
    auto child = children_.find(id);
    if (child != children_.end() && child->second.link == link) child->second.link.reset();
    members_.remove(id);
    broadcast(R"({"t":"remove","ids":[)" + json_quote(id) + "]}");
    host_.emit("remove_servers", "[" + json_quote(id) + "]");
    host_.info("server " + id + " left the cluster (" + reason + ")");
}

void MasterRole::broadcast(const std::string &json, const std::string &except_id) {
    for (const auto &[link, id] : link_ids_)
        if (id != except_id) link->send(json);
}

void MasterRole::spawn(Child &child) {
    ServerLaunch launch{exe_, host_.server().app_dir, host_.server().env, child.id, child.host, options_.ssh};
    bool local = is_local_host(child.host, host_.server().host);
    std::string error;
    auto argv = launch_command(launch, local);
    pid_t pid = spawn_process(argv, error);
    if (pid < 0) {
        host_.error("cannot start " + child.id + ": " + error);
        return;
    }
    child.pid = pid;
    child.started_ms = host_.now_ms();
    child.recorded = false;
    host_.info("started " + child.id + " (pid " + std::to_string(pid) + (local ? ", local)" : ", over ssh on " + child.host + ")"));
}

void MasterRole::log_crash(const Child &child, const std::string &reason) {
    std::ofstream out(host_.server().app_dir + "/logs/crash.log", std::ios::app);
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    out << child.type << "," << child.id << "," << stamp << "," << reason << "\n";
}

// Runs every 100 ms: reaps exited children, logs crashes and restarts those marked auto-restart.
void MasterRole::supervise() {
    for (const Exited &e : reap_children()) {
        for (auto &[id, child] : children_) {
            if (child.pid != e.pid) continue;
            child.pid = -1;
            if (child.stopping || stopping_) {
                host_.info(id + " stopped (" + e.how + ")");
                break;
            }
            host_.warn(id + " " + e.how);
            log_crash(child, e.how);
            if (!child.auto_restart) break;
            if (e.how == "exited with code 2") {  // a configuration error: restarting cannot fix it
                host_.error("not restarting " + id + ": it stopped on a configuration error (see its log)");
                break;
            }
            // Back off 1 s, 2 s, 4 s ... 30 s; a server that ran a minute starts the count again.
            if (host_.now_ms() - child.started_ms > 60000) child.restarts = 0;
            uint64_t delay = std::min<uint64_t>(30000, uint64_t(options_.restart_delay_ms) << std::min(child.restarts, 5));
            ++child.restarts;
            host_.info("restarting " + id + " in " + std::to_string(delay) + " ms");
            host_.after(delay, [this, id] {
                auto it = children_.find(id);
                if (it != children_.end() && !stopping_ && it->second.pid < 0 && !it->second.stopping) spawn(it->second);
            });
            break;
        }
    }
    if (stopping_) finish_stop_when_done();
}

void MasterRole::stop_servers(const std::vector<std::string> &ids) {
    for (const auto &id : ids) {
        auto it = children_.find(id);
        if (it == children_.end()) continue;
        Child &c = it->second;
        c.stopping = true;
        if (c.link) c.link->send(R"({"t":"stop","reason":"stopped by the master"})");
        else if (c.pid > 0) ::kill(c.pid, SIGTERM);
    }
}

std::string MasterRole::servers_status_json() const {
    std::string out = "[";
    bool first = true;
    for (const auto &id : order_) {
        const Child &c = children_.at(id);
        if (!first) out += ",";
        first = false;
        out += R"({"id":)" + json_quote(c.id) + R"(,"serverType":)" + json_quote(c.type) + R"(,"pid":)" + std::to_string(c.pid) +
               R"(,"registered":)" + (c.link ? "true" : "false") + R"(,"uptimeMs":)" +
               std::to_string(c.pid > 0 ? host_.now_ms() - c.started_ms : 0) + "}";
    }
    return out + "]";
}

bool MasterRole::user_ok(const std::string &user, const std::string &password, int &level) const {
    auto it = users_.find(user);
    if (it == users_.end() || it->second.password != password) return false;
    level = it->second.level;
    return true;
}

void MasterRole::handle_admin(const std::shared_ptr<FrameLink> &link, const rapidjson::Document &msg) {
    int level = 99;
    if (!user_ok(json_string(msg, "username"), json_string(msg, "password"), level)) {
        link->send(R"({"t":"admin_result","ok":false,"error":"client auth failed with username or password error"})");
        link->close("admin auth failed");
        return;
    }
    std::string cmd = json_string(msg, "cmd");
    std::vector<std::string> ids;
    if (msg.HasMember("ids") && msg["ids"].IsArray())
        for (const auto &v : msg["ids"].GetArray())
            if (v.IsString()) ids.emplace_back(v.GetString());
    if (cmd == "list") {
        link->send(R"({"t":"admin_result","ok":true,"servers":)" + servers_status_json() + "}");
        return;
    }
    if (level > 1) {
        link->send(R"({"t":"admin_result","ok":false,"error":"command level not allowed for this user"})");
        return;
    }
    if (cmd == "stop" && !ids.empty()) {
        std::vector<std::string> unknown;
        for (const auto &id : ids)
            if (!children_.count(id)) unknown.push_back(id);
        if (!unknown.empty()) {
            link->send(R"({"t":"admin_result","ok":false,"error":"unknown server id: )" + unknown.front() + "\"}");
            return;
        }
        stop_servers(ids);
        link->send(R"({"t":"admin_result","ok":true})");
    } else if (cmd == "stop" || cmd == "kill") {
        link->send(R"({"t":"admin_result","ok":true})");
        if (cmd == "kill")
            for (auto &[id, c] : children_)
                if (c.pid > 0) {
                    c.stopping = true;
                    ::kill(c.pid, SIGKILL);
                }
        host_.request_stop("admin command " + cmd);
    } else {
        link->send(R"({"t":"admin_result","ok":false,"error":"unknown command )" + cmd + "\"}");
    }
}

void MasterRole::stop(Done done) {
    stopping_ = true;
    stop_done_ = std::make_unique<Done>(done);
    stop_deadline_ms_ = host_.now_ms() + static_cast<uint64_t>(options_.stop_timeout_ms);
    boost::system::error_code ignored;
    if (acceptor_) acceptor_->close(ignored);
    stop_servers(order_);
    finish_stop_when_done();
}

void MasterRole::finish_stop_when_done() {
    if (!stop_done_) return;
    bool alive = false;
    for (auto &[id, c] : children_) {
        if (c.pid <= 0) continue;
        if (host_.now_ms() >= stop_deadline_ms_) {
            host_.warn(id + " did not stop in time: SIGKILL");
            ::kill(c.pid, SIGKILL);
        }
        alive = true;
    }
    if (alive) return;  // supervise() calls again after the next reap
    host_.cancel(supervise_timer_);
    for (const auto &l : links_) l->close("master stopping");
    links_.clear();
    link_ids_.clear();
    auto done = std::move(stop_done_);
    (*done)();
}

}  // namespace shd::cluster
