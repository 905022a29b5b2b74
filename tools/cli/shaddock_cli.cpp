// shaddock: the cluster command line (Pomelo's `pomelo start|list|stop|kill`).
//
//   shaddock start [-d DIR] [-e ENV] [-D]        run the master of DIR (it spawns every server)
//   shaddock list  [-d DIR] [-u USER]            servers of the running cluster
//   shaddock stop  [-d DIR] [ID...]              stop servers, or the whole cluster without ids
//   shaddock kill  [-d DIR]                      kill every server at once, then the master
//   shaddock hash-password [--iterations N]      a PBKDF2 password line for adminUser.json
//
// list/stop/kill log in to the master's port from config/master.json as a user of
// config/adminUser.json (default admin) by challenge-response over an encrypted link
// (docs/cluster.md, "The master link"). The password never goes on the command line: it comes from
// SHADDOCK_ADMIN_PASSWORD, --password-file FILE, or a prompt on the terminal (echo off).
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "admin_config.hpp"
#include "init_command.hpp"
#include "link_crypto.hpp"
#include "link_messages.hpp"

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

void usage(std::ostream &out) {
    out << "usage: shaddock <command> [options]\n\n"
           "commands:\n"
           "  start [-d DIR] [-e ENV] [-D]      run the cluster of app directory DIR (default .) in the\n"
           "                                    foreground, or in the background with -D\n"
           "  list  [-d DIR]                    list the servers of the running cluster\n"
           "  stop  [-d DIR] [SERVER_ID...]     stop the given servers, or the whole cluster\n"
           "  kill  [-d DIR]                    kill every server at once, then stop the master\n"
           "  hash-password [--iterations N]    print a PBKDF2-SHA256 password for config/adminUser.json\n\n"
           "options:\n"
           "  -d DIR    app directory (holds config/)          -e ENV   environment (default development)\n"
           "  -h HOST   master host (default: config/master.json)  -P PORT  master port (same)\n"
           "  -u USER   admin user (default admin)\n"
           "  --password-file FILE   read the admin password from the first line of FILE\n\n"
           "The admin password is never given on the command line. It is read from the environment variable\n"
           "SHADDOCK_ADMIN_PASSWORD, else from --password-file FILE, else from a prompt on the terminal (not\n"
           "echoed). It does not cross the network: the master and the CLI prove to each other that they\n"
           "know it (challenge-response), then talk over an encrypted link.\n";
}

struct Args {
    std::string command, dir = ".", env, host, user = "admin", password, password_file;
    int port = 0;
    int iterations = 200000;
    bool daemon = false;
    std::vector<std::string> ids;
};

std::string env_default() {
    if (const char *e = std::getenv("SHADDOCK_ENV"); e && *e) return e;
    if (const char *e = std::getenv("NODE_ENV"); e && *e) return e;
    return "development";
}

// master.json with Pomelo's env rule, enough to find the master.
bool read_master(const Args &a, std::string &host, int &port, std::string &error) {
    for (const std::string &path : {a.dir + "/config/master.json", a.dir + "/config/" + a.env + "/master.json"}) {
        std::ifstream in(path);
        if (!in) continue;
        std::stringstream buf;
        buf << in.rdbuf();
        rapidjson::Document d;
        d.Parse(buf.str().c_str());
        if (!d.IsObject()) {
            error = path + ": not a JSON object";
            return false;
        }
        const rapidjson::Value *m = &d;
        if (d.HasMember(a.env.c_str())) m = &d[a.env.c_str()];
        if (!m->IsObject() || !m->HasMember("port") || !(*m)["port"].IsInt()) {
            error = path + ": port: expected the master's port number";
            return false;
        }
        port = (*m)["port"].GetInt();
        host = m->HasMember("host") && (*m)["host"].IsString() ? (*m)["host"].GetString() : "127.0.0.1";
        return true;
    }
    error = "no config/master.json in " + a.dir;
    return false;
}

// The admin password: SHADDOCK_ADMIN_PASSWORD, else --password-file, else a prompt with echo off.
bool read_password(Args &a, std::string &error) {
    if (const char *p = std::getenv("SHADDOCK_ADMIN_PASSWORD"); p && *p) {
        a.password = p;
        return true;
    }
    if (!a.password_file.empty()) {
        std::ifstream in(a.password_file);
        if (!in) {
            error = "cannot read the password file " + a.password_file;
            return false;
        }
        std::getline(in, a.password);
        if (!a.password.empty() && a.password.back() == '\r') a.password.pop_back();
        return true;
    }
    int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty < 0) {
        error = "no admin password: set SHADDOCK_ADMIN_PASSWORD, use --password-file FILE, or run on a terminal";
        return false;
    }
    std::string prompt = "password for " + a.user + ": ";
    (void)!::write(tty, prompt.data(), prompt.size());
    termios old{};
    bool restore = ::tcgetattr(tty, &old) == 0;
    if (restore) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    char c;
    while (::read(tty, &c, 1) == 1 && c != '\n' && c != '\r') a.password.push_back(c);
    if (restore) ::tcsetattr(tty, TCSAFLUSH, &old);
    (void)!::write(tty, "\n", 1);
    ::close(tty);
    return true;
}

