#include <shaddock/http/http_server.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <sys/socket.h>
#include <unistd.h>

namespace shd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

std::shared_ptr<StringResponse> text_response(bhttp::status status, unsigned version, std::string body, bool keep_alive,
                                              std::string_view content_type) {
    auto r = std::make_shared<StringResponse>(status, version);
    r->set(bhttp::field::content_type, beast::string_view(content_type.data(), content_type.size()));
    r->body() = std::move(body);
    r->keep_alive(keep_alive);
    r->prepare_payload();
    return r;
}

namespace {

// Open connections, in total and per remote address. [io thread only]
class ConnectionCount {
public:
    // A slot for a connection from `address`, or nullptr past a limit. The slot frees itself.
    std::shared_ptr<void> acquire(const std::string &address, const Limits &limits) {
        size_t &mine = per_address_[address];
        if (total_ >= limits.max_connections || mine >= limits.max_connections_per_address) {
            if (mine == 0) per_address_.erase(address);
            return nullptr;
        }
        ++total_;
        ++mine;
        // Any non-null pointer: the slot is its deleter.
        return std::shared_ptr<void>(static_cast<void *>(this), [this, address](void *) {
            --total_;
            auto it = per_address_.find(address);
            if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
        });
    }

private:
    size_t total_ = 0;
    std::unordered_map<std::string, size_t> per_address_;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, std::string remote, const Handler &handler, const Limits &limits,
            std::shared_ptr<void> slot)
        : stream_(std::move(socket)),
          buffer_(limits.max_header_bytes + 1024),  // a header, and the start of a pipelined one
          remote_(std::move(remote)),
          handler_(handler),
          limits_(limits),
          slot_(std::move(slot)) {}

    // The first request's header must be complete within headerTimeout of the accept.
    void run() { read_header(); }

private:
    void read_header() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
        stream_.expires_after(limits_.header_timeout);
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
    }

    // Between requests: up to keepAliveTimeout for the next one to start, then headerTimeout for its
    // header (a client dribbling a header byte by byte is cut off there).
    void await_next() {
        if (buffer_.size() > 0) return read_header();  // pipelined
        stream_.expires_after(limits_.keep_alive_timeout);
        stream_.async_read_some(buffer_.prepare(512), [self = shared_from_this()](beast::error_code ec, size_t n) {
            if (ec) return self->close();
            self->buffer_.commit(n);
            self->read_header();
        });
    }

    void on_header(beast::error_code ec) {
        if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
            // Still in the request line (no line end seen): the target is what is too long.
            const auto data = static_cast<const char *>(buffer_.data().data());
            const bool in_line = std::find(data, data + buffer_.size(), '\n') == data + buffer_.size();
            return fail(in_line ? bhttp::status::uri_too_long : bhttp::status::request_header_fields_too_large,
                        in_line ? "request line too long" : "request header too large");
        }
        if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
            return close();
        if (ec) return fail(bhttp::status::bad_request, "malformed request");
        auto &req = parser_->get();
        const bool post = req.method() == bhttp::verb::post && limits_.max_body_bytes > 0;
        if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head && !post)
            return fail(bhttp::status::method_not_allowed,
                        limits_.max_body_bytes > 0 ? "only GET, HEAD and POST" : "only GET and HEAD");
        if (!post) {
            // GET and HEAD carry no body here; one announced is refused rather than read.
            if (parser_->chunked() || (parser_->content_length() && *parser_->content_length() > 0))
                return fail(bhttp::status::payload_too_large, "request bodies are not accepted");
            body_.clear();
            return dispatch(req);
        }
        // A POST's body: announced by Content-Length, within max_body_bytes, read whole before the
        // handler sees it.
        if (parser_->chunked()) return fail(bhttp::status::length_required, "a request body needs Content-Length");
        const uint64_t length = parser_->content_length() ? *parser_->content_length() : 0;
        if (length > limits_.max_body_bytes) return fail(bhttp::status::payload_too_large, "request body too large");
        body_.clear();
        if (length == 0) return dispatch(req);
        const auto expect = req.find(bhttp::field::expect);
        const bool go_ahead = expect != req.end() && beast::iequals(expect->value(), "100-continue");
        body_parser_.emplace(std::move(*parser_));  // `req` is gone from here on
        body_parser_->body_limit(length);
        stream_.expires_after(limits_.body_timeout);
        auto read_body = [self = shared_from_this()] {
            bhttp::async_read(self->stream_, self->buffer_, *self->body_parser_,
                              [self](beast::error_code e, size_t) { self->on_body(e); });
        };
        if (go_ahead) {
            // The client waits for a go-ahead before sending the body (curl does above 1 KiB).
            static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
            return asio::async_write(stream_, asio::buffer(kContinue, sizeof kContinue - 1),
                                     [self = shared_from_this(), read_body](beast::error_code e, size_t) {
                                         if (e) return self->close();
                                         read_body();
                                     });
        }
        read_body();
    }

    void on_body(beast::error_code ec) {
        // A body not complete in time, cut short or malformed: nothing worth answering.
        if (ec) return close();
        auto &full = body_parser_->get();
        body_ = std::move(full.body());
        head_.emplace(std::move(full.base()));
        body_parser_.reset();
        dispatch(*head_);
    }

    // Hands a complete request to the handler.
    void dispatch(const RequestMessage &req) {
        // Until the answer comes, the send deadline bounds the wait (a handler that never answers
        // leaves the connection to it).
        stream_.expires_after(limits_.send_timeout);
        auto answered = std::make_shared<std::atomic<bool>>(false);
        Reply reply = [self = shared_from_this(), answered](Response res) {
            if (answered->exchange(true)) return;  // once
            asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
                std::visit([&self](auto &r) { self->send(std::move(r)); }, res);
            });
        };
        handler_(Request{req, remote_, body_}, std::move(reply));
    }

    // Answers a request that cannot be read on, and closes.
    void fail(bhttp::status status, const char *text) {
        const unsigned version = body_parser_                           ? body_parser_->get().version()
                                 : parser_ && parser_->is_header_done() ? parser_->get().version()
                                                                        : 11;
        linger_ = true;
        send(text_response(status, version, std::string(text) + "\n", false));
    }

    template <class Message>
    void send(std::shared_ptr<Message> res) {
        if (!res) return close();
        stream_.expires_after(limits_.send_timeout);
        bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
            if (ec || !res->keep_alive()) return self->close();
            self->await_next();
        });
    }

    void close() {
        beast::error_code ignored;
        if (linger_) {
            // After an error answer the client may still be sending what was refused; closing with
            // unread bytes would reset the connection and could destroy the answer before it is
            // read. Stop sending, then discard what comes for up to a second, at most 4 MiB: enough
            // for a refused megabyte request line to arrive whole, so the close sends FIN, not RST.
            linger_ = false;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            stream_.expires_after(std::chrono::seconds(1));
            return drain(0);
        }
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    static constexpr size_t kMaxDrain = 4 << 20;

    void drain(size_t drained) {
        buffer_.consume(buffer_.size());
        stream_.async_read_some(buffer_.prepare(2048),
                                [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
                                    if (ec || drained + n > kMaxDrain) return self->close();
                                    self->buffer_.commit(n);
                                    self->drain(drained + n);
                                });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::empty_body>> parser_;
    std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;  // a POST's body being read
    std::optional<RequestMessage> head_;                                    // the header of a POST read whole
    std::string body_;                                                      // its body
    const std::string remote_;
    const Handler &handler_;
    const Limits &limits_;
    std::shared_ptr<void> slot_;  // this connection's place in ConnectionCount
    bool linger_ = false;         // close() drains first (after an error answer)
};

}  // namespace

