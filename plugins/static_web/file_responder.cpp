#include "file_responder.hpp"

#include <cstdint>
#include <iterator>
#include <vector>

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

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Strict UTF-8 (RFC 3629): no overlong forms ("%C0%AE" is not a '.'), no surrogates, nothing above
// U+10FFFF.
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t n = 0;
        uint32_t cp = 0, min = 0;
        if ((c & 0xe0) == 0xc0)
            n = 1, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0)
            n = 2, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0)
            n = 3, cp = c & 0x07, min = 0x10000;
        else
            return false;
        if (i + n >= s.size()) return false;  // truncated
        for (size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n + 1;
    }
    return true;
}

enum class Split { ok, malformed, refused };

// Percent-decodes the path of an origin-form target into its segments. A trailing '/' leaves an
// empty last segment (a folder). Refused: anything but a single leading '/', an empty, "." or ".."
// segment, an encoded '/' or '\\', a '\\', NUL or another control byte, invalid UTF-8.
Split split_target(std::string_view path, std::vector<std::string> &segments) {
    if (path.empty() || path[0] != '/') return Split::refused;  // "*", "http://...", "a/b"
    path.remove_prefix(1);
    std::string current;
    auto finish = [&](bool last) {
        if (current.empty() && !last) return false;  // "//": an empty segment
        if (current == "." || current == "..") return false;
        if (!valid_utf8(current)) return false;
        segments.push_back(std::move(current));
        current.clear();
        return true;
    };
    for (size_t i = 0; i < path.size(); ++i) {
        char c = path[i];
        if (c == '/') {
            if (!finish(false)) return Split::refused;
            continue;
        }
        if (c == '%') {
            if (i + 2 >= path.size()) return Split::malformed;
            const int hi = hex_value(path[i + 1]), lo = hex_value(path[i + 2]);
            if (hi < 0 || lo < 0) return Split::malformed;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
            if (c == '/' || c == '\\') return Split::refused;  // never a separator in disguise
        }
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '\\') return Split::refused;
        current.push_back(c);
    }
    return finish(true) ? Split::ok : Split::refused;
}

}  // namespace

bool path_within(const fs::path &root, const fs::path &inner) {
    auto r = root.begin(), i = inner.begin();
    for (; r != root.end(); ++r, ++i) {
        if (r->empty() && std::next(r) == root.end()) break;  // a trailing separator of the root
        if (i == inner.end() || *r != *i) return false;
    }
    return true;
}

FileResponder::FileResponder(std::string root) {
    std::error_code ec;
    fs::path canonical = fs::canonical(root, ec);
    ok_ = !ec && fs::is_directory(canonical, ec);
    root_path_ = canonical;
    root_ = ok_ ? canonical.string() : root;
}

Resolved FileResponder::resolve(std::string_view target) const {
    Resolved out;
    target = target.substr(0, target.find_first_of("?#"));
    std::vector<std::string> segments;
    switch (split_target(target, segments)) {
        case Split::malformed: out.status = http::status::bad_request; return out;
        case Split::refused: return out;
        case Split::ok: break;
    }
    // Every segment is a plain name now, so the joined path is lexically inside the root; symlinks
    // are what canonical() resolves and path_within() judges.
    fs::path path = root_path_;
    for (const auto &s : segments)
        if (!s.empty()) path /= s;
    std::error_code ec;
    fs::path canonical = fs::canonical(path, ec);
    if (ec || !path_within(root_path_, canonical)) return out;
    if (fs::is_directory(canonical, ec)) {
        canonical = fs::canonical(canonical / "index.html", ec);
        if (ec || !path_within(root_path_, canonical)) return out;
    }
    if (!fs::is_regular_file(canonical, ec)) return out;
    out.status = http::status::ok;
    out.content_type = content_type(canonical);
    out.file = std::move(canonical);
    return out;
}

}  // namespace shd::web
