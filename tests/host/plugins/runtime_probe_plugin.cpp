// Test plugin "runtime_probe": exercises the host's timers, events and post() through the raw C ABI
// and reports what it observed as log lines "probe fact <key>=<value>". It judges nothing itself: the
// test (tests/host/runtime_services_test.cpp) holds the expected values. When every scenario has
// finished it asks the host to stop; the last facts are written from on_destroy, after the host has
// drained its queue, so every final callback has had its chance to run (or to run twice).
#include <shaddock/abi.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <thread>

namespace {

shd_str text(const std::string &s) {
    return shd_str{s.data(), s.size()};
}

struct Probe;

// One observed callback kind: how often it ran with SHD_OK and with anything else.
struct Counter {
    Probe *probe;
    const char *key;
    int ok = 0;
    int final_calls = 0;
    shd_status final_status = SHD_OK;
};

struct Probe {
    const shd_host_api *api = nullptr;
    std::thread::id logic_thread;
    std::thread foreign;
    bool stop_requested = false;

    Counter one_shot{this, "one_shot"};
    Counter cancelled_one_shot{this, "cancelled_one_shot"};
    Counter interval{this, "interval"};
    Counter pending_at_stop{this, "pending_at_stop"};
    Counter interval_at_stop{this, "interval_at_stop"};
    uint64_t one_shot_id = 0, interval_id = 0;

    int a_deliveries = 0, a_releases = 0, b_deliveries = 0, b_releases = 0;
    uint64_t sub_a = 0, sub_b = 0;
    std::string b_payloads;

    int foreign_post_runs = 0;
    bool foreign_post_on_logic_thread = false;
    shd_status foreign_post_status = -1;
    int after_stop_runs = 0;

    std::map<std::string, std::string> facts;

    void fact(const std::string &key, const std::string &value) {
        facts[key] = value;
        std::string line = "probe fact " + key + "=" + value;
        api->log(api->ctx, SHD_LOG_INFO, text(line));
    }
    void fact(const std::string &key, long value) { fact(key, std::to_string(value)); }

