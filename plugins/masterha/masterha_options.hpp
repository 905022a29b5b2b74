// The masterha plugin's options, declared once: the plugin reads by this table and README.md's options
// table is generated from it (tests/masterha/masterha_options_readme). Names are Pomelo's
// (pomelo-masterha-plugin / pomelo-zookeeper-plugin).
#pragma once

#include <shaddock/cpp/options.hpp>

namespace shd::masterha {

inline const OptionTable &masterha_option_table() {
    namespace opt = shd::option;
    static const OptionTable table(
        "the masterha plugin",
        {
            opt::string("server", "", "ZooKeeper servers, `host:port[,host:port...]` (the ensemble)").require(),
            opt::string("path", "/pomelo/master",
                        "base znode: the active master writes its info `{\"id\",\"host\",\"port\"}` as its data"),
            opt::string("lockPath", "/lock",
                        "election folder under `path`: one ephemeral sequential node per master process"),
            opt::string("username", "", "ZooKeeper digest user (named in the start line). Required in production"),
            opt::string("password", "", "ZooKeeper digest password; never logged. Required in production"),
            opt::boolean("setACL", true,
                         "with a username: create every znode with the creator-only ACL (`auth` scheme), so only "
                         "holders of the same digest credentials read or change them"),
            opt::integer("timeout", 5000, 1000, 60000,
                         "ZooKeeper session timeout: a master that is not heard from this long loses the lead "
                         "(the failover time is about this)")
                .measured_in("ms"),
        });
    return table;
}

}  // namespace shd::masterha
