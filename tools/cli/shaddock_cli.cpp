// shaddock: the cluster command line (Pomelo's `pomelo` command). `shaddock --help` lists the commands,
// `shaddock help CMD` or `shaddock CMD --help` describes one; docs/operations.md shows each with its
// output.
//
// The admin commands (list, stop, kill, add, restart, start -t/-i) log in to the master's port as a user
// of config/adminUser.json by challenge-response and talk over an encrypted link (docs/cluster.md, "The
// master link"). The password never goes on the command line: it comes from SHADDOCK_ADMIN_PASSWORD,
// --password-file FILE, or a prompt on the terminal (echo off).
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/program_options.hpp>

#include "admin_config.hpp"
#include "init_command.hpp"  // `shaddock init` (int run_init(int argc, char **argv))
#include "link_crypto.hpp"
#include "link_messages.hpp"
#include "server_add.hpp"

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace {

// Exit codes (also in `shaddock --help` and docs/operations.md).
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;        // the command failed, or the master refused it
constexpr int kExitUsage = 2;         // bad command line
constexpr int kExitUnreachable = 3;   // no master answers at the address
constexpr int kExitLoginRefused = 4;  // the master refused the login (user, password, lockout)

const char *const kExitCodesHelp =
    "Exit status:\n"
    "  0  done\n"
    "  1  the command failed, or the master refused it (unknown server, level too low, ...)\n"
    "  2  bad usage (unknown command or option, missing value)\n"
    "  3  the master is not reachable (nothing listens at its address, or it does not answer)\n"
    "  4  the master refused the login (wrong user name or password, address locked out)\n";

const char *const kPasswordHelp =
    "The admin password is never given on the command line. It is read from the environment variable\n"
    "SHADDOCK_ADMIN_PASSWORD, else from --password-file FILE, else from a prompt on the terminal (not\n"
    "echoed). It does not cross the network: the master and the CLI prove to each other that they\n"
    "know it (challenge-response), then talk over an encrypted link.\n";

// A failure with its exit code; main prints "shaddock <command>: <message>" and exits with the code.
struct CliError {
    int code;
    std::string message;
};

// Every option of every command; each command declares the ones it takes.
struct State {
    std::string command;
    std::string dir = ".", env, host, user = "admin", password_file, type;
    int port = 0;
    int timeout_s = 120;
    int iterations = 200000;
    bool daemon = false, force = false, json = false;
    std::vector<std::string> ids, words;
    std::string password;
    int lines = -1;  // info monitorLog (-1: not given)
    std::string match, comd;
    bool master_from_config = false;  // no -h/-P: the standbys of masterha.json may answer instead
};

std::string env_default() {
    if (const char *e = std::getenv("SHADDOCK_ENV"); e && *e) return e;
    if (const char *e = std::getenv("NODE_ENV"); e && *e) return e;
    return "development";
}

struct MasterConfig {
    bool found = false;
    std::string id, host = "127.0.0.1";
    int port = 3005;  // Pomelo's default master port
};

// master.json with Pomelo's env rule (config/<env>/master.json, or the <env> key).
MasterConfig read_master(const State &s) {
    MasterConfig m;
    for (const std::string &path : {s.dir + "/config/" + s.env + "/master.json", s.dir + "/config/master.json"}) {
        std::ifstream in(path);
        if (!in) continue;
        std::stringstream buf;
        buf << in.rdbuf();
        rapidjson::Document d;
        d.Parse(buf.str().c_str());
        if (!d.IsObject()) throw CliError{kExitFailed, path + ": not a JSON object"};
        const rapidjson::Value *v = &d;
        if (d.HasMember(s.env.c_str())) v = &d[s.env.c_str()];
        if (!v->IsObject() || !v->HasMember("port") || !(*v)["port"].IsInt())
            throw CliError{kExitFailed, path + ": port: expected the master's port number"};
        m.found = true;
        m.port = (*v)["port"].GetInt();
        if (v->HasMember("host") && (*v)["host"].IsString()) m.host = (*v)["host"].GetString();
        if (v->HasMember("id") && (*v)["id"].IsString()) m.id = (*v)["id"].GetString();
        return m;
    }
    return m;
}

// Where the admin commands go: -h/-P, else config/master.json, else Pomelo's 127.0.0.1:3005.
void resolve_master(State &s) {
    if (!s.host.empty() && s.port) return;
    s.master_from_config = s.host.empty() && !s.port;
    MasterConfig m = read_master(s);
    if (s.host.empty()) s.host = m.host;
    if (!s.port) s.port = m.port;
}

// The admin password: SHADDOCK_ADMIN_PASSWORD, else --password-file, else a prompt with echo off.
void read_password(State &s) {
    if (const char *p = std::getenv("SHADDOCK_ADMIN_PASSWORD"); p && *p) {
        s.password = p;
        return;
    }
    if (!s.password_file.empty()) {
        std::ifstream in(s.password_file);
        if (!in) throw CliError{kExitFailed, "cannot read the password file " + s.password_file};
        std::getline(in, s.password);
        if (!s.password.empty() && s.password.back() == '\r') s.password.pop_back();
        return;
    }
    int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty < 0)
        throw CliError{
            kExitFailed,
            "no admin password: set SHADDOCK_ADMIN_PASSWORD, use --password-file FILE, or run on a terminal"};
    std::string prompt = "password for " + s.user + ": ";
    (void)!::write(tty, prompt.data(), prompt.size());
    termios old{};
    bool restore = ::tcgetattr(tty, &old) == 0;
    if (restore) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    char c;
    while (::read(tty, &c, 1) == 1 && c != '\n' && c != '\r') s.password.push_back(c);
    if (restore) ::tcsetattr(tty, TCSAFLUSH, &old);
    (void)!::write(tty, "\n", 1);
    ::close(tty);
}

// One TCP connection to the master carrying frames (4-byte big-endian length, then the payload), every
// operation bounded in time. Throws std::runtime_error.
class Connection {
public:
    Connection() : socket_(io_) {}

    void connect(const std::string &host, int port, int ms) {
        asio::ip::tcp::resolver resolver(io_);
        auto endpoints = resolver.resolve(host, std::to_string(port));
        run([&](auto handler) { asio::async_connect(socket_, endpoints, handler); }, ms);
    }

    void write(const std::string &payload, int ms) {
        uint32_t n = static_cast<uint32_t>(payload.size());
        unsigned char head[4] = {static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
                                 static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
        std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(payload)};
        run([&](auto handler) { asio::async_write(socket_, bufs, handler); }, ms);
    }

