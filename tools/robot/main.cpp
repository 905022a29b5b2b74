// shaddock-robot: the load tool. Virtual users run a JSON scenario against a Pomelo-protocol server,
// in this process or spread over agents; the figures end in a text, JSON and HTML report.
//
//   shaddock-robot run SCENARIO.json [--host H] [--port P] [--transport T] [--users N] [--duration S]
//                      [--ramp R] [--threads T] [--json FILE] [--html FILE] [--progress|--quiet]
//                      [--agents H1:P1,H2:P2]
//   shaddock-robot agent --listen HOST:PORT [--once]
//   shaddock-robot check SCENARIO.json
#include "cli.hpp"

#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace shd::robot {

std::atomic<bool> g_interrupted{false};

Progress::Progress(const RunOptions &o) {
    tty_ = isatty(STDERR_FILENO) != 0;
    enabled_ = !o.quiet && (o.progress || tty_);
}

void Progress::show(const TimelinePoint &p, uint64_t users_target) {
    if (!enabled_) return;
    std::string line = progress_line(p, users_target);
    // On a terminal the line rewrites itself; in a log it is one line per second.
    if (tty_)
        std::fprintf(stderr, "\r%s\033[K", line.c_str());
    else
        std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
    shown_ = true;
}

void Progress::finish() {
    if (enabled_ && tty_ && shown_) std::fprintf(stderr, "\n");
}

void describe(Report &r, const Scenario &s) {
    r.name = s.name;
    r.file = s.file;
    r.transport = s.transport;
    r.host = s.host;
    r.port = s.port;
    r.users = s.users;
    r.threads = s.threads;
    r.duration_seconds = s.duration_seconds;
    r.has_rate = s.has_rate;
}

int write_reports(const Report &r, const RunOptions &o) {
    int code = r.exit_code();
    if (!o.quiet) std::cout << report_text(r) << std::flush;
    auto write = [&](const std::string &file, const std::string &text) {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) {
            std::cerr << "shaddock-robot: cannot write " << file << "\n";
            code = kExitFailed;
        }
    };
    if (!o.json_file.empty()) write(o.json_file, report_json(r));
    if (!o.html_file.empty()) write(o.html_file, report_html(r));
    return code;
}

}  // namespace shd::robot

namespace {

using namespace shd::robot;

const char *kUsage =
    "usage: shaddock-robot <mode> [options]\n\n"
    "modes:\n"
    "  run SCENARIO.json [options]   run the scenario's virtual users and report\n"
    "  agent --listen HOST:PORT      serve a coordinator (run --agents) on this machine\n"
    "  check SCENARIO.json           validate a scenario file and exit\n"
    "  help [MODE]                   this text, or a mode's options\n\n"
    "exit codes: 0 completed without failures, 1 could not run, 2 bad usage or scenario,\n"
    "            3 completed with failed connects/requests/waits\n";

const char *kRunUsage =
    "usage: shaddock-robot run SCENARIO.json [options]\n\n"
    "scenario overrides:\n"
    "  --host HOST            server host                 --port PORT        server port\n"
    "  --transport T          tcp, tls, ws or wss         --users N          number of virtual users\n"
    "  --duration SECONDS     run length                  --ramp N           users connected per second (0: all at "
    "once)\n"
    "  --threads N            client I/O threads\n"
    "reports:\n"
    "  --json FILE            write the JSON report       --html FILE        write the HTML report\n"
    "  --progress             progress line on stderr even when it is not a terminal\n"
    "  --quiet                no progress line and no text report\n"
    "distributed:\n"
    "  --agents H1:P1,H2:P2   split the users over these agents (shaddock-robot agent) and merge\n"
    "                         their figures; nothing runs here\n"
    "The text report goes to stdout; SIGINT stops the run early and still reports.\n";

const char *kAgentUsage =
    "usage: shaddock-robot agent --listen HOST:PORT [--once] [--quiet]\n\n"
    "Waits for a coordinator (shaddock-robot run ... --agents HOST:PORT), runs the share of users it\n"
    "is given and streams its figures back each second. Serves one coordinator at a time; --once exits\n"
    "after the first. Port 0 picks a free port (printed on stdout). Malformed input is answered with an\n"
    "error message and the connection is closed.\n";

const char *kCheckUsage =
    "usage: shaddock-robot check SCENARIO.json\n\nParses and validates the scenario; prints the error naming the file "
    "and the JSON path of the bad key.\n";

int usage_error(const std::string &msg, const char *usage) {
    std::cerr << "shaddock-robot: " << msg << "\n\n" << usage;
    return kExitUsage;
}

bool number_arg(const std::string &opt, const std::string &v, double lo, double hi, double &out, std::string &err) {
    char *end = nullptr;
    out = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(out >= lo && out <= hi)) {
        err = opt + ": expected a number from " + std::to_string(int64_t(lo)) + " to " + std::to_string(int64_t(hi)) +
              ", got \"" + v + "\"";
        return false;
    }
    return true;
}

