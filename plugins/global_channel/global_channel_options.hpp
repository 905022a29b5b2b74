// The global_channel plugin's options, declared once: the plugin reads by this table and README.md's
// options table is generated from it (tests/redis/global_channel_options_readme).
#pragma once

#include "redis_link.hpp"

#include <shaddock/cpp/options.hpp>

namespace shd::global_channel {

inline const OptionTable &global_channel_option_table() {
    namespace opt = shd::option;
    static const OptionTable table = [] {
        std::vector<Option> options = redis::connection_options();
        options.push_back(opt::string("prefix", "POMELO:CHANNEL",
                                      "key prefix: channel `c` on frontend `f` is the set `<prefix>:c:f` of uids "
                                      "(Pomelo's)"));
        options.push_back(opt::boolean("cleanOnStartUp", false,
                                       "delete every key under the prefix when this server starts (Pomelo's; see "
                                       "\"Cleaning\")"));
        return OptionTable("the global_channel plugin", std::move(options));
    }();
    return table;
}

}  // namespace shd::global_channel