    std::string read(size_t cap, int ms) {
        unsigned char head[4];
        run([&](auto handler) { asio::async_read(socket_, asio::buffer(head), handler); }, ms);
        uint32_t size = (uint32_t(head[0]) << 24) | (uint32_t(head[1]) << 16) | (uint32_t(head[2]) << 8) | head[3];
        if (size > cap) throw std::runtime_error("the master sent an oversized frame");
        std::string body(size, '\0');
        run([&](auto handler) { asio::async_read(socket_, asio::buffer(body), handler); }, ms);
        return body;
    }

private:
    template <class Start>
    void run(Start start, int ms) {
        bool done = false;
        boost::system::error_code result;
        start([&](boost::system::error_code ec, auto &&...) {
            result = ec;
            done = true;
        });
        io_.restart();
        io_.run_for(std::chrono::milliseconds(ms));
        if (!done) {
            boost::system::error_code ignored;
            socket_.close(ignored);
            io_.restart();
            io_.run();
            throw std::runtime_error("no answer within " + std::to_string(ms / 1000) + " s");
        }
        if (result) throw std::runtime_error(result.message());
    }

    asio::io_context io_;
    asio::ip::tcp::socket socket_;
};

std::string where(const State &s) {
    return s.host + ":" + std::to_string(s.port);
}

struct Standby {
    std::string id, host;
    int port = 0;
};
std::vector<Standby> read_standbys(const State &s);

// Logs in (challenge-response; docs/cluster.md, "The master link"), sends one admin command over the
// sealed link and returns the master's answer. Throws CliError with the exit code of the failure.
rapidjson::Document admin(State &s, const std::string &json, int answer_ms) {
    using namespace shd::cluster;
    resolve_master(s);
    read_password(s);
    Connection c;
    try {
        c.connect(s.host, s.port, 5000);
    } catch (const std::exception &e) {
        // Master HA: when master.json's master is down, the standby that leads now listens on its own port.
        bool reached = false;
        if (s.master_from_config) {
            std::vector<Standby> standbys;
            try {
                standbys = read_standbys(s);
            } catch (...) {
                // no (valid) masterha.json: nothing else to try (CliError is not a std::exception)
            }
            for (const auto &m : standbys) {
                try {
                    c.connect(m.host, m.port, 1000);  // the socket is closed and opened again per attempt
                } catch (const std::exception &) {
                    continue;
                }
                std::cerr << "shaddock: the master at " << where(s) << " is not reachable; using the standby master "
                          << m.id << " at " << m.host << ":" << m.port << " (config/masterha.json)\n";
                s.host = m.host;
                s.port = m.port;
                reached = true;
                break;
            }
        }
        if (!reached)
            throw CliError{kExitUnreachable,
                           "cannot reach the master at " + where(s) + " (" + e.what() + "); is the cluster running?"};
    }
    auto unreachable = [&](const std::string &why) {
        return CliError{kExitUnreachable, "the master at " + where(s) + " " + why};
    };
    auto refused = [&](const rapidjson::Document &m) {
        std::string reason = link_field(m, "reason");
        return CliError{kExitLoginRefused, "login refused by the master at " + where(s) + " for user \"" + s.user +
                                               "\": " + (reason.empty() ? "refused" : reason)};
    };
    rapidjson::Document msg;
    std::string master_nonce, my_nonce = random_bytes(kLinkNonceSize), key;
    try {
        if (!parse_link_message(c.read(65536, 10000), msg) || link_field(msg, "t") != "challenge" ||
            !from_hex(link_field(msg, "nonce"), master_nonce) || master_nonce.size() != kLinkNonceSize)
            throw unreachable("did not send a challenge (not a shaddock master, or an older one)");
        c.write(R"({"t":"hello","v":2,"role":"admin","user":)" + shd::json_quote(s.user) + R"(,"nonce":")" +
                    to_hex(my_nonce) + "\"}",
                10000);
        if (!parse_link_message(c.read(65536, 20000), msg)) throw unreachable("sent an unreadable answer to the login");
        if (link_field(msg, "t") == "refused") throw refused(msg);
        if (link_field(msg, "t") != "login") throw unreachable("sent an unexpected answer to the login");
        std::string kdf = link_field(msg, "kdf");
        if (kdf == "md5") {
            key = md5_hex(s.password);
        } else if (kdf == "pbkdf2") {
            std::string salt;
            int iterations = msg.HasMember("iterations") && msg["iterations"].IsInt() ? msg["iterations"].GetInt() : 0;
            if (!from_hex(link_field(msg, "salt"), salt) || iterations < 1000 || iterations > 10000000)
                throw CliError{kExitFailed, "the master sent unusable password parameters"};
            key = pbkdf2_sha256(s.password, salt, iterations);
        } else {
            throw CliError{kExitFailed, "the master asked for an unknown password scheme \"" + kdf + "\""};
        }
        c.write(R"({"t":"proof","mac":")" +
                    to_hex(link_mac(key, "shd.cluster/2 admin-hello", {master_nonce, my_nonce, s.user})) + "\"}",
                10000);
        std::string mac;
        if (!parse_link_message(c.read(65536, 20000), msg)) throw unreachable("sent an unreadable answer to the proof");
        if (link_field(msg, "t") == "refused") throw refused(msg);
        if (link_field(msg, "t") != "welcome" || !from_hex(link_field(msg, "mac"), mac) ||
            !equal_ct(mac, link_mac(key, "shd.cluster/2 admin-welcome", {master_nonce, my_nonce, s.user})))
            throw CliError{kExitLoginRefused, "the master at " + where(s) +
                                                  " did not prove it knows this user's password: not talking to it"};
    } catch (const std::runtime_error &e) {
        throw unreachable(std::string("closed the link before the login completed (") + e.what() + ")");
    }
    LinkKeys keys = derive_link_keys(key, master_nonce, my_nonce, admin_who(s.user));
    FrameSealer out(keys.peer_to_master), in(keys.master_to_peer);
    std::string plain;
    try {
        c.write(out.seal(json), 10000);
        if (!in.open(c.read(16 << 20, answer_ms), plain))
            throw CliError{kExitFailed, "the master's answer does not authenticate"};
    } catch (const std::runtime_error &e) {
        throw CliError{kExitFailed, std::string("no answer from the master (") + e.what() + ")"};
    }
    rapidjson::Document reply;
    if (!parse_link_message(plain, reply)) throw CliError{kExitFailed, "the master sent an unreadable answer"};
    return reply;
}

std::string ids_json(const std::vector<std::string> &ids) {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + shd::json_quote(ids[i]);
    return out + "]";
}

std::string reply_error(const rapidjson::Value &reply) {
    return reply.HasMember("error") && reply["error"].IsString() ? reply["error"].GetString() : "refused";
}

bool reply_ok(const rapidjson::Value &reply) {
    return reply.HasMember("ok") && reply["ok"].IsBool() && reply["ok"].GetBool();
}

// An admin command; a refusal is a CliError (exit 1).
rapidjson::Document command(State &s, const std::string &json, int answer_ms = 30000) {
    rapidjson::Document reply = admin(s, json, answer_ms);
    if (!reply_ok(reply) && !(reply.HasMember("servers") && reply["servers"].IsArray()))
        throw CliError{kExitFailed, reply_error(reply)};
    return reply;
}

long long num(const rapidjson::Value &o, const char *key, long long fallback = -1) {
    if (!o.HasMember(key)) return fallback;
    const auto &v = o[key];
    return v.IsInt64() ? v.GetInt64() : v.IsDouble() ? static_cast<long long>(v.GetDouble()) : fallback;
}

