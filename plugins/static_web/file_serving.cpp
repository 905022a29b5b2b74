#include "file_serving.hpp"

#include <boost/beast/http/verb.hpp>

#include <filesystem>
#include <memory>
#include <tuple>
#include <utility>

namespace shd::web {

namespace bhttp = boost::beast::http;

shd::http::Response serve_file(const FileResponder &files, const shd::http::RequestMessage &req) {
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    Resolved r = files.resolve(std::string_view(req.target().data(), req.target().size()));
    if (r.status != bhttp::status::ok)
        return shd::http::text_response(
            r.status, version, r.status == bhttp::status::bad_request ? "bad path\n" : "not found\n", keep_alive);
    if (req.method() == bhttp::verb::head) {
        std::error_code size_ec;
        const auto size = std::filesystem::file_size(r.file, size_ec);
        if (size_ec) return shd::http::text_response(bhttp::status::not_found, version, "not found\n", keep_alive);
        auto res = std::make_shared<shd::http::EmptyResponse>(bhttp::status::ok, version);
        res->set(bhttp::field::content_type, r.content_type);
        res->set(bhttp::field::cache_control, "no-cache");
        res->content_length(size);
        res->keep_alive(keep_alive);
        return res;
    }
    boost::beast::error_code ec;
    bhttp::file_body::value_type body;
    body.open(r.file.c_str(), boost::beast::file_mode::scan, ec);
    if (ec) return shd::http::text_response(bhttp::status::not_found, version, "not found\n", keep_alive);
    auto res = std::make_shared<shd::http::FileResponse>(std::piecewise_construct, std::make_tuple(std::move(body)),
                                                         std::make_tuple(bhttp::status::ok, version));
    res->set(bhttp::field::content_type, r.content_type);
    res->set(bhttp::field::cache_control, "no-cache");
    res->keep_alive(keep_alive);
    res->prepare_payload();
    return res;
}

}  // namespace shd::web
