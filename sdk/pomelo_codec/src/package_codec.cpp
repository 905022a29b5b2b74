#include <shaddock/pomelo/package_codec.hpp>

namespace shd::pomelo {

void append_package_header(std::string &out, PackageType type, uint32_t body_size) {
    const char header[kPackageHeaderSize] = {
        static_cast<char>(type),
        static_cast<char>((body_size >> 16) & 0xFF),
        static_cast<char>((body_size >> 8) & 0xFF),
        static_cast<char>(body_size & 0xFF),
    };
    out.append(header, kPackageHeaderSize);
}

const char *encode_package(std::string &out, PackageType type, std::string_view body) {
    if (body.size() > kMaxPackageBodySize) return "package body longer than 2^24-1 bytes";
    out.reserve(out.size() + kPackageHeaderSize + body.size());
    append_package_header(out, type, static_cast<uint32_t>(body.size()));
    out.append(body);
    return nullptr;
}

PackageDecodeResult decode_frame_package(std::string_view frame, uint32_t max_body_size) {
    PackageDecodeResult r;
    if (frame.size() < kPackageHeaderSize) {
        r.error = "frame shorter than a package header";
        return r;
    }
    const auto *h = reinterpret_cast<const uint8_t *>(frame.data());
    if (!is_package_type(h[0])) {
        r.error = "invalid package type";
        return r;
    }
    const uint32_t size = (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
    if (size > max_body_size) {
        r.error = "package body longer than allowed";
        return r;
    }
    const size_t available = frame.size() - kPackageHeaderSize;
    if (size > available) {
        r.error = "package body truncated";
        return r;
    }
    if (size < available) {
        r.error = "bytes after the package (one package per frame)";
        return r;
    }
    r.package.type = static_cast<PackageType>(h[0]);
    r.package.body = frame.substr(kPackageHeaderSize, size);
    return r;
}

}  // namespace shd::pomelo
