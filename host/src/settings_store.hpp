// The host's built-in "shd.settings/1" service: Pomelo's app.set/app.get map, one per server
// process, shared by every plugin and the app. [logic] only, like every service call.
#pragma once

#include <shaddock/ext/settings.h>

#include <map>
#include <string>

namespace shd::host {

class SettingsStore {
public:
    SettingsStore();

    // Stores one JSON value (re-serialized, so reads give canonical text); false when `json` is not
    // exactly one JSON value or the key is empty.
    bool set(const std::string &key, const std::string &json);
    const std::string *get(const std::string &key) const;
    bool remove(const std::string &key) { return values_.erase(key) > 0; }
    std::string all_json() const;

    const shd_settings_v1 *vtable() const { return &vtable_; }

private:
    std::map<std::string, std::string> values_;
    shd_settings_v1 vtable_{};
};

}  // namespace shd::host
