#include "admin_config.hpp"

#include "link_crypto.hpp"

#include <shaddock/pomelo/json_parse.hpp>

#include <rapidjson/document.h>

#include <cctype>
#include <stdexcept>

namespace shd::cluster {

const char *const kPomeloDefaultToken = "agarxhqb98rpajloaxn34ga8xrunpagkjwlaw3ruxnpaagl29w4rxn";

namespace {

const std::pair<const char *, const char *> kDevUsers[] = {
    {"admin", "admin"}, {"monitor", "monitor"}, {"test", "test"}};

std::string str(const rapidjson::Value &o, const char *key) {
    return o.HasMember(key) && o[key].IsString() ? std::string(o[key].GetString(), o[key].GetStringLength())
                                                 : std::string();
}

bool verifies(const AdminUser &u, const std::string &password) {
    std::string k = u.kdf == "md5" ? md5_hex(password) : pbkdf2_sha256(password, u.salt, u.iterations);
    return equal_ct(k, u.key);
}

}  // namespace

std::map<std::string, std::string> parse_admin_servers(const std::string &text) {
    rapidjson::Document d;
    if (!pomelo::parse_json(text, d) || !d.IsArray())
        throw std::runtime_error("config/adminServer.json: expected an array of {\"type\", \"token\"}");
    std::map<std::string, std::string> out;
    size_t i = 0;
    for (const auto &e : d.GetArray()) {
        if (!e.IsObject() || str(e, "type").empty() || !e.HasMember("token") || !e["token"].IsString())
            throw std::runtime_error("config/adminServer.json: [" + std::to_string(i) +
                                     "]: expected {\"type\": string, \"token\": string}");
        out[str(e, "type")] = str(e, "token");
        ++i;
    }
    return out;
}

std::vector<AdminUser> parse_admin_users(const std::string &text) {
    rapidjson::Document d;
    if (!pomelo::parse_json(text, d) || !d.IsArray())
        throw std::runtime_error("config/adminUser.json: expected an array of users");
    std::vector<AdminUser> out;
    size_t i = 0;
    for (const auto &e : d.GetArray()) {
        std::string where = "config/adminUser.json: [" + std::to_string(i++) + "]";
        if (!e.IsObject() || str(e, "username").empty()) continue;
        AdminUser u;
        u.name = str(e, "username");
        u.level = e.HasMember("level") && e["level"].IsInt() ? e["level"].GetInt() : 99;
        std::string pw = str(e, "password");
        if (pw.rfind("md5:", 0) == 0) {
            std::string raw;
            if (pw.size() != 36 || !from_hex(pw.substr(4), raw))
                throw std::runtime_error(where + ".password: \"md5:\" needs 32 hex digits");
            u.kdf = "md5";
            u.key = pw.substr(4);
            for (char &c : u.key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (pw.rfind("pbkdf2-sha256:", 0) == 0) {
            // pbkdf2-sha256:<iterations>:<salt hex>:<key hex>
            std::string rest = pw.substr(14);
            size_t a = rest.find(':'), b = a == std::string::npos ? a : rest.find(':', a + 1);
            long iters = 0;
            if (a != std::string::npos && b != std::string::npos) {
                try {
                    iters = std::stol(rest.substr(0, a));
                } catch (const std::exception &) {
                    iters = 0;
                }
            }
            if (b == std::string::npos || iters < 1000 || iters > 10000000 ||
                !from_hex(rest.substr(a + 1, b - a - 1), u.salt) || u.salt.size() < 8 ||
                !from_hex(rest.substr(b + 1), u.key) || u.key.size() != 32)
                throw std::runtime_error(
                    where +
                    ".password: expected pbkdf2-sha256:<iterations 1000..10000000>:<salt, 8+ bytes "
                    "hex>:<32 bytes hex>");
            u.kdf = "pbkdf2";
            u.iterations = static_cast<int>(iters);
        } else {
            u.kdf = "md5";
            u.key = md5_hex(pw);
        }
        out.push_back(std::move(u));
    }
    return out;
}

std::string hash_password_pbkdf2(const std::string &password, int iterations) {
    std::string salt = random_bytes(16);
    return "pbkdf2-sha256:" + std::to_string(iterations) + ":" + to_hex(salt) + ":" +
           to_hex(pbkdf2_sha256(password, salt, iterations));
}

std::vector<std::string> development_credentials(const std::optional<std::string> &admin_servers_text,
                                                 const std::optional<std::string> &admin_users_text) {
    std::vector<std::string> found;
    if (admin_servers_text) {
        rapidjson::Document d;
        if (pomelo::parse_json(*admin_servers_text, d) && d.IsArray()) {
            size_t i = 0;
            for (const auto &e : d.GetArray()) {
                if (e.IsObject() && str(e, "token") == kPomeloDefaultToken)
                    found.push_back("config/adminServer.json: [" + std::to_string(i) + "].token (type \"" +
                                    str(e, "type") + "\") is Pomelo's public default token");
                ++i;
            }
        }
    }
    if (admin_users_text) {
        std::vector<AdminUser> users;
        try {
            users = parse_admin_users(*admin_users_text);
        } catch (const std::exception &) {
            return found;  // reported when the file is read for real
        }
        rapidjson::Document d;
        pomelo::parse_json(*admin_users_text, d);
        for (size_t i = 0, j = 0; d.IsArray() && i < d.Size() && j < users.size(); ++i) {
            const auto &e = d[static_cast<rapidjson::SizeType>(i)];
            if (!e.IsObject() || str(e, "username").empty()) continue;
            const AdminUser &u = users[j++];
            for (const auto &[name, pw] : kDevUsers)
                if (u.name == name && verifies(u, pw))
                    found.push_back("config/adminUser.json: [" + std::to_string(i) + "].password (user \"" + u.name +
                                    "\") is the shipped development password");
        }
    }
    return found;
}

}  // namespace shd::cluster