std::string text(const rapidjson::Value &o, const char *key) {
    return o.HasMember(key) && o[key].IsString() ? o[key].GetString() : "";
}

// ---- start -----------------------------------------------------------------------------------------

bool alive(pid_t pid) {
    if (pid <= 0 || ::kill(pid, 0) != 0) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    size_t paren = line.rfind(')');
    return !(paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z');
}

bool accepts(const std::string &host, int port) {
    try {
        Connection c;
        c.connect(host, port, 500);
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

// Prints each server of a start/add/restart answer; true when every one joined.
bool print_joined(const rapidjson::Value &reply, const char *verb) {
    bool all = true;
    if (!reply.HasMember("servers") || !reply["servers"].IsArray()) return reply_ok(reply);
    for (const auto &v : reply["servers"].GetArray()) {
        bool ok = v.HasMember("ok") && v["ok"].IsBool() && v["ok"].GetBool();
        if (ok) {
            std::cout << text(v, "id") << ": " << verb << " (pid ";
            if (num(v, "oldPid") > 0) std::cout << num(v, "oldPid") << " -> ";
            std::cout << num(v, "pid") << "), joined the cluster\n";
        } else {
            all = false;
            std::cerr << text(v, "id") << ": " << text(v, "error") << "\n";
        }
    }
    return all;
}

int run_start(State &s) {
    if (!s.type.empty() || !s.ids.empty()) {
        if (s.daemon)
            throw CliError{kExitUsage, "-D starts the master; with -t or -i the running master starts servers"};
        std::string json =
            R"({"t":"admin","cmd":"start","ids":)" + ids_json(s.ids) + R"(,"type":)" + shd::json_quote(s.type) + "}";
        rapidjson::Document reply = command(s, json, s.timeout_s * 1000);
        if (!print_joined(reply, "started")) throw CliError{kExitFailed, reply_error(reply)};
        return kExitOk;
    }
    fs::path exe = fs::read_symlink("/proc/self/exe").parent_path() / "shaddock-host";
    std::vector<std::string> argv = {exe.string(), "--app-dir", s.dir, "--env", s.env};
    std::vector<char *> cargv;
    for (auto &a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    if (!fs::is_directory(fs::path(s.dir) / "config"))
        throw CliError{kExitUsage, s.dir + " is not an app directory (it has no config/ folder); give one with -d DIR"};
    MasterConfig m = read_master(s);
    if (!s.daemon) {
        execv(cargv[0], cargv.data());
        throw CliError{kExitFailed, "cannot run " + exe.string() + ": " + std::strerror(errno)};
    }
    pid_t pid = fork();
    if (pid < 0) throw CliError{kExitFailed, std::string("fork: ") + std::strerror(errno)};
    if (pid == 0) {
        setsid();
        // Logs go to <dir>/logs/<server-id>.log; the terminal is left alone.
        int null = ::open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        execv(cargv[0], cargv.data());
        _exit(127);
    }
    // Wait until the master listens (or fails at once), so that the next command finds it.
    std::string log = s.dir + "/logs/" + (m.id.empty() ? std::string("<master id>") : m.id) + ".log";
    for (int waited = 0; waited < 15000; waited += 100) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            throw CliError{kExitFailed,
                           "the master stopped at once (exit status " + std::to_string(code) + "); see " + log};
        }
        if (m.found && accepts(m.host, m.port)) {
            std::cout << "The application is running in the background now (master pid " << pid << ", listening on "
                      << m.host << ":" << m.port << "; logs in " << s.dir << "/logs).\n";
            return kExitOk;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::cout << "The application is starting in the background (master pid " << pid << "; logs in " << s.dir
              << "/logs).\n";
    return kExitOk;
}

// ---- masterha --------------------------------------------------------------------------------------

// The standby masters of masterha.json (Pomelo's format: {"<env>": [{"id","host","port"}, ...]}, or
// config/<env>/masterha.json holding the list), checked entry by entry.
std::vector<Standby> read_standbys(const State &s) {
    for (const std::string &path : {s.dir + "/config/masterha.json", s.dir + "/config/" + s.env + "/masterha.json"}) {
        std::ifstream in(path);
        if (!in) continue;
        std::stringstream buf;
        buf << in.rdbuf();
        rapidjson::Document d;
        d.Parse(buf.str().c_str());
        if (d.HasParseError()) throw CliError{kExitFailed, path + ": not valid JSON"};
        const rapidjson::Value *v = &d;
        std::string where = path;
        if (d.IsObject()) {
            if (!d.HasMember(s.env.c_str())) throw CliError{kExitFailed, path + ": no standby masters for environment " + s.env};
            v = &d[s.env.c_str()];
            where += ": " + s.env;
        }
        if (!v->IsArray()) throw CliError{kExitFailed, where + ": expected a list of {\"id\", \"host\", \"port\"}"};
        std::vector<Standby> standbys;
        int index = 0;
        for (const auto &e : v->GetArray()) {
            std::string at = where + "[" + std::to_string(index++) + "]";
            if (!e.IsObject() || !e.HasMember("id") || !e["id"].IsString() || e["id"].GetStringLength() == 0)
                throw CliError{kExitFailed, at + ".id: expected a non-empty string"};
            if (!e.HasMember("port") || !e["port"].IsInt() || e["port"].GetInt() <= 0 || e["port"].GetInt() > 65535)
                throw CliError{kExitFailed, at + ".port: expected a port number (1-65535)"};
            if (e.HasMember("host") && !e["host"].IsString()) throw CliError{kExitFailed, at + ".host: expected a string"};
            standbys.push_back({e["id"].GetString(), e.HasMember("host") ? e["host"].GetString() : "127.0.0.1",
                                e["port"].GetInt()});
        }
        return standbys;
    }
    throw CliError{kExitUsage, s.dir + "/config/masterha.json is missing: it lists the standby masters"};
}

int run_masterha(State &s) {
    if (!fs::is_directory(fs::path(s.dir) / "config"))
        throw CliError{kExitUsage, s.dir + " is not an app directory (it has no config/ folder); give one with -d DIR"};
    std::vector<std::string> all, ids;
    for (const auto &m : read_standbys(s)) all.push_back(m.id);
    for (const auto &id : s.ids) {
        if (std::find(all.begin(), all.end(), id) == all.end())
            throw CliError{kExitUsage, "-i " + id + ": not a standby master of config/masterha.json"};
        ids.push_back(id);
    }
    if (ids.empty()) ids = all;
    fs::path exe = fs::read_symlink("/proc/self/exe").parent_path() / "shaddock-host";
    std::vector<std::pair<std::string, pid_t>> started;
    for (const auto &id : ids) {
        std::vector<std::string> argv = {exe.string(), "--app-dir", s.dir, "--env", s.env, "--server-id", id};
        std::vector<char *> cargv;
        for (auto &a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        pid_t pid = fork();
        if (pid < 0) throw CliError{kExitFailed, std::string("fork: ") + std::strerror(errno)};
        if (pid == 0) {
            setsid();
            int null = ::open("/dev/null", O_RDWR);  // logs go to <dir>/logs/<id>.log
            if (null >= 0) {
                dup2(null, 0);
                dup2(null, 1);
                dup2(null, 2);
            }
            execv(cargv[0], cargv.data());
            _exit(127);
        }
        started.emplace_back(id, pid);
    }
    // A standby that fails (a bad option, no plugin, ZooKeeper refusing its credentials) stops at once.
    bool failed = false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    for (const auto &[id, pid] : started) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            std::cerr << id << ": stopped at once (exit status " << code << "); see " << s.dir << "/logs/" << id
                      << ".log\n";
            failed = true;
        } else {
            std::cout << id << ": standby master running in the background (pid " << pid << "; logs in " << s.dir
                      << "/logs/" << id << ".log)\n";
        }
    }
    return failed ? kExitFailed : kExitOk;
}

// ---- list ------------------------------------------------------------------------------------------

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::vector<std::string> row(const rapidjson::Value &v) {
    long long pid = num(v, "pid");
    bool running = pid > 0;
    std::string connections = "-";
    if (v.HasMember("stats") && v["stats"].IsObject() && num(v["stats"], "connections") >= 0)
        connections = std::to_string(num(v["stats"], "connections"));
    return {text(v, "id"),
            text(v, "serverType"),
            running ? std::to_string(pid) : "-",
            running && num(v, "rssKb") >= 0 ? fixed(static_cast<double>(num(v, "rssKb")) / 1024.0, 2) : "-",
            running && v.HasMember("cpuPercent") && v["cpuPercent"].IsNumber() ? fixed(v["cpuPercent"].GetDouble(), 1)
                                                                               : "-",
            running ? fixed(static_cast<double>(num(v, "uptimeMs", 0)) / 60000.0, 2) : "-",
            connections,
            text(v, "state")};
}

int run_list(State &s) {
    rapidjson::Document reply = command(s, R"({"t":"admin","cmd":"list"})");
    if (s.json) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        w.StartObject();
        for (const char *key : {"master", "servers"})
            if (reply.HasMember(key)) {
                w.Key(key);
                reply[key].Accept(w);
            }
        w.EndObject();
        std::cout << buf.GetString() << "\n";
        return kExitOk;
    }
    std::vector<std::vector<std::string>> rows = {
        {"serverId", "serverType", "pid", "rss(M)", "cpu(%)", "uptime(m)", "connections", "state"}};
    if (reply.HasMember("master") && reply["master"].IsObject()) rows.push_back(row(reply["master"]));
    if (reply.HasMember("servers") && reply["servers"].IsArray())
        for (const auto &v : reply["servers"].GetArray()) rows.push_back(row(v));
    std::vector<size_t> width(rows[0].size(), 0);
    for (const auto &r : rows)
        for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (const auto &r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i)
            line += r[i] + (i + 1 < r.size() ? std::string(width[i] - r[i].size() + 2, ' ') : "");
        std::cout << line << "\n";
    }
    return kExitOk;
}

// ---- stop, kill, add, restart ----------------------------------------------------------------------

int run_stop(State &s) {
    command(s, R"({"t":"admin","cmd":"stop","ids":)" + ids_json(s.ids) + "}");
    if (s.ids.empty()) {
        std::cout << "The cluster is stopping.\n";
    } else {
        std::string list;
        for (const auto &id : s.ids) list += (list.empty() ? "" : ", ") + id;
        std::cout << "Stopping " << list << ".\n";
    }
    return kExitOk;
}

bool local_address(const std::string &host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0 || host == "0.0.0.0";
}

// Waits until none of `pids` runs (zombies count as ended); the ones still running after the timeout.
std::vector<pid_t> wait_ended(std::vector<pid_t> left, int timeout_s) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
        std::vector<pid_t> still;
        for (pid_t p : left)
            if (alive(p)) still.push_back(p);
        left = still;
        if (!left.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return left;
}

// The NUL-separated command line of a process, as words.
std::vector<std::string> command_line(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> words;
    std::string w;
    for (char c : all) {
        if (c == '\0') {
            words.push_back(w);
            w.clear();
        } else {
            w.push_back(c);
        }
    }
    return words;
}

bool has_pair(const std::vector<std::string> &words, const std::string &key, const std::string &value) {
    for (size_t i = 0; i + 1 < words.size(); ++i)
        if (words[i] == key && words[i + 1] == value) return true;
    return false;
}

// kill -f with no master answering (it crashed, say): the servers it started may still run. The master
// keeps their pids in logs/<master id>.cluster.json; each is killed only while its command line is
// still shaddock-host for that server id and this app directory. Returns how many were killed.
int kill_orphans(const State &s, std::string &state_file) {
    MasterConfig m = read_master(s);
    if (m.id.empty()) return 0;
    state_file = s.dir + "/logs/" + m.id + ".cluster.json";
    std::ifstream in(state_file);
    if (!in) return 0;
    std::stringstream buf;
    buf << in.rdbuf();
    rapidjson::Document d;
    d.Parse(buf.str().c_str());
    if (!d.IsObject() || !d.HasMember("servers") || !d["servers"].IsArray()) return 0;
    std::error_code ec;
    std::string app = fs::weakly_canonical(fs::absolute(s.dir), ec).string();
    std::vector<pid_t> killed;
    for (const auto &v : d["servers"].GetArray()) {
        if (!v.IsObject() || !v.HasMember("pid") || !v["pid"].IsInt() || text(v, "id").empty()) continue;
        pid_t pid = v["pid"].GetInt();
        if (pid <= 0 || !alive(pid)) continue;
        auto words = command_line(pid);
        if (!has_pair(words, "--server-id", text(v, "id")) || !has_pair(words, "--app-dir", app)) continue;
        if (::kill(pid, SIGKILL) == 0) killed.push_back(pid);
    }
    wait_ended(killed, s.timeout_s);
    return static_cast<int>(killed.size());
}

int run_kill(State &s) {
    rapidjson::Document reply;
    try {
        reply = command(s, std::string(R"({"t":"admin","cmd":"kill","force":)") + (s.force ? "true" : "false") + "}");
    } catch (const CliError &e) {
        if (e.code != kExitUnreachable || !s.force) throw;
        std::string state_file;
        int n = kill_orphans(s, state_file);
        if (n == 0) throw;
        std::cout << "The master at " << where(s) << " is not reachable; killed " << n
                  << " server(s) it had started (SIGKILL; pids from " << state_file << ").\n";
        return kExitOk;
    }
    std::vector<pid_t> pids;

    if (reply.HasMember("pids") && reply["pids"].IsArray())
        for (const auto &v : reply["pids"].GetArray())
            if (v.IsInt()) pids.push_back(v.GetInt());
    if (!local_address(s.host)) {
        std::cout << "The master is killing " << pids.size() << " process(es) of the cluster ("
                  << (s.force ? "SIGKILL" : "SIGTERM") << ").\n";
        return kExitOk;
    }
    // The master is on this machine: wait until every process it named has ended.
    std::vector<pid_t> left = wait_ended(pids, s.timeout_s);
    if (!left.empty()) {
        std::string list;
        for (pid_t p : left) list += (list.empty() ? "" : " ") + std::to_string(p);
        throw CliError{kExitFailed, "still running after " + std::to_string(s.timeout_s) + " s: pid " + list};
    }
    std::cout << "Killed the cluster (" << (s.force ? "SIGKILL" : "SIGTERM") << "): " << pids.size()
              << " process(es) ended, the master and its servers.\n";
    return kExitOk;
}

int run_add(State &s) {
    if (s.words.empty()) throw CliError{kExitUsage, "give the server as key=value pairs (see shaddock add --help)"};
    std::string fields;
    try {
        fields = shd::cluster::add_fields_json(s.words);
    } catch (const shd::cluster::AddError &e) {
        throw CliError{kExitUsage, e.what()};
    }
    rapidjson::Document reply = command(s, R"({"t":"admin","cmd":"add","server":)" + fields + "}", s.timeout_s * 1000);
    if (!print_joined(reply, "added")) throw CliError{kExitFailed, reply_error(reply)};
    return kExitOk;
}

int run_restart(State &s) {
    if (s.type.empty() && s.ids.empty()) throw CliError{kExitUsage, "name the servers to restart: -i ID or -t TYPE"};
    std::string json =
        R"({"t":"admin","cmd":"restart","ids":)" + ids_json(s.ids) + R"(,"type":)" + shd::json_quote(s.type) + "}";
    rapidjson::Document reply = command(s, json, s.timeout_s * 1000);
    if (!print_joined(reply, "restarted")) throw CliError{kExitFailed, reply_error(reply)};
    return kExitOk;
}

int run_hash_password(State &s) {
    if (s.iterations < 1000 || s.iterations > 10000000)
        throw CliError{kExitUsage, "--iterations must be between 1000 and 10000000"};
    read_password(s);
    std::cout << shd::cluster::hash_password_pbkdf2(s.password, s.iterations) << "\n";
    return kExitOk;
}

// ---- the admin console: info, module, settings, cron, blacklist -------------------------------------

// A word as a JSON value: JSON when it parses as one, else the word as a JSON string.
std::string json_or_string(const std::string &word) {
    rapidjson::Document d;
    d.Parse(word.c_str(), word.size());
    return d.HasParseError() ? shd::json_quote(word) : shd::to_json(d);
}

std::string console_targets(const State &s, const std::vector<std::string> &extra_ids = {}) {
    std::vector<std::string> ids = s.ids;
    ids.insert(ids.end(), extra_ids.begin(), extra_ids.end());
    return R"(,"ids":)" + ids_json(ids) + R"(,"type":)" + shd::json_quote(s.type);
}

// Sends one console command and prints each server's answer, `<server id>: <answer as JSON>` (errors on
// stderr); exit 1 when any server failed or the master refused the command.
int run_console_command(State &s, const std::string &json) {
    rapidjson::Document reply = admin(s, json, 60000);
    if (!reply.HasMember("results") || !reply["results"].IsArray()) throw CliError{kExitFailed, reply_error(reply)};
    if (s.json) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        reply["results"].Accept(w);
        std::cout << buf.GetString() << "\n";
    } else {
        for (const auto &r : reply["results"].GetArray()) {
            bool ok = r.HasMember("ok") && r["ok"].IsBool() && r["ok"].GetBool();
            if (ok)
                std::cout << text(r, "id") << ": " << (r.HasMember("answer") ? shd::to_json(r["answer"]) : "null")
                          << "\n";
            else
                std::cerr << text(r, "id") << ": error: " << text(r, "error") << "\n";
        }
    }
    return reply_ok(reply) ? kExitOk : kExitFailed;
}