// One frame of the master link (4-byte big-endian length, then the payload).
void write_frame(asio::ip::tcp::socket &s, const std::string &payload) {
    uint32_t n = static_cast<uint32_t>(payload.size());
    unsigned char head[4] = {static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
                             static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
    asio::write(s, std::array<asio::const_buffer, 2>{asio::buffer(head), asio::buffer(payload)});
}

std::string read_frame(asio::ip::tcp::socket &s, size_t cap) {
    unsigned char head[4];
    asio::read(s, asio::buffer(head));
    uint32_t size = (uint32_t(head[0]) << 24) | (uint32_t(head[1]) << 16) | (uint32_t(head[2]) << 8) | head[3];
    if (size > cap) throw std::runtime_error("the master sent an oversized frame");
    std::string body(size, '\0');
    asio::read(s, asio::buffer(body));
    return body;
}

bool parse_frame(const std::string &text, rapidjson::Document &doc) {
    return shd::cluster::parse_link_message(text, doc);
}

std::string field(const rapidjson::Value &o, const char *key) {
    return shd::cluster::link_field(o, key);
}

// Logs in (challenge-response; docs/cluster.md, "The master link") and sends one admin command over
// the sealed link. False with `error` set on any failure.
bool admin_session(asio::ip::tcp::socket &s, const Args &a, const std::string &json, rapidjson::Document &reply,
                   std::string &error) {
    using namespace shd::cluster;
    rapidjson::Document msg;
    std::string master_nonce, my_nonce = random_bytes(kLinkNonceSize);
    if (!parse_frame(read_frame(s, 65536), msg) || field(msg, "t") != "challenge" ||
        !from_hex(field(msg, "nonce"), master_nonce) || master_nonce.size() != kLinkNonceSize) {
        error = "the master did not send a challenge (an older master, or not a shaddock master)";
        return false;
    }
    write_frame(s, R"({"t":"hello","v":2,"role":"admin","user":)" + shd::json_quote(a.user) + R"(,"nonce":")" +
                       to_hex(my_nonce) + "\"}");
    auto refused = [&](const rapidjson::Document &m) {
        if (field(m, "t") != "refused") return false;
        error = field(m, "reason").empty() ? "refused" : field(m, "reason");
        return true;
    };
    if (!parse_frame(read_frame(s, 65536), msg) || refused(msg) || field(msg, "t") != "login") {
        if (error.empty()) error = "unexpected answer to the login";
        return false;
    }
    std::string kdf = field(msg, "kdf"), key;
    if (kdf == "md5") {
        key = md5_hex(a.password);
    } else if (kdf == "pbkdf2") {
        std::string salt;
        int iterations = msg.HasMember("iterations") && msg["iterations"].IsInt() ? msg["iterations"].GetInt() : 0;
        if (!from_hex(field(msg, "salt"), salt) || iterations < 1000 || iterations > 10000000) {
            error = "the master sent unusable password parameters";
            return false;
        }
        key = pbkdf2_sha256(a.password, salt, iterations);
    } else {
        error = "the master asked for an unknown password scheme \"" + kdf + "\"";
        return false;
    }
    write_frame(s, R"({"t":"proof","mac":")" +
                       to_hex(link_mac(key, "shd.cluster/2 admin-hello", {master_nonce, my_nonce, a.user})) + "\"}");
    std::string mac;
    if (!parse_frame(read_frame(s, 65536), msg) || refused(msg) || field(msg, "t") != "welcome" ||
        !from_hex(field(msg, "mac"), mac) ||
        !equal_ct(mac, link_mac(key, "shd.cluster/2 admin-welcome", {master_nonce, my_nonce, a.user}))) {
        if (error.empty()) error = "the master did not prove it knows this user's password: not talking to it";
        return false;
    }
    LinkKeys keys = derive_link_keys(key, master_nonce, my_nonce, admin_who(a.user));
    FrameSealer out(keys.peer_to_master), in(keys.master_to_peer);
    write_frame(s, out.seal(json));
    std::string plain;
    if (!in.open(read_frame(s, 16 << 20), plain)) {
        error = "the master's answer does not authenticate";
        return false;
    }
    reply.SetNull();
    if (!parse_link_message(plain, reply)) {
        error = "the master sent an unreadable answer";
        return false;
    }
    return true;
}

