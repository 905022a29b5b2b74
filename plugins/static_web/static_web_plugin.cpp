// The `static_web` plugin: serves a folder of static files over HTTP (the chat demo's web client on
// :3001, as Pomelo's web-server did), on one I/O thread of its own. GET and HEAD only; paths never
// leave the folder; every connection has a deadline.
#include "file_responder.hpp"

#include <shaddock/cpp/options.hpp>
#include <shaddock/cpp/plugin.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <thread>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, const shd::web::FileResponder &files) : stream_(std::move(socket)), files_(files) {}

    void run() { read(); }

private:
    void read() {
        request_ = {};
        stream_.expires_after(std::chrono::seconds(30));
        http::async_read(stream_, buffer_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->close();
            self->respond();
        });
    }

    void respond() {
        auto response = std::make_shared<http::response<http::string_body>>(files_.respond(request_));
        response->keep_alive(request_.keep_alive());
        response->prepare_payload();
        http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code ec, size_t) {
            if (ec || !response->keep_alive()) return self->close();
            self->read();
        });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    const shd::web::FileResponder &files_;
};

class StaticWeb : public shd::Plugin {
public:
    using shd::Plugin::Plugin;
    ~StaticWeb() override { join(); }

    void configure() override {
        shd::Options opts(host().options_json());
        opts.reject_unknown({"port", "host", "root"});
        port_ = static_cast<int>(opts.get_int("port", 3001, 0, 65535));
        address_ = opts.get_string("host", "0.0.0.0");
        std::string root = opts.get_string("root", "web-server/public");
        if (root.empty() || root[0] != '/') root = host().server().app_dir + "/" + root;
        files_ = std::make_unique<shd::web::FileResponder>(root);
        if (!files_->ok()) throw shd::Error(SHD_ERR_INVALID, "option root: " + root + " is not a readable folder");
    }

    void start() override {
        boost::system::error_code ec;
        tcp::endpoint ep(asio::ip::make_address(address_, ec), static_cast<unsigned short>(port_));
        if (ec) throw shd::Error(SHD_ERR_INVALID, "option host: \"" + address_ + "\" is not an IP address");
        acceptor_.open(ep.protocol(), ec);
        if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor_.bind(ep, ec);
        if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) throw shd::Error(SHD_ERR_IO, "cannot listen on " + address_ + ":" + std::to_string(port_) + ": " + ec.message());
        accept();
        thread_ = std::thread([this] { io_.run(); });
        std::string shown = address_ == "0.0.0.0" ? "127.0.0.1" : address_;
        host().info("web client at http://" + shown + ":" + std::to_string(acceptor_.local_endpoint().port()) + "/ (files from " +
                    files_->root() + ")");
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
    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec) return;
            std::make_shared<HttpSession>(std::move(socket), *files_)->run();
            accept();
        });
    }
    void join() {
        if (thread_.joinable()) thread_.join();
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
    tcp::acceptor acceptor_{io_};
    std::thread thread_;
    int port_ = 3001;
    std::string address_;
    std::unique_ptr<shd::web::FileResponder> files_;
};

}  // namespace

SHADDOCK_PLUGIN(StaticWeb, "static_web", "0.1.0", "", "")
