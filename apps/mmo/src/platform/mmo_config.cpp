#include "platform/mmo_config.hpp"

#include <shaddock/cpp/host.hpp>
#include <shaddock/cpp/json.hpp>

#include <cstdlib>
#include <stdexcept>

namespace mmo {
namespace {

constexpr const char *kFile = "config/mmo.json";
constexpr const char *kDevelopmentSecret = "mmo-development-token-secret-not-for-production";

[[noreturn]] void bad(const std::string &key, const std::string &expected) {
    throw std::runtime_error(std::string(kFile) + ": " + key + ": expected " + expected);
}

const rapidjson::Value *section(const rapidjson::Value &root, const char *name) {
    auto it = root.FindMember(name);
    if (it == root.MemberEnd()) return nullptr;
    if (!it->value.IsObject()) bad(name, "an object");
    return &it->value;
}

int64_t integer(const rapidjson::Value *obj, const std::string &path, const char *key, int64_t fallback, int64_t min,
                int64_t max) {
    if (!obj) return fallback;
    auto it = obj->FindMember(key);
    if (it == obj->MemberEnd()) return fallback;
    if (!it->value.IsInt64() || it->value.GetInt64() < min || it->value.GetInt64() > max)
        bad(path + "." + key, "an integer in " + std::to_string(min) + ".." + std::to_string(max));
    return it->value.GetInt64();
}

}  // namespace

MmoConfig load_mmo_config(const shd::Host &host) {
    auto text = host.read_config("mmo.json");
    if (!text) throw std::runtime_error(std::string(kFile) + " is missing (the token secret is there)");
    return parse_mmo_config(*text, host.server().env, [](const char *n) -> const char * { return std::getenv(n); });
}

MmoConfig parse_mmo_config(const std::string &text, const std::string &env, const char *(*getenv)(const char *)) {
    MmoConfig c;
    rapidjson::Document doc = shd::parse_json_or_empty(text);
    if (!doc.IsObject()) bad("(top level)", "an object");
    // Either the file's top level is already this environment's object, or it holds one per environment.
    const rapidjson::Value *root = &doc;
    if (auto it = doc.FindMember(env.c_str()); it != doc.MemberEnd()) {
        if (!it->value.IsObject()) bad(env, "an object");
        root = &it->value;
    }
    const rapidjson::Value *token = section(*root, "token");
    const rapidjson::Value *login = section(*root, "login");
    std::string env_var = token ? shd::json_string(*token, "secretEnv") : std::string();
    if (!env_var.empty()) {
        const char *v = getenv(env_var.c_str());
        c.token_secret = v ? v : "";
        if (c.token_secret.empty()) bad("token.secretEnv", "the environment variable " + env_var + " to be set");
    } else if (token) {
        c.token_secret = shd::json_string(*token, "secret");
    }
    if (c.token_secret.empty()) bad("token.secret", "a secret (or token.secretEnv)");
    if (env == "production" && (c.token_secret == kDevelopmentSecret || c.token_secret.size() < 32))
        bad("token.secret", "in production, a secret of 32 bytes or more other than the shipped development one");
    c.token_expire_ms = integer(token, "token", "expireMs", c.token_expire_ms, -1, INT64_C(1) << 50);
    c.password_iterations =
        static_cast<int>(integer(login, "login", "passwordIterations", c.password_iterations, 1000, 10000000));
    c.max_body_bytes = static_cast<size_t>(integer(login, "login", "maxBodyBytes", 1024, 64, 65536));
    c.attempts_per_minute = static_cast<int>(integer(login, "login", "attemptsPerMinute", 30, 1, 100000));
    c.failures_per_name = static_cast<int>(integer(login, "login", "failuresPerName", 10, 1, 100000));
    c.max_pending_hashes = static_cast<int>(integer(login, "login", "maxPendingHashes", 32, 1, 100000));
    return c;
}

}  // namespace mmo