int run_info(State &s) {
    if (s.words.empty())
        throw CliError{kExitUsage, "name the module: systemInfo, nodeInfo, monitorLog, watchServer or components"};
    std::string body = "{";
    if (s.lines >= 0) body += R"("lines":)" + std::to_string(s.lines);
    if (!s.match.empty()) body += std::string(body.size() > 1 ? "," : "") + R"("match":)" + shd::json_quote(s.match);
    if (!s.comd.empty()) body += std::string(body.size() > 1 ? "," : "") + R"("comd":)" + shd::json_quote(s.comd);
    body += "}";
    std::vector<std::string> servers(s.words.begin() + 1, s.words.end());
    return run_console_command(s, R"({"t":"admin","cmd":"info","module":)" + shd::json_quote(s.words[0]) +
                                      R"(,"body":)" + body + console_targets(s, servers) + "}");
}

int run_module(State &s) {
    std::string op = s.words.empty() ? "" : s.words[0];
    if (op == "list") {
        if (s.words.size() != 1) throw CliError{kExitUsage, "module list takes no other word (-i ID, -t TYPE)"};
        return run_console_command(s, R"({"t":"admin","cmd":"module","op":"list")" + console_targets(s) + "}");
    }
    if (op != "enable" && op != "disable" && op != "call")
        throw CliError{kExitUsage,
                       "expected module list, module enable NAME, module disable NAME or module call NAME [JSON]"};
    if (s.words.size() < 2 || s.words.size() > (op == "call" ? 3u : 2u))
        throw CliError{kExitUsage, "module " + op + (op == "call" ? " NAME [JSON]" : " NAME")};
    std::string body = "null";
    if (s.words.size() == 3) {
        rapidjson::Document d;
        d.Parse(s.words[2].c_str(), s.words[2].size());
        if (d.HasParseError()) throw CliError{kExitUsage, "the request is not JSON: " + s.words[2]};
        body = shd::to_json(d);
    }
    return run_console_command(s, R"({"t":"admin","cmd":"module","op":)" + shd::json_quote(op) + R"(,"module":)" +
                                      shd::json_quote(s.words[1]) + R"(,"body":)" + body + console_targets(s) + "}");
}

