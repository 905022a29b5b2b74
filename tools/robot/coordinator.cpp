// coordinator.cpp - `shaddock-robot run --agents ...`: splits the users over agents, starts them at one
// moment, merges their per-second figures into one progress line, one rate controller and one report.
#include "agent_wire.hpp"
#include "cli.hpp"
#include "line_socket.hpp"
#include "rate_controller.hpp"

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace shd::robot {

namespace {

int64_t realtime_us() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

struct Agent {
    size_t id = 0;
    std::string address;
    std::unique_ptr<LineSocket> sock;
    uint64_t first = 0, users = 0;
    AgentSummary summary;
    bool ready = false;
    bool done = false;  // finished or failed: no more ticks will come
    std::thread reader;
};

struct Event {
    size_t agent;
    bool ok;  // false: the connection failed; `error` says how
    WireMessage msg;
    std::string error;
};

class Inbox {
public:
    void put(Event e) {
        std::lock_guard<std::mutex> lock(mu_);
        q_.push_back(std::move(e));
        cv_.notify_one();
    }
    bool take(Event &e, std::chrono::milliseconds wait) {
        std::unique_lock<std::mutex> lock(mu_);
        if (!cv_.wait_for(lock, wait, [&] { return !q_.empty(); })) return false;
        e = std::move(q_.front());
        q_.pop_front();
        return true;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Event> q_;
};

void read_agent(Agent &a, Inbox &inbox) {
    std::string line, err;
    for (;;) {
        if (!a.sock->read_line(line, &err, kMaxLineBytes)) {
            inbox.put({a.id, false, {}, err.empty() ? "connection closed" : err});
            return;
        }
        Event e{a.id, true, {}, {}};
        if (!decode_message(line, e.msg, &err)) {
            inbox.put({a.id, false, {}, "bad message: " + err});
            return;
        }
        bool last = e.msg.type == WireMessage::Type::done || e.msg.type == WireMessage::Type::error;
        inbox.put(std::move(e));
        if (last) return;
    }
}

}  // namespace

int run_coordinator(const Scenario &s, const RunOptions &o) {
    std::vector<std::unique_ptr<Agent>> agents;
    size_t n = o.agents.size();
    if (s.users < n) {
        std::cerr << "shaddock-robot: " << s.users << " users cannot be split over " << n << " agents\n";
        return kExitUsage;
    }
    for (size_t i = 0; i < n; ++i) {
        auto a = std::make_unique<Agent>();
        a->id = i;
        a->address = o.agents[i];
        a->first = s.users * i / n;
        a->users = s.users * (i + 1) / n - a->first;
        std::string host, err;
        uint16_t port = 0;
        if (!split_host_port(a->address, host, port, &err)) {
            std::cerr << "shaddock-robot: --agents " << err << "\n";
            return kExitUsage;
        }
        int fd = connect_tcp(host, port, &err);
        if (fd < 0) {
            std::cerr << "shaddock-robot: agent " << a->address << ": " << err << "\n";
            return kExitFailed;
        }
        a->sock = std::make_unique<LineSocket>(fd);
        a->summary.address = a->address;
        a->summary.first_index = a->first;
        a->summary.users = a->users;
        agents.push_back(std::move(a));
    }

    // Start a little ahead so that every agent has the scenario before the moment comes.
    int64_t start_at = realtime_us() + 1'000'000;
    for (auto &a : agents) {
        if (!a->sock->send(encode_run(s.json, a->first, a->users, s.users, start_at))) {
            std::cerr << "shaddock-robot: agent " << a->address << ": cannot send the scenario\n";
            return kExitFailed;
        }
    }
    Inbox inbox;
    for (auto &a : agents) a->reader = std::thread(read_agent, std::ref(*a), std::ref(inbox));
    auto broadcast = [&](const std::string &msg) {
        for (auto &a : agents)
            if (!a->done) a->sock->send(msg);
    };

    Report report;
    describe(report, s);
    Progress progress(o);
    RateController controller(s.rate);
    std::map<unsigned, std::pair<size_t, Snapshot>> seconds;  // second -> (agents reported, merged)
    unsigned next_second = 1;
    Snapshot rest;
    bool failed = false, stop_sent = false;
    std::string stopped_by;
    auto live = [&] {
        size_t k = 0;
        for (auto &a : agents) k += !a->done;
        return k;
    };
    // Emits every second that all live agents have reported, in order.
    auto flush = [&](bool all) {
        while (!seconds.empty()) {
            auto it = seconds.begin();
            if (it->first != next_second && !all) break;
            if (it->second.first < live() && !all) break;
            report.add_second(it->second.second);
            progress.show(report.timeline.back(), s.users);
            if (s.has_rate && !controller.stopped()) {
                if (controller.on_second(it->second.second)) broadcast(encode_level(controller.level()));
                if (controller.stopped() && !stop_sent) {
                    broadcast(encode_stop());
                    stop_sent = true;
                    stopped_by = controller.steps().back().broken;
                }
            }
            seconds.erase(it);
            ++next_second;
        }
    };

    CpuTimes cpu0 = process_cpu();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(int64_t(s.duration_seconds * 1e6)) +
                    std::chrono::seconds(30);
    auto ready_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (live() > 0) {
        if (g_interrupted && !stop_sent) {
            broadcast(encode_stop());
            stop_sent = true;
            stopped_by = "interrupted";
        }
        if (std::chrono::steady_clock::now() > deadline) {
            std::cerr << "shaddock-robot: agents did not finish 30 s after the end of the run\n";
            failed = true;
            break;
        }
        // Something that is not an agent (or a stuck one) never says "ready".
        if (std::chrono::steady_clock::now() > ready_deadline) {
            for (auto &a : agents) {
                if (a->ready || a->done) continue;
                std::string why = "no \"ready\" within 10 s (is it a shaddock-robot agent?)";
                std::cerr << "shaddock-robot: agent " << a->address << ": " << why << "\n";
                a->summary.error = why;
                a->done = true;
                failed = true;
            }
            flush(false);
        }
        Event e;
        if (!inbox.take(e, std::chrono::milliseconds(100))) continue;
        Agent &a = *agents[e.agent];
        if (a.done) continue;
        if (!e.ok || e.msg.type == WireMessage::Type::error) {
            std::string why = e.ok ? e.msg.message : e.error;
            std::cerr << "shaddock-robot: agent " << a.address << ": " << why << "\n";
            a.summary.error = why;
            a.done = true;
            failed = true;
            flush(false);
            continue;
        }
        switch (e.msg.type) {
            case WireMessage::Type::ready: a.ready = true; break;
            case WireMessage::Type::tick: {
                if (e.msg.second < next_second) break;  // late for a second already emitted
                auto &slot = seconds[e.msg.second];
                ++slot.first;
                slot.second.merge(e.msg.stats);
                a.summary.total.merge(e.msg.stats);
                flush(false);
                break;
            }
            case WireMessage::Type::done:
                rest.merge(e.msg.stats);
                a.summary.total.merge(e.msg.stats);
                a.summary.cpu = e.msg.cpu;
                report.elapsed_seconds = std::max(report.elapsed_seconds, e.msg.elapsed);
                a.done = true;
                flush(false);
                break;
            default:
                std::cerr << "shaddock-robot: agent " << a.address << ": unexpected message\n";
                a.summary.error = "unexpected message";
                a.done = true;
                failed = true;
        }
    }
    flush(true);
    progress.finish();
    report.add_second(rest);
    for (auto &a : agents) {
        a->sock->shutdown();
        if (a->reader.joinable()) a->reader.join();
        report.cpu.user_seconds += a->summary.cpu.user_seconds;
        report.cpu.system_seconds += a->summary.cpu.system_seconds;
        report.agents.push_back(a->summary);
    }
    CpuTimes cpu1 = process_cpu();
    report.cpu.user_seconds += cpu1.user_seconds - cpu0.user_seconds;
    report.cpu.system_seconds += cpu1.system_seconds - cpu0.system_seconds;
    report.stopped_by = !stopped_by.empty() ? stopped_by : failed ? "agent failure" : "agents done";
    if (s.has_rate) {
        report.rate_steps = controller.steps();
        report.max_sustained_deliveries = controller.max_sustained_deliveries();
        report.max_sustained_rate = controller.max_sustained_rate();
    }
    int code = write_reports(report, o);
    return failed ? kExitFailed : code;
}

}  // namespace shd::robot
