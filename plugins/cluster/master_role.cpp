#include "master_role.hpp"

#include "link_crypto.hpp"
#include "link_messages.hpp"
#include "pomelo_admin.hpp"
#include "process_spawner.hpp"
#include "server_add.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

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

std::string str(const rapidjson::Value &o, const char *key) {
    return o.HasMember(key) && o[key].IsString() ? std::string(o[key].GetString(), o[key].GetStringLength())
                                                 : std::string();
}

// A port of a server entry: a number, or a string of digits (Pomelo passes strings); 0 when absent.
int port_of(const rapidjson::Value &entry, const char *key) {
    if (!entry.IsObject() || !entry.HasMember(key)) return 0;
    const auto &v = entry[key];
    if (v.IsInt()) return v.GetInt();
    if (v.IsString()) return std::atoi(v.GetString());
    return 0;
}

// True when a program listens on `port` of this machine (any address): binding it fails.
bool local_port_in_use(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    bool used = ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 && errno == EADDRINUSE;
    ::close(fd);
    return used;
}

// `"rssKb":N,"cpuPercent":X,` for a local live process, or nothing.
std::string usage_json(pid_t pid, bool local) {
    ProcessUsage u;
    if (!local || pid <= 0 || !process_usage(pid, u)) return {};
    char cpu[32];
    std::snprintf(cpu, sizeof cpu, "%.1f", u.cpu_percent);
    return R"("rssKb":)" + std::to_string(u.rss_kb) + R"(,"cpuPercent":)" + cpu + ",";
}