int run_settings(State &s) {
    std::string op = s.words.empty() ? "" : s.words[0];
    std::string json = R"({"t":"admin","cmd":"settings","op":)" + shd::json_quote(op);
    if (op == "list" && s.words.size() == 1) {
    } else if (op == "get" && s.words.size() == 2) {
        json += R"(,"key":)" + shd::json_quote(s.words[1]);
    } else if (op == "set" && s.words.size() == 3) {
        json += R"(,"key":)" + shd::json_quote(s.words[1]) + R"(,"value":)" + json_or_string(s.words[2]);
    } else {
        throw CliError{kExitUsage, "expected settings get KEY, settings set KEY VALUE or settings list"};
    }
    return run_console_command(s, json + console_targets(s) + "}");
}

int run_cron(State &s) {
    std::string op = s.words.empty() ? "" : s.words[0];
    if (op == "list" && s.words.size() == 1)
        return run_console_command(s, R"({"t":"admin","cmd":"cron","op":"list")" + console_targets(s) + "}");
    if (op == "remove" && s.words.size() == 2)
        return run_console_command(
            s, R"({"t":"admin","cmd":"removeCron","id":)" + json_or_string(s.words[1]) + console_targets(s) + "}");
    if (op != "add" || s.words.size() < 2)
        throw CliError{kExitUsage,
                       "expected cron add id=ID time='S M H d m w' action=file.method, cron remove ID or cron list"};
    // Pomelo's addCron words: id=.. time=.. action=.. and serverId=.. (the server to add it to).
    std::string cron = "{";
    std::vector<std::string> servers;
    for (size_t i = 1; i < s.words.size(); ++i) {
        const std::string &w = s.words[i];
        size_t eq = w.find('=');
        if (eq == std::string::npos || eq == 0) throw CliError{kExitUsage, "cron add: expected key=value, got " + w};
        std::string key = w.substr(0, eq), value = w.substr(eq + 1);
        if (key == "serverId") {
            servers.push_back(value);
            continue;
        }
        if (key != "id" && key != "time" && key != "action")
            throw CliError{kExitUsage, "cron add: unknown key " + key + " (id, time, action, serverId)"};
        cron += (cron.size() > 1 ? "," : "") + shd::json_quote(key) + ":" +
                (key == "id" ? json_or_string(value) : shd::json_quote(value));
    }
    cron += "}";
    if (servers.empty() && s.ids.empty() && s.type.empty())
        throw CliError{kExitUsage, "cron add: name the servers: serverId=ID, -i ID or -t TYPE"};
    return run_console_command(s, R"({"t":"admin","cmd":"addCron","cron":)" + cron + console_targets(s, servers) + "}");
}

