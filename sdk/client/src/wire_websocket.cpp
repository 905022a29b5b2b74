// WebSocket and secure WebSocket wires (Boost.Beast). Towards the server every Pomelo package is
// its own binary message, as Pomelo requires; from the server a message may hold several packages.
#include "wire_connect.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>

namespace shd::client {

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

template <class Next>
class WebSocketWire final : public Wire {
public:
    template <class... Args>
    WebSocketWire(net::io_context &io, WireConfig config, Args &&...args)
        : config_(std::move(config)), resolver_(io), ws_(std::forward<Args>(args)...) {}

    void open(std::shared_ptr<WireListener> listener) override {
        listener_ = std::move(listener);
        connect_socket(resolver_, beast::get_lowest_layer(ws_), config_, [self = self()](std::string err) {
            if (!err.empty()) return self->opened(err);
            if constexpr (std::is_same_v<Next, tcp::socket>) {
                self->upgrade();
            } else {
                tls_handshake(self->ws_.next_layer(), self->config_, [self](std::string terr) {
                    if (!terr.empty()) return self->opened(terr);
                    self->upgrade();
                });
            }
        });
    }

    void write(std::string &data, std::vector<uint32_t> &frame_ends) override {
        out_.swap(data);
        frames_.swap(frame_ends);
        data.clear();
        frame_ends.clear();
        next_frame_ = 0;
        write_next();
    }

    void close(bool graceful) override {
        listener_.reset();
        resolver_.cancel();
        if (graceful && ws_.is_open()) {
            // The close handshake is bounded by the handshake timeout set in upgrade().
            ws_.async_close(websocket::close_code::normal, [self = self()](const boost::system::error_code &) {
                self->close_socket();
            });
            return;
        }
        close_socket();
    }

private:
    std::shared_ptr<WebSocketWire> self() { return std::static_pointer_cast<WebSocketWire>(shared_from_this()); }

    void close_socket() {
        boost::system::error_code ignored;
        auto &socket = beast::get_lowest_layer(ws_);
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }

    void upgrade() {
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = std::chrono::seconds(10);
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
        ws_.set_option(timeouts);
        ws_.binary(true);
        ws_.auto_fragment(false);
        if (config_.max_message_size) ws_.read_message_max(config_.max_message_size);
        ws_.async_handshake(config_.host + ":" + std::to_string(config_.port), config_.ws_path,
                            [self = self()](const boost::system::error_code &ec) {
                                self->opened(ec ? "WebSocket upgrade: " + describe(ec) : std::string());
                            });
    }

    void opened(const std::string &err) {
        auto l = listener_;
        if (!l) return;
        l->on_wire_open(err);
        if (err.empty() && listener_) read();
    }

    void read() {
        ws_.async_read(in_, [self = self()](const boost::system::error_code &ec, size_t) {
            auto l = self->listener_;
            if (!l) return;
            if (ec) {
                self->listener_.reset();
                l->on_wire_closed(ec == websocket::error::closed ? "the server closed the connection"
                                                                  : "read: " + describe(ec));
                return;
            }
            const auto data = self->in_.cdata();
            l->on_wire_data(std::string_view(static_cast<const char *>(data.data()), data.size()));
            self->in_.consume(self->in_.size());
            if (self->listener_) self->read();
        });
    }

    void write_next() {
        if (next_frame_ == frames_.size()) {
            if (auto l = listener_) l->on_wire_written({});
            return;
        }
        const uint32_t begin = next_frame_ == 0 ? 0 : frames_[next_frame_ - 1];
        const uint32_t end = frames_[next_frame_];
        ws_.async_write(net::buffer(out_.data() + begin, end - begin),
                        [self = self()](const boost::system::error_code &ec, size_t) {
                            if (ec) {
                                if (auto l = self->listener_) l->on_wire_written("write: " + describe(ec));
                                return;
                            }
                            ++self->next_frame_;
                            self->write_next();
                        });
    }

    WireConfig config_;
    tcp::resolver resolver_;
    websocket::stream<Next> ws_;
    std::shared_ptr<WireListener> listener_;
    beast::flat_buffer in_;
    std::string out_;
    std::vector<uint32_t> frames_;
    size_t next_frame_ = 0;
};

}  // namespace

std::shared_ptr<Wire> make_websocket_wire(net::io_context &io, WireConfig config) {
    if (config.tls) {
        auto tls = config.tls;
        return std::make_shared<WebSocketWire<net::ssl::stream<tcp::socket>>>(io, std::move(config), io, *tls);
    }
    return std::make_shared<WebSocketWire<tcp::socket>>(io, std::move(config), io);
}

}  // namespace shd::client
