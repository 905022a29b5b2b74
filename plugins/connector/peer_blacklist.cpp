#include "peer_blacklist.hpp"

namespace shd::connector {

PeerBlacklist::PeerBlacklist(const std::vector<std::string> &patterns) {
    patterns_.reserve(patterns.size());
    for (const auto &p : patterns) patterns_.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
}

bool PeerBlacklist::matches(const std::string &ip) const {
    for (const auto &re : patterns_)
        if (std::regex_search(ip, re)) return true;
    return false;
}

}  // namespace shd::connector