// One admin request and its answer over the master's link.
bool admin(Args &a, const std::string &cmd, rapidjson::Document &reply, std::string &error) {
    std::string host = a.host;
    int port = a.port;
    if (host.empty() || port == 0) {
        std::string h;
        int p = 0;
        if (!read_master(a, h, p, error)) return false;
        if (host.empty()) host = h;
        if (port == 0) port = p;
    }
    if (!read_password(a, error)) return false;
    std::string ids = "[";
    for (size_t i = 0; i < a.ids.size(); ++i) ids += (i ? "," : "") + shd::json_quote(a.ids[i]);
    ids += "]";
    std::string json = R"({"t":"admin","cmd":)" + shd::json_quote(cmd) + R"(,"ids":)" + ids + "}";
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    try {
        s.connect(asio::ip::tcp::endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port)));
    } catch (const std::exception &e) {
        error = "cannot reach the master at " + host + ":" + std::to_string(port) + " (" + e.what() +
                "); is the cluster running?";
        return false;
    }
    try {
        if (!admin_session(s, a, json, reply, error)) return false;
    } catch (const std::exception &e) {
        if (error.empty()) error = std::string("the master closed the link (") + e.what() + ")";
        return false;
    }
    if (!reply.HasMember("ok") || !reply["ok"].IsBool() || !reply["ok"].GetBool()) {
        error = reply.HasMember("error") && reply["error"].IsString() ? reply["error"].GetString() : "refused";
        return false;
    }
    return true;
}

int start(const Args &a) {
    fs::path exe = fs::read_symlink("/proc/self/exe").parent_path() / "shaddock-host";
    std::vector<std::string> argv = {exe.string(), "--app-dir", a.dir, "--env", a.env};
    std::vector<char *> cargv;
    for (auto &s : argv) cargv.push_back(s.data());
    cargv.push_back(nullptr);
    if (a.daemon) {
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("fork");
            return 1;
        }
        if (pid > 0) {
            std::cout << "The application is running in the background now (master pid " << pid << ").\n";
            return 0;
        }
        setsid();
        // Logs go to <dir>/logs/<server-id>.log; the terminal is left alone.
        int null = ::open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
    }
    execv(cargv[0], cargv.data());
    std::cerr << "shaddock: cannot run " << exe << ": " << std::strerror(errno) << "\n";
    return 1;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc > 1 && std::string(argv[1]) == "init") return run_init(argc - 1, argv + 1);
    Args a;
    a.env = env_default();
    if (argc < 2) {
        usage(std::cerr);
        return 2;
    }
    a.command = argv[1];
    if (a.command == "--help" || a.command == "help" || a.command == "-h") {
        usage(std::cout);
        return 0;
    }
    for (int i = 2; i < argc; ++i) {
        std::string o = argv[i];
        auto value = [&](std::string &out) {
            if (i + 1 >= argc) {
                std::cerr << "shaddock: " << o << " needs a value\n";
                std::exit(2);
            }
            out = argv[++i];
        };
        std::string port;
        if (o == "-d" || o == "--directory")
            value(a.dir);
        else if (o == "-e" || o == "--env")
            value(a.env);
        else if (o == "-h" || o == "--host")
            value(a.host);
        else if (o == "-P" || o == "--port") {
            value(port);
            a.port = std::atoi(port.c_str());
        } else if (o == "-u" || o == "--username")
            value(a.user);
        else if (o == "-p" || o == "--password") {
            std::cerr
                << "shaddock: " << o
                << " is not accepted: a password on the command line is visible to every user "
                   "of this machine.\nSet SHADDOCK_ADMIN_PASSWORD, use --password-file FILE, or let shaddock prompt "
                   "for it on the terminal.\n";
            return 2;
        } else if (o == "--password-file")
            value(a.password_file);
        else if (o == "--iterations") {
            value(port);
            a.iterations = std::atoi(port.c_str());
        } else if (o == "-D" || o == "--daemon")
            a.daemon = true;
        else if (!o.empty() && o[0] == '-') {
            std::cerr << "shaddock: unknown option " << o << "\n";
            usage(std::cerr);
            return 2;
        } else
            a.ids.push_back(o);
    }
    if (a.command == "start") return start(a);
    if (a.command == "hash-password") {
        std::string error;
        if (a.iterations < 1000 || a.iterations > 10000000) {
            std::cerr << "shaddock hash-password: --iterations must be between 1000 and 10000000\n";
            return 2;
        }
        if (!read_password(a, error)) {
            std::cerr << "shaddock hash-password: " << error << "\n";
            return 1;
        }
        std::cout << shd::cluster::hash_password_pbkdf2(a.password, a.iterations) << "\n";
        return 0;
    }
    if (a.command != "list" && a.command != "stop" && a.command != "kill") {
        std::cerr << "shaddock: unknown command " << a.command << "\n";
        usage(std::cerr);
        return 2;
    }
    rapidjson::Document reply;
    std::string error;
    if (!admin(a, a.command, reply, error)) {
        std::cerr << "shaddock " << a.command << ": " << error << "\n";
        return 1;
    }
    if (a.command == "list") {
        std::printf("%-28s %-12s %-8s %-11s %s\n", "serverId", "serverType", "pid", "registered", "uptime(s)");
        for (const auto &s : reply["servers"].GetArray())
            std::printf("%-28s %-12s %-8d %-11s %.1f\n", s["id"].GetString(), s["serverType"].GetString(),
                        s["pid"].GetInt(), s["registered"].GetBool() ? "yes" : "no",
                        s["uptimeMs"].GetDouble() / 1000.0);
    } else if (a.command == "stop") {
        std::cout << (a.ids.empty() ? "The cluster is stopping.\n" : "Stopping the servers.\n");
    } else {
        std::cout << "All the servers have been terminated.\n";
    }
    return 0;
}