// True while pid is a live process (not a zombie) whose command line names server `id`.
bool server_process_alive(pid_t pid, const std::string &id) {
    if (pid <= 0 || ::kill(pid, 0) != 0) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    size_t paren = line.rfind(')');
    if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z') return false;
    std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string args((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
    for (char &c : args)
        if (c == '\0') c = ' ';
    // A local server: "... --server-id <id> "; one over ssh: "... '--server-id' '<id>'".
    return args.find("--server-id " + id + " ") != std::string::npos ||
           args.find("'--server-id' '" + id + "'") != std::string::npos;
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
    if (servers.HasParseError() || !servers.IsArray())
        throw Error(SHD_ERR_INTERNAL, "the host's server list is not a JSON array");
    primary_id_ = me.id;
    for (const auto &entry : servers.GetArray()) {
        std::string id = json_string(entry, "id");
        // A standby master of masterha.json: master.json's master is not one of its servers.
        if (json_string(entry, "serverType") == "master") primary_id_ = id;
        if (id == me.id || json_string(entry, "serverType") == "master") continue;
        Child c;
        c.id = id;
        c.type = json_string(entry, "serverType");
        c.host = json_string(entry, "host");
        c.json = to_json(entry);
        c.auto_restart = truthy(entry, "auto-restart") || truthy(entry, "restart-force");
        c.port = port_of(entry, "port");
        c.client_port = port_of(entry, "clientPort");
        order_.push_back(id);
        children_.emplace(id, std::move(c));
    }
    order_.insert(order_.begin(), me.id);
    members_.set_config_order(order_);
    order_.erase(order_.begin());

    // adminServer.json: every server type proves it holds its type's token. Without the file (allowed
    // in development only) the proofs use an empty key: any peer that knows a server id passes.
    auto admin_servers = host_.read_config("adminServer.json");
    auto admin_users = host_.read_config("adminUser.json");
    try {
        if (admin_servers) {
            tokens_ = parse_admin_servers(*admin_servers);
            tokens_configured_ = true;
        }
        if (admin_users)
            for (auto &u : parse_admin_users(*admin_users)) users_[u.name] = std::move(u);
    } catch (const std::exception &e) {
        throw Error(SHD_ERR_INVALID, e.what());
    }
    if (!tokens_configured_)
        host_.warn(
            "config/adminServer.json is missing: servers authenticate to the master with an empty token "
            "(refused in production)");
    for (const auto &line : development_credentials(admin_servers, admin_users))
        host_.warn(line + ": development only, the cluster refuses to start with it in production");
    decoy_key_ = random_bytes(32);

    // A fresh secret per cluster run (OpenSSL's CSPRNG): RPC peers prove they registered with this
    // master. A master restarted while its servers run keeps theirs (read_state).
    try {
        members_.secret = to_hex(random_bytes(24));
    } catch (const std::exception &e) {
        throw Error(SHD_ERR_INTERNAL, std::string("cannot make the cluster secret: ") + e.what());
    }
    read_state();
    members_.add(self_json_);
}

std::string MasterRole::state_path() const {
    return host_.server().app_dir + "/logs/" + (fence_ ? primary_id_ : host_.server().id) + ".cluster.json";
}

void MasterRole::enable_ha(std::function<bool()> fence) {
    fence_ = std::move(fence);
    // What configure() adopted is forgotten: the state is read when (and if) this process is elected.
    for (auto &[id, c] : children_)
        if (c.adopted) {
            c.pid = -1;
            c.adopted = false;
        }
    host_.info("master HA: waiting to be elected before acting as the master");
}

void MasterRole::elected(const std::string &info) {
    if (started_ || stopping_) return;
    host_.info("master HA: elected; taking over as the active master");
    std::set<std::string> listed = read_state();
    // Was another master active? Then servers may run that the state file does not account for: on
    // another machine's standby, all of them.
    rapidjson::Document d;
    std::string previous;
    if (pomelo::parse_json(info, d) && d.IsObject() && d.HasMember("previous") && d["previous"].IsObject() &&
        !truthy(d["previous"], "stopped"))
        previous = str(d["previous"], "id");
    if (!previous.empty() && previous != host_.server().id) {
        uint64_t deadline = host_.now_ms() + static_cast<uint64_t>(options_.adopt_timeout_ms);
        int awaited = 0;
        for (auto &[id, c] : children_) {
            if (c.pid > 0 || listed.count(id)) continue;
            c.awaiting = true;
            c.adopt_deadline_ms = deadline;
            ++awaited;
        }
        learn_secret_ = listed.empty();
        if (awaited > 0)
            host_.info("taking over from " + printable(previous) + ": waiting up to " +
                       std::to_string(options_.adopt_timeout_ms) + " ms for " + std::to_string(awaited) +
                       " server(s) this machine has no record of to register before starting any" +
                       (learn_secret_ ? " (the cluster secret comes from the first one)" : ""));
    }
    start();
}

void MasterRole::abandon() {
    if (abandoned_) return;
    abandoned_ = true;
    host_.error("master HA: the ZooKeeper session expired: another master is active by now; this one stops "
                "acting and exits, leaving the servers to it");
    stop_admin_http();
    if (acceptor_)
        asio::post(io_, [this] {
            boost::system::error_code ignored;
            acceptor_->close(ignored);
        });
    host_.cancel(supervise_timer_);
    supervise_timer_ = 0;
    for (const auto &l : links_) l->close("not the active master any more");
    links_.clear();
    if (pomelo_admin_) pomelo_admin_->close_all("not the active master any more");
    link_ids_.clear();
    host_.request_stop("master HA: lead lost");
}

// The servers this master started and the cluster secret, so that a master restarted after a crash
// re-adopts the servers that still run instead of starting duplicates. Mode 0600: it holds the secret.
void MasterRole::write_state() {
    std::string out = R"({"secret":)" + json_quote(members_.secret) + R"(,"servers":[)";
    bool first = true;
    for (const auto &id : order_) {
        const Child &c = children_.at(id);
        if (c.pid <= 0 || c.by_link) continue;  // a by_link pid is another host's: nothing to check here
        out += std::string(first ? "" : ",") + R"({"id":)" + json_quote(id) + R"(,"pid":)" + std::to_string(c.pid) +
               (c.added ? R"(,"entry":)" + c.json : std::string()) + "}";
        first = false;
    }
    out += "]}\n";
    std::error_code ec;
    std::filesystem::create_directories(host_.server().app_dir + "/logs", ec);
    std::string path = state_path(), tmp = path + ".tmp";
    mode_t old = ::umask(077);
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << out;
    }
    ::umask(old);
    std::filesystem::rename(tmp, path, ec);
}

std::set<std::string> MasterRole::read_state() {
    std::set<std::string> listed;
    std::ifstream in(state_path());
    if (!in) return listed;
    std::stringstream buf;
    buf << in.rdbuf();
    rapidjson::Document d;
    if (!pomelo::parse_json(buf.str(), d) || !d.IsObject() || !d.HasMember("servers") || !d["servers"].IsArray())
        return listed;
    uint64_t now = host_.now_ms();
    int adopted = 0;
    for (const auto &s : d["servers"].GetArray()) {
        if (!s.IsObject() || !s.HasMember("pid") || !s["pid"].IsInt()) continue;
        listed.insert(str(s, "id"));
        auto it = children_.find(str(s, "id"));
        // A server added at run time (`shaddock add`) comes back with the entry it was started with.
        if (it == children_.end() && s.HasMember("entry") && s["entry"].IsObject() && !str(s, "id").empty() &&
            str(s["entry"], "id") == str(s, "id") && server_process_alive(s["pid"].GetInt(), str(s, "id"))) {
            Child c;
            c.id = str(s, "id");
            c.type = str(s["entry"], "serverType");
            c.host = str(s["entry"], "host");
            c.json = to_json(s["entry"]);
            c.added = true;
            c.auto_restart = truthy(s["entry"], "auto-restart") || truthy(s["entry"], "restart-force");
            c.port = port_of(s["entry"], "port");
            c.client_port = port_of(s["entry"], "clientPort");
            order_.push_back(c.id);
            it = children_.emplace(c.id, std::move(c)).first;
        }
        pid_t pid = s["pid"].GetInt();
        if (it == children_.end() || !server_process_alive(pid, it->first)) continue;
        it->second.pid = pid;
        it->second.adopted = true;
        it->second.adopt_deadline_ms = now + static_cast<uint64_t>(options_.adopt_timeout_ms);
        it->second.started_ms = now;
        ++adopted;
    }
    std::string secret = str(d, "secret");
    if (adopted > 0 && secret.size() == 48) members_.secret = secret;
    if (adopted > 0)
        host_.info(std::to_string(adopted) + " server(s) of a previous master still run: waiting up to " +
                   std::to_string(options_.adopt_timeout_ms) + " ms for them to register again");
    return listed;
}

void MasterRole::start() {
    ServerInfo me = host_.server();
    if (me.port <= 0)
        throw Error(SHD_ERR_INVALID, "config/master.json: port: the master needs a port for its servers to register");
    boost::system::error_code ec;
    auto address = asio::ip::make_address(me.host.empty() ? "127.0.0.1" : me.host, ec);
    if (ec) throw Error(SHD_ERR_INVALID, "config/master.json: host: \"" + me.host + "\" is not an IP address");
    acceptor_ = std::make_unique<tcp::acceptor>(io_);
    tcp::endpoint ep(address, static_cast<unsigned short>(me.port));
    acceptor_->open(ep.protocol(), ec);
    if (!ec) set_cloexec(acceptor_->native_handle());
    if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_->bind(ep, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw Error(SHD_ERR_IO, "cannot listen on " + me.host + ":" + std::to_string(me.port) + ": " + ec.message());
    started_ = true;
    if (options_.pomelo_admin) {
        MqttLimits limits;
        limits.max_queued_bytes = options_.limits.max_queued_bytes;
        limits.handshake_timeout_ms = options_.limits.handshake_timeout_ms;
        pomelo_admin_ = std::make_unique<PomeloAdmin>(*this, limits, options_.pomelo_admin_sniff_ms);
    }
    accept_next();
    host_.info("master listening on " + me.host + ":" + std::to_string(me.port) + " for " +
               std::to_string(order_.size()) + " server(s)");
    start_ms_ = host_.now_ms();
    if (options_.spawn)
        for (const auto &id : order_)
            if (children_.at(id).pid <= 0 && !children_.at(id).awaiting) spawn(children_.at(id));
    write_state();
    supervise_timer_ = host_.every(100, [this] { supervise(); });
    start_admin_http();
    if (order_.empty()) {
        members_.all_started = true;
        host_.emit("start_all", "{}");
    }
}

void MasterRole::accept_next() {
    acceptor_->async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;  // closed at stop
        if (ec) {
            accept_next();  // a connection reset before it was taken, say: keep accepting
            return;
        }
        set_cloexec(socket.native_handle());
        // Over the cap of unauthenticated links, a connection is closed at once (nothing is sent).
        if (unauthenticated_.load() >= options_.max_unauthenticated) {
            boost::system::error_code ignored;
            socket.close(ignored);
            ++refused_connections_;
            accept_next();
            return;
        }
        ++unauthenticated_;
        if (pomelo_admin_)
            pomelo_admin_->sniff(std::move(socket), [this](tcp::socket s) { start_link(std::move(s)); });
        else
            start_link(std::move(socket));
        accept_next();
    });
}

