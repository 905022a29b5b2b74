// The cluster plugin's options, declared once: the plugin reads by this table and README.md's options
// table is generated from it (tests/cluster/cluster_options_readme). Every server checks them all;
// each role reads its own.
#pragma once

#include <shaddock/cpp/options.hpp>

namespace shd::cluster {

inline const OptionTable &cluster_option_table() {
    namespace opt = shd::option;
    static const OptionTable table(
        "the cluster plugin",
        {
            opt::boolean("spawn", true, "master: start the servers (false: wait for servers started elsewhere)"),
            opt::integer("stopTimeout", 8000, 100, 600000, "master: how long servers get to stop before SIGKILL")
                .measured_in("ms"),
            opt::integer("restartDelay", 1000, 10, 600000, "master: first auto-restart delay (doubles up to 30 s)")
                .measured_in("ms"),
            opt::integer("sshPort", 0, 0, 65535, "master: port of the remote hosts' sshd (`ssh -p`)")
                .showing_default("ssh's default"),
            opt::string("sshUser", "", "master: user to log in as on remote hosts (`user@host`)")
                .showing_default("ssh's default"),
            opt::string("sshIdentity", "",
                        "master: private key file (`ssh -i`); a relative path is the app directory's")
                .showing_default("ssh's defaults"),
            opt::strings("sshOptions",
                         "master: extra `ssh` arguments, placed first so they win, e.g. `[\"-o\", "
                         "\"ConnectTimeout=5\"]`"),
            opt::integer("firstConnectTimeout", 5000, 100, 600000,
                         "servers: how long to try reaching the master at start")
                .measured_in("ms"),
            opt::integer("handshakeTimeout", 5000, 100, 600000,
                         "master: a link that has not authenticated by then is closed (servers wait twice as long "
                         "for the master)")
                .measured_in("ms"),
            opt::integer("maxUnauthenticated", 64, 1, 100000,
                         "master: links not yet authenticated at once; past it a new connection is closed at once"),
            opt::integer("maxFrame", 1 << 20, 4096, 64 << 20,
                         "both: largest frame after authentication (before it: 4096, fixed)")
                .measured_in("bytes"),
            opt::integer("maxQueuedBytes", 16 << 20, 65536, 1ll << 30,
                         "both: output queued for a peer that does not read; past it the link is closed")
                .measured_in("bytes"),
            opt::integer("adoptTimeout", 10000, 0, 600000,
                         "master: after a restart or a master HA takeover, how long servers of the previous master "
                         "get to register again before they are replaced or started")
                .measured_in("ms"),
            opt::integer("adminMaxFailures", 5, 1, 1000000,
                         "master: failed admin logins from one address within `adminFailWindow`..."),
            opt::integer("adminFailWindow", 60000, 100, 86400000, "...that lock the address out").measured_in("ms"),
            opt::integer("adminLockout", 60000, 0, 86400000,
                         "master: how long a locked-out address is refused (before any password exchange)")
                .measured_in("ms"),
            opt::integer("adminFailDelay", 1000, 0, 60000, "master: a failed login is answered this late")
                .measured_in("ms"),
            opt::integer("consoleTimeout", 5000, 100, 600000,
                         "master: how long a server gets to answer an admin console request (`shaddock info`, "
                         "`module`, `settings`, `cron`, `blacklist`)")
                .measured_in("ms"),
            opt::integer("statsInterval", 1000, 0, 600000,
                         "servers: how often a server sends its figures to the master (`stats` frames: `list`'s "
                         "`stats`, `/metrics`); 0: never")
                .measured_in("ms"),
            opt::boolean("adminHttp", true,
                         "master: serve the admin HTTP port (`/metrics`); a port that cannot be had is logged and "
                         "the cluster runs without it"),
            opt::string("adminHttpHost", "127.0.0.1",
                        "master: its listening address; other than loopback needs `metricsToken` in production"),
            opt::integer("adminHttpPort", 7001, 0, 65535, "master: its listening port (0: any free port)"),
            opt::string("metricsToken", "",
                        "master: when set, `/metrics` asks `Authorization: Bearer <token>` (compared in constant "
                        "time; else 401)")
                .showing_default("none: no token asked"),
            opt::boolean("pomeloAdmin", false,
                         "master: also accept Pomelo's admin clients (npm `pomelo list/stop/kill/add/restart`, "
                         "pomelo-cli) over MQTT on the master port, with pomelo-admin's weaker md5 login "
                         "(docs/operations.md, \"Pomelo's own tools\")"),
            opt::integer("pomeloAdminSniff", 200, 10, 5000,
                         "master, with `pomeloAdmin`: how long a new connection is watched for an MQTT CONNECT "
                         "before the master link's challenge is sent")
                .measured_in("ms"),
            opt::integer("adminSessionTtl", 3600, 1, 604800,
                         "master: how long a login to the dashboard and HTTP admin API lasts (then log in again)")
                .measured_in("s"),
        });
    return table;
}

}  // namespace shd::cluster
