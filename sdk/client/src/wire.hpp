// One connection's bytes: raw TCP, TLS, WebSocket or WebSocket over TLS, behind one small interface
// so the client's protocol code does not care which. Private to the library (Asio stays here).
//
// Threading: a Wire lives on one io_context thread; every call and every callback happens there.
// Lifetime: pending operations hold the Wire (shared_from_this); the Wire holds its listener
// strongly until close(), which drops it, so no callback arrives after close().
#pragma once

#include <shaddock/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shd::client {

class WireListener {
public:
    virtual ~WireListener() = default;
    // The connection is open (and TLS/WebSocket handshakes done), or failed: `error` says where.
    virtual void on_wire_open(const std::string &error) = 0;
    // Bytes arrived: a chunk of the stream, or one whole WebSocket message.
    virtual void on_wire_data(std::string_view bytes) = 0;
    // The read side ended (peer closed, reset, ...). Not called after close().
    virtual void on_wire_closed(const std::string &reason) = 0;
    // The last write() finished; `error` is empty on success.
    virtual void on_wire_written(const std::string &error) = 0;
};

struct WireConfig {
    Transport transport = Transport::tcp;
    std::string host;
    uint16_t port = 0;
    std::string ws_path = "/";
    std::string tls_server_name;                  // SNI and verification name
    bool tls_verify = false;                      // verify the certificate chain and name
    std::shared_ptr<boost::asio::ssl::context> tls;  // set for tls/wss
    uint32_t max_message_size = 0;                // WebSocket messages above this are an error
};

class Wire : public std::enable_shared_from_this<Wire> {
public:
    virtual ~Wire() = default;

    // Resolves, connects, sets TCP_NODELAY and does the TLS / WebSocket handshakes, then reads
    // until the connection ends.
    virtual void open(std::shared_ptr<WireListener> listener) = 0;

    // Sends `data`, which the Wire takes over (swapped out; `data` comes back empty with the
    // capacity of the previous buffer, so buffers are reused, not reallocated). `frame_ends` are
    // the offsets where WebSocket messages end (each Pomelo package is its own message towards the
    // server); stream transports ignore them. One write at a time.
    virtual void write(std::string &data, std::vector<uint32_t> &frame_ends) = 0;

    // Drops the listener and closes. `graceful`: a WebSocket sends a close frame first.
    virtual void close(bool graceful) = 0;
};

std::shared_ptr<Wire> make_stream_wire(boost::asio::io_context &io, WireConfig config);     // tcp, tls
std::shared_ptr<Wire> make_websocket_wire(boost::asio::io_context &io, WireConfig config);  // ws, wss

}  // namespace shd::client