void MasterRole::start_link(tcp::socket socket) {
    auto link = std::make_shared<FrameLink>(std::move(socket), options_.limits);
    std::weak_ptr<FrameLink> weak = link;
    host_.post([this, link] { on_accepted(link); });
    link->start(
        [this, weak](std::string frame) {
            host_.post([this, weak, frame = std::move(frame)] {
                if (auto l = weak.lock()) on_frame(l, frame);
            });
        },
        // Weak here too: a link holding itself in its own callback outlived the master's stop
        // (LeakSanitizer found the cycle); links_ keeps each link alive until it is closed.
        [this, weak](std::string reason) {
            host_.post([this, weak, reason] {
                if (auto l = weak.lock()) on_link_closed(l, reason);
            });
        });
}

void MasterRole::on_accepted(const std::shared_ptr<FrameLink> &link) {
    links_.insert(link);
    Peer &p = peers_[link.get()];
    p.master_nonce = random_bytes(kLinkNonceSize);
    // The only frame the master sends before a peer has proven itself.
    link->send(R"({"t":"challenge","v":2,"nonce":")" + to_hex(p.master_nonce) + "\"}");
}

void MasterRole::on_frame(const std::shared_ptr<FrameLink> &link, const std::string &text) {
    auto pit = peers_.find(link.get());
    if (pit == peers_.end()) return;
    Peer &p = pit->second;
    rapidjson::Document msg;
    if (!parse_link_message(text, msg)) {
        host_.warn("closing " + link->peer() + ": not a cluster message");
        link->close("bad message");
        return;
    }
    std::string t = msg["t"].GetString();
    bool ok = true;
    switch (p.state) {
        case Peer::challenged:
            if ((ok = t == "hello")) handle_hello(link, p, msg);
            break;
        case Peer::admin_challenged:
            if ((ok = t == "proof")) handle_admin_proof(link, p, msg);
            break;
        case Peer::server:
            if (t == "register")
                handle_register(link, p, msg);
            else if (t == "record" && p.registered)
                handle_record(p.id);
            else if (t == "stats" && p.registered)
                handle_stats(p.id, msg);
            else if (t == "console_result" && p.registered)
                console_result(p.id, msg);
            else
                ok = false;
            break;
        case Peer::admin:
            if ((ok = t == "admin")) handle_admin(link, p, msg);
            break;
    }
    if (!ok) {
        host_.warn("closing " + link->peer() + ": unexpected message \"" + printable(t) + "\"");
        link->close("unexpected message");
    }
}

void MasterRole::refuse(const std::shared_ptr<FrameLink> &link, const std::string &reason, bool retry) {
    link->send(R"({"t":"refused","reason":)" + json_quote(reason) + (retry ? R"(,"retry":true})" : "}"));
    link->close("refused: " + reason);
}

void MasterRole::authenticated(Peer &) {
    --unauthenticated_;
}

void MasterRole::handle_hello(const std::shared_ptr<FrameLink> &link, Peer &p, const rapidjson::Document &msg) {
    Hello hello;
    if (!read_hello(msg, hello)) {
        host_.warn("closing " + link->peer() + ": a malformed hello");
        link->close("bad hello");
        return;
    }
    p.peer_nonce = hello.nonce;
    if (fenced()) {
        // HA: not (or no longer surely) the active master: nobody registers or logs in here.
        refuse(link, "not the active master (master HA)", hello.role == "server");
        return;
    }
    if (hello.role == "server")
        handle_server_hello(link, p, hello);
    else
        handle_admin_hello(link, p, hello);
}

void MasterRole::handle_server_hello(const std::shared_ptr<FrameLink> &link, Peer &p, const Hello &hello) {
    const std::string &id = hello.id, &type = hello.type;
    // Every type, "master" included, proves it holds its type's token (an empty one without the file).
    std::string token;
    bool known_type = true;
    if (tokens_configured_) {
        auto it = tokens_.find(type);
        if (it == tokens_.end())
            known_type = false;
        else
            token = it->second;
    }
    bool proven = server_hello_valid(known_type ? token : decoy_key_, p.master_nonce, hello);
    if (!proven || !known_type) {
        host_.warn("refused server " + printable(id) + " (type " + printable(type) + ") from " + link->peer() +
                   ": wrong or missing token for its type in config/adminServer.json");
        refuse(link, "authentication failed: check config/adminServer.json");
        return;
    }
    auto child = children_.find(id);
    if (child == children_.end() || child->second.type != type) {
        host_.warn("refused server " + printable(id) + " (type " + printable(type) + ") from " + link->peer() +
                   ": not a server of config/servers.json");
        refuse(link, "no server with this id and type in config/servers.json");
        return;
    }
    for (const auto &[l, other] : peers_) {
        if (other.state == Peer::server && other.id == id) {
            host_.warn("refused server " + id + " from " + link->peer() +
                       ": a server with this id is already registered");
            refuse(link, "a server with this id is already registered", true);
            return;
        }
    }
    p.state = Peer::server;
    p.id = id;
    p.type = type;
    authenticated(p);
    LinkKeys keys = derive_link_keys(token, p.master_nonce, p.peer_nonce, server_who(id, type));
    link->send(R"({"t":"welcome","mac":")" +
               to_hex(link_mac(token, "shd.cluster/2 server-welcome", {p.master_nonce, p.peer_nonce, id, type})) +
               "\"}");
    link->secure(keys.master_to_peer, keys.peer_to_master);
}

