#include "server_runtime.hpp"

#include "config_files.hpp"
#include "env_refs.hpp"
#include "host_api.hpp"
#include "load_order.hpp"

#include <shaddock/cpp/json.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/dll/shared_library_load_mode.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <thread>
#include <unistd.h>

namespace shd::host {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// Thrown during startup to abort it with an exit code; never crosses a plugin boundary.
struct StartupError {
    int code;
    std::string message;
};

std::string join(const std::vector<std::string> &items, const char *sep = ", ") {
    std::string out;
    for (const auto &i : items) out += (out.empty() ? "" : sep) + i;
    return out;
}

std::vector<std::string> list_libraries(const std::string &dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".so") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

shd_str view(const std::string &s) { return shd_str{s.data(), s.size()}; }

// Services the host itself provides: a module may require them without any plugin providing them.
bool is_builtin_service(const std::string &id) {
    return id == SHD_SETTINGS_SERVICE_ID || id == SHD_METRICS_SERVICE_ID || id == SHD_ADMIN_SERVICE_ID;
}

std::vector<std::string> without_builtins(std::vector<std::string> ids) {
    ids.erase(std::remove_if(ids.begin(), ids.end(), is_builtin_service), ids.end());
    return ids;
}

}  // namespace

ServerRuntime::ServerRuntime(RuntimeOptions options, Logger &log) : options_(std::move(options)), log_(log) {}

ServerRuntime::~ServerRuntime() = default;

void ServerRuntime::resolve_identity() {
    ServerDirectory dir = load_server_directory(options_.app_dir, options_.env);
    const ServerEntry *found = nullptr;
    ServerEntry given;
    if (!options_.server_entry.empty()) {
        // A server added at run time (`shaddock add`): its entry comes from the master, not servers.json.
        given = parse_server_entry(options_.server_entry, "--server-entry");
        if (!options_.server_id.empty() && options_.server_id != given.id)
            throw StartupError{kExitConfigError, "--server-entry names server \"" + given.id + "\", not --server-id " +
                                                     options_.server_id};
        if (dir.find(given.id))
            throw StartupError{kExitConfigError, "--server-entry: server id \"" + given.id +
                                                     "\" is already in config/master.json or config/servers.json"};
        found = &given;
    } else if (!options_.server_id.empty()) {
        found = dir.find(options_.server_id);
        if (!found) {
            std::vector<std::string> ids;
            if (dir.master) ids.push_back(dir.master->id);
            for (const auto &s : dir.servers) ids.push_back(s.id);
            throw StartupError{kExitConfigError, "--server-id " + options_.server_id + ": no such server in config/master.json or config/servers.json" +
                                                     (ids.empty() ? std::string(" (neither file exists)") : " (known: " + join(ids) + ")")};
        }
    } else if (dir.master) {
        found = &*dir.master;
    } else if (dir.servers.size() == 1) {
        found = &dir.servers.front();
    } else {
        throw StartupError{kExitConfigError, dir.servers.empty()
                                                 ? "no server to run: " + options_.app_dir + "/config has no master.json and no servers.json"
                                                 : "no --server-id given and config/servers.json lists " + std::to_string(dir.servers.size()) +
                                                       " servers without a master.json; pass --server-id"};
    }
    self_ = *found;
    servers_json_ = "[";
    if (dir.master) servers_json_ += dir.master->json;
    for (const auto &s : dir.servers) servers_json_ += (servers_json_.size() > 1 ? "," : "") + s.json;
    if (found == &given) servers_json_ += (servers_json_.size() > 1 ? "," : "") + given.json;
    servers_json_ += "]";
    server_info_.struct_size = sizeof(shd_server_info);
    server_info_.abi_major = SHD_ABI_MAJOR;
    server_info_.abi_minor = SHD_ABI_MINOR;
    server_info_.id = view(self_.id);
    server_info_.type = view(self_.type);
    server_info_.env = view(options_.env);
    server_info_.app_dir = view(options_.app_dir);
    server_info_.host = view(self_.host);
    server_info_.port = self_.port;
    server_info_.client_port = self_.client_port;
    server_info_.frontend = self_.frontend ? 1 : 0;
    server_info_.is_master = self_.is_master ? 1 : 0;
    server_info_.server_json = view(self_.json);
    install_settings(dir);
}

