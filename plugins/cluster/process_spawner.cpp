#include "process_spawner.hpp"

#include <ifaddrs.h>
#include <netdb.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

extern char **environ;

namespace shd::cluster {

namespace {

std::string shell_quote(const std::string &s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

bool is_interface_address(const std::string &host) {
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0) return false;
    bool found = false;
    for (ifaddrs *i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        int family = i->ifa_addr->sa_family;
        if (family != AF_INET && family != AF_INET6) continue;
        char buf[NI_MAXHOST];
        socklen_t len = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
        if (getnameinfo(i->ifa_addr, len, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) == 0 && host == buf) found = true;
    }
    freeifaddrs(list);
    return found;
}

}  // namespace

bool is_local_host(const std::string &host, const std::string &master_host) {
    if (host.empty() || host == "127.0.0.1" || host == "localhost" || host == "0.0.0.0" || host == "::1" ||
        host == master_host)
        return true;
    return is_interface_address(host);
}

std::vector<std::string> launch_command(const ServerLaunch &l, bool local) {
    std::vector<std::string> host_args = {l.exe, "--app-dir", l.app_dir, "--env", l.env, "--server-id", l.server_id};
    if (!l.entry_json.empty()) host_args.insert(host_args.end(), {"--server-entry", l.entry_json});
    if (local) return host_args;
    // Remote: the same paths must exist on the other host (as with Pomelo); the plugin and app
    // folders travel as environment variables.
    std::string remote = "cd " + shell_quote(l.app_dir) + " &&";
    for (const char *var : {"SHADDOCK_PLUGINS_DIR", "SHADDOCK_APPS_DIR"})
        if (const char *v = std::getenv(var)) remote += std::string(" ") + var + "=" + shell_quote(v);
    for (const auto &a : host_args) remote += " " + shell_quote(a);
    std::vector<std::string> argv = {"ssh"};
    // ssh keeps the first value it is given for an option, so the user's come first.
    argv.insert(argv.end(), l.ssh.options.begin(), l.ssh.options.end());
    // -n: the master's stdin is not the server's; BatchMode: fail instead of asking for a password.
    for (const char *a : {"-n", "-o", "BatchMode=yes"}) argv.emplace_back(a);
    if (l.ssh.port > 0) argv.insert(argv.end(), {"-p", std::to_string(l.ssh.port)});
    if (!l.ssh.identity.empty()) argv.insert(argv.end(), {"-i", l.ssh.identity});
    argv.push_back(l.ssh.user.empty() ? l.host : l.ssh.user + "@" + l.host);
    argv.push_back(remote);
    return argv;
}

pid_t spawn_process(const std::vector<std::string> &argv, std::string &error) {
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    // The child keeps stdin, stdout and stderr only: every other descriptor of the master (its
    // listening sockets, links, files) is closed before exec, whatever its close-on-exec flag.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        error = std::string("cannot start ") + argv[0] + ": " + std::strerror(rc);
        return -1;
    }
    return pid;
}

std::vector<Exited> reap_children() {
    std::vector<Exited> out;
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) break;
        Exited e{pid, "", false};
        if (WIFEXITED(status)) {
            e.clean = WEXITSTATUS(status) == 0;
            e.how = "exited with code " + std::to_string(WEXITSTATUS(status));
        } else if (WIFSIGNALED(status)) {
            e.how = "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
        } else {
            continue;
        }
        out.push_back(e);
    }
    return out;
}

bool process_usage(pid_t pid, ProcessUsage &out) {
    if (pid <= 0) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    // Fields after the command name (which may hold spaces and parentheses): state is field 3.
    size_t paren = line.rfind(')');
    if (paren == std::string::npos) return false;
    std::istringstream rest(line.substr(paren + 1));
    std::vector<std::string> f;  // f[0] is field 3
    for (std::string w; rest >> w;) f.push_back(w);
    if (f.size() < 22) return false;
    long ticks = ::sysconf(_SC_CLK_TCK);
    long page_kb = ::sysconf(_SC_PAGESIZE) / 1024;
    if (ticks <= 0 || page_kb <= 0) return false;
    double cpu_s = (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(ticks);  // utime + stime
    double started_s = std::stod(f[19]) / static_cast<double>(ticks);                   // since boot
    out.rss_kb = std::stoll(f[21]) * page_kb;
    std::ifstream up("/proc/uptime");
    double uptime_s = 0;
    if (!(up >> uptime_s)) return false;
    double alive_s = uptime_s - started_s;
    out.cpu_percent = alive_s > 0.01 ? 100.0 * cpu_s / alive_s : 0.0;
    return true;
}

}  // namespace shd::cluster
