#include "platform/credentials.hpp"

#include <admin_config.hpp>
#include <link_crypto.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <string_view>

namespace mmo {
namespace {

bool parse_u64(std::string_view s, uint64_t &out) {
    if (s.empty() || s.size() > 19) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string token_mac(const std::string &secret, std::string_view uid, std::string_view ms) {
    return shd::cluster::to_hex(shd::cluster::link_mac(secret, "mmo.token/1", {uid, ms}));
}

}  // namespace

std::string hash_password(const std::string &password, int iterations) {
    return shd::cluster::hash_password_pbkdf2(password, iterations);
}

bool verify_password(const std::string &password, const std::string &stored) {
    // pbkdf2-sha256:<iterations>:<salt hex>:<key hex>
    constexpr std::string_view prefix = "pbkdf2-sha256:";
    if (stored.compare(0, prefix.size(), prefix) != 0) return false;
    std::string_view rest = std::string_view(stored).substr(prefix.size());
    size_t a = rest.find(':');
    if (a == std::string_view::npos) return false;
    size_t b = rest.find(':', a + 1);
    if (b == std::string_view::npos) return false;
    uint64_t iterations = 0;
    std::string salt, key;
    if (!parse_u64(rest.substr(0, a), iterations) || iterations < 1000 || iterations > 10000000) return false;
    if (!shd::cluster::from_hex(rest.substr(a + 1, b - a - 1), salt) ||
        !shd::cluster::from_hex(rest.substr(b + 1), key))
        return false;
    return shd::cluster::equal_ct(shd::cluster::pbkdf2_sha256(password, salt, static_cast<int>(iterations)), key);
}

std::string make_token(const std::string &secret, uint64_t uid, uint64_t now_ms) {
    std::string u = std::to_string(uid), t = std::to_string(now_ms);
    return u + "|" + t + "|" + token_mac(secret, u, t);
}

TokenCheck check_token(const std::string &secret, const std::string &token, uint64_t now_ms, int64_t expire_ms,
                       uint64_t &uid) {
    if (token.size() > 128) return TokenCheck::invalid;
    std::string_view s(token);
    size_t a = s.find('|');
    if (a == std::string_view::npos) return TokenCheck::invalid;
    size_t b = s.find('|', a + 1);
    if (b == std::string_view::npos) return TokenCheck::invalid;
    std::string_view u = s.substr(0, a), t = s.substr(a + 1, b - a - 1), mac = s.substr(b + 1);
    uint64_t id = 0, issued = 0;
    if (!parse_u64(u, id) || !parse_u64(t, issued)) return TokenCheck::invalid;
    if (!shd::cluster::equal_ct(token_mac(secret, std::string(u), std::string(t)), mac)) return TokenCheck::invalid;
    if (expire_ms >= 0) {
        // A minute of clock skew between the web and auth servers is tolerated.
        uint64_t age = issued > now_ms ? 0 : now_ms - issued;
        if (issued > now_ms + 60000 || age > static_cast<uint64_t>(expire_ms)) return TokenCheck::expired;
    }
    uid = id;
    return TokenCheck::ok;
}

std::string limit_key(const std::string &address) {
    unsigned char a[16];
    if (inet_pton(AF_INET6, address.c_str(), a) != 1) return address;
    char text[INET6_ADDRSTRLEN];
    static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(a, a + 12, v4_mapped))
        return inet_ntop(AF_INET, a + 12, text, sizeof text) ? std::string(text) : address;
    std::fill(a + 8, a + 16, 0);
    return inet_ntop(AF_INET6, a, text, sizeof text) ? std::string(text) + "/64" : address;
}

}  // namespace mmo
