// Environment references in plugin options: a string value in `options` may name environment
// variables as ${NAME} or ${NAME:-default}, so that addresses and credentials come from the
// environment instead of the file (docs/plugins-json.md, "Options from the environment").
#pragma once

#include <string>

namespace shd::host {

// Returns options_json with every reference replaced. A string that is exactly one reference whose
// value is a JSON number, true or false becomes that value (so "port": "${REDIS_PORT}" is a number);
// "$$" is a literal "$". Throws ConfigError naming `where` and the variable when a variable without a
// default is not set, or a reference is malformed.
std::string expand_env_refs(const std::string &options_json, const std::string &where);

}  // namespace shd::host
