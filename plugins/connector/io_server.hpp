// The connector's network side: the listening socket on the client port, the I/O threads with their
// io_contexts (owned here), TLS, and the open connections. Asio stays behind this interface.
//
// Lifecycle, all [logic]: start() binds and starts the threads; stop() stops accepting and aborts
// every connection (each session closes with "server stopping") and reports when none is left;
// join() then stops and joins the threads. The destructor joins if that was not done.
#pragma once

#include "connection_settings.hpp"
#include "connector_options.hpp"

#include <shaddock/cpp/host.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace shd::connector {

class IoServer {
public:
    // `settings` must outlive this object and every connection (the plugin owns it).
    IoServer(const ConnectorOptions &options, const ConnectionSettings &settings, const Host &host);
    ~IoServer();
    IoServer(const IoServer &) = delete;
    IoServer &operator=(const IoServer &) = delete;

    // Binds the client port and starts the I/O threads. Throws shd::Error naming the address.
    void start();
    // [any] The bound port.
    int port() const;
    // [any] Open client connections (accepted, not yet closed).
    uint64_t connections() const;
    // [any] Pomelo's run-time blacklist (the admin console's `shaddock blacklist`): a peer whose address
    // is one of `ips` (normalised text, IPv4-mapped IPv6 shown as IPv4) is closed at accept, like one
    // that matches the `blacklist` option's patterns. Replaces the previous set.
    void set_blocked_addresses(std::set<std::string> ips);
    // Stops accepting and aborts every connection; on_all_closed runs once, on any thread, when the
    // last connection has closed (at once if there is none).
    void stop(std::function<void()> on_all_closed);
    // Stops the io_contexts and joins the I/O threads. Connections still open are dropped.
    void join();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace shd::connector
