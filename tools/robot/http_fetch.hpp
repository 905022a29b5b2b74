// http_fetch.hpp - the robot's "http" step: one blocking HTTP/1.1 request per call (Connection: close),
// run on a small pool of threads so that the users' loop threads never block on it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shd::robot {

struct HttpAnswer {
    int status = 0;     // 0: no answer (error says why)
    std::string error;  // "connect_failed", "timeout", "bad_response", ...
    std::string body;
};

// Sends `method path` to host:port with `body` (Content-Type: application/json when not empty) and
// reads the whole answer (at most 1 MiB), within timeout_ms in total.
HttpAnswer http_fetch(const std::string &host, uint16_t port, const std::string &method, const std::string &path,
                      const std::string &body, uint32_t timeout_ms);

// A fixed pool of threads running http_fetch() calls in arrival order. stop() drops the calls not yet
// started and joins the threads (a call under way finishes first, bounded by its timeout); callbacks
// never run after stop() has returned.
class HttpPool {
public:
    struct Job {
        std::string host, method, path, body;
        uint16_t port = 80;
        uint32_t timeout_ms = 10000;
        std::function<void(HttpAnswer)> done;  // runs on a pool thread
    };
    explicit HttpPool(unsigned threads) : threads_(threads) {}
    ~HttpPool() { stop(); }
    void submit(Job job);
    void stop();

private:
    void work();
    unsigned threads_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    std::vector<std::thread> workers_;
    bool stopping_ = false;
};

}  // namespace shd::robot
