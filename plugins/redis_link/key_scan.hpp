// Walking the keys of a pattern with SCAN (never KEYS, which blocks Redis for the whole keyspace),
// for the Redis plugins' clean-ups. [logic] only.
#pragma once

#include "redis_link.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace shd::redis {

// `text` with the glob characters of a SCAN MATCH pattern escaped, so it matches itself only.
std::string glob_escape(std::string_view text);

// Calls each(keys) on the logic thread for every batch of keys SCAN MATCH `pattern` returns, then
// done(status) once: SHD_OK when the walk completed, else the failure that ended it. each() may
// queue commands on the link: they run before the next SCAN step.
void scan_keys(Link &link, std::string pattern, std::function<void(std::vector<std::string> keys)> each,
               std::function<void(shd_status)> done);

}  // namespace shd::redis
