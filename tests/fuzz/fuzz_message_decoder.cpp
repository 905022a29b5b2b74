// libFuzzer target: the message decoder. Whatever it accepts must re-encode, at the size it
// announces, to bytes that decode to the same message.
#include <shaddock/pomelo/message_codec.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace shd::pomelo;

namespace {

bool same(const Message &a, const Message &b) {
    return a.type == b.type && a.id == b.id && a.route_compressed == b.route_compressed &&
           a.route_code == b.route_code && a.route == b.route && a.body == b.body && a.gzip == b.gzip;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view in(reinterpret_cast<const char *>(data), size);
    const auto r = decode_message(in);
    if (!r.ok()) return 0;
    const Message &m = r.message;
    if (message_has_id(m.type) && (m.id == 0 || m.id > kMaxMessageId)) std::abort();
    if (m.route.size() > kMaxRouteSize) std::abort();
    if (m.body.data() + m.body.size() != in.data() + in.size()) std::abort();

    std::string out;
    if (encode_message(out, m)) std::abort();
    if (out.size() != encoded_message_size(m)) std::abort();
    const auto again = decode_message(out);
    if (!again.ok() || !same(m, again.message)) std::abort();

    std::string package;
    if (encode_data_package(package, m)) std::abort();
    if (package.size() != out.size() + 4 || package.compare(4, std::string::npos, out) != 0) std::abort();
    return 0;
}
