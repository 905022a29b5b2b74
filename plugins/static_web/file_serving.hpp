// The HTTP answer to a GET or HEAD of a file under a FileResponder's root: 200 with the file (HEAD:
// its headers only), 404 for anything refused or missing, 400 for a malformed path. Shared by the
// static_web plugin and the apps that serve their own files (apps/mmo's web server).
#pragma once

#include "file_responder.hpp"

#include <shaddock/http/http_server.hpp>

namespace shd::web {

// [the HTTP server's I/O thread]
shd::http::Response serve_file(const FileResponder &files, const shd::http::RequestMessage &req);

}  // namespace shd::web
