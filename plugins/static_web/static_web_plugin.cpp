// The `static_web` plugin: serves a folder of static files over HTTP (the chat demo's web client on
// :3001, as Pomelo's web-server did), on one I/O thread of its own. GET and HEAD only; paths never
// leave the folder (file_responder.hpp); the request line and headers are bounded in size and time
// (a header deadline separate from the keep-alive idle deadline); connections are capped in total and
// per address; every socket is close-on-exec.
#include "file_responder.hpp"
#include "static_web_options.hpp"

#include <shaddock/cpp/plugin.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include <sys/socket.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

struct Limits {
    size_t max_header_bytes = 8192;  // request line and header fields together
    milliseconds header_timeout{5000};
    milliseconds keep_alive_timeout{30000};
    milliseconds send_timeout{30000};
    size_t max_connections = 512;
    size_t max_connections_per_address = 32;
};

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

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, const shd::web::FileResponder &files, const Limits &limits,
                std::shared_ptr<void> slot)
        : stream_(std::move(socket)),
          buffer_(limits.max_header_bytes + 1024),  // a header, and the start of a pipelined one
          files_(files),
          limits_(limits),
          slot_(std::move(slot)) {}

    // The first request's header must be complete within headerTimeout of the accept.
    void run() { read_header(); }

private:
    void read_header() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
        stream_.expires_after(limits_.header_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
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
        if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
            // Still in the request line (no line end seen): the target is what is too long.
            const auto data = static_cast<const char *>(buffer_.data().data());
            const bool in_line = std::find(data, data + buffer_.size(), '\n') == data + buffer_.size();
            return fail(in_line ? http::status::uri_too_long : http::status::request_header_fields_too_large,
                        in_line ? "request line too long" : "request header too large");
        }
        if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
            return close();
        if (ec) return fail(http::status::bad_request, "malformed request");
        auto &req = parser_->get();
        if (req.method() != http::verb::get && req.method() != http::verb::head)
            return fail(http::status::method_not_allowed, "only GET and HEAD");
        // GET and HEAD carry no body here; one announced is refused rather than read.
        if (parser_->chunked() || (parser_->content_length() && *parser_->content_length() > 0))
            return fail(http::status::payload_too_large, "request bodies are not accepted");
        respond();
    }

    void respond() {
        const auto &req = parser_->get();
        const bool keep_alive = req.keep_alive();
        shd::web::Resolved r = files_.resolve(std::string_view(req.target().data(), req.target().size()));
        if (r.status != http::status::ok)
            return send(plain(r.status, req.version(), r.status == http::status::bad_request ? "bad path" : "not found",
                              keep_alive));
        beast::error_code ec;
        if (req.method() == http::verb::head) {
            std::error_code size_ec;
            const auto size = std::filesystem::file_size(r.file, size_ec);
            if (size_ec) return send(plain(http::status::not_found, req.version(), "not found", keep_alive));
            auto res = std::make_shared<http::response<http::empty_body>>(http::status::ok, req.version());
            res->set(http::field::content_type, r.content_type);
            res->set(http::field::cache_control, "no-cache");
            res->content_length(size);
            res->keep_alive(keep_alive);
            return send(std::move(res));
        }
        http::file_body::value_type body;
        body.open(r.file.c_str(), beast::file_mode::scan, ec);
        if (ec) return send(plain(http::status::not_found, req.version(), "not found", keep_alive));
        auto res = std::make_shared<http::response<http::file_body>>(std::piecewise_construct,
                                                                     std::make_tuple(std::move(body)),
                                                                     std::make_tuple(http::status::ok, req.version()));
        res->set(http::field::content_type, r.content_type);
        res->set(http::field::cache_control, "no-cache");
        res->keep_alive(keep_alive);
        res->prepare_payload();
        send(std::move(res));
    }

    static std::shared_ptr<http::response<http::string_body>> plain(http::status status, unsigned version,
                                                                    const char *text, bool keep_alive) {
        auto r = std::make_shared<http::response<http::string_body>>(status, version);
        r->set(http::field::content_type, "text/plain; charset=utf-8");
        r->body() = std::string(text) + "\n";
        r->keep_alive(keep_alive);
        r->prepare_payload();
        return r;
    }

    // Answers a request that cannot be read on, and closes.
    void fail(http::status status, const char *text) {
        const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
        linger_ = true;
        send(plain(status, version, text, false));
    }

    template <class Response>
    void send(std::shared_ptr<Response> res) {
        stream_.expires_after(limits_.send_timeout);
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
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
    std::optional<http::request_parser<http::empty_body>> parser_;
    const shd::web::FileResponder &files_;
    const Limits &limits_;
    std::shared_ptr<void> slot_;  // this connection's place in ConnectionCount
    bool linger_ = false;         // close() drains first (after an error answer)
};

