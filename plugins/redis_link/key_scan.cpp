#include "key_scan.hpp"

#include <memory>

namespace shd::redis {

std::string glob_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

namespace {

struct Walk {
    Link &link;
    std::string pattern;
    std::function<void(std::vector<std::string>)> each;
    std::function<void(shd_status)> done;
};

void step(const std::shared_ptr<Walk> &w, std::string cursor) {
    w->link.run({{"SCAN", std::move(cursor), "MATCH", w->pattern, "COUNT", "1000"}},
                [w](shd_status s, std::vector<Reply> replies, const std::string &) {
                    if (s == SHD_OK && (replies.empty() || replies[0].is_error() || replies[0].items.size() != 2))
                        s = SHD_ERR_INTERNAL;
                    if (s != SHD_OK) {
                        if (w->done) w->done(s);
                        return;
                    }
                    std::string next = replies[0].items[0].text;
                    std::vector<std::string> keys = replies[0].items[1].strings();
                    if (!keys.empty()) w->each(std::move(keys));
                    if (next == "0") {
                        if (w->done) w->done(SHD_OK);
                    } else {
                        step(w, std::move(next));
                    }
                });
}

}  // namespace

void scan_keys(Link &link, std::string pattern, std::function<void(std::vector<std::string>)> each,
               std::function<void(shd_status)> done) {
    step(std::make_shared<Walk>(Walk{link, std::move(pattern), std::move(each), std::move(done)}), "0");
}

}  // namespace shd::redis
