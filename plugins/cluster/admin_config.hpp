// config/adminServer.json (per-type tokens) and config/adminUser.json (admin users), as the master
// link uses them (docs/security.md, "Master port" and "Admin users"), and the production check of
// both against the shipped development credentials.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shd::cluster {

// Pomelo's public default token (its sample adminServer.json); refused in production.
extern const char *const kPomeloDefaultToken;

struct AdminUser {
    std::string name;
    int level = 99;
    std::string kdf;   // "md5" or "pbkdf2"
    std::string salt;  // pbkdf2: raw bytes
    int iterations = 0;
    std::string key;  // the login key K (link_crypto.hpp): md5 hex, or the PBKDF2 output
};

// Parses adminServer.json text: type -> token. Throws std::runtime_error naming the file and key.
std::map<std::string, std::string> parse_admin_servers(const std::string &text);

// Parses adminUser.json text. A password is one of
//   "md5:<32 hex digits>"                         the MD5 of the password (Pomelo's md5 form)
//   "pbkdf2-sha256:<iterations>:<salt hex>:<hex>" PBKDF2-HMAC-SHA256, 32 bytes (`shaddock hash-password`)
//   anything else                                 the password itself (Pomelo's plain form)
// Throws std::runtime_error naming the file and key.
std::vector<AdminUser> parse_admin_users(const std::string &text);

// The PBKDF2 form of a password with a fresh salt.
std::string hash_password_pbkdf2(const std::string &password, int iterations);

// The shipped development credentials still present: one "config/<file>: [i].<key>: ..." line each.
std::vector<std::string> development_credentials(const std::optional<std::string> &admin_servers_text,
                                                 const std::optional<std::string> &admin_users_text);

}  // namespace shd::cluster