int run_mode(int argc, char **argv) {
    Overrides ov;
    RunOptions ro;
    std::string file, agents;
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::cout << kRunUsage;
            return kExitOk;
        }
        if (a == "--progress") {
            ro.progress = true;
            continue;
        }
        if (a == "--quiet") {
            ro.quiet = true;
            continue;
        }
        if (a.rfind("--", 0) == 0) {
            if (i + 1 >= argc) return usage_error(a + " needs a value", kRunUsage);
            std::string v = argv[++i], err;
            double d = 0;
            if (a == "--host")
                ov.host = v;
            else if (a == "--transport")
                ov.transport = v;
            else if (a == "--json")
                ro.json_file = v;
            else if (a == "--html")
                ro.html_file = v;
            else if (a == "--agents")
                agents = v;
            else if (a == "--port") {
                if (!number_arg(a, v, 1, 65535, d, err)) return usage_error(err, kRunUsage);
                ov.port = uint64_t(d);
            } else if (a == "--users") {
                if (!number_arg(a, v, 1, 1e7, d, err)) return usage_error(err, kRunUsage);
                ov.users = uint64_t(d);
            } else if (a == "--threads") {
                if (!number_arg(a, v, 1, 256, d, err)) return usage_error(err, kRunUsage);
                ov.threads = uint64_t(d);
            } else if (a == "--duration") {
                if (!number_arg(a, v, 0.1, 366 * 86400, d, err)) return usage_error(err, kRunUsage);
                ov.duration = d;
            } else if (a == "--ramp") {
                if (!number_arg(a, v, 0, 1e7, d, err)) return usage_error(err, kRunUsage);
                ov.ramp = d;
            } else
                return usage_error("unknown option " + a, kRunUsage);
            continue;
        }
        if (!file.empty()) return usage_error("more than one scenario file (" + file + ", " + a + ")", kRunUsage);
        file = a;
    }
    if (file.empty()) return usage_error("run needs a scenario file", kRunUsage);
    Scenario s;
    std::string err;
    if (!load_scenario_file(file, ov, s, &err)) {
        std::cerr << "shaddock-robot: " << err << "\n";
        return kExitUsage;
    }
    size_t start = 0;
    while (!agents.empty() && start <= agents.size()) {
        size_t comma = agents.find(',', start);
        if (comma == std::string::npos) comma = agents.size();
        std::string one = agents.substr(start, comma - start);
        if (one.empty()) return usage_error("--agents: empty entry in \"" + agents + "\"", kRunUsage);
        ro.agents.push_back(one);
        start = comma + 1;
    }
    return ro.agents.empty() ? run_local(s, ro) : run_coordinator(s, ro);
}

int agent_mode(int argc, char **argv) {
    std::string listen;
    bool once = false, quiet = false;
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::cout << kAgentUsage;
            return kExitOk;
        }
        if (a == "--once")
            once = true;
        else if (a == "--quiet")
            quiet = true;
        else if (a == "--listen" && i + 1 < argc)
            listen = argv[++i];
        else
            return usage_error("unknown or incomplete option " + a, kAgentUsage);
    }
    if (listen.empty()) return usage_error("agent needs --listen HOST:PORT", kAgentUsage);
    return run_agent(listen, once, quiet);
}

int check_mode(int argc, char **argv) {
    if (argc == 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
        std::cout << kCheckUsage;
        return kExitOk;
    }
    if (argc != 3) return usage_error("check needs exactly one scenario file", kCheckUsage);
    Scenario s;
    std::string err;
    if (!load_scenario_file(argv[2], {}, s, &err)) {
        std::cerr << "shaddock-robot: " << err << "\n";
        return kExitUsage;
    }
    std::cout << argv[2] << ": ok (" << s.users << " users, " << s.script.size() << " steps)\n";
    return kExitOk;
}

void on_signal(int) {
    g_interrupted = true;
}

}  // namespace

int main(int argc, char **argv) {
    // No SA_RESTART: a blocked accept() of the agent must return and see the flag.
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    if (argc < 2) return usage_error("no mode given", kUsage);
    std::string mode = argv[1];
    if (mode == "--help" || mode == "-h" || mode == "help") {
        std::string sub = argc > 2 ? argv[2] : "";
        std::cout << (sub == "run" ? kRunUsage : sub == "agent" ? kAgentUsage : sub == "check" ? kCheckUsage : kUsage);
        return kExitOk;
    }
    if (mode == "run") return run_mode(argc, argv);
    if (mode == "agent") return agent_mode(argc, argv);
    if (mode == "check") return check_mode(argc, argv);
    return usage_error("unknown mode \"" + mode + "\"", kUsage);
}
