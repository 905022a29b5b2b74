// The `cluster` plugin: Pomelo's master + monitor. On the master it spawns and supervises the
// servers of servers.json and keeps the member list; on every other server it registers with the
// master. Both provide "shd.cluster/1" (membership, start barrier, the cluster secret).
//
// Load it on every server type ("serverTypes": "*"), master included. Its network I/O runs on one
// thread of its own; everything else on the logic thread.
#include "admin_config.hpp"
#include "cluster_options.hpp"
#include "console_modules.hpp"
#include "master_role.hpp"
#include "monitor_role.hpp"

#include <shaddock/ext/masterha.h>
#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <thread>

namespace {

using namespace shd::cluster;
namespace asio = boost::asio;

class ClusterPlugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;
    ~ClusterPlugin() override { join(); }

    void configure() override {
        shd::Options opts(host().options_json(), cluster_option_table());
        check_production_credentials();
        FrameLimits limits;
        limits.max_frame_after_auth = static_cast<size_t>(opts.integer("maxFrame"));
        limits.max_queued_bytes = static_cast<size_t>(opts.integer("maxQueuedBytes"));
        limits.handshake_timeout_ms = static_cast<int>(opts.integer("handshakeTimeout"));
        if (host().server().master) {
            MasterOptions mo;
            mo.spawn = opts.boolean("spawn");
            mo.stop_timeout_ms = static_cast<int>(opts.integer("stopTimeout"));
            mo.restart_delay_ms = static_cast<int>(opts.integer("restartDelay"));
            mo.adopt_timeout_ms = static_cast<int>(opts.integer("adoptTimeout"));
            mo.max_unauthenticated = static_cast<int>(opts.integer("maxUnauthenticated"));
            mo.limits = limits;
            mo.admin_max_failures = static_cast<int>(opts.integer("adminMaxFailures"));
            mo.admin_fail_window_ms = static_cast<int>(opts.integer("adminFailWindow"));
            mo.admin_lockout_ms = static_cast<int>(opts.integer("adminLockout"));
            mo.admin_fail_delay_ms = static_cast<int>(opts.integer("adminFailDelay"));
            mo.admin_http = opts.boolean("adminHttp");
            mo.admin_http_host = opts.string("adminHttpHost");
            mo.admin_http_port = static_cast<int>(opts.integer("adminHttpPort"));
            mo.metrics_token = opts.string("metricsToken");
            mo.console_timeout_ms = static_cast<int>(opts.integer("consoleTimeout"));
            mo.pomelo_admin = opts.boolean("pomeloAdmin");
            mo.pomelo_admin_sniff_ms = static_cast<int>(opts.integer("pomeloAdminSniff"));
            mo.admin_session_ttl_s = static_cast<int>(opts.integer("adminSessionTtl"));
            mo.ssh.options = opts.strings("sshOptions");
            mo.ssh.port = static_cast<int>(opts.integer("sshPort"));
            mo.ssh.user = opts.string("sshUser");
            mo.ssh.identity = opts.string("sshIdentity");
            // A relative key path is the app directory's, like every other path of the config.
            if (!mo.ssh.identity.empty() && mo.ssh.identity[0] != '/')
                mo.ssh.identity = host().server().app_dir + "/" + mo.ssh.identity;
            master_ = std::make_unique<MasterRole>(host(), members_, io_, mo);
            master_->configure();
        } else {
            MonitorOptions mo;
            mo.first_connect_timeout_ms = static_cast<int>(opts.integer("firstConnectTimeout"));
            mo.stats_interval_ms = static_cast<uint64_t>(opts.integer("statsInterval"));
            mo.limits = limits;
            mo.limits.handshake_timeout_ms *= 2;  // the master's deadline closes first
            monitor_ = std::make_unique<MonitorRole>(host(), members_, io_, mo);
            monitor_->configure();
        }
        host().provide(SHD_CLUSTER_SERVICE_ID, members_.vtable(), &members_);
        // systemInfo, nodeInfo, monitorLog, watchServer and settings, in every process (master included).
        console_modules_.install();
    }

