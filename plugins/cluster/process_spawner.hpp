// Starting server processes (locally, or over ssh on other hosts) and reaping them when they exit.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace shd::cluster {

// How the master reaches other hosts (cluster plugin options sshPort, sshUser, sshIdentity, sshOptions).
struct SshOptions {
    int port = 0;                      // 0: ssh's default (22 or ssh_config)
    std::string user;                  // empty: ssh's default (the master's user or ssh_config)
    std::string identity;              // a private key file; empty: ssh's defaults
    std::vector<std::string> options;  // extra arguments, before the defaults so they win
};

struct ServerLaunch {
    std::string exe;       // the shaddock-host binary (the master's own executable)
    std::string app_dir;
    std::string env;
    std::string server_id;
    std::string host;      // the server's host; decides local or ssh
    SshOptions ssh;
    std::string entry_json;  // set for a server not in servers.json (`shaddock add`): passed as --server-entry
};

// True for 127.0.0.1, localhost, 0.0.0.0, ::1, an empty host, `master_host`, or an address of this
// machine's interfaces.
bool is_local_host(const std::string &host, const std::string &master_host);

// The argv that starts the server: shaddock-host directly, or
// `ssh [options] -n -o BatchMode=yes [-p port] [-i key] [user@]host 'cd <dir> && ...'` (never a
// password prompt, never the master's stdin).
std::vector<std::string> launch_command(const ServerLaunch &launch, bool local);

// Starts argv[0] with argv; stdout/stderr are inherited (logs merge in the master's terminal).
// Returns the pid, or -1 with `error` set.
pid_t spawn_process(const std::vector<std::string> &argv, std::string &error);

struct Exited {
    pid_t pid;
    std::string how;  // "exited with code 1", "killed by signal 9 (Killed)"
    bool clean;       // exit code 0
};

// Non-blocking: every child that has exited since the last call.
std::vector<Exited> reap_children();

// What `ps` shows of a local process, from /proc/<pid>: resident memory and CPU use averaged over the
// process's life (ps's %CPU: CPU time / time since it started; 100 is one core). False when the process
// is gone or /proc cannot be read.
struct ProcessUsage {
    long long rss_kb = 0;
    double cpu_percent = 0;
};
bool process_usage(pid_t pid, ProcessUsage &out);

}  // namespace shd::cluster
