// Passwords, login tokens, and the key of a client address for the login limits.
//
// Passwords are stored as the admin passwords are (plugins/cluster/admin_config.hpp):
// "pbkdf2-sha256:<iterations>:<salt hex>:<key hex>", PBKDF2-HMAC-SHA256 with a fresh 16-byte salt.
// lordofpomelo stored them in plain text.
//
// A token is lordofpomelo's "<uid>|<ms timestamp>" made unforgeable: "<uid>|<ms>|<mac hex>" with
// mac = HMAC-SHA256(secret, "mmo.token/1" | uid | ms). lordofpomelo encrypted the pair with AES-256-CBC
// and an MD5-derived key, which neither authenticates it nor resists a public default secret.
#pragma once
#include <cstdint>
#include <string>

namespace mmo {

// Slow (PBKDF2): call off the logic and I/O threads.
std::string hash_password(const std::string &password, int iterations);
// Constant-time; false for a malformed stored hash.
bool verify_password(const std::string &password, const std::string &stored);

std::string make_token(const std::string &secret, uint64_t uid, uint64_t now_ms);

enum class TokenCheck { ok, invalid, expired };
// expire_ms < 0: never expires. uid is set when the token authenticates.
TokenCheck check_token(const std::string &secret, const std::string &token, uint64_t now_ms, int64_t expire_ms,
                       uint64_t &uid);

// The key the login limits count a client address under: an IPv4 address as it is (also written as
// an IPv4-mapped IPv6 one), an IPv6 address as its /64 ("2001:db8:1:2::/64": one network, which its
// owner can fill with as many addresses as it likes), anything else as it is.
std::string limit_key(const std::string &address);

}  // namespace mmo