// Pomelo's default settings, then the service every module can find from its entry call on.
void ServerRuntime::install_settings(const ServerDirectory &dir) {
    auto quote = [](const std::string &s) {
        rapidjson::Value v(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
        return to_json(v);
    };
    settings_.set("env", quote(options_.env));
    settings_.set("base", quote(options_.app_dir));
    settings_.set("serverId", quote(self_.id));
    settings_.set("serverType", quote(self_.type));
    settings_.set("curServer", self_.json);
    if (dir.master) settings_.set("master", dir.master->json);
    settings_.set("stopTimeout", std::to_string(options_.stop_timeout_ms));
    services_[SHD_SETTINGS_SERVICE_ID] = Service{settings_.vtable(), &settings_, "host"};
    services_[SHD_METRICS_SERVICE_ID] = Service{metrics_.vtable(), &metrics_, "host"};
    services_[SHD_ADMIN_SERVICE_ID] = Service{admin_.vtable(), &admin_, "host"};
    // Pomelo's watchServer "components": the plugins and app of this process, in start order.
    admin_.add_builtin("components", "the plugins and the app of this server, in start order",
                       [this](const std::string &) { return components_json(); });
}

std::string ServerRuntime::components_json() const {
    std::string out = "[";
    for (const auto &m : modules_) {
        if (out.size() > 1) out += ",";
        std::string provides = "[";
        for (const auto &id : m->facts.provides) provides += (provides.size() > 1 ? "," : "") + shd::json_quote(id);
        out += R"({"name":)" + shd::json_quote(m->ctx->name) + R"(,"kind":")" + (m->ctx->is_app ? "app" : "plugin") +
               R"(","version":)" + shd::json_quote(m->facts.version) + R"(,"file":)" + shd::json_quote(m->ctx->file) +
               R"(,"provides":)" + provides + R"(],"started":)" + (m->started ? "true" : "false") + "}";
    }
    return out + "]";
}

std::string ServerRuntime::resolve_path(const ModuleConfig &cfg, bool is_app) const {
    if (!cfg.path.empty()) return cfg.path[0] == '/' ? cfg.path : options_.app_dir + "/" + cfg.path;
    return (is_app ? options_.apps_dir : options_.plugins_dir) + "/" + cfg.name + ".so";
}

std::string ServerRuntime::describe(const Module &m) const {
    return std::string(m.ctx->is_app ? "app" : "plugin") + " \"" + m.ctx->name + "\" (" + m.ctx->file + ")";
}

