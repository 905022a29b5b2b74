// Maps a request target to a file under one root folder: GET/HEAD only, no path outside the root,
// index.html for folders, a content type from the extension.
//
// A target is confined by construction, not by filtering a string: it must be origin-form ("/a/b",
// never "//a" or "http://..."), is percent-decoded once, and every decoded segment must be a plain
// name (no "", ".", "..", NUL or other control bytes, no '\\', valid UTF-8 without overlong forms);
// an encoded '/' or '\\' (%2F, %5C) is refused rather than decoded. The file found is then
// canonicalised (symlinks resolved) and must lie inside the canonical root, compared path component
// by component: "/srv/site.bak/x" is not inside "/srv/site".
#pragma once

#include <boost/beast/http/status.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace shd::web {

struct Resolved {
    boost::beast::http::status status = boost::beast::http::status::not_found;
    std::filesystem::path file;  // canonical, when status is ok
    const char *content_type = "application/octet-stream";
};

class FileResponder {
public:
    explicit FileResponder(std::string root);
    bool ok() const { return ok_; }
    const std::string &root() const { return root_; }

    // `target` is the request target as received. ok with the file; not_found for every target that
    // is refused or names nothing (so a probe learns nothing about what lies outside the root);
    // bad_request for a malformed percent escape.
    Resolved resolve(std::string_view target) const;

private:
    std::filesystem::path root_path_;  // canonical
    std::string root_;
    bool ok_ = false;
};

// True if `inner` (canonical) is `root` (canonical) or lies under it, by path component.
bool path_within(const std::filesystem::path &root, const std::filesystem::path &inner);

}  // namespace shd::web