int run_blacklist(State &s) {
    std::string op = s.words.empty() ? "list" : s.words[0];
    if (op == "list" && s.words.size() <= 1)
        return run_console_command(s, R"({"t":"admin","cmd":"blacklist","op":"list")" + console_targets(s) + "}");
    if ((op != "add" && op != "remove") || s.words.size() < 2)
        throw CliError{kExitUsage, "expected blacklist add IP..., blacklist remove IP... or blacklist list"};
    std::vector<std::string> ips(s.words.begin() + 1, s.words.end());
    return run_console_command(s, R"({"t":"admin","cmd":"blacklist","op":)" + shd::json_quote(op) + R"(,"ips":)" +
                                      ids_json(ips) + console_targets(s) + "}");
}

// ---- the command table -----------------------------------------------------------------------------

struct Command {
    std::string name, synopsis, summary, description;
    po::options_description options;
    po::positional_options_description positional;
    std::function<int(State &)> run;
};

po::options_description app_options(State &s) {
    po::options_description d("App");
    d.add_options()("directory,d", po::value<std::string>(&s.dir)->value_name("DIR"),
                    "app directory, holding config/ (default: .)")(
        "env,e", po::value<std::string>(&s.env)->value_name("ENV"),
        "environment (default: $SHADDOCK_ENV, $NODE_ENV, development)");
    return d;
}

po::options_description master_options(State &s, bool waits) {
    po::options_description d("Master (Pomelo's -h -P -u)");
    d.add_options()("host,h", po::value<std::string>(&s.host)->value_name("HOST"),
                    "master host (default: config/master.json, else 127.0.0.1)")(
        "port,P", po::value<int>(&s.port)->value_name("PORT"), "master port (default: config/master.json, else 3005)")(
        "username,u", po::value<std::string>(&s.user)->value_name("USER"),
        "admin user of config/adminUser.json (default: admin)")(
        "password-file", po::value<std::string>(&s.password_file)->value_name("FILE"),
        "read the admin password from the first line of FILE");
    if (waits)
        d.add_options()("timeout", po::value<int>(&s.timeout_s)->value_name("SECONDS"),
                        "how long to wait for the servers (default: 120)");
    return d;
}

