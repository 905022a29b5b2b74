// The server plugin's options and those of Pomelo's built-in handler filters, declared once: the
// plugin and the filters read by these tables, and README.md's options tables are generated from
// them (tests/filters/server_options_readme).
#pragma once

#include <shaddock/cpp/options.hpp>

#include <string_view>

namespace shd::server {

// "filters" and "globalFilters".
const OptionTable &server_option_table();

// The options of the built-in filter `name` (serial, time, timeout, toobusy); nullptr for another name.
const OptionTable *builtin_filter_table(std::string_view name);

// Every built-in as an object option of its own ("serial", "serial.timeout", ...): the README's table.
const OptionTable &builtin_filters_doc_table();

}  // namespace shd::server