void ServerRuntime::select_and_inspect() {
    plugins_config_ = load_plugins_config(options_.app_dir, options_.env);
    const std::string &type = self_.type;
    std::vector<std::unique_ptr<Module>> chosen;
    std::vector<std::string> problems;

    auto add = [&](const ModuleConfig &cfg, bool is_app) {
        std::string path = resolve_path(cfg, is_app);
        auto m = std::make_unique<Module>();
        m->ctx = std::make_unique<shd_host_ctx>();
        m->ctx->runtime = this;
        m->ctx->name = cfg.name;
        m->ctx->file = path;
        m->ctx->is_app = is_app;
        try {
            m->ctx->options_json = expand_env_refs(cfg.options_json, cfg.where + ".options");
        } catch (const ConfigError &e) {
            problems.push_back(e.what());
            return;
        }
        if (cfg.path.empty() && !fs::exists(path)) {
            auto avail = list_libraries(is_app ? options_.apps_dir : options_.plugins_dir);
            std::string msg = cfg.where + ".name: no " + (is_app ? "app" : "plugin") + " \"" + cfg.name + "\" in " +
                              (is_app ? options_.apps_dir : options_.plugins_dir) + " (available: " +
                              (avail.empty() ? std::string("none") : join(avail)) + ")";
            if (cfg.optional) log_.warn(msg + "; it is optional, so the server starts without it");
            else problems.push_back(msg);
            return;
        }
        m->facts = inspect_library(path);
        log_.debug("inspected " + path + ": read " + std::to_string(m->facts.bytes_read) + " bytes in " +
                   std::to_string(m->facts.read_calls) + " calls");
        if (m->facts.ok && (m->facts.kind == SHD_KIND_APP) != is_app) {
            m->facts.ok = false;
            m->facts.error = is_app ? "is a plugin, not an app (list it under \"plugins\")"
                                    : "is an app, not a plugin (name it under \"app\")";
        }
        if (!m->facts.ok) {
            std::string msg = cfg.where + ": " + path + " " + m->facts.error;
            if (cfg.optional) log_.warn(msg + "; it is optional, so the server starts without it");
            else problems.push_back(msg);
            return;
        }
        if (!m->facts.unexpected_exports.empty())
            log_.warn(path + " exports symbols besides its entry (" + join(m->facts.unexpected_exports) +
                      "); build it with shaddock_add_plugin() to hide them");
        m->ctx->provides = m->facts.provides;
        chosen.push_back(std::move(m));
    };

    std::map<std::string, std::string> seen;
    for (const auto &cfg : plugins_config_.plugins) {
        if (!cfg.applies_to(type, options_.env)) continue;
        auto [it, fresh] = seen.emplace(cfg.name + "|" + cfg.path, cfg.where);
        if (!fresh) {
            problems.push_back(cfg.where + ".name: plugin \"" + cfg.name + "\" is enabled twice for server type \"" + type +
                               "\" (also " + it->second + ")");
            continue;
        }
        add(cfg, false);
    }
    if (plugins_config_.has_app && plugins_config_.app.applies_to(type, options_.env)) add(plugins_config_.app, true);
    if (!problems.empty()) throw StartupError{kExitConfigError, join(problems, "\n  ")};

    // Order plugins by their services; the app comes last and its requirements must be provided.
    std::vector<OrderItem> items;
    std::vector<std::unique_ptr<Module>> plugins;
    std::unique_ptr<Module> app;
    for (auto &m : chosen) {
        if (m->ctx->is_app) {
            app = std::move(m);
        } else {
            items.push_back({m->ctx->name, m->facts.provides, without_builtins(m->facts.required)});
            plugins.push_back(std::move(m));
        }
    }
    OrderResult order = app ? order_by_services(items, "app " + app->ctx->name, without_builtins(app->facts.required))
                            : order_by_services(items);
    if (!order.ok) throw StartupError{kExitConfigError, plugins_config_.shown_name + ": " + order.error};
    for (size_t i : order.order) modules_.push_back(std::move(plugins[i]));
    if (app) {
        modules_.push_back(std::move(app));
        has_app_ = true;
    }
}

std::string ServerRuntime::take_error(Module &m) {
    std::lock_guard<std::mutex> lock(m.ctx->error_mutex);
    std::string e = std::move(m.ctx->reported_error);
    m.ctx->reported_error.clear();
    return e.empty() ? std::string("no reason given") : e;
}

