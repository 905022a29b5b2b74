#include "host_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char **environ;

#ifndef SHD_TEST_HOST_BINARY
#error "SHD_TEST_HOST_BINARY must name the shaddock-host binary (set by tests/host/CMakeLists.txt)"
#endif

namespace shd::test {

namespace fs = std::filesystem;

std::string host_binary() {
    return SHD_TEST_HOST_BINARY;
}

TempAppDir::TempAppDir(const std::string &tag) {
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/shd-" + tag + "-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    path_ = buf.data();
}

TempAppDir::~TempAppDir() {
    if (std::getenv("SHD_TEST_KEEP_DIRS")) return;  // for debugging a failing test
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void TempAppDir::write(const std::string &relative, const std::string &text) const {
    fs::path p = fs::path(path_) / relative;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

bool TempAppDir::exists(const std::string &relative) const {
    return fs::exists(fs::path(path_) / relative);
}

std::string Outcome::describe() const {
    if (timed_out) return "timed out (killed)";
    if (signal) return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    return "exit " + std::to_string(exit_code);
}

namespace {

// The child's environment: ours, minus the variables that would change which config or libraries the
// host picks, so a developer's shell cannot change a test's outcome.
std::vector<std::string> child_environment() {
    static const char *const dropped[] = {"SHADDOCK_ENV=", "NODE_ENV=", "SHADDOCK_PLUGINS_DIR=", "SHADDOCK_APPS_DIR="};
    std::vector<std::string> env;
    for (char **e = environ; e && *e; ++e) {
        bool drop = false;
        for (const char *d : dropped) drop = drop || std::strncmp(*e, d, std::strlen(d)) == 0;
        if (!drop) env.emplace_back(*e);
    }
    return env;
}

std::vector<char *> c_array(std::vector<std::string> &items) {
    std::vector<char *> out;
    for (auto &s : items) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

HostProcess::HostProcess(const std::vector<std::string> &argv, const std::string &output_file)
    : output_file_(output_file) {
    std::vector<std::string> args = argv;
    std::vector<std::string> env = child_environment();
    std::vector<char *> c_args = c_array(args);
    std::vector<char *> c_env = c_array(env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    int rc = ::posix_spawn(&pid_, c_args[0], &actions, nullptr, c_args.data(), c_env.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
}

HostProcess::~HostProcess() {
    if (!exited_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        reap(0);
    }
}

bool HostProcess::reap(int options) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, options);
    if (r != pid_) return false;
    exited_ = true;
    if (WIFEXITED(status)) outcome_.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome_.signal = WTERMSIG(status);
    return true;
}

std::string HostProcess::output() const {
    std::ifstream in(output_file_, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

bool HostProcess::wait_for_output(const std::string &text, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (output().find(text) != std::string::npos) return true;
        if (exited_ || reap(WNOHANG)) return output().find(text) != std::string::npos;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

void HostProcess::send(int signal_number) const {
    if (!exited_) ::kill(pid_, signal_number);
}

Outcome HostProcess::wait(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!exited_ && !reap(WNOHANG)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            reap(0);
            outcome_.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    outcome_.output = output();
    return outcome_;
}

Outcome run_host(const TempAppDir &app, const std::vector<std::string> &args, int timeout_ms) {
    std::vector<std::string> argv{host_binary(), "--app-dir", app.path()};
    argv.insert(argv.end(), args.begin(), args.end());
    HostProcess host(argv, app.file("host-output.txt"));
    return host.wait(timeout_ms);
}

std::string check_in_order(const std::string &haystack, const std::vector<std::string> &needles) {
    size_t from = 0;
    for (const auto &n : needles) {
        size_t at = haystack.find(n, from);
        if (at == std::string::npos) {
            bool anywhere = haystack.find(n) != std::string::npos;
            return "expected \"" + n + "\" " + (anywhere ? "later (it appears too early)" : "(it is missing)") +
                   "\n--- in:\n" + haystack;
        }
        from = at + n.size();
    }
    return {};
}

size_t count_of(const std::string &haystack, const std::string &needle) {
    size_t n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size()))
        ++n;
    return n;
}

std::string json_quote(const std::string &text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace shd::test
