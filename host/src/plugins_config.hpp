// config/plugins.json: which plugins load, with which options, on which server types and
// environments, and which app. Format: docs/plugins-json.md.
#pragma once

#include <string>
#include <vector>

namespace shd::host {

struct ModuleConfig {
    std::string name;                      // file base name: <plugins-dir>/<name>.so unless `path`
    std::string path;                      // explicit library path (relative to the app dir), or empty
    std::vector<std::string> server_types; // empty: every server type
    std::vector<std::string> envs;         // empty: every environment
    bool enabled = true;
    bool optional = false;                 // a failure to load is a warning, not a startup error
    std::string options_json = "{}";
    std::string where;                     // "config/plugins.json: plugins[2]" for messages

    bool applies_to(const std::string &server_type, const std::string &env) const;
};

struct PluginsConfig {
    std::string shown_name;  // the file it came from; empty when the app has no plugins.json
    std::vector<ModuleConfig> plugins;
    bool has_app = false;
    ModuleConfig app;
};

// Throws ConfigError naming the file and key on any malformed or unknown key.
PluginsConfig load_plugins_config(const std::string &app_dir, const std::string &env);

}  // namespace shd::host
