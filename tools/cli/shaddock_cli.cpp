// shaddock: the cluster command line (Pomelo's `pomelo start|list|stop|kill`).
//
//   shaddock start [-d DIR] [-e ENV] [-D]        run the master of DIR (it spawns every server)
//   shaddock list  [-d DIR] [-u USER -p PASS]    servers of the running cluster
//   shaddock stop  [-d DIR] [ID...]              stop servers, or the whole cluster without ids
//   shaddock kill  [-d DIR]                      kill every server at once, then the master
//
// list/stop/kill talk to the master's port from config/master.json with a user of
// config/adminUser.json (default admin/admin).
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <fcntl.h>
#include <unistd.h>
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
           "  kill  [-d DIR]                    kill every server at once, then stop the master\n\n"
           "options:\n"
           "  -d DIR    app directory (holds config/)          -e ENV   environment (default development)\n"
           "  -h HOST   master host (default: config/master.json)  -P PORT  master port (same)\n"
           "  -u USER   admin user (default admin)              -p PASS  password (default admin)\n";
}

struct Args {
    std::string command, dir = ".", env, host, user = "admin", password = "admin";
    int port = 0;
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


// One admin request and its answer over the master's framed JSON link.
bool admin(const Args &a, const std::string &cmd, rapidjson::Document &reply, std::string &error) {
    std::string host = a.host;
    int port = a.port;
    if (host.empty() || port == 0) {
        std::string h;
        int p = 0;
        if (!read_master(a, h, p, error)) return false;
        if (host.empty()) host = h;
        if (port == 0) port = p;
    }
    std::string ids = "[";
    for (size_t i = 0; i < a.ids.size(); ++i) ids += (i ? "," : "") + shd::json_quote(a.ids[i]);
    ids += "]";
    std::string json = R"({"t":"admin","username":)" + shd::json_quote(a.user) + R"(,"password":)" + shd::json_quote(a.password) +
                       R"(,"cmd":)" + shd::json_quote(cmd) + R"(,"ids":)" + ids + "}";
    try {
        asio::io_context io;
        asio::ip::tcp::socket s(io);
        s.connect(asio::ip::tcp::endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port)));
        uint32_t n = static_cast<uint32_t>(json.size());
        unsigned char head[4] = {static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
                                 static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
        asio::write(s, asio::buffer(head));
        asio::write(s, asio::buffer(json));
        asio::read(s, asio::buffer(head));
        uint32_t size = (uint32_t(head[0]) << 24) | (uint32_t(head[1]) << 16) | (uint32_t(head[2]) << 8) | head[3];
        if (size > (1u << 20)) {
            error = "the master sent an oversized answer";
            return false;
        }
        std::string body(size, '\0');
        asio::read(s, asio::buffer(body));
        reply.Parse(body.c_str(), body.size());
    } catch (const std::exception &e) {
        error = "cannot reach the master at " + host + ":" + std::to_string(port) + " (" + e.what() + "); is the cluster running?";
        return false;
    }
    if (!reply.IsObject()) {
        error = "the master sent an unreadable answer";
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
        if (o == "-d" || o == "--directory") value(a.dir);
        else if (o == "-e" || o == "--env") value(a.env);
        else if (o == "-h" || o == "--host") value(a.host);
        else if (o == "-P" || o == "--port") {
            value(port);
            a.port = std::atoi(port.c_str());
        } else if (o == "-u" || o == "--username") value(a.user);
        else if (o == "-p" || o == "--password") value(a.password);
        else if (o == "-D" || o == "--daemon") a.daemon = true;
        else if (!o.empty() && o[0] == '-') {
            std::cerr << "shaddock: unknown option " << o << "\n";
            usage(std::cerr);
            return 2;
        } else a.ids.push_back(o);
    }
    if (a.command == "start") return start(a);
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
                        s["pid"].GetInt(), s["registered"].GetBool() ? "yes" : "no", s["uptimeMs"].GetDouble() / 1000.0);
    } else if (a.command == "stop") {
        std::cout << (a.ids.empty() ? "The cluster is stopping.\n" : "Stopping the servers.\n");
    } else {
        std::cout << "All the servers have been terminated.\n";
    }
    return 0;
}
