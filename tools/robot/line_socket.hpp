// line_socket.hpp - blocking TCP with newline-delimited messages, for the coordinator <-> agent link
// (a handful of connections carrying one message per second: threads and blocking calls suffice).
#pragma once

#include <cstdint>
#include <string>

namespace shd::robot {

// Splits "HOST:PORT" ("[v6]:PORT" too). False with *error when it is not that form.
bool split_host_port(const std::string &text, std::string &host, uint16_t &port, std::string *error);

// A listening socket bound to host:port (port 0: any); *bound_port receives the port. -1 on error.
int listen_tcp(const std::string &host, uint16_t port, uint16_t *bound_port, std::string *error);
// A connected socket, or -1 with *error set.
int connect_tcp(const std::string &host, uint16_t port, std::string *error);

class LineSocket {
public:
    explicit LineSocket(int fd = -1) : fd_(fd) {}
    ~LineSocket();
    LineSocket(const LineSocket &) = delete;
    LineSocket &operator=(const LineSocket &) = delete;

    int fd() const { return fd_; }
    // Reads one line without its "\n". False at end of stream or on error (*error says which; empty
    // at a clean end of stream), or when a line exceeds max_bytes.
    bool read_line(std::string &line, std::string *error, size_t max_bytes);
    // Writes all of text. Thread-safe against other send() calls only if the caller serializes them.
    bool send(const std::string &text);
    // Wakes a reader blocked in read_line (it returns false); the descriptor stays open.
    void shutdown();

private:
    int fd_;
    std::string buf_;
};

}  // namespace shd::robot
