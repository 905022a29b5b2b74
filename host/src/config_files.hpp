// Reading the app's JSON config files with Pomelo's environment resolution, and errors that name the
// file, the key and what was expected.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace shd::host {

// A configuration mistake. what() reads "config/servers.json: connector[0].port: expected ..., got ...".
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ConfigFile {
    std::string shown_name;   // "config/servers.json" or "config/development/servers.json"
    rapidjson::Document json; // the env-resolved value
};

// Pomelo's rule: config/<name> is used when present (only its <env> member when it has one), else
// config/<env>/<name>. Returns nullopt when neither exists; throws ConfigError on invalid JSON.
std::optional<ConfigFile> load_config(const std::string &app_dir, const std::string &env, const std::string &name);

// Parses JSON text; throws ConfigError naming `shown_name`, the line and the column on failure.
rapidjson::Document parse_json(const std::string &text, const std::string &shown_name);

// Compact JSON text of a value (key order preserved).
std::string to_json(const rapidjson::Value &value);

// A short description of a JSON value for error messages: `"abc"`, `42`, `true`, `an object`.
std::string describe(const rapidjson::Value &value);

const char *json_type_name(const rapidjson::Value &value);

bool read_file(const std::string &path, std::string &out);

}  // namespace shd::host
