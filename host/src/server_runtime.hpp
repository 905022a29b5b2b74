// One server process: loads the plugins and the app chosen by plugins.json for this server, runs
// their lifecycle on the logic loop (configure -> start -> running -> stop -> destroy) and stops on
// SIGINT/SIGTERM or request_stop within a deadline.
#pragma once

#include "admin_registry.hpp"
#include "library_inspector.hpp"
#include "log.hpp"
#include "logic_loop.hpp"
#include "metrics_registry.hpp"
#include "plugins_config.hpp"
#include "server_directory.hpp"
#include "settings_store.hpp"

#include <shaddock/abi.h>

#include <boost/dll/shared_library.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace shd::host {

struct RuntimeOptions {
    std::string app_dir;       // absolute
    std::string env = "development";
    std::string server_id;     // empty: the master from master.json, or the only server
    std::string server_entry;  // this server's entry as JSON, for a server not in servers.json (`shaddock add`)
    std::string plugins_dir;   // where <name>.so plugins are found
    std::string apps_dir;      // where <name>.so apps are found
    std::string log_dir;       // empty: <app_dir>/logs
    int stop_timeout_ms = 10000;
    bool handle_signals = true;
};

// Exit codes of run().
constexpr int kExitOk = 0;
constexpr int kExitStartupFailed = 1;
constexpr int kExitConfigError = 2;

class ServerRuntime;

}  // namespace shd::host

// The host side of the opaque shd_host_ctx: one per loaded module.
struct shd_host_ctx {
    shd::host::ServerRuntime *runtime = nullptr;
    std::string name;  // configured module name
    std::string file;  // library path, for messages
    bool is_app = false;
    std::vector<std::string> provides;
    std::string options_json;
    shd_host_api api{};
    std::mutex error_mutex;
    std::string reported_error;
};

namespace shd::host {

class ServerRuntime {
public:
    ServerRuntime(RuntimeOptions options, Logger &log);
    ~ServerRuntime();
    ServerRuntime(const ServerRuntime &) = delete;
    ServerRuntime &operator=(const ServerRuntime &) = delete;

    // Resolves, inspects, loads and runs until stopped. Returns an exit code (kExit*).
    int run();

    // [any] Begins the stop sequence (idempotent).
    void request_stop(const std::string &reason);

    // Used by the host API trampolines.
    Logger &logger() { return log_; }
    LogicLoop &loop() { return loop_; }
    const shd_server_info *server_info() const { return &server_info_; }
    const RuntimeOptions &options() const { return options_; }
    const std::string &servers_json() const { return servers_json_; }
    shd_status register_service(shd_host_ctx *ctx, const std::string &id, const void *vtable, void *service_ctx);
    shd_status lookup_service(const std::string &id, const void **vtable, void **service_ctx) const;

private:
    struct Module {
        std::unique_ptr<shd_host_ctx> ctx;
        LibraryFacts facts;
        boost::dll::shared_library library;  // kept loaded until process exit
        shd_plugin plugin{};
        shd_app app{};
        bool entered = false;     // entry returned OK: on_destroy is owed
        bool configured = false;
        bool started = false;     // on_start returned OK: on_stop is owed
    };
    struct Service {
        const void *vtable;
        void *ctx;
        std::string provider;
    };

    void resolve_identity();
    void install_settings(const ServerDirectory &dir);
    std::string components_json() const;  // the "components" admin module
    void select_and_inspect();
    void load_modules();
    bool enter(Module &m);
    void startup();
    void stop_next(size_t remaining);
    void finish_stop();
    void destroy_all();
    std::string take_error(Module &m);
    std::string describe(const Module &m) const;
    void set_stopping(std::string who);  // for the stop watchdog's message
    std::string resolve_path(const ModuleConfig &cfg, bool is_app) const;
    void install_signals();
    void start_watchdog();

    RuntimeOptions options_;
    Logger &log_;
    LogicLoop loop_;

    ServerEntry self_;
    std::string servers_json_;  // every configured server (list_servers)
    shd_server_info server_info_{};

    PluginsConfig plugins_config_;
    std::vector<std::unique_ptr<Module>> modules_;  // plugins in load order, then the app (if any)
    bool has_app_ = false;
    std::map<std::string, Service> services_;
    SettingsStore settings_{log_};  // "shd.settings/1", built in
    MetricsRegistry metrics_{log_};  // "shd.metrics/1", built in
    AdminRegistry admin_{log_};      // "shd.admin/1", built in
    std::vector<std::string> errors_;

    std::atomic<bool> stopping_{false};
    bool signalled_ = false;  // a SIGINT/SIGTERM has arrived [logic thread]
    bool startup_failed_ = false;
    std::string stop_reason_;
    // Shared with the stop watchdog thread, which may outlive this object.
    std::shared_ptr<std::atomic<bool>> stop_finished_ = std::make_shared<std::atomic<bool>>(false);
    struct StopProgress {
        std::mutex mu;
        std::string stopping;  // the module whose on_stop has not called done yet ("" between modules)
    };
    std::shared_ptr<StopProgress> stop_progress_ = std::make_shared<StopProgress>();
};

}  // namespace shd::host
