// The `cluster` plugin: Pomelo's master + monitor. On the master it spawns and supervises the
// servers of servers.json and keeps the member list; on every other server it registers with the
// master. Both provide "shd.cluster/1" (membership, start barrier, the cluster secret).
//
// Load it on every server type ("serverTypes": "*"), master included. Its network I/O runs on one
// thread of its own; everything else on the logic thread.
#include "master_role.hpp"
#include "monitor_role.hpp"

#include <shaddock/cpp/options.hpp>

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
        shd::Options opts(host().options_json());
        opts.reject_unknown({"spawn", "stopTimeout", "restartDelay", "sshOptions", "sshPort", "sshUser", "sshIdentity",
                             "firstConnectTimeout"});
        if (host().server().master) {
            MasterOptions mo;
            mo.spawn = opts.get_bool("spawn", true);
            mo.stop_timeout_ms = static_cast<int>(opts.get_int("stopTimeout", 8000, 100, 600000));
            mo.restart_delay_ms = static_cast<int>(opts.get_int("restartDelay", 1000, 10, 600000));
            mo.ssh.options = opts.get_strings("sshOptions");
            mo.ssh.port = static_cast<int>(opts.get_int("sshPort", 0, 0, 65535));
            mo.ssh.user = opts.get_string("sshUser", "");
            mo.ssh.identity = opts.get_string("sshIdentity", "");
            // A relative key path is the app directory's, like every other path of the config.
            if (!mo.ssh.identity.empty() && mo.ssh.identity[0] != '/')
                mo.ssh.identity = host().server().app_dir + "/" + mo.ssh.identity;
            master_ = std::make_unique<MasterRole>(host(), members_, io_, mo);
            master_->configure();
        } else {
            MonitorOptions mo;
            mo.first_connect_timeout_ms = static_cast<int>(opts.get_int("firstConnectTimeout", 5000, 100, 600000));
            monitor_ = std::make_unique<MonitorRole>(host(), members_, io_, mo);
            monitor_->configure();
        }
        host().provide(SHD_CLUSTER_SERVICE_ID, members_.vtable(), &members_);
    }

    void start() override {
        thread_ = std::thread([this] { io_.run(); });
        if (master_) master_->start();
        else monitor_->start();
    }

    void stop(shd::Done done) override {
        auto finish = [this, done] {
            guard_.reset();
            io_.stop();
            join();
            done();
        };
        if (master_) master_->stop(shd::Done::from([finish](shd_status) { finish(); }));
        else monitor_->stop(shd::Done::from([finish](shd_status) { finish(); }));
    }

private:
    void join() {
        if (thread_.joinable()) thread_.join();
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
    std::thread thread_;
    Membership members_{host()};
    std::unique_ptr<MasterRole> master_;
    std::unique_ptr<MonitorRole> monitor_;
};

}  // namespace

SHADDOCK_PLUGIN(ClusterPlugin, "cluster", "0.1.0", SHD_CLUSTER_SERVICE_ID, "")
