// Pomelo's connector blacklist: peers whose IP matches any of the regular expressions are closed at
// accept. Built once in configure; matching is read-only and safe from any thread.
#pragma once

#include <regex>
#include <string>
#include <vector>

namespace shd::connector {

class PeerBlacklist {
public:
    // Patterns are ECMAScript regular expressions, already validated by parse_options().
    explicit PeerBlacklist(const std::vector<std::string> &patterns);

    bool empty() const { return patterns_.empty(); }
    // True when any pattern is found in `ip` (JavaScript's RegExp.test: a search, not a full match).
    bool matches(const std::string &ip) const;

private:
    std::vector<std::regex> patterns_;
};

}  // namespace shd::connector