    void start() override {
        thread_ = std::thread([this] { io_.run(); });
        // Master HA (plugins/masterha): when its service is there, a master acts only once elected and
        // the other servers follow the master info of ZooKeeper.
        std::tie(ha_, ha_ctx_) = host().find<shd_masterha_service_v1>(SHD_MASTERHA_SERVICE_ID);
        if (master_ && ha_) {
            master_->enable_ha([this] { return ha_->fence(ha_ctx_) != 0; });
            shd_status s = ha_->contend(ha_ctx_, this, &ClusterPlugin::on_ha_event);
            if (s != SHD_OK) throw shd::Error(s, "master HA: cannot enter the election");
        } else if (master_) {
            master_->start();
        } else {
            monitor_->start();
            if (ha_) {
                shd_status s = ha_->watch(ha_ctx_, this, &ClusterPlugin::on_ha_event);
                if (s != SHD_OK) throw shd::Error(s, "master HA: cannot watch the master info");
            }
        }
    }

    void stop(shd::Done done) override {
        auto finish = [this, done] {
            guard_.reset();
            io_.stop();
            join();
            done();
        };
        if (master_)
            master_->stop(shd::Done::from([finish](shd_status) { finish(); }));
        else
            monitor_->stop(shd::Done::from([finish](shd_status) { finish(); }));
    }

private:
    // [logic] An event of shd.masterha/1.
    static void SHD_CALL on_ha_event(void *self_ptr, int32_t event, shd_str data) {
        auto *self = static_cast<ClusterPlugin *>(self_ptr);
        try {
            if (self->master_ && event == SHD_MASTERHA_ELECTED) {
                self->master_->elected(std::string(data.data ? data.data : "", data.size));
                if (self->master_->acting()) self->ha_->acting(self->ha_ctx_);
            } else if (self->master_ && event == SHD_MASTERHA_LOST) {
                self->master_->abandon();
            } else if (self->monitor_ && event == SHD_MASTERHA_MASTER) {
                rapidjson::Document d;
                d.Parse(data.data ? data.data : "", data.size);
                if (d.IsObject() && d.HasMember("host") && d["host"].IsString() && d.HasMember("port") &&
                    d["port"].IsInt())
                    self->monitor_->set_master(d["host"].GetString(), d["port"].GetInt(),
                                               d.HasMember("id") && d["id"].IsString() ? d["id"].GetString() : "");
            }
        } catch (const std::exception &e) {
            // elected() may fail to listen (the port taken): this process cannot lead; stop it, so its
            // session ends and the next standby takes the lock.
            self->host().error(std::string("master HA: ") + e.what());
            self->host().request_stop(std::string("master HA: ") + e.what());
        }
    }

    // In production the cluster (master and servers alike) refuses the shipped development credentials
    // and Pomelo's public default token, and needs adminServer.json (without it the master link is not
    // authenticated). The master warns in other environments (MasterRole::configure).
    void check_production_credentials() {
        if (host().server().env != "production") return;
        auto servers = host().read_config("adminServer.json");
        if (!servers)
            throw shd::Error(SHD_ERR_INVALID,
                             "config/adminServer.json is missing: in production every server type needs a "
                             "token of its own to authenticate to the master");
        auto found = development_credentials(servers, host().read_config("adminUser.json"));
        if (!found.empty())
            throw shd::Error(SHD_ERR_INVALID,
                             found.front() + ": refused in production; set a secret of your own" +
                                 (found.size() > 1 ? " (and " + std::to_string(found.size() - 1) + " more)" : ""));
    }

    void join() {
        if (thread_.joinable()) thread_.join();
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
    std::thread thread_;
    Membership members_{host()};
    std::unique_ptr<MasterRole> master_;
    std::unique_ptr<MonitorRole> monitor_;
    const shd_masterha_service_v1 *ha_ = nullptr;
    void *ha_ctx_ = nullptr;
    ConsoleModules console_modules_{host()};
};

}  // namespace

SHADDOCK_PLUGIN(ClusterPlugin, "cluster", "0.1.0", SHD_CLUSTER_SERVICE_ID, "")
