// Built from the installed SDK package only (see CMakeLists.txt): the SDK's C++ headers use RapidJSON,
// so Shaddock::sdk must bring it, with the settings the SDK is built and tested with.
#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/plugin.hpp>

#include <string>

// RapidJSON defaults this to 0; only Shaddock::sdk's usage requirements set it. The SDK's own build
// compiles every header with it, so an installed user must get the same.
#if !RAPIDJSON_HAS_STDSTRING
#error "Shaddock::sdk did not pass on RapidJSON's settings (RAPIDJSON_HAS_STDSTRING=1)"
#endif

namespace {

class HeadersPlugin : public shd::Plugin {
public:
    using shd::Plugin::Plugin;

    void configure() override {
        const std::string options(host().options_json());
        rapidjson::Document doc = shd::parse_json_or_empty(options);
        host().info("installed_headers: options " + shd::to_json(doc) + ", " +
                    std::to_string(doc.IsObject() ? doc.MemberCount() : 0) + " member(s)");
    }
};

}  // namespace

SHADDOCK_PLUGIN(HeadersPlugin, "installed_headers", "1.0.0", "", "")
