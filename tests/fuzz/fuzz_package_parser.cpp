// libFuzzer target: the raw TCP package framer and the one-package WebSocket frame decoder.
// Input: [max body / 64][chunk size][stream bytes...]. Invariants checked (abort on violation):
// the packages returned re-encode to a prefix of the stream, everything else is buffered or the
// stream was rejected, limits hold, and the frame decoder agrees with the framer.
#include <shaddock/pomelo/package_codec.hpp>
#include <shaddock/pomelo/package_stream_parser.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace shd::pomelo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const uint32_t max_body = uint32_t{data[0]} * 64;
    const size_t chunk = 1 + data[1] % 16;
    const std::string_view in(reinterpret_cast<const char *>(data + 2), size - 2);

    PackageStreamParser parser(max_body);
    std::string reencoded;
    size_t packages = 0;
    bool failed = false;
    for (size_t pos = 0; pos < in.size() && !failed; pos += chunk) {
        parser.feed(in.substr(pos, chunk));
        for (;;) {
            const auto r = parser.next();
            if (r.status == PackageStreamParser::Status::need_more) break;
            if (r.status == PackageStreamParser::Status::error) {
                failed = true;
                break;
            }
            if (r.package.body.size() > max_body) std::abort();
            if (!is_package_type(static_cast<uint8_t>(r.package.type))) std::abort();
            if (encode_package(reencoded, r.package.type, r.package.body)) std::abort();
            ++packages;
        }
    }
    if (in.substr(0, reencoded.size()) != reencoded) std::abort();
    if (!failed && reencoded.size() + parser.buffered_size() != in.size()) std::abort();
    if (parser.buffered_size() > kPackageHeaderSize + max_body) std::abort();

    const auto frame = decode_frame_package(in, max_body);
    if (frame.ok()) {
        if (failed || packages != 1 || reencoded.size() != in.size()) std::abort();
        if (frame.package.body.data() != in.data() + kPackageHeaderSize) std::abort();
    }
    return 0;
}
