#include "limit_server.hpp"

#include "pomelo_wire.hpp"

#include <boost/asio.hpp>

#include <array>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace limit {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket socket, const Options &options) : socket_(std::move(socket)), options_(options) {}

    void start() {
        boost::system::error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        read();
    }

private:
    void read() {
        socket_.async_read_some(asio::buffer(chunk_),
                                [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                                    if (ec) return self->close();
                                    self->input_.append(self->chunk_.data(), n);
                                    if (!self->consume()) return self->close();
                                    self->flush();
                                    self->read();
                                });
    }

    // Handles every complete package of the input; false when the client must go.
    bool consume() {
        std::string_view in(input_);
        size_t used = 0;
        for (;;) {
            PackageView p = next_package(in.substr(used));
            if (p.status == PackageView::kBad) return false;
            if (p.status == PackageView::kNeedMore) break;
            used += p.size;
            switch (p.type) {
                case kHandshake:
                    if (handshaken_ || !valid_handshake(p.body)) return false;
                    handshaken_ = true;
                    append_package(output_, kHandshake, handshake_reply(options_.heartbeat));
                    break;
                case kHandshakeAck: acked_ = handshaken_; break;
                case kHeartbeat:
                    if (acked_) append_package(output_, kHeartbeat, {});
                    break;
                case kData:
                    // Before the handshake is done Pomelo ignores data; so does this.
                    if (acked_ && !answer_message(p.body, output_)) return false;
                    break;
                default: return false;  // a kick from the client
            }
        }
        input_.erase(0, used);
        return output_.size() + writing_.size() <= options_.send_limit;
    }

    // One write at a time; what is produced meanwhile goes out together in the next one.
    void flush() {
        if (!writing_.empty() || output_.empty()) return;
        writing_.swap(output_);
        asio::async_write(socket_, asio::buffer(writing_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                              if (ec) return self->close();
                              self->writing_.clear();
                              self->flush();
                          });
    }

    void close() {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    tcp::socket socket_;
    const Options &options_;
    std::array<char, 16 * 1024> chunk_;
    std::string input_, output_, writing_;
    bool handshaken_ = false, acked_ = false;
};

class Worker {
public:
    Worker(const Options &options, const tcp::endpoint &endpoint) : options_(options), acceptor_(io_) {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.set_option(reuse_port(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
    }

    uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void run() {
        accept();
        io_.run();
    }
    void stop() { io_.stop(); }

private:
    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (!ec) std::make_shared<Connection>(std::move(socket), options_)->start();
            // Out of descriptors or a reset before accept: keep accepting the others.
            if (ec != asio::error::operation_aborted) accept();
        });
    }

    const Options &options_;
    asio::io_context io_{1};
    tcp::acceptor acceptor_;
};

}  // namespace

int run(const Options &options) {
    std::vector<std::unique_ptr<Worker>> workers;
    tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
    try {
        for (int i = 0; i < options.threads; ++i) {
            workers.push_back(std::make_unique<Worker>(options, endpoint));
            // With port 0 the first acceptor picks the port; the others share it.
            endpoint.port(workers.front()->port());
        }
    } catch (const std::exception &e) {
        std::cerr << "cannot listen on " << options.host << ":" << options.port << ": " << e.what() << "\n";
        return 1;
    }

    asio::io_context signals_io;
    asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int) {
        for (auto &w : workers) w->stop();
    });

    std::vector<std::thread> threads;
    for (auto &w : workers) threads.emplace_back([&w] { w->run(); });
    std::cout << "listening on " << options.host << ":" << endpoint.port() << " with " << options.threads
              << " thread(s)" << std::endl;
    signals_io.run();
    for (auto &t : threads) t.join();
    return 0;
}

}  // namespace limit
