#include "admin_registry.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/service.hpp>

#include <rapidjson/document.h>

namespace shd::host {

namespace {

std::string text(shd_str s) {
    return s.data ? std::string(s.data, s.size) : std::string();
}

void keep(void *ud, shd_str t) {
    static_cast<std::string *>(ud)->assign(t.data ? t.data : "", t.size);
}

// The entries, made noexcept C functions by shd::guard in the constructor.
shd_status admin_register(AdminRegistry *self, shd_str name, shd_str description, shd_admin_handler_fn fn, void *ud) {
    return self->add(text(name), text(description), fn, ud);
}

shd_status admin_unregister(AdminRegistry *self, shd_str name) {
    return self->remove(text(name));
}

shd_status admin_call(AdminRegistry *self, shd_str name, shd_str request, shd_text_fn answer, void *ud) {
    std::string out;
    shd_status s = self->call(text(name), text(request), out);
    if (answer) answer(ud, shd_str{out.data(), out.size()});
    return s;
}

void admin_list(AdminRegistry *self, shd_text_fn sink, void *ud) {
    if (!sink) return;
    std::string json = self->list_json();
    sink(ud, shd_str{json.data(), json.size()});
}

shd_status admin_set_enabled(AdminRegistry *self, shd_str name, int32_t enabled) {
    return self->set_enabled(text(name), enabled != 0);
}

}  // namespace

AdminRegistry::AdminRegistry(Logger &log) : log_(log) {
    vtable_.struct_size = sizeof(vtable_);
    vtable_.abi_major = SHD_ABI_MAJOR;
    vtable_.abi_minor = SHD_ABI_MINOR;
    vtable_.register_module = shd::guard<&admin_register>;
    vtable_.unregister_module = shd::guard<&admin_unregister>;
    vtable_.call = shd::guard<&admin_call>;
    vtable_.list = shd::guard<&admin_list>;
    vtable_.set_enabled = shd::guard<&admin_set_enabled>;
}

bool AdminRegistry::valid_name(const std::string &name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-'))
            return false;
    return true;
}

void AdminRegistry::add_builtin(const std::string &name, const std::string &description,
                                std::function<std::string(const std::string &)> fn) {
    Module m;
    m.description = description;
    m.builtin = std::move(fn);
    modules_[name] = std::move(m);
}

shd_status AdminRegistry::add(const std::string &name, const std::string &description, shd_admin_handler_fn fn,
                              void *user_data) {
    if (!valid_name(name) || !fn) return SHD_ERR_INVALID;
    if (modules_.count(name)) return SHD_ERR_EXISTS;
    Module m;
    m.description = description.substr(0, 200);
    m.fn = fn;
    m.user_data = user_data;
    modules_.emplace(name, std::move(m));
    log_.debug("admin module " + name + " registered");
    return SHD_OK;
}

shd_status AdminRegistry::remove(const std::string &name) {
    return modules_.erase(name) ? SHD_OK : SHD_ERR_NOT_FOUND;
}

shd_status AdminRegistry::call(const std::string &name, const std::string &request_json, std::string &out) {
    auto it = modules_.find(name);
    if (it == modules_.end()) {
        out = "no admin module " + name + " on this server";
        return SHD_ERR_NOT_FOUND;
    }
    if (!it->second.enabled) {
        out = "admin module " + name + " is disabled";
        return SHD_ERR_UNSUPPORTED;
    }
    rapidjson::Document check;
    check.Parse(request_json.data(), request_json.size());
    if (check.HasParseError()) {
        out = "the request is not one JSON value";
        return SHD_ERR_INVALID;
    }
    if (it->second.builtin) {
        try {
            out = it->second.builtin(request_json);
            return SHD_OK;
        } catch (const shd::Error &e) {
            out = e.what();
            return e.status() == SHD_OK ? SHD_ERR_INTERNAL : e.status();
        } catch (const std::exception &e) {
            out = std::string("internal error: ") + e.what();
            return SHD_ERR_INTERNAL;
        }
    }
    shd_admin_handler_fn fn = it->second.fn;
    void *ud = it->second.user_data;
    out.clear();
    shd_status s = fn(ud, shd_str{request_json.data(), request_json.size()}, &keep, &out);
    if (s == SHD_OK && out.empty()) out = "null";
    if (s != SHD_OK && out.empty()) out = std::string("admin module ") + name + " failed: " + shd::status_name(s);
    return s;
}

std::string AdminRegistry::list_json() const {
    std::string out = "[";
    for (const auto &[name, m] : modules_) {
        if (out.size() > 1) out += ",";
        out += R"({"name":)" + shd::json_quote(name) + R"(,"description":)" + shd::json_quote(m.description) +
               R"(,"enabled":)" + (m.enabled ? "true" : "false") + "}";
    }
    return out + "]";
}

shd_status AdminRegistry::set_enabled(const std::string &name, bool enabled) {
    auto it = modules_.find(name);
    if (it == modules_.end()) return SHD_ERR_NOT_FOUND;
    it->second.enabled = enabled;
    return SHD_OK;
}

}  // namespace shd::host
