// shaddock/cpp/admin.hpp - admin modules (Pomelo's app.registerAdmin) over the host's built-in
// "shd.admin/1" service (the contract is in shaddock/ext/admin.h; docs/sdk.md "Admin modules").
//
//   void configure() override {
//       admin_ = std::make_unique<shd::AdminModules>(host());
//       admin_->add("areaStats", "players and monsters per area", [this](const rapidjson::Value &req) {
//           return "{\"players\":" + std::to_string(players_) + "}";   // one JSON value
//       });
//   }
//   // shaddock module call areaStats area-server-1 '{}'   ->   {"players":12}
//
// The handler gets the request parsed (any JSON value: check it, it comes from the network) and returns
// its answer as JSON text; throwing shd::Error answers that error (its message is shown to the caller),
// any other exception answers "internal error". Keep the AdminModules object alive as long as the
// module: its destructor unregisters every module it added. Everything runs on the logic thread.
#pragma once

#include <shaddock/ext/admin.h>
#include <shaddock/cpp/host.hpp>

#include <rapidjson/document.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shd {

using AdminHandler = std::function<std::string(const rapidjson::Value &request)>;

class AdminModules {
public:
    // Throws when the host has no admin service (a host older than this SDK's admin modules).
    explicit AdminModules(const Host &host) {
        auto found = host.find<shd_admin_v1>(SHD_ADMIN_SERVICE_ID);
        if (!found.first) throw Error(SHD_ERR_UNSUPPORTED, "this host has no " SHD_ADMIN_SERVICE_ID " service");
        vt_ = found.first;
        ctx_ = found.second;
    }
    // False on a host older than this service (its modules are optional: register them only when true).
    static bool available(const Host &host) { return host.find<shd_admin_v1>(SHD_ADMIN_SERVICE_ID).first != nullptr; }

    AdminModules(const AdminModules &) = delete;
    AdminModules &operator=(const AdminModules &) = delete;
    ~AdminModules() {
        for (const auto &e : entries_) vt_->unregister_module(ctx_, to_shd(e->name));
    }

    // Registers a module; throws shd::Error (SHD_ERR_EXISTS, SHD_ERR_INVALID) when refused.
    void add(std::string_view name, std::string_view description, AdminHandler fn) {
        auto entry = std::make_unique<Entry>(Entry{std::string(name), std::move(fn)});
        shd_status s =
            vt_->register_module(ctx_, to_shd(name), to_shd(description), &AdminModules::trampoline, entry.get());
        if (s != SHD_OK) throw Error(s, "admin module " + std::string(name) + ": " + status_name(s));
        entries_.push_back(std::move(entry));
    }

    // Calls a module of this process (any module, not only this object's): its answer, or shd::Error
    // with its message.
    std::string call(std::string_view name, std::string_view request_json) const {
        std::string out;
        shd_status s = vt_->call(ctx_, to_shd(name), to_shd(request_json), &AdminModules::keep, &out);
        if (s != SHD_OK) throw Error(s, out.empty() ? std::string(status_name(s)) : out);
        return out.empty() ? "null" : out;
    }

    // Every module of this process: [{"name","description","enabled"}].
    std::string list() const {
        std::string out;
        vt_->list(ctx_, &AdminModules::keep, &out);
        return out;
    }

private:
    struct Entry {
        std::string name;
        AdminHandler fn;
    };

    static void SHD_CALL keep(void *ud, shd_str text) { static_cast<std::string *>(ud)->assign(to_view(text)); }

    static shd_status SHD_CALL trampoline(void *ud, shd_str request_json, shd_text_fn answer, void *answer_data) {
        auto *e = static_cast<Entry *>(ud);
        auto say = [&](std::string_view text) {
            if (answer) answer(answer_data, to_shd(text));
        };
        try {
            rapidjson::Document request;
            std::string_view text = to_view(request_json);
            request.Parse(text.data(), text.size());
            if (request.HasParseError()) {
                say("the request is not JSON");
                return SHD_ERR_INVALID;
            }
            say(e->fn(request));
            return SHD_OK;
        } catch (const Error &ex) {
            say(ex.what());
            return ex.status() == SHD_OK ? SHD_ERR_INTERNAL : ex.status();
        } catch (const std::exception &ex) {
            say(std::string("internal error: ") + ex.what());
            return SHD_ERR_INTERNAL;
        } catch (...) {
            say("internal error");
            return SHD_ERR_INTERNAL;
        }
    }

    const shd_admin_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
    std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace shd
