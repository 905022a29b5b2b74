// line_socket.cpp - see line_socket.hpp.
#include "line_socket.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace shd::robot {

bool split_host_port(const std::string &text, std::string &host, uint16_t &port, std::string *error) {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
        if (error) *error = "\"" + text + "\": expected HOST:PORT";
        return false;
    }
    host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char *end = nullptr;
    unsigned long p = std::strtoul(text.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || p > 65535) {
        if (error) *error = "\"" + text + "\": the port must be a number from 0 to 65535";
        return false;
    }
    port = uint16_t(p);
    return true;
}

namespace {

addrinfo *resolve(const std::string &host, uint16_t port, bool passive, std::string *error) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (passive) hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints, &res);
    if (rc != 0) {
        if (error) *error = host + ": " + gai_strerror(rc);
        return nullptr;
    }
    return res;
}

}  // namespace

int listen_tcp(const std::string &host, uint16_t port, uint16_t *bound_port, std::string *error) {
    addrinfo *res = resolve(host, port, true, error);
    if (!res) return -1;
    int fd = -1;
    std::string why;
    for (addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 16) == 0) break;
        why = std::strerror(errno);
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (error) *error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + why;
        return -1;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
    if (bound_port)
        *bound_port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port
                                                     : reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
    return fd;
}

int connect_tcp(const std::string &host, uint16_t port, std::string *error) {
    addrinfo *res = resolve(host, port, false, error);
    if (!res) return -1;
    int fd = -1;
    std::string why = "no address";
    for (addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        why = std::strerror(errno);
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (error) *error = "cannot connect to " + host + ":" + std::to_string(port) + ": " + why;
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

LineSocket::~LineSocket() {
    if (fd_ >= 0) close(fd_);
}

bool LineSocket::read_line(std::string &line, std::string *error, size_t max_bytes) {
    for (;;) {
        size_t nl = buf_.find('\n');
        if (nl != std::string::npos) {
            line.assign(buf_, 0, nl);
            buf_.erase(0, nl + 1);
            return true;
        }
        if (buf_.size() > max_bytes) {
            if (error) *error = "line longer than " + std::to_string(max_bytes) + " bytes";
            return false;
        }
        char chunk[65536];
        ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
        if (n == 0) {
            if (error) *error = buf_.empty() ? "" : "connection closed in the middle of a line";
            return false;
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (error) *error = std::strerror(errno);
            return false;
        }
        buf_.append(chunk, size_t(n));
    }
}

bool LineSocket::send(const std::string &text) {
    size_t off = 0;
    while (off < text.size()) {
        ssize_t n = ::send(fd_, text.data() + off, text.size() - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        off += size_t(n);
    }
    return true;
}

void LineSocket::shutdown() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace shd::robot
