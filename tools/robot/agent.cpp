// agent.cpp - `shaddock-robot agent`: runs a coordinator's share of users and streams the figures.
#include "agent_wire.hpp"
#include "cli.hpp"
#include "line_socket.hpp"
#include "runner.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>

namespace shd::robot {

namespace {

int64_t realtime_us() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

void log(bool quiet, const std::string &line) {
    if (!quiet) std::cerr << "shaddock-robot agent: " << line << std::endl;
}

// One coordinator connection: a "run" line, then the run, then "done".
void serve(LineSocket &sock, bool quiet) {
    std::string line, err;
    if (!sock.read_line(line, &err, kMaxLineBytes)) {
        if (!err.empty()) log(quiet, "coordinator: " + err);
        return;
    }
    WireMessage run;
    if (!decode_message(line, run, &err) || run.type != WireMessage::Type::run) {
        if (err.empty()) err = "expected a \"run\" message first";
        log(quiet, "rejected: " + err);
        sock.send(encode_error("rejected: " + err));
        return;
    }
    Scenario s;
    if (!parse_scenario(run.scenario_json, "scenario from the coordinator", {}, s, &err)) {
        log(quiet, "rejected: " + err);
        sock.send(encode_error(err));
        return;
    }
    if (run.total_users != s.users) {
        std::string why = "totalUsers (" + std::to_string(run.total_users) + ") differs from the scenario's users (" +
                          std::to_string(s.users) + ")";
        sock.send(encode_error(why));
        return;
    }
    sock.send(encode_ready());
    log(quiet, "running users " + std::to_string(run.first_index) + ".." +
                   std::to_string(run.first_index + run.users - 1) + " of " + std::to_string(run.total_users));

    // All agents start at the coordinator's moment (same wall clock, give or take NTP).
    int64_t wait = run.start_at_us - realtime_us();
    if (wait > 0 && wait < 60'000'000) std::this_thread::sleep_for(std::chrono::microseconds(wait));

    Runner runner(s, run.first_index, run.users, run.total_users);
    std::atomic<bool> stop{false};
    std::mutex send_mu;
    // The coordinator's later messages: levels, stop, or garbage (answered, then the run ends).
    std::thread reader([&] {
        std::string l, e;
        while (sock.read_line(l, &e, kMaxLineBytes)) {
            WireMessage m;
            if (!decode_message(l, m, &e) ||
                (m.type != WireMessage::Type::level && m.type != WireMessage::Type::stop)) {
                if (e.empty()) e = "expected \"level\" or \"stop\" during a run";
                log(quiet, "rejected: " + e);
                std::lock_guard<std::mutex> lock(send_mu);
                sock.send(encode_error("rejected: " + e));
                break;
            }
            if (m.type == WireMessage::Type::level) runner.set_level(m.level);
            if (m.type == WireMessage::Type::stop) break;
        }
        stop = true;  // the coordinator is gone, said stop, or spoke nonsense
    });
    CpuTimes cpu0 = process_cpu();
    Snapshot rest;
    double elapsed = 0;
    drive(
        runner, s.duration_seconds,
        [&](unsigned n, const Snapshot &second) {
            std::lock_guard<std::mutex> lock(send_mu);
            return sock.send(encode_tick(n, second)) && !g_interrupted;
        },
        stop, rest, elapsed);
    CpuTimes cpu1 = process_cpu();
    CpuTimes cpu{cpu1.user_seconds - cpu0.user_seconds, cpu1.system_seconds - cpu0.system_seconds};
    {
        std::lock_guard<std::mutex> lock(send_mu);
        sock.send(encode_done(rest, cpu, elapsed));
    }
    // Wakes the reader if the coordinator has not closed yet; "done" is already queued ahead of the FIN.
    sock.shutdown();
    reader.join();
    log(quiet, "run finished");
}

}  // namespace

int run_agent(const std::string &listen, bool once, bool quiet) {
    std::string host, err;
    uint16_t port = 0, bound = 0;
    if (!split_host_port(listen, host, port, &err)) {
        std::cerr << "shaddock-robot agent: --listen " << err << "\n";
        return kExitUsage;
    }
    int lfd = listen_tcp(host, port, &bound, &err);
    if (lfd < 0) {
        std::cerr << "shaddock-robot agent: " << err << "\n";
        return kExitFailed;
    }
    LineSocket listener(lfd);
    std::cout << "listening on " << host << ":" << bound << std::endl;
    while (!g_interrupted) {
        int fd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR) continue;
            std::cerr << "shaddock-robot agent: accept: " << std::strerror(errno) << "\n";
            return kExitFailed;
        }
        LineSocket sock(fd);
        serve(sock, quiet);
        if (once) break;
    }
    return kExitOk;
}

}  // namespace shd::robot
