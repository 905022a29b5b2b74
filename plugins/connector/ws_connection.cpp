// The WebSocket transport (Pomelo's hybrid connector, `ws` side): the HTTP upgrade on any path, then
// one package per client message (binary or text), and toward the client binary messages, several
// packages per message when the protocol allows batching. Plain or inside TLS (wss).
#include "transport_factories.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <optional>
#include <string_view>

namespace shd::connector {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

struct SharedBytesView {
    const std::vector<asio::const_buffer> *buffers;
    auto begin() const { return buffers->begin(); }
    auto end() const { return buffers->end(); }
};

// Upgrade requests are small; anything bigger is not a WebSocket client.
constexpr uint32_t kMaxUpgradeHeader = 8 * 1024;

constexpr std::string_view kNotUpgrade =
    "HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n";

template <class Stream>
class WsConnection final : public Connection {
public:
    WsConnection(Stream stream, ConnectionStart start, beast::flat_buffer buffer)
        : Connection(stream.get_executor(), *start.settings, std::move(start.slot), start.idle_deadline,
                     std::move(start.remote)),
          ws_(std::move(stream)),
          buffer_(std::move(buffer)) {}

private:
    TcpSocket &socket() { return beast::get_lowest_layer(ws_); }

    // The upgrade runs under the accept deadline (handshakeTimeout): a half-open request is cut there.
    void start_transport() override {
        parser_.emplace();
        parser_->header_limit(kMaxUpgradeHeader);
        parser_->body_limit(0);
        http::async_read(ws_.next_layer(), buffer_, *parser_,
                         [self = shared(), this](const boost::system::error_code &ec, size_t) {
                             if (closed()) return;
                             if (ec) {
                                 finish("bad http request");
                                 return;
                             }
                             on_request();
                         });
    }

    void on_request() {
        if (!websocket::is_upgrade(parser_->get())) {
            asio::async_write(ws_.next_layer(), asio::buffer(kNotUpgrade.data(), kNotUpgrade.size()),
                              [self = shared(), this](const boost::system::error_code &, size_t) {
                                  finish("not a websocket upgrade");
                              });
            return;
        }
        // Our own deadlines (accept, heartbeat, linger) govern; Beast's would only duplicate them.
        websocket::stream_base::timeout t{};
        t.handshake_timeout = kCloseLinger;
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
        ws_.set_option(t);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type &res) { res.set(http::field::server, "shaddock"); }));
        // A message is one package: the 4-byte header plus at most maxPackageSize bytes.
        ws_.read_message_max(settings().max_package_size + 4);
        ws_.binary(true);
        ws_.auto_fragment(false);
        ws_.async_accept(parser_->get(), [self = shared(), this](const boost::system::error_code &ec) {
            parser_.reset();
            if (closed()) return;
            if (ec) {
                finish("websocket upgrade failed");
                return;
            }
            buffer_.clear();
            if (!open_protocol()) return;
            read_message();
        });
    }

    void read_message() {
        ws_.async_read(buffer_, [self = shared(), this](const boost::system::error_code &ec, size_t) {
            if (closed()) return;
            if (ec) {
                finish(ec == websocket::error::message_too_big ? "message too big" : "client closed");
                return;
            }
            auto data = buffer_.data();
            receive(static_cast<const uint8_t *>(data.data()), data.size(), true);
            buffer_.clear();
            // Do not keep a large buffer around for an idle connection.
            if (buffer_.capacity() > 64 * 1024) buffer_.shrink_to_fit();
            if (!closed() && !reading_stopped()) read_message();
        });
    }

    void resume_transport() override { read_message(); }

    void write_inflight() override {
        next_ = 0;
        if (settings().can_batch || inflight_count() == 1) {
            gather_.clear();
            for (size_t i = 0; i < inflight_count(); ++i) gather_.emplace_back(inflight(i).data(), inflight(i).size());
            ws_.async_write(SharedBytesView{&gather_}, [self = shared(), this](const boost::system::error_code &ec,
                                                                               size_t) { on_write_done(!ec); });
            return;
        }
        write_next();
    }

    // Without batching, each package is its own message.
    void write_next() {
        const std::string &b = inflight(next_++);
        ws_.async_write(asio::buffer(b.data(), b.size()),
                        [self = shared(), this](const boost::system::error_code &ec, size_t) {
                            if (ec || next_ == inflight_count() || closed()) {
                                on_write_done(!ec);
                                return;
                            }
                            write_next();
                        });
    }

    // Sends the close frame (1000); the pending read sees the client's reply and finishes.
    void shutdown_transport() override {
        ws_.async_close(websocket::close_code::normal,
                        [self = shared(), this](const boost::system::error_code &) { finish("client closed"); });
    }

    void close_socket() override {
        boost::system::error_code ec;
        socket().close(ec);
    }

    std::shared_ptr<WsConnection> shared() { return std::static_pointer_cast<WsConnection>(shared_from_this()); }

    websocket::stream<Stream> ws_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::empty_body>> parser_;
    std::vector<asio::const_buffer> gather_;
    size_t next_ = 0;
};

}  // namespace

std::shared_ptr<Connection> make_ws_connection(TcpSocket socket, ConnectionStart start, beast::flat_buffer buffer) {
    return std::make_shared<WsConnection<TcpSocket>>(std::move(socket), std::move(start), std::move(buffer));
}

std::shared_ptr<Connection> make_ws_connection(TlsStream stream, ConnectionStart start, beast::flat_buffer buffer) {
    return std::make_shared<WsConnection<TlsStream>>(std::move(stream), std::move(start), std::move(buffer));
}

}  // namespace shd::connector
