// The app's own settings, config/mmo.json (one object per environment, as Pomelo's files):
//   token.secret | token.secretEnv  the key of the login tokens (HMAC-SHA256); in production it must
//                                   come from the environment and be at least 32 bytes, and the
//                                   shipped development secret refuses to start
//   token.expireMs                  a token's lifetime (-1: never; lordofpomelo's default 6 h)
//   login.passwordIterations        PBKDF2-HMAC-SHA256 iterations of a new password hash
//   login.maxBodyBytes              largest POST body of /register and /login
//   login.attemptsPerMinute         register/login attempts per client address and minute
//   login.failuresPerName           wrong passwords per account name and minute before that name's
//                                   logins answer 429 for the rest of the minute
//   login.maxPendingHashes          register/login requests waiting for the database thread (each a
//                                   password hash) before more are answered 503 at once
#pragma once
#include <cstdint>
#include <string>

namespace shd {
class Host;
}

namespace mmo {

struct MmoConfig {
    std::string token_secret;
    int64_t token_expire_ms = 6 * 3600 * 1000;
    int password_iterations = 100000;
    size_t max_body_bytes = 1024;
    int attempts_per_minute = 30;
    int failures_per_name = 10;
    int max_pending_hashes = 32;
};

// Reads config/mmo.json for the server's environment. Throws std::runtime_error naming the file and
// key on a wrong value.
MmoConfig load_mmo_config(const shd::Host &host);

// The same from the file's text, for environment `env`; `getenv` reads token.secretEnv's variable.
MmoConfig parse_mmo_config(const std::string &text, const std::string &env, const char *(*getenv)(const char *));

}  // namespace mmo
