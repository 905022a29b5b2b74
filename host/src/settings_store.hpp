// The host's built-in "shd.settings/1" service: Pomelo's app.set/app.get map, one per server
// process, shared by every plugin and the app. [logic] only, like every service call.
#pragma once

#include "log.hpp"

#include <shaddock/ext/settings.h>

#include <map>
#include <string>

namespace shd::host {

class SettingsStore {
public:
    explicit SettingsStore(Logger &log);

    // Stores one JSON value (re-serialized, so reads give canonical text); false when `json` is not
    // exactly one JSON value or the key is empty.
    bool set(const std::string &key, const std::string &json);
    const std::string *get(const std::string &key) const;
    bool remove(const std::string &key) { return values_.erase(key) > 0; }
    std::string all_json() const;

    const shd_settings_v1 *vtable() const { return &vtable_; }

    // Where the table's entries report a failure (shaddock/cpp/service.hpp asks for host().error()).
    struct Reporter {
        Logger &log;
        void error(std::string_view message) const { log.write(Level::error, "host", message); }
    };
    Reporter host() const { return Reporter{log_}; }

private:
    Logger &log_;
    std::map<std::string, std::string> values_;
    shd_settings_v1 vtable_{};
};

}  // namespace shd::host