bool MasterRole::admin_locked(const std::string &address) {
    auto it = failures_.find(address);
    return it != failures_.end() && it->second.locked_until > host_.now_ms();
}

void MasterRole::admin_failed(const std::string &address) {
    uint64_t now = host_.now_ms();
    if (failures_.size() > 10000) {  // forget addresses that are neither locked nor recent
        for (auto it = failures_.begin(); it != failures_.end();) {
            bool recent = !it->second.times.empty() &&
                          it->second.times.back() + static_cast<uint64_t>(options_.admin_fail_window_ms) > now;
            if (!recent && it->second.locked_until <= now)
                it = failures_.erase(it);
            else
                ++it;
        }
    }
    Failures &f = failures_[address];
    f.times.push_back(now);
    while (!f.times.empty() && f.times.front() + static_cast<uint64_t>(options_.admin_fail_window_ms) <= now)
        f.times.pop_front();
    if (static_cast<int>(f.times.size()) >= options_.admin_max_failures) {
        f.locked_until = now + static_cast<uint64_t>(options_.admin_lockout_ms);
        f.times.clear();
        host_.warn("admin logins from " + address + " refused for " + std::to_string(options_.admin_lockout_ms) +
                   " ms after " + std::to_string(options_.admin_max_failures) + " failures");
    }
}

void MasterRole::audit(const std::string &user, const std::string &address, const std::string &command,
                       const std::string &result) {
    host_.info("admin audit: user=" + json_quote(printable(user)) + " address=" + address +
               " command=" + json_quote(printable(command)) + " result=" + result);
}

void MasterRole::handle_admin_hello(const std::shared_ptr<FrameLink> &link, Peer &p, const Hello &hello) {
    p.user = hello.user;
    if (admin_locked(link->address())) {
        audit(p.user, link->address(), "login", "refused (address locked out after failed logins)");
        refuse(link, "too many failed logins from this address; try again later");
        return;
    }
    auto it = users_.find(p.user);
    std::string params;
    if (it != users_.end()) {
        p.known_user = true;
        p.key = it->second.key;
        p.level = it->second.level;
        if (it->second.kdf == "pbkdf2")
            params = R"("kdf":"pbkdf2","salt":")" + to_hex(it->second.salt) + R"(","iterations":)" +
                     std::to_string(it->second.iterations);
        else
            params = R"("kdf":"md5")";
    } else {
        // An unknown user gets the same answer as one with a plain or md5 password.
        p.key = to_hex(link_mac(decoy_key_, "decoy", {p.user}));
        params = R"("kdf":"md5")";
    }
    p.state = Peer::admin_challenged;
    link->send(R"({"t":"login",)" + params + "}");
    link->resume();
}

void MasterRole::handle_admin_proof(const std::shared_ptr<FrameLink> &link, Peer &p, const rapidjson::Document &msg) {
    std::string mac;
    bool ok = link_hex_field(msg, "mac", kLinkMacSize, mac) &&
              equal_ct(link_mac(p.key, "shd.cluster/2 admin-hello", {p.master_nonce, p.peer_nonce, p.user}), mac) &&
              p.known_user;
    std::string address = link->address();
    if (!ok) {
        audit(p.user, address, "login", "refused (wrong user name or password)");
        admin_failed(address);
        // Slowed: the answer comes late, and the link holds its unauthenticated slot meanwhile.
        std::weak_ptr<FrameLink> weak = link;
        host_.after(static_cast<uint64_t>(options_.admin_fail_delay_ms), [this, weak] {
            if (auto l = weak.lock()) refuse(l, "client auth failed with username or password error");
        });
        return;
    }
    p.state = Peer::admin;
    authenticated(p);
    audit(p.user, address, "login", "ok");
    LinkKeys keys = derive_link_keys(p.key, p.master_nonce, p.peer_nonce, admin_who(p.user));
    link->send(R"({"t":"welcome","mac":")" +
               to_hex(link_mac(p.key, "shd.cluster/2 admin-welcome", {p.master_nonce, p.peer_nonce, p.user})) + "\"}");
    link->secure(keys.master_to_peer, keys.peer_to_master);
}