std::vector<Command> commands(State &s) {
    std::vector<Command> out;
    auto add = [&](std::string name, std::string synopsis, std::string summary, std::string description,
                   std::function<int(State &)> run) -> Command & {
        out.push_back(Command{std::move(name),
                              std::move(synopsis),
                              std::move(summary),
                              std::move(description),
                              po::options_description("Options"),
                              {},
                              std::move(run)});
        return out.back();
    };
    {
        Command &c =
            add("start", "start [-e ENV] [-D] [-d DIR] [-t TYPE] [-i ID]...",
                "run the cluster (the master spawns every server); or start servers of a running one",
                "Without -t and -i: runs the master of the app in DIR, which starts every server of\n"
                "config/servers.json; in the foreground (Ctrl-C stops the cluster), or in the background with -D\n"
                "(the command returns once the master listens; logs in DIR/logs/<server-id>.log).\n"
                "With -t TYPE or -i ID: asks the running master to start the servers of that type or with that id\n"
                "that are not running (stopped with `shaddock stop ID`, say), and waits until they have joined.",
                run_start);
        po::options_description own("Start");
        own.add_options()("daemon,D", po::bool_switch(&s.daemon), "run in the background")(
            "type,t", po::value<std::string>(&s.type)->value_name("TYPE"),
            "start the servers of this type (running cluster)")(
            "id,i", po::value<std::vector<std::string>>(&s.ids)->value_name("ID")->composing(),
            "start this server (running cluster; repeatable)");
        c.options.add(own).add(app_options(s)).add(master_options(s, true));
    }
    {
        Command &c =
            add("list", "list [-d DIR] [-h HOST] [-P PORT] [-u USER] [--json]",
                "list the master and the servers: pid, memory, CPU, uptime, connections",
                "Columns: serverId, serverType, pid, rss(M) (resident memory in MiB), cpu(%) (CPU time over the\n"
                "process's life, as ps shows it; 100 = one core), uptime(m) (minutes), connections (clients\n"
                "connected, from the server's stats report; - when it has none), state (running, starting,\n"
                "stopping, restarting, stopped). rss and cpu are read from /proc by the master for the processes\n"
                "on its machine; servers on other hosts show -.",
                run_list);
        po::options_description own("List");
        own.add_options()("json", po::bool_switch(&s.json), "print the master's answer as JSON");
        c.options.add(own).add(app_options(s)).add(master_options(s, false));
    }
    {
        Command &c =
            add("stop", "stop [-d DIR] [ID]...", "stop the given servers gracefully, or the whole cluster",
                "With server ids: each is asked to stop (it finishes what it is doing, then exits) and is not\n"
                "restarted; `shaddock start -i ID` starts it again. Without ids: the whole cluster stops, the\n"
                "servers first, then the master.",
                run_stop);
        po::options_description hidden;
        hidden.add_options()("ids", po::value<std::vector<std::string>>(&s.ids)->composing());
        c.positional.add("ids", -1);
        c.options.add(app_options(s)).add(master_options(s, false)).add(hidden);
    }
    {
        Command &c =
            add("kill", "kill [-f] [-d DIR]", "end every process of this cluster at once",
                "The master signals every server it started (SIGTERM; SIGKILL with -f), then stops itself. Only\n"
                "this cluster's processes are touched: the master and the pids it knows, never other programs\n"
                "or other clusters. When the master is on this machine the command waits until they have all\n"
                "ended. Servers started over ssh on other hosts are reached through their ssh process only.\n"
                "With -f and no master answering (it crashed, say), the servers it had started on this machine\n"
                "are killed from the pids it kept in DIR/logs/<master id>.cluster.json, each only while its\n"
                "command line is still shaddock-host for that server of DIR.",
                run_kill);
        po::options_description own("Kill");
        own.add_options()("force,f", po::bool_switch(&s.force), "SIGKILL at once (no clean stop)")(
            "timeout", po::value<int>(&s.timeout_s)->value_name("SECONDS"),
            "how long to wait for the processes to end (default: 120)");
        c.options.add(own).add(app_options(s)).add(master_options(s, false));
    }
    {
        Command &c =
            add("add", "add [-d DIR] KEY=VALUE...", "add servers to the running cluster (Pomelo's `pomelo add`)",
                "Keys: serverType (required), id (required without clusterCount), host (required), port (RPC),\n"
                "clientPort and clientHost (frontends), frontend=true|false, auto-restart=true|false,\n"
                "restart-force=true|false, clusterCount=N (N servers with ids cluster-server-<type>-<k> and\n"
                "consecutive ports from port and clientPort). Every value is checked; an id in use or a port\n"
                "taken (by a server of the cluster or another program) is refused. The master starts each\n"
                "server and the command returns once they have joined the cluster. Added servers are not\n"
                "written to servers.json: they last until the master stops.\n"
                "Example: shaddock add serverType=chat id=chat-server-4 host=127.0.0.1 port=6053",
                run_add);
        po::options_description hidden;
        hidden.add_options()("words", po::value<std::vector<std::string>>(&s.words)->composing());
        c.positional.add("words", -1);
        c.options.add(app_options(s)).add(master_options(s, true)).add(hidden);
    }
    {
        Command &c = add("restart", "restart [-d DIR] [-t TYPE] [-i ID]...", "restart servers by id or by type",
                         "Each server is stopped gracefully (SIGKILL after the cluster's stopTimeout), then started\n"
                         "again once its old process has exited; the command returns when the new processes have\n"
                         "joined, printing the old and new pids.",
                         run_restart);
        po::options_description own("Restart");
        own.add_options()("type,t", po::value<std::string>(&s.type)->value_name("TYPE"),
                          "restart every server of this type")(
            "id,i", po::value<std::vector<std::string>>(&s.ids)->value_name("ID")->composing(),
            "restart this server (repeatable)");
        c.options.add(own).add(app_options(s)).add(master_options(s, true));
    }
    // The admin console's commands: their servers by -i ID (repeatable) and -t TYPE, else every one.
    auto console_options = [&s](Command &c, bool with_ids = true) {
        po::options_description own("Servers");
        if (with_ids)
            own.add_options()("id,i", po::value<std::vector<std::string>>(&s.ids)->value_name("ID")->composing(),
                              "ask this server (repeatable; the master's id asks the master)");
        own.add_options()("type,t", po::value<std::string>(&s.type)->value_name("TYPE"),
                          "ask every server of this type (master: the master)")(
            "json", po::bool_switch(&s.json), "print the servers' answers as one JSON array");
        po::options_description hidden;
        hidden.add_options()("words", po::value<std::vector<std::string>>(&s.words)->composing());
        c.positional.add("words", -1);
        c.options.add(own).add(app_options(s)).add(master_options(s, false)).add(hidden);
    };
    {
        Command &c =
            add("info", "info MODULE [SERVER]... [-t TYPE] [--lines N] [--match TEXT] [--comd WHAT]",
                "what the servers report: systemInfo, nodeInfo, monitorLog, watchServer, components",
                "Modules (Pomelo's monitoring modules, answered by each server for itself):\n"
                "  systemInfo   the machine: host name, OS, CPUs, load average, memory, uptime\n"
                "  nodeInfo     the server process: pid, resident and virtual memory, threads, open files, CPU time\n"
                "  monitorLog   the last lines of the server's log, logs/<server id>.log (--lines N, 1-1000, default\n"
                "               50; --match TEXT keeps the lines that contain TEXT)\n"
                "  watchServer  connections (open, handshakes, refusals), logins (sessions, bound to a user),\n"
                "               handlers (requests, errors, mean latency by route), rpc (calls, errors, timeouts,\n"
                "               mean latency by target type), pushes, logic lag; --comd connections|logins|handlers|\n"
                "               rpc|pushes shows one part\n"
                "  components   the plugins and the app the server loaded, in start order\n"
                "Without SERVER, -i or -t, every server answers, the master included. Read-only: users of any level.",
                run_info);
        po::options_description own("Info");
        own.add_options()("lines", po::value<int>(&s.lines)->value_name("N"), "monitorLog: how many lines")(
            "match", po::value<std::string>(&s.match)->value_name("TEXT"), "monitorLog: only lines with TEXT")(
            "comd", po::value<std::string>(&s.comd)->value_name("WHAT"), "watchServer: one part");
        c.options.add(own);
        console_options(c);
    }
    {
        Command &c = add(
            "module", "module list|enable NAME|disable NAME|call NAME [JSON] [-i ID]... [-t TYPE]",
            "list, enable, disable or call the admin modules of the servers",
            "Admin modules are the built-in ones (shaddock info's, settings, cron, blacklist) and those apps and\n"
            "plugins register through the SDK service shd.admin/1. `call` sends JSON (default null) to the module\n"
            "and prints each server's answer; a disabled module refuses calls until it is enabled again. No module\n"
            "runs code it is sent (Pomelo's `scripts` module, remote code execution, has no equivalent).\n"
            "list is read-only; enable, disable and call need a level-1 user.",
            run_module);
        console_options(c);
    }
    {
        Command &c = add("settings", "settings get KEY | set KEY VALUE | list [-i ID]... [-t TYPE]",
                         "read or change the app settings of the servers (Pomelo's app.get / app.set)",
                         "VALUE is JSON (3, true, {\"a\":1}, \"text\"); a word that is not JSON is taken as a string.\n"
                         "Values over 64 KiB are refused. get and list are read-only; set needs a level-1 user.",
                         run_settings);
        console_options(c);
    }
    {
        Command &c =
            add("cron", "cron add id=ID time=EXPR action=FILE.METHOD [serverId=ID] | remove ID | list",
                "add or remove crons on running servers (Pomelo's addCron / removeCron)",
                "add: a cron as in config/crons.json (6-field expression, seconds first; docs/crons.md) on\n"
                "the servers named by serverId=ID, -i ID or -t TYPE; the server's app must have registered\n"
                "the action. The cron lasts until the server stops. remove: by id, on the servers named\n"
                "(default every one). list is read-only; add and remove need a level-1 user.\n"
                "Example: shaddock cron add id=7 'time=*/5 * * * * *' action=chatCron.send serverId=chat-server-1",
                run_cron);
        console_options(c);
    }
    {
        Command &c =
            add("blacklist", "blacklist add IP... | remove IP... | list [-i ID]... [-t TYPE]",
                "refuse client addresses at the connectors (Pomelo's blacklist)",
                "Every frontend server's connector (or those named) closes a connection from a listed address\n"
                "at accept, before its per-IP limits. Addresses are exact IPv4 or IPv6 addresses; the list\n"
                "lasts until the server stops (the connector's `blacklist` option holds permanent patterns).\n"
                "list is read-only; add and remove need a level-1 user.",
                run_blacklist);
        console_options(c);
    }
    {
        Command &c =
            add("masterha", "masterha [-e ENV] [-d DIR] [-i ID]...",
                "start the standby masters of config/masterha.json (master HA over ZooKeeper)",
                "Starts every standby master of config/masterha.json for the environment (or those given with\n"
                "-i) in the background, each a shaddock-host of that id. With the masterha plugin on the master\n"
                "(config/plugins.json), they contend for the ZooKeeper lock; when the active master dies or its\n"
                "session expires, one of them takes over: it adopts the running servers, which register with it.\n"
                "Start the cluster first (`shaddock start`). Logs in DIR/logs/<id>.log. Stop a standby with\n"
                "SIGTERM to its pid.",
                run_masterha);
        po::options_description own("Masterha");
        own.add_options()("id,i", po::value<std::vector<std::string>>(&s.ids)->value_name("ID")->composing(),
                          "start this standby master only (repeatable)");
        c.options.add(own).add(app_options(s));
    }
    {
        Command &c = add("hash-password", "hash-password [--iterations N]",
                         "print a PBKDF2-SHA256 password line for config/adminUser.json",
                         "Reads the password like the admin commands do (SHADDOCK_ADMIN_PASSWORD, --password-file, or\n"
                         "the terminal) and prints pbkdf2-sha256:<iterations>:<salt>:<key>.",
                         run_hash_password);
        po::options_description own("Hash");
        own.add_options()("iterations", po::value<int>(&s.iterations)->value_name("N"),
                          "PBKDF2 iterations (default: 200000)")(
            "password-file", po::value<std::string>(&s.password_file)->value_name("FILE"),
            "read the password from the first line of FILE");
        c.options.add(own);
    }
    return out;
}

