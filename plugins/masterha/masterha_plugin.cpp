// The `masterha` plugin: master high availability over ZooKeeper, with the znode layout of Pomelo's
// pomelo-masterha-plugin ("shd.masterha/1", sdk/include/shaddock/ext/masterha.h).
//
// Every master process (the one of master.json and the standbys of masterha.json) creates an
// ephemeral sequential node under <path><lockPath>/ and watches the next lower one; the process whose
// node is the lowest leads: it writes its master info {"id","host","port"} as the data of <path> and
// only then acts as the master (the cluster plugin starts its master role). Every other server watches
// the data of <path> and follows the master it names.
//
// ZooKeeper is reached with its C client (zookeeper_mt) from one worker thread of this plugin, with the
// synchronous calls; watches only wake the worker up. Results go to the logic thread (host().post).
//
// No split brain: a leader whose session expired (a partition, a SIGSTOP past the session timeout) is
// told LOST and the cluster plugin stops acting at once; until the worker has heard of the expiry,
// `fence` is already false once the session has not been heard from for two thirds of its timeout
// (the worker pings every third), so the master refuses registrations and admin commands meanwhile.
#include "masterha_options.hpp"

#include <shaddock/ext/masterha.h>
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/service.hpp>

#include <rapidjson/document.h>

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using shd::to_shd;
using shd::to_view;
using Clock = std::chrono::steady_clock;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

// A znode path option: absolute, no trailing slash, no empty or relative component.
std::string check_path(const std::string &value, const char *option) {
    bool ok = value.size() > 1 && value[0] == '/' && value.back() != '/' && value.find("//") == std::string::npos &&
              value.find("/./") == std::string::npos && value.find("/../") == std::string::npos &&
              value.size() < 512;
    for (char c : value)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ok = false;
    if (!ok)
        throw shd::Error(SHD_ERR_INVALID, std::string("option ") + option + ": expected a znode path like \"/pomelo/master\", got \"" +
                                              value + "\"");
    return value;
}

// The master info as written to the base path, checked: a JSON object with a non-empty string "host"
// and a port 1-65535 (a number or a numeric string, as Pomelo may write it). Empty when it is not.
std::string normalized_info(const std::string &data) {
    rapidjson::Document d;
    if (data.size() > 4096) return {};
    d.Parse(data.c_str(), data.size());
    if (d.HasParseError() || !d.IsObject()) return {};
    if (!d.HasMember("host") || !d["host"].IsString() || d["host"].GetStringLength() == 0 ||
        d["host"].GetStringLength() > 255)
        return {};
    int port = 0;
    if (d.HasMember("port") && d["port"].IsInt()) {
        port = d["port"].GetInt();
    } else if (d.HasMember("port") && d["port"].IsString()) {
        char *end = nullptr;
        long n = std::strtol(d["port"].GetString(), &end, 10);
        if (end != d["port"].GetString() && *end == '\0') port = n > 0 && n < 65536 ? static_cast<int>(n) : 0;
    }
    if (port <= 0 || port > 65535) return {};
    std::string id = d.HasMember("id") && d["id"].IsString() ? d["id"].GetString() : "";
    return R"({"id":)" + shd::json_quote(id) + R"(,"host":)" + shd::json_quote(d["host"].GetString()) +
           R"(,"port":)" + std::to_string(port) + "}";
}

const char *zk_error(int rc) { return zerror(rc); }

// The ELECTED event's data: `info` (this master's) with "previous", the master info found in the base
// path before, marked "stopped" when that master stopped the cluster cleanly; garbage there is left out.
std::string elected_info(const std::string &info, const std::string &previous) {
    std::string prev = normalized_info(previous);
    if (prev.empty()) return info;
    if (previous.find(R"("stopped":true)") != std::string::npos) prev.insert(prev.size() - 1, R"(,"stopped":true)");
    return info.substr(0, info.size() - 1) + R"(,"previous":)" + prev + "}";
}

class MasterHaPlugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;
    ~MasterHaPlugin() override { halt(); }

    void configure() override {
        shd::Options opts(host().options_json(), shd::masterha::masterha_option_table());
        server_ = opts.string("server");
        if (server_.empty() || server_.find_first_of(" \t\r\n") != std::string::npos)
            throw shd::Error(SHD_ERR_INVALID, "option server: expected ZooKeeper's \"host:port[,host:port...]\"");
        base_ = check_path(opts.string("path"), "path");
        lock_dir_ = base_ + check_path(opts.string("lockPath"), "lockPath");
        user_ = opts.string("username");
        password_ = opts.string("password");
        set_acl_ = opts.boolean("setACL");
        timeout_ms_ = static_cast<int>(opts.integer("timeout"));
        if (user_.empty() != password_.empty())
            throw shd::Error(SHD_ERR_INVALID, "options username and password: give both (ZooKeeper digest) or neither");
        if (user_.find(':') != std::string::npos)
            throw shd::Error(SHD_ERR_INVALID, "option username: a digest user name cannot contain ':'");
        shd::ServerInfo me = host().server();
        if (me.env == "production" && user_.empty())
            throw shd::Error(SHD_ERR_INVALID,
                             "options username and password: the masterha plugin refuses to start in production "
                             "without ZooKeeper digest credentials");
        is_primary_ = me.master && primary_id() == me.id;
        id_ = me.id;
        if (me.master && id_.find('/') != std::string::npos)
            throw shd::Error(SHD_ERR_INVALID, "master id \"" + id_ + "\": it names a lock node, so it cannot contain '/'");
        masters_ = configured_masters();
        session_ms_ = timeout_ms_;
        info_ = R"({"id":)" + shd::json_quote(me.id) + R"(,"host":)" +
                shd::json_quote(me.host.empty() ? "127.0.0.1" : me.host) + R"(,"port":)" + std::to_string(me.port) + "}";
        shd::stamp(vtable_);
        vtable_.contend = shd::guard<&MasterHaPlugin::contend>;
        vtable_.fence = shd::guard<&MasterHaPlugin::fence, 0>;
        vtable_.watch = shd::guard<&MasterHaPlugin::watch>;
        vtable_.acting = shd::guard<&MasterHaPlugin::acting>;
        host().provide(SHD_MASTERHA_SERVICE_ID, &vtable_, this);
    }

    void start() override {
        // The credential is never logged: only whether there is one.
        host().info("ZooKeeper " + server_ + ", base " + base_ + ", session timeout " + std::to_string(timeout_ms_) +
                    " ms, " + (user_.empty() ? std::string("no digest credentials") : "digest user " + user_));
    }

    void stop(shd::Done done) override {
        halt();
        done();
    }