void MasterRole::handle_register(const std::shared_ptr<FrameLink> &link, Peer &p, const rapidjson::Document &msg) {
    if (p.registered || !msg.HasMember("server") || !msg["server"].IsObject()) {
        refuse(link, "register needs a server entry, once");
        return;
    }
    const auto &server = msg["server"];
    if (str(server, "id") != p.id || str(server, "serverType") != p.type) {
        host_.warn("refused server " + p.id + " from " + link->peer() + ": its server entry names " +
                   printable(str(server, "id")) + " (type " + printable(str(server, "serverType")) +
                   "), not the id and type it authenticated as");
        refuse(link, "the server entry does not match the authenticated id and type");
        return;
    }
    p.registered = true;
    Child &child = children_.at(p.id);
    std::string secret = str(msg, "secret");
    if (learn_secret_ && secret.size() == 48 && secret.find_first_not_of("0123456789abcdef") == std::string::npos) {
        members_.secret = secret;
        learn_secret_ = false;
        host_.info("took the cluster secret over from " + p.id + " (its RPC links stay valid)");
        write_state();
    } else if (!secret.empty() && secret != members_.secret) {
        host_.warn(p.id + " held another cluster secret than this master's: it takes this one (RPC links it "
                   "made before may be refused until they are made again)");
    }
    if (child.pid <= 0) {
        // Nothing of ours runs it: adopt it as it is, watched by its link.
        int reported = msg.HasMember("pid") && msg["pid"].IsInt() ? msg["pid"].GetInt() : 0;
        child.pid = reported > 0 ? reported : 0;
        child.by_link = true;
        child.local = false;
        child.awaiting = false;
        child.adopt_deadline_ms = 0;
        child.started_ms = host_.now_ms();
        host_.info("adopted " + p.id + " (pid " + std::to_string(reported) + " on " + link->peer() +
                   "), which no process of this master runs: watched by its link");
    }
    // The member list carries the master's own servers.json entry for the id, whatever else was sent.
    std::string entry = child.json;
    members_.add(entry);
    link_ids_[link.get()] = p.id;
    child.link = link;
    if (child.adopted) {
        host_.info("re-adopted " + p.id + " (pid " + std::to_string(child.pid) + ") started by a previous master");
        child.adopt_deadline_ms = 0;
    }
    link->send(std::string(R"({"t":"registered","secret":)") + json_quote(members_.secret) + R"(,"allStarted":)" +
               (members_.all_started ? "true" : "false") + R"(,"servers":)" + members_.to_json() + "}");
    broadcast(R"({"t":"add","servers":[)" + entry + "]}", p.id);
    host_.emit("add_servers", "[" + entry + "]");
    host_.info("server " + p.id + " (" + p.type + ") registered from " + link->peer());
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
    auto pit = peers_.find(link.get());
    if (pit != peers_.end()) {
        if (pit->second.state == Peer::challenged || pit->second.state == Peer::admin_challenged) --unauthenticated_;
        if (pit->second.state == Peer::admin)
            host_.info("admin link of " + json_quote(printable(pit->second.user)) + " from " + link->peer() +
                       " closed (" + reason + ")");
        peers_.erase(pit);
    }
    auto it = link_ids_.find(link.get());
    if (it == link_ids_.end()) return;
    std::string id = it->second;
    link_ids_.erase(it);
    figures_.erase(id);
    console_link_closed(id);
    auto child = children_.find(id);
    if (child != children_.end() && child->second.link == link) child->second.link.reset();
    members_.remove(id);
    broadcast(R"({"t":"remove","ids":[)" + json_quote(id) + "]}");
    host_.emit("remove_servers", "[" + json_quote(id) + "]");
    host_.info("server " + id + " left the cluster (" + reason + ")");
    if (child != children_.end() && child->second.by_link && !child->second.link && !fenced())
        on_exit(child->second, "left: its link closed (adopted over its link: no process here to watch)");
}

void MasterRole::broadcast(const std::string &json, const std::string &except_id) {
    for (const auto &[link, id] : link_ids_)
        if (id != except_id) link->send(json);
}

void MasterRole::spawn(Child &child) {
    ServerLaunch launch{exe_,
                        host_.server().app_dir,
                        host_.server().env,
                        child.id,
                        child.host,
                        options_.ssh,
                        child.added ? child.json : std::string()};
    bool local = is_local_host(child.host, host_.server().host);
    child.local = local;
    std::string error;
    auto argv = launch_command(launch, local);
    pid_t pid = spawn_process(argv, error);
    if (pid < 0) {
        host_.error("cannot start " + child.id + ": " + error);
        return;
    }
    child.pid = pid;
    ++child.spawns;
    child.adopted = false;
    child.replacing = false;
    child.started_ms = host_.now_ms();
    child.recorded = false;
    host_.info("started " + child.id + " (pid " + std::to_string(pid) +
               (local ? ", local)" : ", over ssh on " + child.host + ")"));
    if (supervise_timer_) write_state();
}

void MasterRole::log_crash(const Child &child, const std::string &reason) {
    std::ofstream out(host_.server().app_dir + "/logs/crash.log", std::ios::app);
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    out << child.type << "," << child.id << "," << stamp << "," << reason << "\n";
}

void MasterRole::on_exit(Child &child, const std::string &how) {
    const std::string &id = child.id;
    child.pid = -1;
    child.adopted = false;
    child.by_link = false;
    child.awaiting = false;
    child.last_exit = how;
    write_state();
    if (child.restarting && !stopping_) {  // `shaddock restart`: the old process is gone, start the new one
        child.restarting = false;
        child.stopping = false;
        child.restart_deadline_ms = 0;
        host_.info(id + " stopped for a restart (" + how + ")");
        spawn(child);
        return;
    }
    child.restarting = false;
    if (child.stopping || stopping_) {
        host_.info(id + " stopped (" + how + ")");
        return;
    }
    if (child.replacing) {
        child.replacing = false;
        spawn(child);
        return;
    }
    host_.warn(id + " " + how);
    log_crash(child, how);
    if (!child.auto_restart) return;
    if (how == "exited with code 2") {  // a configuration error: restarting cannot fix it
        host_.error("not restarting " + id + ": it stopped on a configuration error (see its log)");
        return;
    }
    // Back off 1 s, 2 s, 4 s ... 30 s; a server that ran a minute starts the count again.
    if (host_.now_ms() - child.started_ms > 60000) child.restarts = 0;
    uint64_t delay = std::min<uint64_t>(30000, uint64_t(options_.restart_delay_ms) << std::min(child.restarts, 5));
    ++child.restarts;
    host_.info("restarting " + id + " in " + std::to_string(delay) + " ms");
    std::string cid = id;
    host_.after(delay, [this, cid] {
        auto it = children_.find(cid);
        if (it != children_.end() && !stopping_ && it->second.pid < 0 && !it->second.stopping) spawn(it->second);
    });
}

void MasterRole::signal_child(Child &c, int sig) {
    if (c.pid > 0 && !c.by_link) ::kill(c.pid, sig);
}

