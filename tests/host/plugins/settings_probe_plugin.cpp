// A test plugin on the other side of the settings map from the model_probe app: it sets a value
// the app reads in configure, and in start reads what the app set (plugins configure before the
// app, and start after every configure). It also checks that bad input is refused, not stored.
#include <shaddock/cpp/plugin.hpp>
#include <shaddock/cpp/settings.hpp>

namespace {

class SettingsProbe : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        shd::Settings settings(host());
        settings.set_string("fromPlugin", "plugin \"value\" \xc3\xa9");
        bool refused = false;
        try {
            settings.set("broken", "{not json");
        } catch (const shd::Error &e) {
            refused = e.status() == SHD_ERR_INVALID;
        }
        bool trailing = false;
        try {
            settings.set("trailing", "1 2");
        } catch (const shd::Error &) {
            trailing = true;
        }
        host().info(std::string("invalid values refused: ") + (refused && trailing && !settings.get("broken") ? "yes" : "no"));
    }

    void start() override {
        shd::Settings settings(host());
        host().info("plugin sees fromApp=" + settings.get("fromApp").value_or("(unset)") +
                    " appFeature=" + (settings.enabled("appFeature") ? "enabled" : "disabled") +
                    " appOther=" + (settings.disabled("appOther") ? "disabled" : "enabled") +
                    " fromPlugin=" + settings.get_string("fromPlugin").value_or("?"));
        bool removed = settings.remove("fromPlugin") && !settings.get("fromPlugin") && !settings.remove("fromPlugin");
        host().info(std::string("remove works: ") + (removed ? "yes" : "no") + " all=" + settings.all());
    }
};

}  // namespace

SHADDOCK_PLUGIN(SettingsProbe, "settings_probe", "1.0.0", "", "shd.settings/1")
