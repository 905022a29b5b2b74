#include <shaddock/pomelo/package_stream_parser.hpp>

#include <algorithm>

namespace shd::pomelo {

namespace {

constexpr size_t kKeepCapacity = 4096;

uint32_t body_size_of(std::string_view header) {
    const auto *h = reinterpret_cast<const uint8_t *>(header.data());
    return (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
}

}  // namespace

PackageStreamParser::PackageStreamParser(uint32_t max_body_size)
    : max_body_size_(std::min(max_body_size, kMaxPackageBodySize)) {}

void PackageStreamParser::feed(std::string_view chunk) {
    compact();
    if (!input_.empty()) take_input(input_.size());
    input_ = chunk;
}

PackageStreamParser::Result PackageStreamParser::fail(const char *reason) {
    error_ = reason;
    input_ = {};
    buffer_.clear();
    buffer_pos_ = 0;
    Result r;
    r.status = Status::error;
    r.error = reason;
    return r;
}

bool PackageStreamParser::check_header(std::string_view head) {
    if (!is_package_type(static_cast<uint8_t>(head[0]))) {
        error_ = "invalid package type";
        return false;
    }
    if (head.size() >= kPackageHeaderSize && body_size_of(head) > max_body_size_) {
        error_ = "package body longer than allowed";
        return false;
    }
    return true;
}

void PackageStreamParser::take_input(size_t n) {
    n = std::min(n, input_.size());
    buffer_.append(input_.data(), n);
    input_.remove_prefix(n);
}

void PackageStreamParser::compact() {
    if (buffer_pos_ == 0) return;
    buffer_.erase(0, buffer_pos_);
    buffer_pos_ = 0;
    // Do not keep a large buffer per idle connection after one big split package.
    if (buffer_.empty() && buffer_.capacity() > kKeepCapacity) std::string().swap(buffer_);
}

PackageStreamParser::Result PackageStreamParser::next() {
    if (error_) return fail(error_);
    compact();
    Result r;

    if (!buffer_.empty()) {
        // A package already started in the buffer: top it up from the input.
        if (buffer_.size() < kPackageHeaderSize) take_input(kPackageHeaderSize - buffer_.size());
        if (!check_header(buffer_)) return fail(error_);
        if (buffer_.size() < kPackageHeaderSize) return r;
        const size_t total = kPackageHeaderSize + body_size_of(buffer_);
        if (buffer_.size() < total) take_input(total - buffer_.size());
        if (buffer_.size() < total) return r;
        r.status = Status::package;
        r.package.type = static_cast<PackageType>(buffer_[0]);
        r.package.body = std::string_view(buffer_).substr(kPackageHeaderSize, total - kPackageHeaderSize);
        buffer_pos_ = total;
        return r;
    }

    if (input_.empty()) return r;
    if (!check_header(input_.substr(0, kPackageHeaderSize))) return fail(error_);
    if (input_.size() >= kPackageHeaderSize) {
        const size_t total = kPackageHeaderSize + body_size_of(input_);
        if (input_.size() >= total) {
            r.status = Status::package;
            r.package.type = static_cast<PackageType>(input_[0]);
            r.package.body = input_.substr(kPackageHeaderSize, total - kPackageHeaderSize);
            input_.remove_prefix(total);
            return r;
        }
        buffer_.reserve(total);
    }
    take_input(input_.size());
    return r;
}

}  // namespace shd::pomelo
