// The status plugin's options, declared once: the plugin reads by this table and README.md's options
// table is generated from it (tests/redis/status_options_readme).
#pragma once

#include "redis_link.hpp"

#include <shaddock/cpp/options.hpp>

namespace shd::status {

inline const OptionTable &status_option_table() {
    namespace opt = shd::option;
    static const OptionTable table = [] {
        std::vector<Option> options = redis::connection_options();
        options.push_back(opt::string("prefix", "POMELO:STATUS",
                                      "key prefix: uid `u` is the set `<prefix>:u` of its frontends' ids (Pomelo's)"));
        options.push_back(opt::boolean("cleanOnStartUp", false,
                                       "delete every key under the prefix when this server starts (Pomelo's; see "
                                       "\"Cleaning\")"));
        return OptionTable("the status plugin", std::move(options));
    }();
    return table;
}

}  // namespace shd::status
