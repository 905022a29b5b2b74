// The steps every transport shares: resolve (skipped for an IP literal), TCP connect with
// TCP_NODELAY, and the client side of TLS. Private; included by the wire implementations only.
#pragma once

#include "wire.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <string>

namespace shd::client {

namespace net = boost::asio;
using tcp = net::ip::tcp;

inline std::string describe(const boost::system::error_code &ec) {
    return ec.message();
}

inline std::string where(const WireConfig &c) {
    return c.host + ":" + std::to_string(c.port);
}

// Connects `socket` to config.host:port; done(std::string error) runs on the socket's thread.
template <class Done>
void connect_socket(tcp::resolver &resolver, tcp::socket &socket, const WireConfig &c, Done done) {
    auto connected = [&socket, &c, done](const boost::system::error_code &ec) mutable {
        if (ec) return done("connect to " + where(c) + ": " + describe(ec));
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        done(std::string());
    };
    boost::system::error_code ec;
    const net::ip::address address = net::ip::make_address(c.host, ec);
    if (!ec) {
        socket.async_connect(tcp::endpoint(address, c.port), std::move(connected));
        return;
    }
    resolver.async_resolve(c.host, std::to_string(c.port),
                           [&socket, &c, done, connected = std::move(connected)](
                               const boost::system::error_code &rec, tcp::resolver::results_type results) mutable {
                               if (rec) return done("resolve " + c.host + ": " + describe(rec));
                               net::async_connect(socket, results,
                                                  [connected = std::move(connected)](
                                                      const boost::system::error_code &cec, const tcp::endpoint &) mutable {
                                                      connected(cec);
                                                  });
                           });
}

inline bool is_ip_literal(const std::string &host) {
    boost::system::error_code ec;
    net::ip::make_address(host, ec);
    return !ec;
}

// The client side of TLS on a connected socket: SNI (names only, as browsers do), and, when
// asked, verification of the chain against the CA file and of the name.
template <class Stream, class Done>
void tls_handshake(net::ssl::stream<Stream> &stream, const WireConfig &c, Done done) {
    const std::string &name = c.tls_server_name.empty() ? c.host : c.tls_server_name;
    if (!is_ip_literal(name)) SSL_set_tlsext_host_name(stream.native_handle(), name.c_str());
    boost::system::error_code ec;
    if (c.tls_verify) {
        stream.set_verify_mode(net::ssl::verify_peer, ec);
        stream.set_verify_callback(net::ssl::host_name_verification(name), ec);
    } else {
        stream.set_verify_mode(net::ssl::verify_none, ec);
    }
    stream.async_handshake(net::ssl::stream_base::client, [done](const boost::system::error_code &hec) mutable {
        if (hec) return done("TLS handshake: " + describe(hec));
        done(std::string());
    });
}

}  // namespace shd::client
