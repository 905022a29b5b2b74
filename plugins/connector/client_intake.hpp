// The first moments of a client connection: the optional TLS handshake and the sniffing of the first
// bytes that picks the transport (raw TCP or WebSocket), all under the accept deadline.
#pragma once

#include "transport_factories.hpp"

#include <string>

namespace boost::asio::ssl {
class context;
}

namespace shd::connector {

// [any] Takes over an accepted socket (whose executor is its I/O thread's). `tls` is null for plain TCP.
void start_intake(TcpSocket socket, boost::asio::ssl::context *tls,
                  const ConnectionSettings &settings, TrackerSlot slot, std::string remote);

}  // namespace shd::connector
