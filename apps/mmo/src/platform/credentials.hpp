// Passwords and login tokens.
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

}  // namespace mmo
