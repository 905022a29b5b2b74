// The host's built-in "shd.admin/1" service: the admin modules of one server process (Pomelo's
// app.registerAdmin), by name, each enabled or disabled. The cluster plugin answers the master's console
// requests from it. [logic] only, like every service call.
#pragma once

#include "log.hpp"

#include <shaddock/ext/admin.h>

#include <functional>
#include <map>
#include <string>

namespace shd::host {

class AdminRegistry {
public:
    explicit AdminRegistry(Logger &log);

    // A module of the host itself (not through the C table): its handler answers JSON or throws
    // shd::Error.
    void add_builtin(const std::string &name, const std::string &description,
                     std::function<std::string(const std::string &request_json)> fn);

    shd_status add(const std::string &name, const std::string &description, shd_admin_handler_fn fn, void *user_data);
    shd_status remove(const std::string &name);
    // The module's answer or error text goes to `out`.
    shd_status call(const std::string &name, const std::string &request_json, std::string &out);
    std::string list_json() const;
    shd_status set_enabled(const std::string &name, bool enabled);

    const shd_admin_v1 *vtable() const { return &vtable_; }

    // Where the table's entries report a failure (shaddock/cpp/service.hpp asks for host().error()).
    struct Reporter {
        Logger &log;
        void error(std::string_view message) const { log.write(Level::error, "host", message); }
    };
    Reporter host() const { return Reporter{log_}; }

    static bool valid_name(const std::string &name);

private:
    struct Module {
        std::string description;
        shd_admin_handler_fn fn = nullptr;
        void *user_data = nullptr;
        std::function<std::string(const std::string &)> builtin;
        bool enabled = true;
    };
    Logger &log_;
    std::map<std::string, Module> modules_;
    shd_admin_v1 vtable_{};
};

}  // namespace shd::host