class StaticWeb : public shd::Plugin {
public:
    using shd::Plugin::Plugin;
    ~StaticWeb() override { join(); }

    void configure() override {
        shd::Options opts(host().options_json(), shd::web::static_web_option_table());
        port_ = static_cast<int>(opts.integer("port"));
        address_ = opts.string("host");
        std::string root = opts.string("root");
        if (root.empty() || root[0] != '/') root = host().server().app_dir + "/" + root;
        limits_.max_header_bytes = static_cast<size_t>(opts.integer("maxHeaderBytes"));
        limits_.header_timeout = milliseconds(opts.integer("headerTimeout"));
        limits_.keep_alive_timeout = milliseconds(opts.integer("keepAliveTimeout"));
        limits_.send_timeout = milliseconds(opts.integer("sendTimeout"));
        limits_.max_connections = static_cast<size_t>(opts.integer("maxConnections"));
        limits_.max_connections_per_address = static_cast<size_t>(opts.integer("maxConnectionsPerAddress"));
        files_ = std::make_unique<shd::web::FileResponder>(root);
        if (!files_->ok()) throw shd::Error(SHD_ERR_INVALID, "option root: " + root + " is not a readable folder");
    }

    void start() override {
        boost::system::error_code ec;
        tcp::endpoint ep(asio::ip::make_address(address_, ec), static_cast<unsigned short>(port_));
        if (ec) throw shd::Error(SHD_ERR_INVALID, "option host: \"" + address_ + "\" is not an IP address");
        // Opened close-on-exec (Asio's open() is not): the servers the master spawns must not hold
        // this port.
        const int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0) ec.assign(errno, boost::system::system_category());
        if (!ec) acceptor_.assign(ep.protocol(), fd, ec);
        if (ec && fd >= 0) ::close(fd);
        if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor_.bind(ep, ec);
        if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (!ec) acceptor_.non_blocking(true, ec);  // accept4 below must not block the I/O thread
        if (ec)
            throw shd::Error(SHD_ERR_IO,
                             "cannot listen on " + address_ + ":" + std::to_string(port_) + ": " + ec.message());
        protocol_ = ep.protocol();
        accept();
        thread_ = std::thread([this] { io_.run(); });
        std::string shown = address_ == "0.0.0.0" ? "127.0.0.1" : address_;
        host().info("web client at http://" + shown + ":" + std::to_string(acceptor_.local_endpoint().port()) +
                    "/ (files from " + files_->root() + ")");
    }

    void stop(shd::Done done) override {
        asio::post(io_, [this] {
            boost::system::error_code ignored;
            acceptor_.close(ignored);
        });
        guard_.reset();
        io_.stop();
        join();
        done();
    }

private:
    // Takes connections with accept4(SOCK_CLOEXEC), so no accepted socket is inheritable either.
    void accept() {
        acceptor_.async_wait(tcp::acceptor::wait_read, [this](boost::system::error_code ec) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) {
                const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0) {
                    adopt(fd);
                } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    // Out of descriptors: wait a little instead of spinning on a readable acceptor.
                    host().warn(std::string("accept failed: ") + std::strerror(errno));
                    retry_.expires_after(milliseconds(100));
                    retry_.async_wait([this](boost::system::error_code e) {
                        if (!e) accept();
                    });
                    return;
                }
            }
            accept();
        });
    }

    void adopt(int fd) {
        tcp::socket socket(io_);
        boost::system::error_code ec;
        socket.assign(protocol_, fd, ec);
        if (ec) {
            ::close(fd);
            return;
        }
        auto remote = socket.remote_endpoint(ec);
        if (ec) return;  // already gone
        auto slot = count_.acquire(remote.address().to_string(), limits_);
        if (!slot) {
            if (refused_++ % 100 == 0)
                host().warn("connection from " + remote.address().to_string() +
                            " refused: maxConnections or maxConnectionsPerAddress reached (" +
                            std::to_string(refused_) + " refused so far)");
            return;  // the socket closes here
        }
        std::make_shared<HttpSession>(std::move(socket), *files_, limits_, std::move(slot))->run();
    }

    void join() {
        if (thread_.joinable()) thread_.join();
    }

    // Sessions still queued in io_ are destroyed with it and use these: declared before io_.
    Limits limits_;
    ConnectionCount count_;
    std::unique_ptr<shd::web::FileResponder> files_;
    uint64_t refused_ = 0;

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
    tcp::acceptor acceptor_{io_};
    tcp protocol_ = tcp::v4();
    asio::steady_timer retry_{io_};
    std::thread thread_;
    int port_ = 3001;
    std::string address_;
};

}  // namespace

SHADDOCK_PLUGIN(StaticWeb, "static_web", "0.1.0", "", "")
