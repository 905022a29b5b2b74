// Drives the real shaddock-host binary from a test: a throwaway app directory holding config files,
// and a child process whose console output is captured, which a test can signal, wait for and judge.
// A crash of the host shows up as `signal` != 0, so it can never pass for a clean exit.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace shd::test {

// The shaddock-host binary of this build.
std::string host_binary();

// A fresh directory under $TMPDIR, removed (with everything in it) when the object goes away.
class TempAppDir {
public:
    explicit TempAppDir(const std::string &tag);
    ~TempAppDir();
    TempAppDir(const TempAppDir &) = delete;
    TempAppDir &operator=(const TempAppDir &) = delete;

    const std::string &path() const { return path_; }
    std::string file(const std::string &relative) const { return path_ + "/" + relative; }
    // Writes `text` to <dir>/<relative>, creating folders on the way.
    void write(const std::string &relative, const std::string &text) const;
    bool exists(const std::string &relative) const;

private:
    std::string path_;
};

// How a child process ended.
struct Outcome {
    int exit_code = -1;  // valid when signal == 0 and !timed_out
    int signal = 0;      // the signal that killed it (a crash: SIGSEGV, SIGABRT, ...)
    bool timed_out = false;
    std::string output;  // stdout and stderr, interleaved as written

    // "exit 1", "killed by signal 11", "timed out"; for assertion messages.
    std::string describe() const;
};

class HostProcess {
public:
    // Starts `argv` (argv[0] is the executable) with stdout and stderr going to `output_file`.
    HostProcess(const std::vector<std::string> &argv, const std::string &output_file);
    // Kills the child if it still runs, so a failing test never leaves a server behind.
    ~HostProcess();
    HostProcess(const HostProcess &) = delete;
    HostProcess &operator=(const HostProcess &) = delete;

    // Waits until `text` appears in the output; false after timeout_ms or if the child exits first.
    bool wait_for_output(const std::string &text, int timeout_ms);
    void send(int signal_number) const;
    // Waits for the exit; after timeout_ms the child is killed and the outcome says timed_out.
    Outcome wait(int timeout_ms);
    std::string output() const;

private:
    bool reap(int options);

    pid_t pid_ = -1;
    std::string output_file_;
    Outcome outcome_;
    bool exited_ = false;
};

// Runs shaddock-host with --app-dir <app> plus `args` to completion.
Outcome run_host(const TempAppDir &app, const std::vector<std::string> &args, int timeout_ms = 15000);

// Every position of `needles` in `haystack`, in order; the message names the first that is missing
// or out of order and shows the whole haystack. Empty when all appear in order.
std::string check_in_order(const std::string &haystack, const std::vector<std::string> &needles);

// Number of non-overlapping occurrences.
size_t count_of(const std::string &haystack, const std::string &needle);

// A JSON string literal for a path or text ("..." with escapes), for writing config files.
std::string json_quote(const std::string &text);

}  // namespace shd::test

// CppUnit helpers: the message shows what was searched and the whole text it was searched in.
#define SHD_ASSERT_CONTAINS(haystack, needle)                                                         \
    CPPUNIT_ASSERT_MESSAGE(std::string("expected to find: ") + (needle) + "\n--- in:\n" + (haystack), \
                           std::string(haystack).find(needle) != std::string::npos)
#define SHD_ASSERT_NOT_CONTAINS(haystack, needle)                                                         \
    CPPUNIT_ASSERT_MESSAGE(std::string("expected NOT to find: ") + (needle) + "\n--- in:\n" + (haystack), \
                           std::string(haystack).find(needle) == std::string::npos)
#define SHD_ASSERT_IN_ORDER(haystack, ...)                                                    \
    do {                                                                                      \
        std::string shd_order_problem = ::shd::test::check_in_order((haystack), __VA_ARGS__); \
        CPPUNIT_ASSERT_MESSAGE(shd_order_problem, shd_order_problem.empty());                 \
    } while (0)
// The host exited by itself with `code` (not a crash, not a timeout).
#define SHD_ASSERT_EXIT(outcome, code)                                                                 \
    CPPUNIT_ASSERT_MESSAGE("expected exit " + std::to_string(code) + ", got " + (outcome).describe() + \
                               "\n--- output:\n" + (outcome).output,                                   \
                           (outcome).signal == 0 && !(outcome).timed_out && (outcome).exit_code == (code))
