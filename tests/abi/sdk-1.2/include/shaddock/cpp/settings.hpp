// shaddock/cpp/settings.hpp - Pomelo's app settings (app.set / app.get / enable / disable /
// enabled / disabled) over the host's built-in "shd.settings/1" service (shaddock/ext/settings.h).
//
//   shd::Settings settings(host());
//   settings.set_string("mode", "fast");          // app.set('mode', 'fast')
//   settings.enable("rpcDebugLog");               // app.enable('rpcDebugLog')
//   if (settings.enabled("rpcDebugLog")) ...      // app.enabled('rpcDebugLog')
//   auto raw = settings.get("connectorConfig");   // JSON text, or nullopt when unset
//
// One map per server process: what a plugin sets, the app reads, and the other way round. Values are
// JSON values; the typed helpers quote and unquote for you. [logic] only.
#pragma once

#include <shaddock/cpp/host.hpp>
#include <shaddock/ext/settings.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shd {

class Settings {
public:
    // Throws when the host has no settings service (a host older than this SDK's settings).
    explicit Settings(const Host &host) {
        auto found = host.find<shd_settings_v1>(SHD_SETTINGS_SERVICE_ID);
        if (!found.first) throw Error(SHD_ERR_UNSUPPORTED, "this host has no " SHD_SETTINGS_SERVICE_ID " service");
        vt_ = found.first;
        ctx_ = found.second;
    }

    // app.set(key, value) with `value_json` already JSON text ("3", "true", "{\"a\":1}", "\"text\"").
    void set(std::string_view key, std::string_view value_json) const {
        shd_status s = vt_->set(ctx_, to_shd(key), to_shd(value_json));
        if (s != SHD_OK)
            throw Error(s, "settings: cannot set \"" + std::string(key) + "\"" +
                               (key.empty() ? ": the key is empty" : ": the value is not one JSON value"));
    }
    void set_string(std::string_view key, std::string_view value) const { set(key, quote(value)); }
    void set_bool(std::string_view key, bool value) const { set(key, value ? "true" : "false"); }
    void set_int(std::string_view key, int64_t value) const { set(key, std::to_string(value)); }

    // app.get(key): the value as JSON text, or nullopt when unset.
    std::optional<std::string> get(std::string_view key) const {
        std::string text;
        bool found = false;
        struct Out {
            std::string *text;
            bool *found;
        } out{&text, &found};
        shd_status s = vt_->get(
            ctx_, to_shd(key),
            [](void *ud, shd_str t) {
                auto *o = static_cast<Out *>(ud);
                o->text->assign(t.data ? t.data : "", t.size);
                *o->found = true;
            },
            &out);
        if (s != SHD_OK || !found) return std::nullopt;
        return text;
    }
    // The value when it is a JSON string (unquoted), else nullopt.
    std::optional<std::string> get_string(std::string_view key) const {
        auto v = get(key);
        if (!v) return std::nullopt;
        return unquote(*v);
    }
    // The value when it is a JSON integer, else nullopt.
    std::optional<int64_t> get_int(std::string_view key) const {
        auto v = get(key);
        if (!v || v->empty()) return std::nullopt;
        size_t used = 0;
        try {
            int64_t n = std::stoll(*v, &used);
            if (used == v->size()) return n;
        } catch (...) {
        }
        return std::nullopt;
    }

    bool remove(std::string_view key) const { return vt_->remove(ctx_, to_shd(key)) == SHD_OK; }

    // Every setting as one JSON object.
    std::string all() const {
        std::string text;
        vt_->all(ctx_, [](void *ud, shd_str t) { static_cast<std::string *>(ud)->assign(t.data ? t.data : "", t.size); }, &text);
        return text;
    }

    // Pomelo: enable(k) is set(k, true), disable(k) is set(k, false), enabled(k) is !!get(k).
    void enable(std::string_view key) const { set_bool(key, true); }
    void disable(std::string_view key) const { set_bool(key, false); }
    bool enabled(std::string_view key) const {
        auto v = get(key);
        // JavaScript's falsy values, as the host stores them (canonical JSON text).
        return v && *v != "false" && *v != "null" && *v != "0" && *v != "-0" && *v != "0.0" && *v != "-0.0" && *v != "\"\"";
    }
    bool disabled(std::string_view key) const { return !enabled(key); }

private:
    static std::string quote(std::string_view s) {
        static const char hex[] = "0123456789abcdef";
        std::string out = "\"";
        for (char ch : s) {
            auto c = static_cast<unsigned char>(ch);
            if (c == '"' || c == '\\') {
                out += '\\';
                out += ch;
            } else if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += ch;
            }
        }
        return out + "\"";
    }
    // Reverses the host's canonical string form; nullopt for anything that is not a JSON string.
    static std::optional<std::string> unquote(const std::string &v) {
        if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::nullopt;
        std::string out;
        for (size_t i = 1; i + 1 < v.size(); ++i) {
            char c = v[i];
            if (c != '\\') {
                out += c;
                continue;
            }
            if (++i + 1 >= v.size()) return std::nullopt;
            switch (v[i]) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u': {
                if (i + 4 >= v.size()) return std::nullopt;
                unsigned cp = static_cast<unsigned>(std::stoul(v.substr(i + 1, 4), nullptr, 16));
                i += 4;
                if (cp < 0x80) {
                    out += static_cast<char>(cp);
                } else if (cp < 0x800) {
                    out += static_cast<char>(0xC0 | (cp >> 6));
                    out += static_cast<char>(0x80 | (cp & 0x3F));
                } else {  // a lone or paired surrogate is kept as its three-byte form
                    out += static_cast<char>(0xE0 | (cp >> 12));
                    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    out += static_cast<char>(0x80 | (cp & 0x3F));
                }
                break;
            }
            default: out += v[i];
            }
        }
        return out;
    }

    const shd_settings_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
};

}  // namespace shd
