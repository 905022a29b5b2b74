// http_fetch.cpp - a minimal blocking HTTP/1.1 client for the "http" step (login and register calls
// before a game session; not a load generator for HTTP servers).
#include "http_fetch.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace shd::robot {

namespace {

constexpr size_t kMaxAnswerBytes = 1 << 20;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Waits until fd is ready for `events` or the deadline passes.
bool wait_fd(int fd, short events, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        int r = poll(&p, 1, int(left));
        if (r > 0) return true;
        if (r == 0) return false;
        if (errno != EINTR) return false;
    }
}

// Decodes a chunked body in place; false when it is malformed.
bool dechunk(std::string &body) {
    std::string out;
    size_t i = 0;
    for (;;) {
        size_t eol = body.find("\r\n", i);
        if (eol == std::string::npos) return false;
        size_t n = std::strtoul(body.substr(i, eol - i).c_str(), nullptr, 16);
        i = eol + 2;
        if (n == 0) break;
        if (i + n > body.size()) return false;
        out.append(body, i, n);
        i += n + 2;
    }
    body = std::move(out);
    return true;
}

}  // namespace

HttpAnswer http_fetch(const std::string &host, uint16_t port, const std::string &method, const std::string &path,
                      const std::string &body, uint32_t timeout_ms) {
    HttpAnswer a;
    int64_t deadline = now_ms() + (timeout_ms ? timeout_ms : 10000);
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) {
        a.error = "resolve_failed";
        return a;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        freeaddrinfo(res);
        a.error = "connect_failed";
        return a;
    }
    int r = ::connect(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    auto fail = [&](const char *why) {
        ::close(fd);
        a.status = 0;
        a.error = why;
        return a;
    };
    if (r != 0 && errno != EINPROGRESS) return fail("connect_failed");
    if (r != 0) {
        if (!wait_fd(fd, POLLOUT, deadline)) return fail("timeout");
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) return fail("connect_failed");
    }
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
    if (!body.empty()) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    for (size_t sent = 0; sent < req.size();) {
        ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += size_t(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_fd(fd, POLLOUT, deadline)) return fail("timeout");
        } else {
            return fail("disconnected");
        }
    }
    std::string in;
    char buf[16384];
    size_t header_end = std::string::npos, content_length = std::string::npos;
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            in.append(buf, size_t(n));
            if (in.size() > kMaxAnswerBytes) return fail("too_large");
            if (header_end == std::string::npos && (header_end = in.find("\r\n\r\n")) != std::string::npos) {
                std::string head = in.substr(0, header_end);
                for (auto &c : head) c = char(std::tolower(static_cast<unsigned char>(c)));
                size_t cl = head.find("\r\ncontent-length:");
                if (cl != std::string::npos) content_length = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
            }
            // An answer with a length is complete without waiting for the server to close.
            if (header_end != std::string::npos && content_length != std::string::npos &&
                in.size() >= header_end + 4 + content_length)
                break;
        } else if (n == 0) {
            break;
        } else if (errno == EAGAIN || errno == EINTR) {
            if (!wait_fd(fd, POLLIN, deadline)) return fail("timeout");
        } else {
            return fail("disconnected");
        }
    }
    ::close(fd);
    if (header_end == std::string::npos || in.compare(0, 5, "HTTP/") != 0) {
        a.error = "bad_response";
        return a;
    }
    size_t sp = in.find(' ');
    a.status = sp < header_end ? std::atoi(in.c_str() + sp + 1) : 0;
    a.body = in.substr(header_end + 4, content_length == std::string::npos ? std::string::npos : content_length);
    std::string head = in.substr(0, header_end);
    for (auto &c : head) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (head.find("transfer-encoding: chunked") != std::string::npos && !dechunk(a.body)) {
        a.status = 0;
        a.error = "bad_response";
    }
    if (a.status < 100 || a.status > 599) {
        a.status = 0;
        a.error = "bad_response";
    }
    return a;
}

void HttpPool::submit(Job job) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    if (workers_.size() < threads_ && workers_.size() <= jobs_.size())
        workers_.emplace_back([this] { work(); });
    jobs_.push_back(std::move(job));
    cv_.notify_one();
}

void HttpPool::work() {
    for (;;) {
        Job job;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        HttpAnswer a = http_fetch(job.host, job.port, job.method, job.path, job.body, job.timeout_ms);
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (stopping_) return;
        }
        job.done(std::move(a));
    }
}

void HttpPool::stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
        jobs_.clear();
    }
    cv_.notify_all();
    for (auto &t : workers_) t.join();
    workers_.clear();
}

}  // namespace shd::robot
