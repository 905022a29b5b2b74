// The raw Pomelo transport: the package byte stream over TCP (libpomelo2, Unity/.NET and other
// native clients), plain or inside TLS. Chunks go to the protocol as they come (whole_message 0);
// queued packages leave in one gathered write.
#include "transport_factories.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <memory>
#include <type_traits>
#include <vector>

namespace shd::connector {

namespace asio = boost::asio;

namespace {

constexpr size_t kTlsReadBuffer = 8 * 1024;
constexpr size_t kPlainReadBuffer = 64 * 1024;
// Reads in a row on one readiness event before yielding to other connections.
constexpr int kReadsPerWakeup = 4;
// Buffers per writev (the kernel's IOV_MAX is 1024).
constexpr size_t kMaxGather = 256;

// TLS needs a read buffer for the whole connection and joins packages into one record per write.
struct TlsState {
    std::unique_ptr<uint8_t[]> read_buffer{new uint8_t[kTlsReadBuffer]};
    std::string out;
};
struct NoTlsState {};

template <class Stream>
class RawConnection final : public Connection {
public:
    static constexpr bool kPlain = std::is_same_v<Stream, TcpSocket>;

    RawConnection(Stream stream, ConnectionStart start, std::string first)
        : Connection(stream.get_executor(), *start.settings, std::move(start.slot), start.idle_deadline,
                     std::move(start.remote)),
          stream_(std::move(stream)),
          first_(first.empty() ? nullptr : new std::string(std::move(first))) {}

private:
    TcpSocket &socket() {
        if constexpr (kPlain)
            return stream_;
        else
            return stream_.next_layer();
    }

    void start_transport() override {
        if (!open_protocol()) return;
        if constexpr (kPlain) {
            boost::system::error_code ec;
            stream_.non_blocking(true, ec);
        } else {
            tls_ = std::make_unique<TlsState>();
        }
        if (first_) {
            std::unique_ptr<std::string> first = std::move(first_);
            receive(reinterpret_cast<const uint8_t *>(first->data()), first->size(), false);
            if (closed() || reading_stopped()) return;
        }
        resume_transport();
    }

    void resume_transport() override {
        if constexpr (kPlain)
            wait_readable();
        else
            read_tls();
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
            const size_t want = read_allowance(buffer.size());
            size_t n = stream_.read_some(asio::buffer(buffer.data(), want), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) break;
            if (ec) {
                finish("client closed");
                return;
            }
            receive(buffer.data(), n, false);
            if (closed() || reading_stopped()) return;
            if (n < want) break;
        }
        wait_readable();
    }

    void read_tls() {
        stream_.async_read_some(asio::buffer(tls_->read_buffer.get(), kTlsReadBuffer),
                                [self = shared(), this](const boost::system::error_code &ec, size_t n) {
                                    if (closed()) return;
                                    if (ec) {
                                        finish("client closed");
                                        return;
                                    }
                                    receive(tls_->read_buffer.get(), n, false);
                                    if (!closed() && !reading_stopped()) read_tls();
                                });
    }

    void write_inflight() override {
        if constexpr (kPlain) {
            sent_ = 0;
            write_plain();
        } else {
            // TLS encrypts one buffer per record: join small packages so they share records.
            tls_->out.clear();
            for (size_t i = 0; i < inflight_count(); ++i) tls_->out += inflight(i);
            asio::async_write(stream_, asio::buffer(tls_->out),
                              [self = shared(), this](const boost::system::error_code &ec, size_t) {
                                  if (tls_->out.capacity() > kTlsReadBuffer * 8) std::string().swap(tls_->out);
                                  on_write_done(!ec);
                              });
        }
    }

    // Plain TCP writes at once (a non-blocking writev straight from the shared packages); only what
    // the kernel does not take waits for writability. No write operation, no copy, no gather list
    // kept per connection.
    void write_plain() {
        static thread_local std::vector<asio::const_buffer> gather;
        for (;;) {
            gather.clear();
            size_t skip = sent_;
            for (size_t i = 0; i < inflight_count() && gather.size() < kMaxGather; ++i) {
                const std::string &b = inflight(i);
                if (skip >= b.size()) {
                    skip -= b.size();
                    continue;
                }
                gather.emplace_back(b.data() + skip, b.size() - skip);
                skip = 0;
            }
            if (gather.empty()) return on_write_done(true);
            boost::system::error_code ec;
            size_t n = stream_.write_some(gather, ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) break;
            if (ec) return on_write_done(false);
            sent_ += n;
        }
        stream_.async_wait(TcpSocket::wait_write, [self = shared(), this](const boost::system::error_code &ec) {
            if (ec || closed()) return on_write_done(false);
            write_plain();
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
    std::unique_ptr<std::string> first_;  // the sniffed bytes, until the protocol has them
    std::conditional_t<kPlain, NoTlsState, std::unique_ptr<TlsState>> tls_{};
    size_t sent_ = 0;  // plain: bytes of the write in progress already taken by the kernel
};

}  // namespace

std::shared_ptr<Connection> make_raw_connection(TcpSocket socket, ConnectionStart start, std::string first) {
    return std::make_shared<RawConnection<TcpSocket>>(std::move(socket), std::move(start), std::move(first));
}

std::shared_ptr<Connection> make_raw_connection(TlsStream stream, ConnectionStart start, std::string first) {
    return std::make_shared<RawConnection<TlsStream>>(std::move(stream), std::move(start), std::move(first));
}

}  // namespace shd::connector
