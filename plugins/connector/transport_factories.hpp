// Creates the connection for a transport once the first bytes decided it. Each factory lives in the
// translation unit of its transport (raw_connection.cpp, ws_connection.cpp) so the heavy Beast
// templates are compiled once, there.
#pragma once

#include "connection.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <memory>
#include <string>

namespace shd::connector {

// Sockets run on their io_context's executor directly: one thread per io_context, so no strand.
using TcpSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, IoExecutor>;
using TlsStream = boost::asio::ssl::stream<TcpSocket>;

// Everything a connection inherits from its intake.
struct ConnectionStart {
    const ConnectionSettings *settings;
    TrackerSlot slot;
    Clock::time_point idle_deadline;  // the accept deadline (handshakeTimeout after accept)
    std::string remote;
};

// `first` holds the bytes read while sniffing: the start of the package stream.
std::shared_ptr<Connection> make_raw_connection(TcpSocket socket, ConnectionStart start, std::string first);
std::shared_ptr<Connection> make_raw_connection(TlsStream stream, ConnectionStart start, std::string first);

// `buffer` holds the bytes read while sniffing: the start of the HTTP upgrade request.
std::shared_ptr<Connection> make_ws_connection(TcpSocket socket, ConnectionStart start,
                                               boost::beast::flat_buffer buffer);
std::shared_ptr<Connection> make_ws_connection(TlsStream stream, ConnectionStart start,
                                               boost::beast::flat_buffer buffer);

}  // namespace shd::connector