private:
    enum class Role { none, master, server };

    // The addresses a master may have: master.json's and masterha.json's ("host:port"). A master info
    // naming any other is not followed: whoever may write the znode cannot send the servers elsewhere.
    std::vector<std::string> configured_masters() {
        std::vector<std::string> out;
        auto add = [&](const rapidjson::Value &e) {
            if (e.IsObject() && e.HasMember("host") && e["host"].IsString() && e.HasMember("port") && e["port"].IsInt())
                out.push_back(std::string(e["host"].GetString()) + ":" + std::to_string(e["port"].GetInt()));
        };
        rapidjson::Document d;
        std::string list = host().list_servers();
        d.Parse(list.c_str(), list.size());
        if (d.IsArray())
            for (const auto &e : d.GetArray())
                if (e.IsObject() && e.HasMember("serverType") && e["serverType"].IsString() &&
                    std::string(e["serverType"].GetString()) == "master")
                    add(e);
        if (auto text = host().read_config("masterha.json")) {
            rapidjson::Document m;
            m.Parse(text->data(), text->size());  // read_config has checked it is JSON
            if (m.IsArray())
                for (const auto &e : m.GetArray()) add(e);
        }
        return out;
    }

    // The master.json id: the primary master starts a stopped cluster again, standbys do not.
    std::string primary_id() {
        rapidjson::Document d;
        std::string list = host().list_servers();
        d.Parse(list.c_str(), list.size());
        if (d.IsArray())
            for (const auto &e : d.GetArray())
                if (e.IsObject() && e.HasMember("serverType") && e["serverType"].IsString() &&
                    std::string(e["serverType"].GetString()) == "master" && e.HasMember("id") && e["id"].IsString())
                    return e["id"].GetString();
        return {};
    }

    static shd_status contend(MasterHaPlugin *self, void *user, shd_masterha_event_fn fn) {
        return self->begin(Role::master, fn, user);
    }
    static int32_t fence(MasterHaPlugin *self) {
        return self->leader_.load() && !self->lost_.load() &&
                       now_ms() - self->last_ok_ms_.load() < static_cast<int64_t>(self->session_ms_.load()) * 2 / 3
                   ? 1
                   : 0;
    }
    static shd_status watch(MasterHaPlugin *self, void *user, shd_masterha_event_fn fn) {
        return self->begin(Role::server, fn, user);
    }

    static void acting(MasterHaPlugin *self) { self->acting_ = true; }

    shd_status begin(Role role, shd_masterha_event_fn fn, void *user) {
        if (role_ != Role::none || !fn) return SHD_ERR_INVALID;
        role_ = role;
        event_fn_ = fn;
        event_user_ = user;
        worker_ = std::thread([this] { run(); });
        return SHD_OK;
    }

    // Stops the worker; a leader still holding a live session first marks the master info "stopped",
    // so that a standby taking the lock after a clean stop of the cluster does not start it again.
    void halt() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (halting_) return;
            halting_ = true;
            wake_ = true;
        }
        cv_.notify_all();
        if (worker_.joinable()) worker_.join();
        if (zh_) {
            // Only while the lead is sure (recently confirmed), and only over this master's own info
            // (a versioned write): a master that lost the lead unnoticed must not mark the new one's.
            if (acting_ && fence(this) && zoo_state(zh_) == ZOO_CONNECTED_STATE) {
                std::vector<char> buf(4096);
                int len = static_cast<int>(buf.size());
                struct Stat stat;
                if (zoo_get(zh_, base_.c_str(), 0, buf.data(), &len, &stat) == ZOK && len > 0 &&
                    std::string(buf.data(), static_cast<size_t>(len)) == info_) {
                    std::string stopped = info_.substr(0, info_.size() - 1) + R"(,"stopped":true})";
                    zoo_set(zh_, base_.c_str(), stopped.data(), static_cast<int>(stopped.size()), stat.version);
                }
            }
            close_session();  // our ephemeral node goes at once: a standby takes the lock
        }
    }

    // Closes the ZooKeeper handle. Once a session is expired (or its credentials refused), the client's
    // I/O thread sets that state and only then queues the session event for its completion thread; a
    // close in between ends the completion thread first and the event is never freed (LeakSanitizer
    // reported it once, after a SIGSTOP of the leading master). So a handle in such a state is closed
    // only after that event reached on_watch (the I/O thread has nothing more to do then), or after 2 s.
    void close_session() {
        const int state = zoo_state(zh_);
        if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait_for(lock, std::chrono::seconds(2), [this, state] { return session_event_ == state; });
        }
        zookeeper_close(zh_);
        zh_ = nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        session_event_ = 0;
    }

    // [ZooKeeper's completion thread] Every watch and session event only wakes the worker up.
    static void on_watch(zhandle_t *, int type, int state, const char *, void *ctx) {
        auto *self = static_cast<MasterHaPlugin *>(ctx);
        {
            std::lock_guard<std::mutex> lock(self->mutex_);
            self->wake_ = true;
            if (type == ZOO_SESSION_EVENT) self->session_event_ = state;
        }
        self->cv_.notify_all();
    }
    static void on_auth(int, const void *) {}

    void emit(int32_t event, std::string data) {
        host().post([this, event, data = std::move(data)] {
            if (event_fn_) event_fn_(event_user_, event, to_shd(data));
        });
    }
    void fatal(const std::string &message) {
        fatal_ = true;
        host().post([this, message] {
            host().error(message);
            host().request_stop("masterha: " + message);
        });
    }

    // Waits for a watch, a halt, or `ms`.
    void sleep_for(int ms) {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return wake_ || halting_; });
        wake_ = false;
    }
    bool halting() {
        std::lock_guard<std::mutex> lock(mutex_);
        return halting_;
    }

    const ACL_vector *acl() const {
        return !user_.empty() && set_acl_ ? &ZOO_CREATOR_ALL_ACL : &ZOO_OPEN_ACL_UNSAFE;
    }

    // A ZooKeeper answer that is not the one hoped for: authorization is fatal (with a clear error),
    // anything else is retried.
    bool refused(int rc, const std::string &what) {
        if (rc == ZNOAUTH || rc == ZAUTHFAILED) {
            fatal("ZooKeeper refused " + what + " (" + zk_error(rc) +
                  "): the znodes belong to other digest credentials; check options username and password");
            return true;
        }
        return false;
    }

    // Creates every component of `path` that is missing. False on an error (logged once per kind).
    bool ensure(const std::string &path) {
        for (size_t at = 1;; ++at) {
            at = path.find('/', at);
            std::string prefix = at == std::string::npos ? path : path.substr(0, at);
            int rc = zoo_create(zh_, prefix.c_str(), nullptr, -1, acl(), 0, nullptr, 0);
            if (rc != ZOK && rc != ZNODEEXISTS) {
                if (!refused(rc, "creating " + prefix)) note("creating " + prefix + ": " + zk_error(rc));
                return false;
            }
            if (at == std::string::npos) return true;
        }
    }

    void note(const std::string &line) {
        if (line == last_note_) return;  // the same trouble again: logged once
        last_note_ = line;
        host().post([this, line] { host().warn("ZooKeeper: " + line + "; retrying"); });
    }

    void open() {
        zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
        zh_ = zookeeper_init(server_.c_str(), &MasterHaPlugin::on_watch, timeout_ms_, nullptr, this, 0);
        if (!zh_) {
            note("cannot create a ZooKeeper handle for " + server_);
            return;
        }
        if (!user_.empty()) {
            std::string cert = user_ + ":" + password_;
            zoo_add_auth(zh_, "digest", cert.data(), static_cast<int>(cert.size()), &MasterHaPlugin::on_auth, nullptr);
        }
    }

    void run() {
        while (!halting() && !fatal_) {
            if (!zh_) open();
            if (!zh_) {
                sleep_for(1000);
                continue;
            }
            int state = zoo_state(zh_);
            if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
                if (state == ZOO_AUTH_FAILED_STATE) {
                    fatal("ZooKeeper refused the digest credentials (options username and password)");
                    return;
                }
                close_session();
                my_node_.clear();
                if (leader_) {
                    lost_ = true;
                    leader_ = false;
                    emit(SHD_MASTERHA_LOST, "{}");
                    return;  // this process stops acting; a standby holds the lock by now
                }
                note("session expired; opening a new one");
                continue;
            }
            if (state != ZOO_CONNECTED_STATE) {
                sleep_for(100);
                continue;
            }
            // ZooKeeper may grant another session timeout than asked (its tickTime bounds): the fence
            // and the pings follow the one granted.
            const int granted = zoo_recv_timeout(zh_);
            if (granted > 0 && granted != session_ms_.load()) {
                session_ms_ = granted;
                if (granted != timeout_ms_)
                    host().post([this, granted] {
                        host().warn("ZooKeeper granted a session timeout of " + std::to_string(granted) +
                                    " ms (option timeout asks " + std::to_string(timeout_ms_) + " ms)");
                    });
            }
            int wait_ms = role_ == Role::master ? elect() : follow();
            if (wait_ms < 0) return;  // the lead is lost: this process stops
            if (wait_ms > 0) sleep_for(wait_ms);
        }
    }

    // One step of the election; how long to wait for the next.
    int elect() {
        int ping_ms = std::max(100, session_ms_.load() / 3);
        if (leader_) {
            // The lead is kept while the session lives; each answer proves it lived when it was asked
            // (a process paused with the question in flight must not count the late answer as now).
            struct Stat stat;
            const int64_t asked = now_ms();
            int rc = zoo_exists(zh_, my_node_.c_str(), 0, &stat);
            if (rc == ZOK) {
                last_ok_ms_ = asked;
            } else if (rc == ZNONODE) {
                // Someone deleted the lock node: the next in line leads now. Stop acting at once.
                host().post([this, node = my_node_] { host().error("master HA: the lock node " + node + " is gone"); });
                leader_ = false;
                lost_ = true;
                emit(SHD_MASTERHA_LOST, "{}");
                return -1;
            }
            return ping_ms;
        }
        if (!ensure(lock_dir_)) return 500;
        if (my_node_.empty()) {
            std::vector<char> created(lock_dir_.size() + id_.size() + 64);
            // Pomelo's name and data: "<server id>-<sequence>" holding the server id.
            std::string prefix = lock_dir_ + "/" + id_ + "-";
            int rc = zoo_create(zh_, prefix.c_str(), id_.data(), static_cast<int>(id_.size()), acl(),
                                ZOO_EPHEMERAL_SEQUENTIAL, created.data(), static_cast<int>(created.size()));
            if (rc != ZOK) {
                if (!refused(rc, "creating a lock node under " + lock_dir_))
                    note("creating a lock node: " + std::string(zk_error(rc)));
                return 500;
            }
            my_node_ = created.data();
            host().post([this, node = my_node_] { host().info("in the election as " + node); });
        }
        String_vector children{0, nullptr};
        int rc = zoo_get_children(zh_, lock_dir_.c_str(), 0, &children);
        if (rc != ZOK) {
            if (!refused(rc, "listing " + lock_dir_)) note("listing " + lock_dir_ + ": " + zk_error(rc));
            return 500;
        }
        std::vector<std::string> nodes;
        for (int i = 0; i < children.count; ++i) nodes.emplace_back(children.data[i]);
        deallocate_String_vector(&children);
        // Sequence numbers are the last 10 digits (ZooKeeper's), whatever the name before them.
        auto seq = [](const std::string &n) { return n.size() >= 10 ? n.substr(n.size() - 10) : n; };
        std::sort(nodes.begin(), nodes.end(), [&](const std::string &a, const std::string &b) { return seq(a) < seq(b); });
        std::string mine = my_node_.substr(lock_dir_.size() + 1);
        auto it = std::find(nodes.begin(), nodes.end(), mine);
        if (it == nodes.end()) {
            my_node_.clear();  // gone (an old session's): enter again
            return 1;
        }
        if (it == nodes.begin()) {
            // The lowest: lead. A cluster stopped cleanly is not started again by a standby.
            std::vector<char> buf(4096);
            int len = static_cast<int>(buf.size());
            struct Stat stat;
            rc = zoo_get(zh_, base_.c_str(), 0, buf.data(), &len, &stat);
            std::string previous = rc == ZOK && len > 0 ? std::string(buf.data(), len) : std::string();
            if (previous.find(R"("stopped":true)") != std::string::npos && !is_primary_) {
                fatal("the cluster was stopped (the last master marked " + base_ +
                      " \"stopped\"): this standby does not start it again; start the cluster first");
                return 0;
            }
            rc = zoo_set(zh_, base_.c_str(), info_.data(), static_cast<int>(info_.size()), -1);
            if (rc != ZOK) {
                if (!refused(rc, "writing the master info to " + base_))
                    note("writing the master info: " + std::string(zk_error(rc)));
                return 500;
            }
            last_ok_ms_ = now_ms();
            leader_ = true;
            emit(SHD_MASTERHA_ELECTED, elected_info(info_, previous));
            return ping_ms;
        }
        // Watch the next lower node; its deletion wakes us up.
        std::string previous = lock_dir_ + "/" + *(it - 1);
        struct Stat stat;
        rc = zoo_wexists(zh_, previous.c_str(), &MasterHaPlugin::on_watch, this, &stat);
        if (rc == ZNONODE) return 1;
        if (rc != ZOK) note("watching " + previous + ": " + zk_error(rc));
        if (previous != watched_) {
            watched_ = previous;
            host().post([this, previous] { host().info("standby: waiting for " + previous + " to go"); });
        }
        return rc == ZOK ? ping_ms : 500;
    }

    // A server: read the master info with a watch; the next change wakes us up.
    int follow() {
        std::vector<char> buf(4096);
        int len = static_cast<int>(buf.size());
        struct Stat stat;
        int rc = zoo_wget(zh_, base_.c_str(), &MasterHaPlugin::on_watch, this, buf.data(), &len, &stat);
        if (rc == ZNONODE) {
            rc = zoo_wexists(zh_, base_.c_str(), &MasterHaPlugin::on_watch, this, &stat);
            if (rc == ZNONODE) return 60000;  // its creation wakes us up
            if (rc == ZOK) return 1;          // created meanwhile: read it
        }
        if (rc != ZOK) {
            if (!refused(rc, "reading " + base_)) note("reading " + base_ + ": " + zk_error(rc));
            return 500;
        }
        std::string data = len > 0 ? std::string(buf.data(), static_cast<size_t>(len)) : std::string();
        std::string info = normalized_info(data);
        if (info.empty()) {
            if (data != last_garbage_) {
                last_garbage_ = data;
                host().post([this, size = data.size()] {
                    host().warn("ZooKeeper: the master info at " + base_ + " (" + std::to_string(size) +
                                " bytes) is not {\"id\",\"host\",\"port\"}: ignored");
                });
            }
            return 60000;
        }
        rapidjson::Document parsed;
        parsed.Parse(info.c_str(), info.size());  // normalized_info wrote it
        const std::string where = std::string(parsed["host"].GetString()) + ":" + std::to_string(parsed["port"].GetInt());
        if (std::find(masters_.begin(), masters_.end(), where) == masters_.end()) {
            if (data != last_garbage_) {
                last_garbage_ = data;
                host().post([this, where] {
                    host().warn("ZooKeeper: the master info at " + base_ + " names " + where +
                                ", not a master of config/master.json or config/masterha.json: ignored");
                });
            }
            return 60000;
        }
        last_garbage_.clear();
        last_note_.clear();
        emit(SHD_MASTERHA_MASTER, info);
        return 60000;  // a watch (or a session event) wakes us up earlier
    }

    std::string server_, base_, lock_dir_, user_, password_, info_, id_;
    bool set_acl_ = true;
    bool is_primary_ = false;  // the master of master.json (not a standby of masterha.json)
    int timeout_ms_ = 5000;
    std::atomic<int> session_ms_{5000};  // the session timeout ZooKeeper granted
    std::vector<std::string> masters_;    // "host:port" of master.json and masterha.json
    shd_masterha_service_v1 vtable_{};
    Role role_ = Role::none;
    shd_masterha_event_fn event_fn_ = nullptr;
    void *event_user_ = nullptr;

    std::thread worker_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool wake_ = false, halting_ = false;  // under mutex_
    int session_event_ = 0;                // under mutex_: the state of the last session event
    // [worker] below, unless atomic
    zhandle_t *zh_ = nullptr;
    std::string my_node_, watched_, last_note_, last_garbage_;
    std::atomic<bool> leader_{false}, lost_{false}, fatal_{false};
    bool acting_ = false;  // [logic] the cluster acts as the master (see halt)
    std::atomic<int64_t> last_ok_ms_{0};
};

}  // namespace

SHADDOCK_PLUGIN(MasterHaPlugin, "masterha", "0.1.0", SHD_MASTERHA_SERVICE_ID, "")
