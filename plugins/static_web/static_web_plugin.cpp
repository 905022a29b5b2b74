// The `static_web` plugin: serves a folder of static files over HTTP (the chat demo's web client on
// :3001, as Pomelo's web-server did). The HTTP server is the project's one (shd_http_server: bounded
// request line and headers, header and keep-alive deadlines, connection caps, close-on-exec sockets,
// GET and HEAD only, on one I/O thread of its own); this plugin is the file responder on top of it,
// and paths never leave the folder (file_responder.hpp).
#include "file_responder.hpp"
#include "file_serving.hpp"
#include "static_web_options.hpp"

#include <shaddock/cpp/plugin.hpp>
#include <shaddock/http/http_server.hpp>

#include <boost/beast/http/verb.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace {

namespace bhttp = boost::beast::http;
using std::chrono::milliseconds;


class StaticWeb : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

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
        const shd::web::FileResponder &files = *files_;
        server_ = std::make_unique<shd::http::Server>(
            limits_,
            [&files](const shd::http::Request &req, const shd::http::Reply &reply) {
                reply(serve_file(files, req.message));
            },
            [this](const std::string &line) { host().warn(line); });
        try {
            server_->start(address_, port_);
        } catch (const std::invalid_argument &e) {
            throw shd::Error(SHD_ERR_INVALID, std::string("option host: ") + e.what());
        } catch (const std::runtime_error &e) {
            throw shd::Error(SHD_ERR_IO, e.what());
        }
        std::string shown = address_ == "0.0.0.0" ? "127.0.0.1" : address_;
        host().info("web client at http://" + shown + ":" + std::to_string(server_->port()) + "/ (files from " +
                    files_->root() + ")");
    }

    void stop(shd::Done done) override {
        if (server_) server_->stop();
        done();
    }

private:
    shd::http::Limits limits_;
    std::unique_ptr<shd::web::FileResponder> files_;  // outlives server_ (its handler reads it)
    std::unique_ptr<shd::http::Server> server_;
    int port_ = 3001;
    std::string address_;
};

}  // namespace

SHADDOCK_PLUGIN(StaticWeb, "static_web", "0.1.0", "", "")
