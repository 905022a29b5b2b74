// Raw TCP and TLS-over-TCP wires: a byte stream of Pomelo packages. Writes go out as one gathered
// write of everything queued since the last one.
#include "wire_connect.hpp"

#include <boost/asio/write.hpp>

#include <memory>
#include <optional>

namespace shd::client {

namespace {

// Raw TCP waits for readability and then reads into one buffer per I/O thread, so an idle client
// holds no read buffer at all (thousands of clients per thread stay small). TLS must read through
// the SSL stream, which keeps its own buffers; it gets a modest one of its own.
constexpr size_t kThreadReadBuffer = 64 * 1024;
constexpr size_t kTlsReadChunk = 8 * 1024;

char *thread_read_buffer() {
    thread_local std::unique_ptr<char[]> buffer(new char[kThreadReadBuffer]);
    return buffer.get();
}

class StreamWire final : public Wire {
public:
    StreamWire(net::io_context &io, WireConfig config)
        : config_(std::move(config)), resolver_(io), socket_(io) {
        if (config_.tls) {
            tls_.emplace(socket_, *config_.tls);
            tls_in_.resize(kTlsReadChunk);
        }
    }

    void open(std::shared_ptr<WireListener> listener) override {
        listener_ = std::move(listener);
        connect_socket(resolver_, socket_, config_, [self = self()](std::string err) {
            if (!err.empty()) return self->opened(err);
            if (!self->tls_) return self->opened({});
            tls_handshake(*self->tls_, self->config_, [self](std::string terr) { self->opened(terr); });
        });
    }

    void write(std::string &data, std::vector<uint32_t> &frame_ends) override {
        frame_ends.clear();
        out_.swap(data);
        data.clear();
        auto done = [self = self()](const boost::system::error_code &ec, size_t) {
            if (auto l = self->listener_) l->on_wire_written(ec ? "write: " + describe(ec) : std::string());
        };
        if (tls_) {
            net::async_write(*tls_, net::buffer(out_), std::move(done));
        } else {
            net::async_write(socket_, net::buffer(out_), std::move(done));
        }
    }

    void close(bool) override {
        listener_.reset();
        boost::system::error_code ignored;
        resolver_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

private:
    std::shared_ptr<StreamWire> self() { return std::static_pointer_cast<StreamWire>(shared_from_this()); }

    void opened(const std::string &err) {
        auto l = listener_;
        if (!l) return;
        l->on_wire_open(err);
        if (!err.empty() || !listener_) return;
        if (!tls_) {
            boost::system::error_code ignored;
            socket_.non_blocking(true, ignored);
        }
        read();
    }

    void read() {
        if (tls_) {
            tls_->async_read_some(net::buffer(tls_in_), [self = self()](const boost::system::error_code &ec, size_t n) {
                if (!self->listener_) return;
                if (ec) return self->ended(ec);
                auto l = self->listener_;
                l->on_wire_data(std::string_view(self->tls_in_.data(), n));
                if (self->listener_) self->read();
            });
            return;
        }
        socket_.async_wait(tcp::socket::wait_read, [self = self()](const boost::system::error_code &ec) {
            if (!self->listener_) return;
            if (ec) return self->ended(ec);
            self->drain();
        });
    }

    // Reads what the kernel holds (a bounded number of rounds, to stay fair to the other clients
    // of this thread), then waits again.
    void drain() {
        char *buffer = thread_read_buffer();
        for (int round = 0; round < 4; ++round) {
            boost::system::error_code ec;
            const size_t n = socket_.read_some(net::buffer(buffer, kThreadReadBuffer), ec);
            if (ec == net::error::would_block || ec == net::error::try_again) break;
            if (ec) return ended(ec);
            auto l = listener_;
            l->on_wire_data(std::string_view(buffer, n));
            if (!listener_) return;
            if (n < kThreadReadBuffer) break;
        }
        read();
    }

    void ended(const boost::system::error_code &ec) {
        auto l = std::move(listener_);
        l->on_wire_closed(ec == net::error::eof ? "the server closed the connection" : "read: " + describe(ec));
    }

    WireConfig config_;
    tcp::resolver resolver_;
    tcp::socket socket_;
    std::optional<net::ssl::stream<tcp::socket &>> tls_;
    std::shared_ptr<WireListener> listener_;
    std::vector<char> tls_in_;
    std::string out_;
};

}  // namespace

std::shared_ptr<Wire> make_stream_wire(net::io_context &io, WireConfig config) {
    return std::make_shared<StreamWire>(io, std::move(config));
}

}  // namespace shd::client
