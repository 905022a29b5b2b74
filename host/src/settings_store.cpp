#include "settings_store.hpp"

#include "config_files.hpp"

#include <shaddock/cpp/service.hpp>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace shd::host {

namespace {

std::string text(shd_str s) { return s.data ? std::string(s.data, s.size) : std::string(); }

// The entries, made noexcept C functions by shd::guard in the constructor.
shd_status settings_set(SettingsStore *self, shd_str key, shd_str value) {
    return self->set(text(key), text(value)) ? SHD_OK : SHD_ERR_INVALID;
}

shd_status settings_get(SettingsStore *self, shd_str key, shd_text_fn sink, void *ud) {
    if (!sink) return SHD_ERR_INVALID;
    const std::string *v = self->get(text(key));
    if (!v) return SHD_ERR_NOT_FOUND;
    sink(ud, shd_str{v->data(), v->size()});
    return SHD_OK;
}

shd_status settings_remove(SettingsStore *self, shd_str key) {
    return self->remove(text(key)) ? SHD_OK : SHD_ERR_NOT_FOUND;
}

void settings_all(SettingsStore *self, shd_text_fn sink, void *ud) {
    if (!sink) return;
    std::string json = self->all_json();
    sink(ud, shd_str{json.data(), json.size()});
}

}  // namespace

SettingsStore::SettingsStore(Logger &log) : log_(log) {
    vtable_.struct_size = sizeof(vtable_);
    vtable_.abi_major = SHD_ABI_MAJOR;
    vtable_.abi_minor = SHD_ABI_MINOR;
    vtable_.set = shd::guard<&settings_set>;
    vtable_.get = shd::guard<&settings_get>;
    vtable_.remove = shd::guard<&settings_remove>;
    vtable_.all = shd::guard<&settings_all>;
}

bool SettingsStore::set(const std::string &key, const std::string &json) {
    if (key.empty()) return false;
    rapidjson::Document d;
    // kParseStopWhenDoneFlag is not used: trailing text after the value is an error.
    d.Parse(json.c_str(), json.size());
    if (d.HasParseError()) return false;
    values_[key] = to_json(d);
    return true;
}

const std::string *SettingsStore::get(const std::string &key) const {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second;
}

std::string SettingsStore::all_json() const {
    std::string out = "{";
    for (const auto &[key, value] : values_) {
        rapidjson::Value k(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
        out += (out.size() > 1 ? "," : "") + to_json(k) + ":" + value;
    }
    return out + "}";
}

}  // namespace shd::host
