// shaddock/cpp/cron.hpp - Pomelo's crons for apps, over "shd.cron/1" (the `cron` plugin; the contract
// is in shaddock/ext/cron.h, the crons.json format in docs/crons.md).
//
//   void configure() override {
//       crons_ = std::make_unique<shd::Crons>(host());
//       // crons.json: {"development": {"chat": [{"id": 1, "time": "0 30 10 * * *", "action": "chatCron.send"}]}}
//       crons_->action("chatCron.send", [this](const std::string &cron_json) { host().info("daily news"); });
//   }
//
// Pomelo keeps cron actions in app/servers/<type>/cron/<cronFile>.js; here the app registers each
// "cronFile.method" by name. Keep the Crons object alive as long as the app: it owns the functions.
// Everything runs on the logic thread.
#pragma once

#include <shaddock/ext/cron.h>
#include <shaddock/cpp/host.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shd {

using CronAction = std::function<void(const std::string &cron_json)>;

class Crons {
public:
    explicit Crons(const Host &host) : host_(host) {
        auto [vt, ctx] = host.require<shd_cron_service_v1>(SHD_CRON_SERVICE_ID);
        vt_ = vt;
        ctx_ = ctx;
    }
    Crons(const Crons &) = delete;
    Crons &operator=(const Crons &) = delete;

    // Registers the function of the action "cronFile.method".
    void action(std::string_view name, CronAction fn) {
        auto entry = std::make_unique<Entry>(Entry{this, std::string(name), std::move(fn)});
        shd_status s = vt_->add_action(ctx_, to_shd(name), &Crons::trampoline, entry.get());
        if (s != SHD_OK) throw Error(s, "cron action " + std::string(name) + ": " + status_name(s));
        entries_.push_back(std::move(entry));
    }

    // Pomelo's app.addCrons([{id, time, action, serverId?}, ...]); throws shd::Error with the reason.
    void add(std::string_view crons_json) {
        std::string why;
        shd_status s = vt_->add_crons(
            ctx_, to_shd(crons_json),
            [](void *ud, shd_str text) { static_cast<std::string *>(ud)->assign(text.data, text.size); }, &why);
        if (s != SHD_OK) throw Error(s, "addCrons: " + (why.empty() ? std::string(status_name(s)) : why));
    }

    // Pomelo's app.removeCrons([{id}, ...]) (bare ids work too).
    void remove(std::string_view crons_json) {
        shd_status s = vt_->remove_crons(ctx_, to_shd(crons_json));
        if (s != SHD_OK) throw Error(s, std::string("removeCrons: ") + status_name(s));
    }

    // The scheduled crons as JSON (see shd_cron_service_v1.list).
    std::string list() const {
        std::string out;
        vt_->list(
            ctx_, [](void *ud, shd_str text) { static_cast<std::string *>(ud)->assign(text.data, text.size); }, &out);
        return out;
    }

private:
    struct Entry {
        Crons *owner;
        std::string name;
        CronAction fn;
    };

    static void SHD_CALL trampoline(void *ud, shd_str cron_json) {
        auto *e = static_cast<Entry *>(ud);
        try {
            e->fn(std::string(to_view(cron_json)));
        } catch (const std::exception &ex) {
            e->owner->host_.warn("cron action " + e->name + " threw: " + ex.what());
        } catch (...) {
            e->owner->host_.warn("cron action " + e->name + " threw");
        }
    }

    Host host_;
    const shd_cron_service_v1 *vt_ = nullptr;
    void *ctx_ = nullptr;
    std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace shd