bool ServerRuntime::enter(Module &m) {
    const std::string who = describe(m);
    try {
        m.library = boost::dll::shared_library(m.ctx->file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
        // Never unmapped, even when `library` is destroyed at exit: threads or objects a module left
        // behind keep valid code, and LeakSanitizer (which checks after exit) can name its frames.
        ::dlopen(m.ctx->file.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD | RTLD_NODELETE);
    } catch (const std::exception &e) {
        errors_.push_back(who + " cannot be loaded: " + e.what());
        return false;
    }
    fill_host_api(*m.ctx);
    shd_status status = SHD_ERR_INTERNAL;
    try {
        if (m.ctx->is_app) {
            auto entry = m.library.get<shd_status SHD_CALL(const shd_host_api *, shd_app *)>(SHD_APP_ENTRY_SYMBOL);
            m.app.struct_size = sizeof(shd_app);
            status = entry(&m.ctx->api, &m.app);
        } else {
            auto entry = m.library.get<shd_status SHD_CALL(const shd_host_api *, shd_plugin *)>(SHD_PLUGIN_ENTRY_SYMBOL);
            m.plugin.struct_size = sizeof(shd_plugin);
            status = entry(&m.ctx->api, &m.plugin);
        }
    } catch (const std::exception &e) {
        errors_.push_back(who + ": entry threw: " + e.what());
        return false;
    } catch (...) {
        errors_.push_back(who + ": entry threw an exception");
        return false;
    }
    if (status != SHD_OK) {
        errors_.push_back(who + ": entry returned status " + std::to_string(status) + ": " + take_error(m));
        return false;
    }
    // The instance now exists; whatever is wrong below, on_destroy is owed.
    uint32_t size = m.ctx->is_app ? m.app.struct_size : m.plugin.struct_size;
    size_t min_size = m.ctx->is_app ? SHD_APP_V1_0_SIZE : SHD_PLUGIN_V1_0_SIZE;
    uint16_t major = m.ctx->is_app ? m.app.abi_major : m.plugin.abi_major;
    void (*destroy)(void *) = m.ctx->is_app ? m.app.on_destroy : m.plugin.on_destroy;
    if (size < min_size || !destroy) {
        errors_.push_back(who + ": entry filled " + std::to_string(size) + " bytes of its descriptor; ABI 1.0 needs at least " +
                          std::to_string(min_size) + " (a corrupt or truncated descriptor)");
        return false;  // without a trustworthy on_destroy the instance is leaked, never called
    }
    m.entered = true;
    if (major != SHD_ABI_MAJOR) {
        errors_.push_back(who + ": descriptor says ABI " + std::to_string(major) + ", the entry symbol says 1");
        return false;
    }
    bool missing = m.ctx->is_app ? !(m.app.on_configure && m.app.on_start && m.app.on_stop)
                                 : !(m.plugin.on_configure && m.plugin.on_start && m.plugin.on_stop);
    if (missing) {
        errors_.push_back(who + ": descriptor lacks a lifecycle function (on_configure, on_start and on_stop are required)");
        return false;
    }
    const char *name = m.ctx->is_app ? m.app.name : m.plugin.name;
    if (!name || m.facts.name != name)
        log_.warn(who + ": descriptor name \"" + (name ? name : "") + "\" differs from its manifest \"" + m.facts.name + "\"");
    log_.info("loaded " + who + " " + m.facts.version + " (ABI " + std::to_string(m.facts.abi_major) + "." +
              std::to_string(m.facts.abi_minor) + ")");
    return true;
}

void ServerRuntime::load_modules() {
    for (auto &m : modules_) {
        if (!enter(*m)) {
            startup_failed_ = true;
            return;
        }
    }
}

shd_status ServerRuntime::register_service(shd_host_ctx *ctx, const std::string &id, const void *vtable, void *service_ctx) {
    if (std::find(ctx->provides.begin(), ctx->provides.end(), id) == ctx->provides.end()) {
        log_.error(ctx->name + " tried to register service " + id + ", which its manifest does not list in provides");
        return SHD_ERR_INVALID;
    }
    if (services_.count(id)) return SHD_ERR_EXISTS;
    services_.emplace(id, Service{vtable, service_ctx, ctx->name});
    log_.debug("service " + id + " registered by " + ctx->name);
    return SHD_OK;
}

shd_status ServerRuntime::lookup_service(const std::string &id, const void **vtable, void **service_ctx) const {
    auto it = services_.find(id);
    if (it == services_.end()) return SHD_ERR_NOT_FOUND;
    *vtable = it->second.vtable;
    *service_ctx = it->second.ctx;
    return SHD_OK;
}

// Runs on the logic loop: configure everything, then start everything; any failure stops what started.
void ServerRuntime::startup() {
    auto call = [&](Module &m, const char *phase, shd_status (*fn)(void *), bool &flag) -> bool {
        if (stopping_) return false;
        shd_status s;
        try {
            s = fn(m.ctx->is_app ? m.app.ctx : m.plugin.ctx);
        } catch (...) {
            s = SHD_ERR_INTERNAL;
            std::lock_guard<std::mutex> lock(m.ctx->error_mutex);
            m.ctx->reported_error = "an exception escaped the plugin's " + std::string(phase);
        }
        if (s != SHD_OK) {
            errors_.push_back(describe(m) + " failed in " + phase + " (status " + std::to_string(s) + "): " + take_error(m));
            return false;
        }
        flag = true;
        log_.info(std::string(phase) + " " + (m.ctx->is_app ? "app " : "plugin ") + m.ctx->name + ": ok");
        return true;
    };
    bool ok = true;
    for (auto &m : modules_) {
        if (!(ok = call(*m, "configure", m->ctx->is_app ? m->app.on_configure : m->plugin.on_configure, m->configured))) break;
        // Every service a plugin declares must exist once it is configured, so its dependents can rely on it.
        for (const auto &id : m->ctx->provides) {
            if (!services_.count(id)) {
                errors_.push_back(describe(*m) + " declares service " + id + " but did not register it in on_configure");
                ok = false;
            }
        }
        if (!ok) break;
    }
    if (ok) {
        for (auto &m : modules_) {
            if (!(ok = call(*m, "start", m->ctx->is_app ? m->app.on_start : m->plugin.on_start, m->started))) break;
        }
    }
    if (!ok) {
        startup_failed_ = true;
        for (const auto &e : errors_) log_.error(e);
        request_stop(stopping_ ? stop_reason_ : "startup failed");
        return;
    }
    log_.info("server " + self_.id + " (type " + self_.type + ", env " + options_.env + ") is running with " +
              std::to_string(modules_.size() - (has_app_ ? 1 : 0)) + " plugin(s)" + (has_app_ ? " and an app" : ""));
    // The app hears of the whole cluster being up from the "start_all" event; a cluster plugin emits it.
    // A lone server (no cluster service) is its own whole cluster.
    if (has_app_) {
        Module &app = *modules_.back();
        uint64_t sub = 0;
        loop_.subscribe(
            "start_all",
            [](void *ud, shd_str, shd_str) {
                auto *m = static_cast<Module *>(ud);
                if (m->started && m->app.on_start_all) {
                    try {
                        m->app.on_start_all(m->app.ctx);
                    } catch (...) {
                    }
                }
            },
            nullptr, &app, sub);
    }
    if (!services_.count("shd.cluster/1")) loop_.emit("start_all", "{}");
}

void ServerRuntime::request_stop(const std::string &reason) {
    if (stopping_.exchange(true)) return;
    asio::post(loop_.io(), [this, reason] {
        stop_reason_ = reason;
        log_.info("stopping: " + reason);
        start_watchdog();
        stop_next(modules_.size());
    });
}

// Stops started modules one at a time, last loaded first, each acknowledging through its done callback.
void ServerRuntime::stop_next(size_t remaining) {
    while (remaining > 0 && !modules_[remaining - 1]->started) --remaining;
    if (remaining == 0) {
        finish_stop();
        return;
    }
    Module &m = *modules_[remaining - 1];
    m.started = false;
    struct Ack {
        ServerRuntime *self;
        Module *module;
        size_t next;
        std::string who;
        std::atomic<bool> fired{false};
    };
    auto *ack = new Ack{this, &m, remaining - 1, describe(m)};
    set_stopping(ack->who);
    shd_task_fn done = [](void *ud, shd_status status) {
        auto *a = static_cast<Ack *>(ud);
        if (a->fired.exchange(true)) return;  // a second call is a plugin bug; ignore it
        a->self->set_stopping({});
        if (status != SHD_OK)
            a->self->log_.warn(a->who + " reported status " + std::to_string(status) + " while stopping: " +
                               a->self->take_error(*a->module));
        // Continue on the loop even if done was called from another thread or inside on_stop.
        ServerRuntime *self = a->self;
        size_t next = a->next;
        asio::post(self->loop_.io(), [self, next, a] {
            delete a;
            self->stop_next(next);
        });
    };
    try {
        if (m.ctx->is_app) m.app.on_stop(m.app.ctx, done, ack);
        else m.plugin.on_stop(m.plugin.ctx, done, ack);
    } catch (...) {
        log_.error(describe(m) + ": an exception escaped on_stop");
        done(ack, SHD_ERR_INTERNAL);
    }
}

void ServerRuntime::finish_stop() {
    log_.debug("all modules stopped; draining the logic loop");
    loop_.drain();
    loop_.release();
}

void ServerRuntime::destroy_all() {
    for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
        Module &m = **it;
        if (!m.entered) continue;
        m.entered = false;
        try {
            if (m.ctx->is_app) m.app.on_destroy(m.app.ctx);
            else m.plugin.on_destroy(m.plugin.ctx);
        } catch (...) {
            log_.error(describe(m) + ": an exception escaped on_destroy");
        }
    }
    services_.clear();
}