void print_help(std::ostream &out, const std::vector<Command> &cmds) {
    out << "usage: shaddock <command> [options]     (shaddock help <command> for its options)\n\ncommands:\n";
#ifdef SHADDOCK_HAVE_INIT
    out << "  init [PATH]\n      make a new app project that builds against the installed SDK\n";
#endif
    for (const auto &c : cmds) out << "  " << c.synopsis << "\n      " << c.summary << "\n";
    out << "  help [COMMAND]\n      this text, or a command's\n\n"
           "The admin commands (list, stop, kill, add, restart, start -t/-i and the console\n"
           "commands info, module, settings, cron, blacklist) log in to the master given by -h HOST\n"
           "-P PORT (default: config/master.json of -d DIR, else 127.0.0.1:3005) as -u USER (default admin) of\n"
           "config/adminUser.json; only users of level 1 may change anything, others may list.\n\n"
        << kPasswordHelp << "\n"
        << kExitCodesHelp;
}

void print_command_help(std::ostream &out, const Command &c) {
    out << "usage: shaddock " << c.synopsis << "\n\n" << c.summary << ".\n\n" << c.description << "\n\n";
    // The positional words are described in the synopsis; the hidden option that takes them is not shown.
    po::options_description shown("Options", 100, 50);
    for (const auto &o : c.options.options())
        if (o->long_name() != "ids" && o->long_name() != "words") shown.add(o);
    shown.add_options()("help", "this text");
    out << shown << "\n";
    if (c.name != "hash-password" && c.name != "masterha") out << kPasswordHelp << "\n";
    out << kExitCodesHelp;
}

// -p/--password is refused before parsing: a password on the command line is visible to every user.
bool password_on_argv(const std::vector<std::string> &args) {
    for (const auto &a : args)
        if (a == "-p" || a == "--password" || a.rfind("--password=", 0) == 0 || (a.size() > 2 && a.rfind("-p", 0) == 0))
            return true;
    return false;
}

}  // namespace

int main(int argc, char **argv) {
    State s;
    s.env = env_default();
    std::vector<Command> cmds = commands(s);
    auto find = [&](const std::string &name) -> const Command * {
        for (const auto &c : cmds)
            if (c.name == name) return &c;
        return nullptr;
    };
    if (argc < 2) {
        print_help(std::cerr, cmds);
        return kExitUsage;
    }
    s.command = argv[1];
    if (s.command == "--help" || s.command == "-h" || (s.command == "help" && argc == 2)) {
        print_help(std::cout, cmds);
        return kExitOk;
    }
    // `shaddock init` (init_command.hpp) has its own parser and help; run_init gets the arguments
    // from the command's name on: argv[0] == "init".
    if (s.command == "init" || (s.command == "help" && argc > 2 && std::string(argv[2]) == "init")) {
        if (s.command == "help") {
            char help[] = "--help", init[] = "init";
            char *args[] = {init, help, nullptr};
            return run_init(2, args);
        }
        return run_init(argc - 1, argv + 1);
    }
    if (s.command == "help") {
        const Command *c = find(argv[2]);
        if (!c) {
            std::cerr << "shaddock help: unknown command " << argv[2] << " (shaddock --help lists them)\n";
            return kExitUsage;
        }
        print_command_help(std::cout, *c);
        return kExitOk;
    }
    const Command *c = find(s.command);
    if (!c) {
        std::cerr << "shaddock: unknown command \"" << s.command << "\" (shaddock --help lists the commands)\n";
        return kExitUsage;
    }
    std::vector<std::string> args(argv + 2, argv + argc);
    for (const auto &a : args)
        if (a == "--help") {
            print_command_help(std::cout, *c);
            return kExitOk;
        }
    if (password_on_argv(args)) {
        std::cerr << "shaddock " << s.command
                  << ": -p/--password is not accepted: a password on the command line is visible to every user "
                     "of this machine.\nSet SHADDOCK_ADMIN_PASSWORD, use --password-file FILE, or let shaddock prompt "
                     "for it on the terminal.\n";
        return kExitUsage;
    }
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(args)
                      .options(c->options)
                      .positional(c->positional)
                      .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
                      .run(),
                  vm);
        po::notify(vm);
    } catch (const po::error &e) {
        std::cerr << "shaddock " << s.command << ": " << e.what() << " (shaddock " << s.command << " --help)\n";
        return kExitUsage;
    }
    if (s.timeout_s < 1) {
        std::cerr << "shaddock " << s.command << ": --timeout must be at least 1 second\n";
        return kExitUsage;
    }
    try {
        return c->run(s);
    } catch (const CliError &e) {
        std::cerr << "shaddock " << s.command << ": " << e.message << "\n";
        return e.code;
    } catch (const std::exception &e) {
        std::cerr << "shaddock " << s.command << ": " << e.what() << "\n";
        return kExitFailed;
    }
}
