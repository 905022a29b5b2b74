// Maps an HTTP request to a file under one root folder: GET/HEAD only, no path outside the root,
// index.html for folders, a content type from the extension.
#pragma once

#include <boost/beast/http.hpp>

#include <string>

namespace shd::web {

class FileResponder {
public:
    explicit FileResponder(std::string root);
    bool ok() const { return ok_; }
    const std::string &root() const { return root_; }
    boost::beast::http::response<boost::beast::http::string_body> respond(
        const boost::beast::http::request<boost::beast::http::string_body> &request) const;

private:
    std::string root_;
    bool ok_ = false;
};

}  // namespace shd::web