void ServerRuntime::install_signals() {
    auto signals = std::make_shared<asio::signal_set>(loop_.io(), SIGINT, SIGTERM);
    auto handler = std::make_shared<std::function<void(const boost::system::error_code &, int)>>();
    *handler = [this, signals, handler](const boost::system::error_code &ec, int sig) {
        if (ec) return;
        const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";
        // Only a second signal cuts the stop short: a first one that finds a stop under way (asked
        // by the master, say, as `shaddock kill` does both) lets it finish.
        if (signalled_) {
            log_.warn(std::string("second ") + name + " while stopping: exiting now");
            std::_Exit(130);
        }
        signalled_ = true;
        if (stopping_) log_.info(std::string(name) + " while stopping: the stop goes on (a second signal exits at once)");
        request_stop(name);
        signals->async_wait(*handler);
    };
    signals->async_wait(*handler);
    // Drop the signal wait when the loop drains (subscriptions are released then), so run() can return.
    struct Holder {
        std::shared_ptr<asio::signal_set> signals;
        std::shared_ptr<std::function<void(const boost::system::error_code &, int)>> handler;
    };
    auto *holder = new Holder{signals, handler};
    uint64_t sub = 0;
    loop_.subscribe(
        "__host_signals__", [](void *, shd_str, shd_str) {},
        [](void *ud) {
            auto *h = static_cast<Holder *>(ud);
            boost::system::error_code ignored;
            h->signals->cancel(ignored);
            *h->handler = nullptr;  // break the handler <-> signal_set cycle
            delete h;
        },
        holder, sub);
}

