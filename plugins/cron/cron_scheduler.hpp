// The crons of this server and the app's actions: one host timer per cron, armed for its next
// matching second of wall-clock time. [logic] only.
#pragma once

#include "cron_entry.hpp"

#include <shaddock/ext/cron.h>
#include <shaddock/cpp/host.hpp>

#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shd::cron {

class CronScheduler {
public:
    explicit CronScheduler(const Host &host) : host_(host) {}
    CronScheduler(const CronScheduler &) = delete;
    CronScheduler &operator=(const CronScheduler &) = delete;

    shd_status add_action(std::string_view name, shd_cron_action_fn fn, void *user_data);
    bool has_action(const std::string &name) const { return actions_.count(name) != 0; }

    // Schedules entries (already checked), all or none: throws shd::Error(SHD_ERR_EXISTS) when an id
    // is taken. Timers start now when running, else at start().
    void add(std::vector<CronEntry> entries);
    // Unschedules a cron by id (JSON text); false when unknown.
    bool remove(const std::string &id);

    void start();
    void stop();
    bool running() const { return running_; }

    // [{"id","time","action","next"}] (see shd_cron_service_v1.list).
    std::string list_json() const;
    size_t size() const { return jobs_.size(); }
    // The actions the scheduled crons name, once each.
    std::vector<std::string> actions_of_crons() const;

private:
    struct Job {
        CronEntry entry;
        uint64_t timer = 0;
        std::optional<std::time_t> next;  // the second it is armed for
        bool warned = false;              // "action not registered" said once
    };
    struct Action {
        shd_cron_action_fn fn;
        void *user_data;
    };

    void arm(Job &job, std::time_t after);
    void due(const std::string &id, std::time_t target);

    Host host_;
    std::map<std::string, Job> jobs_;  // by id
    std::map<std::string, Action, std::less<>> actions_;
    bool running_ = false;
};

// Wall-clock milliseconds since the epoch (cron times are calendar times).
int64_t wall_ms();

}  // namespace shd::cron
