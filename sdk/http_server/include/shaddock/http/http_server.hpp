// The project's one HTTP/1.1 server (Boost.Beast), hardened as docs/security.md describes: the request
// line and headers bounded in size (414 / 431) and in time (a header deadline separate from the
// keep-alive idle deadline), connections capped in total and per address, every socket close-on-exec,
// GET and HEAD only (405), request bodies refused (413); a user that asks for them (Limits::max_body_bytes)
// also gets POST with a body of at most that size, announced by Content-Length and read within
// body_timeout. It runs one I/O thread of its own.
//
// What is answered is the user's: a Handler gets each request that passed those checks and answers
// it through a Reply, at once or later from any thread (the master answers /metrics after a trip to
// its logic thread). static_web serves files with it, the cluster plugin's master its admin routes.
#pragma once

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace shd::http {

struct Limits {
    size_t max_header_bytes = 8192;  // request line and header fields together
    std::chrono::milliseconds header_timeout{5000};
    std::chrono::milliseconds keep_alive_timeout{30000};
    std::chrono::milliseconds send_timeout{30000};
    size_t max_connections = 512;
    size_t max_connections_per_address = 32;
    // Above 0: POST is accepted too, with a body of at most this many bytes announced by
    // Content-Length (a larger one is 413, a chunked one 411); 0: GET and HEAD only, no body.
    size_t max_body_bytes = 0;
    std::chrono::milliseconds body_timeout{5000};  // a POST's body must arrive within this of its header
};

using RequestMessage = boost::beast::http::request<boost::beast::http::empty_body>;
using StringResponse = boost::beast::http::response<boost::beast::http::string_body>;
using FileResponse = boost::beast::http::response<boost::beast::http::file_body>;
using EmptyResponse = boost::beast::http::response<boost::beast::http::empty_body>;
using Response =
    std::variant<std::shared_ptr<StringResponse>, std::shared_ptr<FileResponse>, std::shared_ptr<EmptyResponse>>;

// One request as a handler sees it: a GET or HEAD whose header was read within the limits, without
// a body, or (with Limits::max_body_bytes) a POST with its whole body. Valid during the handler call
// only; copy what an answer given later needs.
struct Request {
    const RequestMessage &message;
    const std::string &remote_address;  // the peer's IP address
    const std::string &body;            // a POST's body (at most max_body_bytes); empty otherwise
};

// Answers one request. [any thread] Call it exactly once; the response's keep_alive() decides whether
// the connection reads another request. A Reply dropped without a call closes the connection.
using Reply = std::function<void(Response)>;

// [the server's I/O thread] Must not block: hand slow work elsewhere and answer through the Reply.
using Handler = std::function<void(const Request &, Reply)>;

// A small text answer ("text/plain; charset=utf-8" unless told): a body, Content-Length, keep-alive.
std::shared_ptr<StringResponse> text_response(boost::beast::http::status status, unsigned version, std::string body,
                                              bool keep_alive,
                                              std::string_view content_type = "text/plain; charset=utf-8");

class Server {
public:
    // [server I/O thread] Lines worth a warning (connections refused over a cap, accept failures).
    using Warn = std::function<void(const std::string &)>;

    Server(Limits limits, Handler handler, Warn warn);
    ~Server();  // stop()s
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Listens on address:port (port 0: any free port) and starts the I/O thread. Throws
    // std::invalid_argument when `address` is not an IP address ("\"x\" is not an IP address") and
    // std::runtime_error when the port cannot be had ("cannot listen on a:p: <reason>"). Call once.
    void start(const std::string &address, int port);
    // Closes the listening socket and the open connections, stops and joins the I/O thread. Idempotent.
    void stop();
    // The port listened on (after start).
    int port() const { return port_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int port_ = 0;
};

}  // namespace shd::http
