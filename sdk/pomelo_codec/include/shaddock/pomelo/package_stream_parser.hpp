// Incremental package framer for raw TCP: feed chunks as they arrive, pull whole packages out.
// The type byte is checked as soon as it arrives and the length as soon as the header is complete,
// so a hostile client is rejected before any of its body is buffered. Packages that lie wholly
// inside a fed chunk are returned without copying; only a package split across chunks is buffered.
//
// Use:   parser.feed(chunk);
//        for (;;) { auto r = parser.next(); if (r.status != PackageStreamParser::Status::package) break; ... }
//
// Lifetime: a chunk must stay valid until next() has returned need_more or error for it, or until
// the next feed(). A returned package's body is valid until the next call to feed() or next().
// One thread at a time.
#pragma once

#include <shaddock/pomelo/package_codec.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shd::pomelo {

class PackageStreamParser {
public:
    enum class Status : uint8_t {
        package,    // `package` holds the next package
        need_more,  // everything fed so far is consumed or buffered
        error,      // the stream is invalid; close the connection (the state is final)
    };
    struct Result {
        Status status = Status::need_more;
        Package package;
        const char *error = nullptr;  // static string when status == error
    };

    // max_body_size: largest accepted body length (at most kMaxPackageBodySize).
    explicit PackageStreamParser(uint32_t max_body_size = kDefaultMaxPackageBodySize);

    // Appends `chunk` to the stream. If bytes of the previous chunk were not drained yet they are
    // copied first, so the order is kept either way.
    void feed(std::string_view chunk);

    Result next();

    // Bytes held in the internal buffer (a partial package), for memory accounting.
    size_t buffered_size() const { return buffer_.size() - buffer_pos_; }
    bool failed() const { return error_ != nullptr; }

private:
    // Checks the header bytes available in `head` (1..4 of them); sets error_ when invalid.
    bool check_header(std::string_view head);
    // Moves up to `n` bytes from the front of input_ to buffer_.
    void take_input(size_t n);
    void compact();
    Result fail(const char *reason);

    uint32_t max_body_size_;
    std::string buffer_;     // bytes of a package split across chunks
    size_t buffer_pos_ = 0;  // consumed prefix of buffer_
    std::string_view input_;
    const char *error_ = nullptr;
};

}  // namespace shd::pomelo