// Runs every 100 ms: reaps exited children, logs crashes and restarts those marked auto-restart;
// watches the servers adopted from a previous master (not our children: polled by pid).
void MasterRole::supervise() {
    if (fenced()) return;  // HA: another master may supervise these servers by now
    for (const Exited &e : reap_children()) {
        for (auto &[id, child] : children_) {
            if (child.pid != e.pid || child.adopted || child.by_link) continue;
            on_exit(child, e.how);
            break;
        }
    }
    uint64_t now = host_.now_ms();
    for (auto &[id, child] : children_) {
        if (!child.adopted || child.pid <= 0) continue;
        if (!server_process_alive(child.pid, id)) {
            on_exit(child, "exited (started by a previous master; exit status unknown)");
        } else if (!child.link && child.adopt_deadline_ms && now > child.adopt_deadline_ms && !child.replacing &&
                   !stopping_) {
            host_.warn(id + " (pid " + std::to_string(child.pid) +
                       ", started by a previous master) did not register again in " +
                       std::to_string(options_.adopt_timeout_ms) + " ms: replacing it");
            child.replacing = true;
            signal_child(child, SIGKILL);
        }
    }
    for (auto &[id, child] : children_) {
        if (child.awaiting && !child.link && now > child.adopt_deadline_ms && !stopping_) {
            child.awaiting = false;
            host_.warn(id + " did not register with this master in " + std::to_string(options_.adopt_timeout_ms) +
                       " ms: starting it");
            spawn(child);
        }
        if (child.restarting && child.pid > 0 && child.restart_deadline_ms && now > child.restart_deadline_ms) {
            host_.warn(id + " did not stop for its restart in " + std::to_string(options_.stop_timeout_ms) +
                       " ms: SIGKILL");
            child.restart_deadline_ms = 0;
            signal_child(child, SIGKILL);
        }
    }
    check_waiters();
    uint64_t refused = refused_connections_.load();
    if (refused != refused_logged_ && now >= next_refused_log_ms_) {
        next_refused_log_ms_ = now + 5000;
        host_.warn(std::to_string(refused - refused_logged_) + " connection(s) closed at once: more than " +
                   std::to_string(options_.max_unauthenticated) + " links had not authenticated");
        refused_logged_ = refused;
    }
    if (stopping_) finish_stop_when_done();
}

void MasterRole::stop_servers(const std::vector<std::string> &ids) {
    for (const auto &id : ids) {
        auto it = children_.find(id);
        if (it == children_.end()) continue;
        Child &c = it->second;
        c.stopping = true;
        if (c.link)
            c.link->send(R"({"t":"stop","reason":"stopped by the master"})");
        else if (c.pid > 0)
            signal_child(c, SIGTERM);
    }
}

std::string MasterRole::servers_status_json() const {
    std::string out = "[";
    bool first = true;
    for (const auto &id : order_) {
        const Child &c = children_.at(id);
        if (!first) out += ",";
        first = false;
        const char *state = c.pid <= 0             ? "stopped"
                            : c.restarting         ? "restarting"
                            : c.stopping           ? "stopping"
                            : c.link && c.recorded ? "running"
                                                   : "starting";
        out += R"({"id":)" + json_quote(c.id) + R"(,"serverType":)" + json_quote(c.type) + R"(,"host":)" +
               json_quote(c.host) + R"(,"port":)" + std::to_string(c.port) + R"(,"clientPort":)" +
               std::to_string(c.client_port) + R"(,"pid":)" + std::to_string(c.pid) + "," + usage_json(c.pid, c.local) +
               R"("state":")" + state + R"(","added":)" + (c.added ? "true" : "false") + R"(,"registered":)" +
               (c.link ? "true" : "false") + R"(,"uptimeMs":)" +
               std::to_string(c.pid > 0 ? host_.now_ms() - c.started_ms : 0) + stats_field(c.id) + "}";
    }
    return out + "]";
}

std::string MasterRole::master_status_json() const {
    ServerInfo me = host_.server();
    pid_t pid = ::getpid();
    return R"({"id":)" + json_quote(me.id) + R"(,"serverType":"master","host":)" + json_quote(me.host) + R"(,"port":)" +
           std::to_string(me.port) + R"(,"pid":)" + std::to_string(pid) + "," + usage_json(pid, true) + R"("state":")" +
           (stopping_ ? "stopping" : "running") + R"(","uptimeMs":)" + std::to_string(host_.now_ms() - start_ms_) + "}";
}

// Answers an admin command and writes its audit line. ok: `body_or_error` is the result's members
// after "ok" (may be empty); else it is the error.
void MasterRole::admin_reply(const AdminCaller &caller, const std::string &shown, bool ok,
                             const std::string &body_or_error, const std::string &audit_result) {
    if (ok)
        caller.answer(R"({"ok":true)" + (body_or_error.empty() ? "" : "," + body_or_error) + "}");
    else
        caller.answer(R"({"ok":false,"error":)" + json_quote(body_or_error) + "}");
    audit(caller.user, caller.address, shown,
          !audit_result.empty() ? audit_result
          : ok                  ? std::string("ok")
                                : "refused (" + printable(body_or_error) + ")");
}

// The servers named by id, plus every server of `type`; false with `error` for an unknown id or type.
bool MasterRole::admin_targets(const std::vector<std::string> &ids, const std::string &type, std::vector<Child *> &out,
                               std::string &error) {
    if (ids.empty() && type.empty()) {
        error = "name the servers: by id (-i ID) or by type (-t TYPE)";
        return false;
    }
    for (const auto &id : ids) {
        auto it = children_.find(id);
        if (it == children_.end()) {
            error = "unknown server id: " + id;
            return false;
        }
        out.push_back(&it->second);
    }
    if (!type.empty()) {
        bool any = false;
        for (const auto &id : order_) {
            Child &c = children_.at(id);
            if (c.type != type) continue;
            any = true;
            if (std::find(out.begin(), out.end(), &c) == out.end()) out.push_back(&c);
        }
        if (!any) {
            error = "no server of type " + type;
            return false;
        }
    }
    return true;
}

