#include "client_intake.hpp"

#include "transport_factories.hpp"
#include "transport_sniffer.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include <type_traits>

namespace shd::connector {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// Bytes read per sniffing step; a raw client's whole handshake usually fits.
constexpr size_t kSniffChunk = 1024;

template <class Stream>
class Intake final : public Closable, public std::enable_shared_from_this<Intake<Stream>> {
public:
    static constexpr bool kTls = !std::is_same_v<Stream, TcpSocket>;

    template <class... StreamArgs>
    Intake(const ConnectionSettings &settings, TrackerSlot slot, std::string remote, StreamArgs &&...args)
        : stream_(std::forward<StreamArgs>(args)...),
          deadline_(stream_.get_executor()),
          settings_(settings),
          slot_(std::move(slot)),
          remote_(std::move(remote)),
          idle_deadline_(Clock::now() + std::chrono::milliseconds(settings.handshake_timeout_ms)) {}

    void start() {
        slot_.attach(this);
        asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->begin(); });
    }

    // Called under the tracker's lock, possibly while the last reference is going away.
    void abort_async(const std::string &) override {
        auto self = this->weak_from_this().lock();
        if (!self) return;
        asio::post(stream_.get_executor(), [self = std::move(self)] { self->stop(); });
    }

private:
    TcpSocket &socket() {
        if constexpr (kTls)
            return stream_.next_layer();
        else
            return stream_;
    }

    void begin() {
        if (slot_.stopping()) return stop();
        deadline_.expires_at(idle_deadline_);
        deadline_.async_wait([self = this->shared_from_this()](const boost::system::error_code &ec) {
            if (!ec && !self->handed_over_) self->stop();
        });
        if constexpr (kTls) {
            stream_.async_handshake(asio::ssl::stream_base::server,
                                    [self = this->shared_from_this()](const boost::system::error_code &ec) {
                                        if (ec || self->stopped_) return self->stop();
                                        self->sniff();
                                    });
        } else {
            sniff();
        }
    }

    void sniff() {
        stream_.async_read_some(buffer_.prepare(kSniffChunk),
                                [self = this->shared_from_this()](const boost::system::error_code &ec, size_t n) {
                                    if (ec || self->stopped_) return self->stop();
                                    self->buffer_.commit(n);
                                    self->decide();
                                });
    }

    void decide() {
        auto bytes = buffer_.data();
        std::string_view first(static_cast<const char *>(bytes.data()), bytes.size());
        Transport t = sniff_transport(first);
        if (t == Transport::undecided) return sniff();
        handed_over_ = true;
        deadline_.cancel();
        ConnectionStart start{&settings_, std::move(slot_), idle_deadline_, std::move(remote_)};
        std::shared_ptr<Connection> conn;
        if (t == Transport::websocket) {
            conn = make_ws_connection(std::move(stream_), std::move(start), std::move(buffer_));
        } else {
            conn = make_raw_connection(std::move(stream_), std::move(start), std::string(first));
        }
        conn->start();
    }

    // Before a transport is chosen there is no session and no protocol state: just close.
    void stop() {
        if (stopped_ || handed_over_) return;
        stopped_ = true;
        boost::system::error_code ec;
        deadline_.cancel();
        socket().close(ec);
        slot_.release();
    }

    Stream stream_;
    asio::steady_timer deadline_;
    const ConnectionSettings &settings_;
    TrackerSlot slot_;
    std::string remote_;
    Clock::time_point idle_deadline_;
    beast::flat_buffer buffer_;
    bool handed_over_ = false;
    bool stopped_ = false;
};

}  // namespace

void start_intake(TcpSocket socket, asio::ssl::context *tls, const ConnectionSettings &settings, TrackerSlot slot,
                  std::string remote) {
    if (tls) {
        auto intake =
            std::make_shared<Intake<TlsStream>>(settings, std::move(slot), std::move(remote), std::move(socket), *tls);
        intake->start();
    } else {
        auto intake =
            std::make_shared<Intake<TcpSocket>>(settings, std::move(slot), std::move(remote), std::move(socket));
        intake->start();
    }
}

}  // namespace shd::connector
