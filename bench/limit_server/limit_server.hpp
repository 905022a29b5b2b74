// A raw-socket Pomelo echo server, one io_context per thread, each with its own SO_REUSEPORT acceptor
// on the same port (the kernel spreads connections over them): the most a process on this machine can
// do for the connector-local echo, with none of a framework's work.
#pragma once

#include <cstdint>
#include <string>

namespace limit {

struct Options {
    std::string host = "0.0.0.0";
    uint16_t port = 3050;  // 0: a free port, printed at start
    int threads = 2;
    int heartbeat = 10;           // seconds, announced in the handshake reply
    size_t send_limit = 1 << 20;  // bytes waiting for one client before it is cut off
};

// Runs until SIGINT or SIGTERM; prints "listening on HOST:PORT with N thread(s)" once it accepts.
// Returns the process exit code.
int run(const Options &options);

}  // namespace limit