void MasterRole::wait_for_join(const AdminCaller &caller, const std::string &shown, const std::vector<Child *> &targets,
                               const std::map<std::string, unsigned> &spawns,
                               const std::map<std::string, pid_t> &old_pids) {
    Waiter w;
    w.old_pids = old_pids;
    w.caller = caller;
    w.shown = shown;
    for (Child *c : targets) w.ids.push_back(c->id);
    w.spawns = spawns;
    w.deadline_ms = host_.now_ms() + static_cast<uint64_t>(options_.stop_timeout_ms) + 60000;
    waiters_.push_back(std::move(w));
    check_waiters();
}

// Answers the start, add and restart commands whose servers have all joined (a new process,
// registered) or failed (the new process exited, could not start, or did not join in time).
void MasterRole::check_waiters() {
    uint64_t now = host_.now_ms();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
        Waiter &w = *it;
        bool pending = false, all_ok = true;
        std::string servers = "[", first_error;
        for (const auto &id : w.ids) {
            auto cit = children_.find(id);
            if (cit == children_.end()) continue;
            const Child &c = cit->second;
            bool spawned = c.spawns > w.spawns[id];
            std::string error;
            if (spawned && c.pid > 0 && c.link && c.recorded && !c.restarting) {
                // joined: registered, and reported that it has started (its plugins and app are up)
            } else if (!c.restarting && c.pid <= 0) {
                error = spawned ? id + " " + c.last_exit + " before it joined (see logs/" + id + ".log)"
                                : id + " could not be started (see the master's log)";
            } else if (now > w.deadline_ms) {
                error = id + " did not join within " + std::to_string((options_.stop_timeout_ms + 60000) / 1000) + " s";
            } else {
                pending = true;
                break;
            }
            if (servers.size() > 1) servers += ",";
            servers += R"({"id":)" + json_quote(id) + R"(,"pid":)" + std::to_string(c.pid);
            if (w.old_pids.count(id)) servers += R"(,"oldPid":)" + std::to_string(w.old_pids[id]);
            servers +=
                error.empty() ? std::string(R"(,"ok":true})") : R"(,"ok":false,"error":)" + json_quote(error) + "}";
            if (!error.empty()) {
                all_ok = false;
                if (first_error.empty()) first_error = error;
            }
        }
        if (pending) {
            ++it;
            continue;
        }
        servers += "]";
        std::string result = all_ok ? "ok" : "failed (" + printable(first_error) + ")";
        w.caller.answer(R"({"ok":)" + std::string(all_ok ? "true" : "false") +
                        (all_ok ? std::string() : R"(,"error":)" + json_quote(first_error)) + R"(,"servers":)" +
                        servers + "}");
        audit(w.caller.user, w.caller.address, w.shown, result);
        it = waiters_.erase(it);
    }
}

void MasterRole::admin_start(const AdminCaller &caller, const std::string &shown, const std::vector<std::string> &ids,
                             const std::string &type) {
    std::vector<Child *> targets, to_start;
    std::string error, running;
    if (!admin_targets(ids, type, targets, error)) return admin_reply(caller, shown, false, error);
    for (Child *c : targets) {
        if (c->pid > 0)
            running += (running.empty() ? "" : ", ") + c->id;
        else
            to_start.push_back(c);
    }
    if (to_start.empty()) return admin_reply(caller, shown, false, "already running: " + running);
    std::map<std::string, unsigned> spawns;
    for (Child *c : to_start) {
        spawns[c->id] = c->spawns;
        c->stopping = false;
        spawn(*c);
    }
    wait_for_join(caller, shown, to_start, spawns);
}

void MasterRole::admin_add(const AdminCaller &caller, const std::string &shown, const rapidjson::Value &fields) {
    std::vector<KnownServer> known;
    ServerInfo me = host_.server();
    known.push_back({me.id, "master", me.host, me.port, 0});
    for (const auto &id : order_) {
        const Child &c = children_.at(id);
        known.push_back({c.id, c.type, c.host, c.port, c.client_port});
    }
    std::vector<NewServer> planned;
    try {
        planned = plan_added_servers(
            fields, known, [&](const std::string &h) { return is_local_host(h, me.host); },
            [](const std::string &, int port) { return local_port_in_use(port); });
    } catch (const AddError &e) {
        return admin_reply(caller, shown, false, e.what());
    }
    for (const auto &s : planned)
        if (tokens_configured_ && !tokens_.count(s.type))
            return admin_reply(
                caller, shown, false,
                "serverType=" + s.type + ": no token for this type in config/adminServer.json (every type needs one)");
    std::vector<Child *> targets;
    std::map<std::string, unsigned> spawns;
    for (const auto &s : planned) {
        Child c;
        c.id = s.id;
        c.type = s.type;
        c.host = s.host;
        c.json = s.json;
        c.added = true;
        c.auto_restart = s.auto_restart;
        c.port = s.port;
        c.client_port = s.client_port;
        order_.push_back(s.id);
        Child &added = children_.emplace(s.id, std::move(c)).first->second;
        host_.info("adding server " + s.id + ": " + s.json);
        spawns[s.id] = 0;
        targets.push_back(&added);
    }
    for (Child *c : targets) spawn(*c);
    write_state();
    wait_for_join(caller, shown, targets, spawns);
}

void MasterRole::admin_restart(const AdminCaller &caller, const std::string &shown,
                               const std::vector<std::string> &ids, const std::string &type) {
    std::vector<Child *> targets;
    std::string error;
    if (!admin_targets(ids, type, targets, error)) return admin_reply(caller, shown, false, error);
    for (Child *c : targets)
        if (c->restarting) return admin_reply(caller, shown, false, c->id + " is already restarting");
    std::map<std::string, unsigned> spawns;
    std::map<std::string, pid_t> old;
    for (Child *c : targets) {
        spawns[c->id] = c->spawns;
        old[c->id] = c->pid;
        if (c->pid > 0) {
            c->restarting = true;
            c->restart_deadline_ms = host_.now_ms() + static_cast<uint64_t>(options_.stop_timeout_ms);
            if (c->link)
                c->link->send(R"({"t":"stop","reason":"restarted by the master"})");
            else
                signal_child(*c, SIGTERM);
        } else {
            c->stopping = false;
            spawn(*c);
        }
    }
    wait_for_join(caller, shown, targets, spawns, old);
}

