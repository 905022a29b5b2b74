// The static_web plugin's options, declared once: the plugin reads by this table and README.md's
// options table is generated from it (tests/static_web/static_web_options_readme).
#pragma once

#include <shaddock/cpp/options.hpp>

namespace shd::web {

inline const OptionTable &static_web_option_table() {
    namespace opt = shd::option;
    static const OptionTable table(
        "the static_web plugin",
        {
            opt::integer("port", 3001, 0, 65535, "listening port"),
            opt::string("host", "0.0.0.0", "listening address"),
            opt::string("root", "web-server/public", "the folder, relative to the app directory"),
            opt::integer("maxHeaderBytes", 8192, 1024, 1 << 20,
                         "request line and header fields together; more is answered 414 (still in the request "
                         "line) or 431 and the connection closed")
                .measured_in("bytes"),
            opt::integer("headerTimeout", 5000, 100, 600000,
                         "a request's line and headers must be complete within this time of its first byte (of the "
                         "accept, for a connection's first request); else the connection is closed (slowloris)")
                .measured_in("ms"),
            opt::integer("keepAliveTimeout", 30000, 100, 3600000,
                         "how long an idle kept-alive connection waits for its next request to start")
                .measured_in("ms"),
            opt::integer("sendTimeout", 30000, 100, 3600000, "a response not written by then closes the connection")
                .measured_in("ms"),
            opt::integer("maxConnections", 512, 1, 1000000, "open connections in total; one more is closed at once"),
            opt::integer("maxConnectionsPerAddress", 32, 1, 1000000,
                         "open connections from one IP address; one more is closed at once"),
        });
    return table;
}

}  // namespace shd::web