    // Stops the server once the scenarios that finish on their own are done.
    void maybe_finish() {
        bool done = one_shot.ok + one_shot.final_calls > 0 && cancelled_one_shot.final_calls > 0 &&
                    interval.final_calls > 0 && b_deliveries >= 2 && a_releases > 0 && foreign_post_runs > 0 &&
                    interval_at_stop.ok >= 2;
        if (done && !stop_requested) {
            stop_requested = true;
            if (foreign.joinable()) foreign.join();
            api->request_stop(api->ctx, text("runtime_probe scenarios finished"));
        }
    }
};

// A timer callback: counts SHD_OK calls and final calls separately.
void SHD_CALL count_timer(void *ud, shd_status status) {
    auto *c = static_cast<Counter *>(ud);
    if (status == SHD_OK) {
        ++c->ok;
    } else {
        ++c->final_calls;
        c->final_status = status;
    }
    c->probe->maybe_finish();
}

// A one-shot timer's only call carries SHD_OK; a later call would be a second "final" call.
void SHD_CALL count_one_shot(void *ud, shd_status status) {
    auto *c = static_cast<Counter *>(ud);
    if (status == SHD_OK && c->ok == 0) {
        ++c->ok;
        // The timer has finished: cancelling it now must say it is unknown.
        Probe *p = c->probe;
        p->fact("cancel_finished_one_shot", p->api->timer_cancel(p->api->ctx, p->one_shot_id));
    } else {
        ++c->final_calls;
        c->final_status = status;
    }
    c->probe->maybe_finish();
}

// An interval timer that cancels itself from its third tick.
void SHD_CALL interval_tick(void *ud, shd_status status) {
    auto *c = static_cast<Counter *>(ud);
    Probe *p = c->probe;
    if (status == SHD_OK && ++c->ok == 3) {
        p->fact("cancel_interval_in_callback", p->api->timer_cancel(p->api->ctx, p->interval_id));
        p->fact("cancel_interval_twice", p->api->timer_cancel(p->api->ctx, p->interval_id));
    } else if (status != SHD_OK) {
        ++c->final_calls;
        c->final_status = status;
    }
    p->maybe_finish();
}

void SHD_CALL on_event_a(void *ud, shd_str, shd_str) {
    auto *p = static_cast<Probe *>(ud);
    ++p->a_deliveries;
    // Unsubscribe during delivery, then emit again: only B may hear the second event.
    p->fact("unsubscribe_a", p->api->unsubscribe(p->api->ctx, p->sub_a));
    p->fact("unsubscribe_a_twice", p->api->unsubscribe(p->api->ctx, p->sub_a));
    std::string payload = "{\"n\":2}";
    p->api->emit(p->api->ctx, text("probe.event"), text(payload));
    p->maybe_finish();
}

void SHD_CALL on_event_b(void *ud, shd_str name, shd_str payload) {
    auto *p = static_cast<Probe *>(ud);
    ++p->b_deliveries;
    p->b_payloads += std::string(name.data, name.size) + ":" + std::string(payload.data, payload.size) + ";";
    p->maybe_finish();
}

void SHD_CALL release_a(void *ud) {
    auto *p = static_cast<Probe *>(ud);
    ++p->a_releases;
    p->maybe_finish();
}

void SHD_CALL release_b(void *ud) {
    ++static_cast<Probe *>(ud)->b_releases;
}

void SHD_CALL foreign_task(void *ud, shd_status status) {
    auto *p = static_cast<Probe *>(ud);
    if (status == SHD_OK) {
        ++p->foreign_post_runs;
        p->foreign_post_on_logic_thread = std::this_thread::get_id() == p->logic_thread;
    }
    p->maybe_finish();
}

void SHD_CALL after_stop_task(void *ud, shd_status) {
    ++static_cast<Probe *>(ud)->after_stop_runs;
}

shd_status SHD_CALL on_configure(void *ctx) {
    static_cast<Probe *>(ctx)->logic_thread = std::this_thread::get_id();
    return SHD_OK;
}

shd_status SHD_CALL on_start(void *ctx) {
    auto *p = static_cast<Probe *>(ctx);
    const shd_host_api *a = p->api;
    uint64_t id = 0;
    p->fact("start_one_shot", a->timer_start(a->ctx, 5, 0, count_one_shot, &p->one_shot, &p->one_shot_id));
    p->fact("start_cancelled_one_shot", a->timer_start(a->ctx, 60000, 0, count_timer, &p->cancelled_one_shot, &id));
    p->fact("cancel_pending_one_shot", a->timer_cancel(a->ctx, id));
    p->fact("start_interval", a->timer_start(a->ctx, 5, 5, interval_tick, &p->interval, &p->interval_id));
    p->fact("start_pending_at_stop", a->timer_start(a->ctx, 3600000, 0, count_timer, &p->pending_at_stop, &id));
    p->fact("start_interval_at_stop", a->timer_start(a->ctx, 5, 5, count_timer, &p->interval_at_stop, &id));
    p->fact("cancel_unknown_timer", a->timer_cancel(a->ctx, 987654321));

    p->fact("subscribe_a", a->subscribe(a->ctx, text("probe.event"), on_event_a, release_a, p, &p->sub_a));
    p->fact("subscribe_b", a->subscribe(a->ctx, text("probe.event"), on_event_b, release_b, p, &p->sub_b));
    std::string payload = "{\"n\":1}";
    p->fact("emit", a->emit(a->ctx, text("probe.event"), text(payload)));
    // Emitting delivers later, never inside the call.
    p->fact("deliveries_during_emit", p->a_deliveries + p->b_deliveries);

    p->foreign = std::thread([p] { p->foreign_post_status = p->api->post(p->api->ctx, foreign_task, p); });
    return SHD_OK;
}

void SHD_CALL on_stop(void *ctx, shd_task_fn done, void *done_data) {
    auto *p = static_cast<Probe *>(ctx);
    if (p->foreign.joinable()) p->foreign.join();
    p->fact("releases_of_b_before_stop", p->b_releases);
    p->fact("interval_at_stop_final_calls_before_stop", p->interval_at_stop.final_calls);
    done(done_data, SHD_OK);
}

void report(Probe *p, const Counter &c) {
    p->fact(std::string(c.key) + ".ok_calls", c.ok);
    p->fact(std::string(c.key) + ".final_calls", c.final_calls);
    if (c.final_calls) p->fact(std::string(c.key) + ".final_status", c.final_status);
}

void SHD_CALL on_destroy(void *ctx) {
    auto *p = static_cast<Probe *>(ctx);
    const shd_host_api *a = p->api;
    report(p, p->one_shot);
    report(p, p->cancelled_one_shot);
    report(p, p->interval);
    report(p, p->pending_at_stop);
    p->fact("interval_at_stop.ticked", p->interval_at_stop.ok >= 2 ? "yes" : "no");
    p->fact("interval_at_stop.final_calls", p->interval_at_stop.final_calls);
    p->fact("interval_at_stop.final_status", p->interval_at_stop.final_status);
    p->fact("a.deliveries", p->a_deliveries);
    p->fact("a.releases", p->a_releases);
    p->fact("b.deliveries", p->b_deliveries);
    p->fact("b.payloads", p->b_payloads);
    p->fact("b.releases", p->b_releases);
    p->fact("foreign_post.status", p->foreign_post_status);
    p->fact("foreign_post.runs", p->foreign_post_runs);
    p->fact("foreign_post.on_logic_thread", p->foreign_post_on_logic_thread ? "yes" : "no");

    // The host has stopped: new work is refused, from any thread, and never runs.
    p->fact("post_after_stop", a->post(a->ctx, after_stop_task, p));
    shd_status from_thread = -1;
    std::thread([&] { from_thread = a->post(a->ctx, after_stop_task, p); }).join();
    p->fact("post_after_stop_from_thread", from_thread);
    uint64_t id = 0;
    p->fact("timer_after_stop", a->timer_start(a->ctx, 1, 0, count_timer, &p->one_shot, &id));
    p->fact("after_stop_runs", p->after_stop_runs);
    delete p;
}

}  // namespace

SHD_MANIFEST(SHD_KIND_PLUGIN, "runtime_probe", "1.0.0", 0, "", "");

extern "C" SHD_EXPORT shd_status SHD_CALL shd_plugin_entry_v1(const shd_host_api *host, shd_plugin *out) {
    shd_plugin p{};
    p.struct_size = sizeof p;
    p.abi_major = SHD_ABI_MAJOR;
    p.abi_minor = SHD_ABI_MINOR;
    p.name = "runtime_probe";
    p.version = "1.0.0";
    p.provides = "";
    p.required = "";
    auto *probe = new Probe;
    probe->api = host;
    p.ctx = probe;
    p.on_configure = on_configure;
    p.on_start = on_start;
    p.on_stop = on_stop;
    p.on_destroy = on_destroy;
    std::memcpy(out, &p, std::min<size_t>(out->struct_size, sizeof p));
    out->struct_size = static_cast<uint32_t>(std::min<size_t>(out->struct_size, sizeof p));
    return SHD_OK;
}