void ServerRuntime::set_stopping(std::string who) {
    std::lock_guard<std::mutex> lock(stop_progress_->mu);
    stop_progress_->stopping = std::move(who);
}

void ServerRuntime::start_watchdog() {
    int timeout = options_.stop_timeout_ms;
    std::thread([finished = stop_finished_, progress = stop_progress_, log = &log_, timeout] {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
        while (std::chrono::steady_clock::now() < deadline) {
            if (*finished) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!*finished) {
            std::string who;
            {
                std::lock_guard<std::mutex> lock(progress->mu);
                who = progress->stopping;
            }
            log->error("stop deadline of " + std::to_string(timeout) + " ms passed with modules still stopping (" +
                       (who.empty() ? std::string("between modules, or draining the logic loop")
                                    : who + " has not reported its stop done") +
                       "); exiting now");
            std::_Exit(3);
        }
    }).detach();
}

int ServerRuntime::run() {
    try {
        resolve_identity();
        log_.set_server_id(self_.id);
        std::string log_dir = options_.log_dir.empty() ? options_.app_dir + "/logs" : options_.log_dir;
        std::error_code ec;
        fs::create_directories(log_dir, ec);
        std::string err;
        if (!log_.open_file(log_dir + "/" + self_.id + ".log", err)) log_.warn(err + "; logging to the console only");
        log_.info("starting server " + self_.id + " (type " + self_.type + ", env " + options_.env + ", app dir " +
                  options_.app_dir + ")");
        select_and_inspect();
    } catch (const StartupError &e) {
        log_.error(e.message);
        return e.code;
    } catch (const ConfigError &e) {
        log_.error(e.what());
        return kExitConfigError;
    }

    load_modules();
    if (startup_failed_) {
        for (const auto &e : errors_) log_.error(e);
        destroy_all();
        return kExitStartupFailed;
    }
    if (options_.handle_signals) install_signals();
    asio::post(loop_.io(), [this] { startup(); });
    loop_.run();
    destroy_all();
    *stop_finished_ = true;
    log_.info(startup_failed_ ? "server stopped after a failed startup" : "server stopped cleanly");
    return startup_failed_ ? kExitStartupFailed : kExitOk;
}

}  // namespace shd::host
