// libFuzzer target: the master link's frames as the master reads them (plugins/cluster): the frame
// split with the pre-auth cap (4 KiB) and the post-auth cap, the depth-limited JSON of each frame,
// the handshake readers and proof check, sealed frames (AES-256-GCM open of hostile bytes; seal/open
// round trip; a flipped byte must not open), and the adminServer.json / adminUser.json parsers.
//
// run.sh compiles the cluster's pure sources (admin_config, link_crypto, link_messages) with it.
#include "../../plugins/cluster/admin_config.hpp"
#include "../../plugins/cluster/link_crypto.hpp"
#include "../../plugins/cluster/link_messages.hpp"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

using namespace shd::cluster;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view in(reinterpret_cast<const char *>(data), size);
    static const std::string key(kLinkKeySize, 'k');
    static const std::string master_nonce(kLinkNonceSize, 'n');

    // Frames, as FrameLink reads them: a 4-byte big-endian length, capped by the link's state.
    FrameSealer opener(key);
    bool secured = false;
    size_t pos = 0;
    while (pos + 4 <= in.size()) {
        uint32_t n = (uint32_t(uint8_t(in[pos])) << 24) | (uint32_t(uint8_t(in[pos + 1])) << 16) |
                     (uint32_t(uint8_t(in[pos + 2])) << 8) | uint32_t(uint8_t(in[pos + 3]));
        size_t cap = secured ? size_t(1) << 20 : 4096;
        if (n > cap || pos + 4 + n > in.size()) break;  // the link closes
        std::string_view body = in.substr(pos + 4, n);
        pos += 4 + n;
        std::string text;
        if (secured) {
            if (!opener.open(body, text)) break;  // a sealed frame that does not authenticate closes the link
        } else {
            text.assign(body);
        }
        rapidjson::Document msg;
        if (!parse_link_message(text, msg)) break;
        Hello hello;
        if (read_hello(msg, hello)) {
            if (hello.role == "server") {
                if (hello.id.empty() || hello.type.empty() || hello.nonce.size() != kLinkNonceSize) std::abort();
                (void)server_hello_valid("token", master_nonce, hello);
                (void)server_who(hello.id, hello.type);
            } else {
                if (hello.user.empty()) std::abort();
                (void)admin_who(hello.user);
            }
            secured = true;
        }
        std::string mac;
        if (link_hex_field(msg, "mac", kLinkMacSize, mac) && mac.size() != kLinkMacSize) std::abort();
    }

    // The config files, from hostile text.
    try {
        (void)parse_admin_servers(std::string(in));
    } catch (const std::runtime_error &) {
    }
    try {
        for (const auto &u : parse_admin_users(std::string(in)))
            if (u.kdf != "md5" && u.kdf != "pbkdf2") std::abort();
    } catch (const std::runtime_error &) {
    }

    // Sealing: whatever goes in comes back out; one flipped bit does not open.
    FrameSealer a(key), b(key), c(key);
    std::string sealed = a.seal(in), back;
    if (!b.open(sealed, back) || back != in) std::abort();
    sealed[size % sealed.size()] ^= 1;
    if (c.open(sealed, back)) std::abort();

    // Hex both ways.
    std::string raw;
    if (!from_hex(to_hex(in), raw) || raw != in) std::abort();
    return 0;
}
