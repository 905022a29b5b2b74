// shaddock/cpp/plugin.hpp - write a plugin as a C++ class.
//
//   class Greeter : public shd::Plugin {
//   public:
//       using shd::Plugin::Plugin;
//       void configure() override { host().info("configured"); }
//   };
//   SHADDOCK_PLUGIN(Greeter, "greeter", "1.0.0", "example.greeter/1", "")
//
// The macro places the manifest the host reads before loading, and defines the one exported entry
// symbol. Every call from the host goes through a noexcept trampoline (shaddock/cpp/lifecycle.hpp)
// that turns an exception into an error status plus a report naming the phase, so nothing unwinds
// through the host.
//
// Apps and their components (shd::App, shd::Component, SHADDOCK_APP) are in shaddock/cpp/app.hpp.
// This header includes it too, so apps written when both lived here still build; nothing below needs it.
#pragma once

#include <shaddock/cpp/app.hpp>
#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/lifecycle.hpp>

namespace shd {

class Plugin {
public:
    explicit Plugin(Host host) : host_(host) {}
    virtual ~Plugin() = default;
    Plugin(const Plugin &) = delete;
    Plugin &operator=(const Plugin &) = delete;

    virtual void configure() {}
    virtual void start() {}
    virtual void stop(Done done) { done(); }

    const Host &host() const noexcept { return host_; }

private:
    Host host_;
};

namespace detail {

template <class T>
shd_status plugin_entry(const shd_host_api *host, shd_plugin *out, const char *name, const char *version,
                        const char *provides, const char *required) noexcept {
    if (!out) return SHD_ERR_INVALID;
    if (shd_status s = check_host(host)) return s;
    shd_plugin p{};
    p.struct_size = sizeof(shd_plugin);
    p.abi_major = SHD_ABI_MAJOR;
    p.abi_minor = SHD_ABI_MINOR;
    p.min_host_minor = SHADDOCK_MIN_HOST_MINOR;
    p.name = name;
    p.version = version;
    p.provides = provides;
    p.required = required;
    p.on_configure = &Glue<T>::configure;
    p.on_start = &Glue<T>::start;
    p.on_stop = &Glue<T>::stop;
    p.on_destroy = &Glue<T>::destroy;
    if (shd_status s = create<T>(host, p)) return s;
    hand_over(p, out);
    return SHD_OK;
}

}  // namespace detail
}  // namespace shd

// Declares CLASS (derived from shd::Plugin, constructible from shd::Host) as this library's plugin.
// PROVIDES and REQUIRED are space-separated service ids ("shd.rpc/1 shd.session/1"), or "".
#define SHADDOCK_PLUGIN(CLASS, NAME, VERSION, PROVIDES, REQUIRED)                                \
    SHD_MANIFEST(SHD_KIND_PLUGIN, NAME, VERSION, SHADDOCK_MIN_HOST_MINOR, PROVIDES, REQUIRED);   \
    extern "C" SHD_EXPORT shd_status SHD_CALL shd_plugin_entry_v1(const shd_host_api *host,      \
                                                                  shd_plugin *out) noexcept {    \
        return ::shd::detail::plugin_entry<CLASS>(host, out, NAME, VERSION, PROVIDES, REQUIRED); \
    }
