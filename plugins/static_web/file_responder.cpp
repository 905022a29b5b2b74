#include "file_responder.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace shd::web {

namespace http = boost::beast::http;
namespace fs = std::filesystem;

namespace {

const char *content_type(const fs::path &p) {
    std::string ext = p.extension().string();
    if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
    if (ext == ".js") return "application/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".png") return "image/png";
    if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
    if (ext == ".gif") return "image/gif";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".ico") return "image/x-icon";
    return "application/octet-stream";
}

http::response<http::string_body> plain(http::status status, unsigned version, const std::string &text) {
    http::response<http::string_body> r{status, version};
    r.set(http::field::content_type, "text/plain; charset=utf-8");
    r.body() = text + "\n";
    return r;
}

}  // namespace

FileResponder::FileResponder(std::string root) {
    std::error_code ec;
    fs::path canonical = fs::canonical(root, ec);
    ok_ = !ec && fs::is_directory(canonical, ec);
    root_ = ok_ ? canonical.string() : root;
}

http::response<http::string_body> FileResponder::respond(const http::request<http::string_body> &req) const {
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return plain(http::status::method_not_allowed, req.version(), "only GET and HEAD");
    std::string target(req.target());
    target = target.substr(0, target.find_first_of("?#"));
    if (target.empty() || target[0] != '/' || target.find("..") != std::string::npos || target.find('\0') != std::string::npos)
        return plain(http::status::bad_request, req.version(), "bad path");
    fs::path path = fs::path(root_) / target.substr(1);
    std::error_code ec;
    if (fs::is_directory(path, ec)) path /= "index.html";
    fs::path canonical = fs::canonical(path, ec);
    // Symlinks may not lead out of the root either.
    if (ec || canonical.string().compare(0, root_.size(), root_) != 0 || !fs::is_regular_file(canonical, ec))
        return plain(http::status::not_found, req.version(), "not found");
    std::ifstream in(canonical, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    http::response<http::string_body> r{http::status::ok, req.version()};
    r.set(http::field::content_type, content_type(canonical));
    r.set(http::field::cache_control, "no-cache");
    if (req.method() == http::verb::get) r.body() = body.str();
    else r.content_length(body.str().size());
    return r;
}

}  // namespace shd::web
