// shaddock-host: one Shaddock server process (master, frontend or backend), or a library inspector.
#include "log.hpp"
#include "plugin_listing.hpp"
#include "server_runtime.hpp"

#include <shaddock/abi.h>

#include <boost/program_options.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace po = boost::program_options;
namespace fs = std::filesystem;

#ifndef SHADDOCK_VERSION
#define SHADDOCK_VERSION "0.0.0"
#endif

namespace {

// The folder of this executable: default plugin and app folders are found next to it
// (build/bin -> build/plugins, build/apps; <prefix>/bin -> <prefix>/lib/shaddock/...).
fs::path exe_dir() {
    std::error_code ec;
    fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::current_path() : p.parent_path();
}

// SHADDOCK_PLUGINS_DIR / SHADDOCK_APPS_DIR win over the folders next to the executable; the host
// sets them for itself, so servers a master spawns find the same libraries.
std::string default_dir(const char *leaf, const char *env_var) {
    if (const char *e = std::getenv(env_var); e && *e) return e;
    fs::path base = exe_dir().parent_path();
    if (fs::exists(base / leaf)) return (base / leaf).string();
    return (base / "lib" / "shaddock" / leaf).string();
}

const char *default_env() {
    if (const char *e = std::getenv("SHADDOCK_ENV"); e && *e) return e;
    if (const char *e = std::getenv("NODE_ENV"); e && *e) return e;
    return "development";
}

}  // namespace

int main(int argc, char **argv) {
    shd::host::RuntimeOptions opts;
    std::string list_dir, level_text;
    po::options_description desc(
        "Usage: shaddock-host [options]\n\n"
        "Runs one Shaddock server: reads config/ of the app directory (Pomelo's master.json,\n"
        "servers.json, ... plus plugins.json), loads the plugins and the app chosen for this\n"
        "server and runs until SIGINT or SIGTERM.\n\nOptions");
    desc.add_options()("help,h", "print this help and exit")("version", "print the version and ABI and exit")(
        "app-dir,d", po::value<std::string>(&opts.app_dir)->default_value("."), "app directory (holds config/)")(
        "env,e", po::value<std::string>(&opts.env)->default_value(default_env()),
        "environment: selects config/<env>/ or the <env> key (default: $SHADDOCK_ENV, $NODE_ENV, development)")(
        "server-id,i", po::value<std::string>(&opts.server_id),
        "id of the server to run (default: the master of master.json, or the only server)")(
        "server-entry", po::value<std::string>(&opts.server_entry),
        "this server's entry as a JSON object with \"id\" and \"serverType\", for a server that is not in "
        "servers.json (the master passes it to servers added with `shaddock add`)")(
        "plugins-dir", po::value<std::string>(&opts.plugins_dir)->default_value(default_dir("plugins", "SHADDOCK_PLUGINS_DIR")),
        "folder of plugin libraries (<name>.so)")(
        "apps-dir", po::value<std::string>(&opts.apps_dir)->default_value(default_dir("apps", "SHADDOCK_APPS_DIR")),
        "folder of app libraries (<name>.so)")("log-dir", po::value<std::string>(&opts.log_dir),
                                              "folder for <server-id>.log (default: <app-dir>/logs)")(
        "log-level", po::value<std::string>(&level_text)->default_value("info"), "trace, debug, info, warn or error")(
        "stop-timeout", po::value<int>(&opts.stop_timeout_ms)->default_value(10000),
        "milliseconds allowed for a clean stop before the process exits anyway")(
        "list-plugins", po::value<std::string>(&list_dir),
        "describe every .so in a folder (name, version, ABI, services) without running its code, then exit");

    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const std::exception &e) {
        std::cerr << "shaddock-host: " << e.what() << "\n(try --help)\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "shaddock-host " << SHADDOCK_VERSION << " (ABI " << SHD_ABI_MAJOR << "." << SHD_ABI_MINOR << ")\n";
        return 0;
    }
    if (vm.count("list-plugins")) return shd::host::list_plugins(list_dir, std::cout) == 0 ? 0 : 1;

    shd::host::Logger log;
    shd::host::Level level;
    if (!shd::host::parse_level(level_text, level)) {
        std::cerr << "shaddock-host: --log-level " << level_text << ": expected trace, debug, info, warn or error\n";
        return 2;
    }
    log.set_level(level);
    std::error_code ec;
    fs::path app = fs::absolute(opts.app_dir, ec);
    if (ec || !fs::is_directory(app)) {
        std::cerr << "shaddock-host: --app-dir " << opts.app_dir << ": not a directory\n";
        return 2;
    }
    opts.app_dir = fs::weakly_canonical(app).string();
    opts.plugins_dir = fs::absolute(opts.plugins_dir).lexically_normal().string();
    opts.apps_dir = fs::absolute(opts.apps_dir).lexically_normal().string();
    ::setenv("SHADDOCK_PLUGINS_DIR", opts.plugins_dir.c_str(), 1);
    ::setenv("SHADDOCK_APPS_DIR", opts.apps_dir.c_str(), 1);
    shd::host::ServerRuntime runtime(opts, log);
    return runtime.run();
}
