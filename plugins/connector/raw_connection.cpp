// The raw Pomelo transport: the package byte stream over TCP (libpomelo2, Unity/.NET and other
// native clients), plain or inside TLS. Chunks go to the protocol as they come (whole_message 0);
// queued packages leave in one gathered write.
#include "transport_factories.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <type_traits>

namespace shd::connector {

namespace asio = boost::asio;

namespace {

// A ConstBufferSequence over a vector the connection owns, so a write does not copy the vector.
struct SharedBytesView {
    const std::vector<asio::const_buffer> *buffers;
    auto begin() const { return buffers->begin(); }
    auto end() const { return buffers->end(); }
};

constexpr size_t kTlsReadBuffer = 8 * 1024;
constexpr size_t kPlainReadBuffer = 64 * 1024;
// Reads in a row on one readiness event before yielding to other connections.
constexpr int kReadsPerWakeup = 4;

template <class Stream>
class RawConnection final : public Connection {
public:
    static constexpr bool kPlain = std::is_same_v<Stream, TcpSocket>;

    RawConnection(Stream stream, ConnectionStart start, std::string first)
        : Connection(stream.get_executor(), *start.settings, std::move(start.slot), start.idle_deadline,
                     std::move(start.remote)),
          stream_(std::move(stream)),
          first_(std::move(first)) {}

private:
    TcpSocket &socket() {
        if constexpr (kPlain)
            return stream_;
        else
            return stream_.next_layer();
    }

    void start_transport() override {
        if (!open_protocol()) return;
        if (!first_.empty()) {
            std::string first;
            first.swap(first_);
            receive(reinterpret_cast<const uint8_t *>(first.data()), first.size(), false);
            if (closed()) return;
        }
        if constexpr (kPlain) {
            boost::system::error_code ec;
            stream_.non_blocking(true, ec);
            wait_readable();
        } else {
            read_buffer_.reset(new uint8_t[kTlsReadBuffer]);
            read_tls();
        }
    }

    // Plain TCP waits for readability and then reads into one buffer per I/O thread: an idle
    // connection holds no read buffer at all, which matters with many thousands of clients.
    void wait_readable() {
        stream_.async_wait(TcpSocket::wait_read, [self = shared(), this](const boost::system::error_code &ec) {
            if (closed()) return;
            if (ec) {
                finish("client closed");
                return;
            }
            read_ready();
        });
    }

    void read_ready() {
        static thread_local std::array<uint8_t, kPlainReadBuffer> buffer;
        for (int i = 0; i < kReadsPerWakeup; ++i) {
            boost::system::error_code ec;
            size_t n = stream_.read_some(asio::buffer(buffer), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) break;
            if (ec) {
                finish("client closed");
                return;
            }
            receive(buffer.data(), n, false);
            if (closed()) return;
            if (n < buffer.size()) break;
        }
        wait_readable();
    }

    void read_tls() {
        stream_.async_read_some(asio::buffer(read_buffer_.get(), kTlsReadBuffer),
                                [self = shared(), this](const boost::system::error_code &ec, size_t n) {
                                    if (closed()) return;
                                    if (ec) {
                                        finish("client closed");
                                        return;
                                    }
                                    receive(read_buffer_.get(), n, false);
                                    if (!closed()) read_tls();
                                });
    }

    void write_inflight() override {
        gather_.clear();
        if constexpr (kPlain) {
            // One gathered write (writev) straight from the shared buffers.
            for (const auto &b : inflight_) gather_.emplace_back(b->data(), b->size());
        } else {
            // TLS encrypts one buffer per record: join small packages so they share records.
            tls_out_.clear();
            for (const auto &b : inflight_) tls_out_ += *b;
            gather_.emplace_back(tls_out_.data(), tls_out_.size());
        }
        asio::async_write(stream_, SharedBytesView{&gather_},
                          [self = shared(), this](const boost::system::error_code &ec, size_t) {
                              if (tls_out_.capacity() > kTlsReadBuffer * 8) std::string().swap(tls_out_);
                              on_write_done(!ec);
                          });
    }

    // After the last bytes: send FIN and keep reading (and dropping) until the client's EOF, so
    // the client reads everything before the connection goes. The linger deadline bounds this.
    void shutdown_transport() override {
        boost::system::error_code ec;
        socket().shutdown(TcpSocket::shutdown_send, ec);
        if (ec) finish("client closed");
    }

    void close_socket() override {
        boost::system::error_code ec;
        socket().close(ec);
    }

    std::shared_ptr<RawConnection> shared() { return std::static_pointer_cast<RawConnection>(shared_from_this()); }

    Stream stream_;
    std::string first_;
    std::unique_ptr<uint8_t[]> read_buffer_;  // TLS only
    std::string tls_out_;                     // TLS only: the packages of one write, joined
    std::vector<asio::const_buffer> gather_;
};

}  // namespace

std::shared_ptr<Connection> make_raw_connection(TcpSocket socket, ConnectionStart start, std::string first) {
    return std::make_shared<RawConnection<TcpSocket>>(std::move(socket), std::move(start), std::move(first));
}

std::shared_ptr<Connection> make_raw_connection(TlsStream stream, ConnectionStart start, std::string first) {
    return std::make_shared<RawConnection<TlsStream>>(std::move(stream), std::move(start), std::move(first));
}

}  // namespace shd::connector