struct Server::Impl {
    Impl(Limits l, Handler h, Warn w) : limits(l), handler(std::move(h)), warn(std::move(w)) {}

    // Takes connections with accept4(SOCK_CLOEXEC), so no accepted socket is inheritable either.
    void accept() {
        acceptor.async_wait(tcp::acceptor::wait_read, [this](boost::system::error_code ec) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) {
                const int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0) {
                    adopt(fd);
                } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    // Out of descriptors: wait a little instead of spinning on a readable acceptor.
                    if (warn) warn(std::string("accept failed: ") + std::strerror(errno));
                    retry.expires_after(milliseconds(100));
                    retry.async_wait([this](boost::system::error_code e) {
                        if (!e) accept();
                    });
                    return;
                }
            }
            accept();
        });
    }

    void adopt(int fd) {
        tcp::socket socket(io);
        boost::system::error_code ec;
        socket.assign(protocol, fd, ec);
        if (ec) {
            ::close(fd);
            return;
        }
        auto remote = socket.remote_endpoint(ec);
        if (ec) return;  // already gone
        std::string address = remote.address().to_string();
        auto slot = count.acquire(address, limits);
        if (!slot) {
            if (refused++ % 100 == 0 && warn)
                warn("connection from " + address + " refused: maxConnections or maxConnectionsPerAddress reached (" +
                     std::to_string(refused) + " refused so far)");
            return;  // the socket closes here
        }
        std::make_shared<Session>(std::move(socket), std::move(address), handler, limits, std::move(slot))->run();
    }

    // Sessions still queued in io are destroyed with it and use these: declared before io.
    Limits limits;
    Handler handler;
    Warn warn;
    ConnectionCount count;
    uint64_t refused = 0;

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
    tcp::acceptor acceptor{io};
    tcp protocol = tcp::v4();
    asio::steady_timer retry{io};
    std::thread thread;
};

Server::Server(Limits limits, Handler handler, Warn warn)
    : impl_(std::make_unique<Impl>(limits, std::move(handler), std::move(warn))) {}

Server::~Server() {
    stop();
}

void Server::start(const std::string &address, int port) {
    Impl &m = *impl_;
    boost::system::error_code ec;
    tcp::endpoint ep(asio::ip::make_address(address, ec), static_cast<unsigned short>(port));
    if (ec) throw std::invalid_argument("\"" + address + "\" is not an IP address");
    // Opened close-on-exec (Asio's open() is not): processes this one spawns must not hold the port.
    const int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) ec.assign(errno, boost::system::system_category());
    if (!ec) m.acceptor.assign(ep.protocol(), fd, ec);
    if (ec && fd >= 0) ::close(fd);
    if (!ec) m.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) m.acceptor.bind(ep, ec);
    if (!ec) m.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) m.acceptor.non_blocking(true, ec);  // accept4 must not block the I/O thread
    if (ec) {
        boost::system::error_code ignored;
        m.acceptor.close(ignored);
        throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
    }
    m.protocol = ep.protocol();
    port_ = m.acceptor.local_endpoint().port();
    m.accept();
    m.thread = std::thread([&m] { m.io.run(); });
}

void Server::stop() {
    Impl &m = *impl_;
    if (!m.thread.joinable()) return;
    asio::post(m.io, [&m] {
        boost::system::error_code ignored;
        m.acceptor.close(ignored);
    });
    m.guard.reset();
    m.io.stop();
    m.thread.join();
    boost::system::error_code ignored;
    m.acceptor.close(ignored);  // the port is free once stop() returns
}

}  // namespace shd::http