// Only this cluster's processes: the servers this master started or adopted, then the master itself.
void MasterRole::admin_kill(const AdminCaller &caller, const std::string &shown, bool force) {
    std::string pids = std::to_string(::getpid());
    for (const auto &id : order_) {
        const Child &c = children_.at(id);
        if (c.pid > 0 && c.local && !c.by_link) pids += "," + std::to_string(c.pid);
    }
    admin_reply(caller, shown, true,
                R"("force":)" + std::string(force ? "true" : "false") + R"(,"pids":[)" + pids + "]");
    for (auto &[id, c] : children_) {
        if (c.pid <= 0) continue;
        c.stopping = true;
        c.restarting = false;
        if (c.by_link && c.link) c.link->send(R"({"t":"stop","reason":"killed by the master"})");
        signal_child(c, force ? SIGKILL : SIGTERM);
    }
    host_.request_stop(std::string("admin command kill") + (force ? " -f" : ""));
}

void MasterRole::handle_admin(const std::shared_ptr<FrameLink> &link, Peer &p, const rapidjson::Document &msg) {
    AdminCaller caller;
    caller.user = p.user;
    caller.level = p.level;
    caller.address = link->address();
    std::weak_ptr<FrameLink> weak = link;
    caller.answer = [weak](const std::string &result) {
        if (auto l = weak.lock()) l->send(R"({"t":"admin_result",)" + result.substr(1));
    };
    admin_command(caller, msg);
}

void MasterRole::admin_command(const AdminCaller &caller, const rapidjson::Value &msg) {
    std::string cmd = str(msg, "cmd"), type = str(msg, "type");
    bool force = msg.HasMember("force") && msg["force"].IsBool() && msg["force"].GetBool();
    std::vector<std::string> ids;
    if (msg.HasMember("ids") && msg["ids"].IsArray())
        for (const auto &v : msg["ids"].GetArray())
            if (v.IsString()) ids.emplace_back(v.GetString());
    std::string shown = cmd;
    if (force) shown += " -f";
    if (!type.empty()) shown += " -t " + type;
    for (const auto &id : ids) shown += " " + id;
    const rapidjson::Value *fields = msg.HasMember("server") ? &msg["server"] : nullptr;
    if (fenced())
        return admin_reply(caller, shown, false, "not the active master (master HA: its ZooKeeper session is not live)",
                           "refused (not the active master)");
    if (cmd == "add" && fields && fields->IsObject())
        for (const auto &m : fields->GetObject())
            shown += " " + std::string(m.name.GetString()) + "=" +
                     (m.value.IsString() ? m.value.GetString() : to_json(m.value));
    if (is_console_command(cmd)) return console_command(caller, msg);  // master_console.cpp
    if (cmd == "list")
        return admin_reply(caller, shown, true,
                           R"("master":)" + master_status_json() + R"(,"servers":)" + servers_status_json());
    if (caller.level > 1)
        return admin_reply(caller, shown, false, "command level not allowed for this user",
                           "refused (level " + std::to_string(caller.level) + ")");
    if (stopping_) return admin_reply(caller, shown, false, "the master is stopping");
    if (cmd == "stop" && !ids.empty()) {
        for (const auto &id : ids)
            if (!children_.count(id))
                return admin_reply(caller, shown, false, "unknown server id: " + id, "refused (unknown server id)");
        stop_servers(ids);
        admin_reply(caller, shown, true, {});
    } else if (cmd == "stop") {
        admin_reply(caller, shown, true, {});
        host_.request_stop("admin command stop");
    } else if (cmd == "kill") {
        admin_kill(caller, shown, force);
    } else if (cmd == "start") {
        admin_start(caller, shown, ids, type);
    } else if (cmd == "restart") {
        admin_restart(caller, shown, ids, type);
    } else if (cmd == "add") {
        if (!fields) return admin_reply(caller, shown, false, "add needs the server's fields");
        admin_add(caller, shown, *fields);
    } else {
        admin_reply(caller, shown, false, "unknown command " + cmd, "refused (unknown command)");
    }
}

void MasterRole::stop(Done done) {
    stopping_ = true;
    if (abandoned_ || (fence_ && !started_) || fenced()) {
        // HA: a master that lost the lead, a standby never elected, or a leader cut off from ZooKeeper
        // (another master may run these servers by now) leaves the servers alone.
        if (fenced() && !abandoned_)
            host_.warn("master HA: stopping while cut off from ZooKeeper: the servers are left running");
        done();
        return;
    }
    stop_admin_http();
    stop_done_ = std::make_unique<Done>(done);
    stop_deadline_ms_ = host_.now_ms() + static_cast<uint64_t>(options_.stop_timeout_ms);
    if (acceptor_)
        asio::post(io_, [this] {
            boost::system::error_code ignored;
            acceptor_->close(ignored);
        });
    stop_servers(order_);
    finish_stop_when_done();
}

void MasterRole::finish_stop_when_done() {
    if (!stop_done_) return;
    bool alive = false;
    for (auto &[id, c] : children_) {
        if (c.pid <= 0) continue;
        if (host_.now_ms() >= stop_deadline_ms_) {
            if (c.by_link) {
                host_.warn(id + " did not confirm its stop in time (it runs on " + c.host + ", no process of ours)");
                c.pid = -1;
                continue;
            }
            host_.warn(id + " did not stop in time: SIGKILL");
            signal_child(c, SIGKILL);
        }
        alive = true;
    }
    if (alive) return;  // supervise() calls again after the next reap
    host_.cancel(supervise_timer_);
    for (const auto &l : links_) l->close("master stopping");
    links_.clear();
    if (pomelo_admin_) pomelo_admin_->close_all("master stopping");
    link_ids_.clear();
    std::error_code ec;
    std::filesystem::remove(state_path(), ec);  // a clean stop leaves nothing to adopt
    auto done = std::move(stop_done_);
    (*done)();
}

}  // namespace shd::cluster
