#include "link_messages.hpp"

#include "link_crypto.hpp"

#include <shaddock/pomelo/json_parse.hpp>

namespace shd::cluster {

bool parse_link_message(std::string_view text, rapidjson::Document &doc) {
    return pomelo::parse_json(text, doc, kMaxLinkJsonDepth) && doc.IsObject() && doc.HasMember("t") &&
           doc["t"].IsString();
}

std::string link_message_type(const rapidjson::Value &msg) {
    return link_field(msg, "t");
}

std::string link_field(const rapidjson::Value &msg, const char *key) {
    if (!msg.IsObject()) return {};
    auto it = msg.FindMember(key);
    return it != msg.MemberEnd() && it->value.IsString()
               ? std::string(it->value.GetString(), it->value.GetStringLength())
               : std::string();
}

bool link_hex_field(const rapidjson::Value &msg, const char *key, size_t n, std::string &out) {
    std::string h = link_field(msg, key);
    return h.size() == 2 * n && from_hex(h, out);
}

bool read_hello(const rapidjson::Value &msg, Hello &out) {
    if (link_message_type(msg) != "hello" || !link_hex_field(msg, "nonce", kLinkNonceSize, out.nonce)) return false;
    out.role = link_field(msg, "role");
    if (out.role == "server") {
        out.id = link_field(msg, "id");
        out.type = link_field(msg, "serverType");
        return !out.id.empty() && !out.type.empty() && out.id.size() <= kMaxLinkName &&
               out.type.size() <= kMaxLinkName && link_hex_field(msg, "mac", kLinkMacSize, out.mac);
    }
    if (out.role == "admin") {
        out.user = link_field(msg, "user");
        return !out.user.empty() && out.user.size() <= kMaxLinkName;
    }
    return false;
}

std::string server_who(const std::string &id, const std::string &type) {
    std::string who = "server";
    who.push_back('\0');
    who += id;
    who.push_back('\0');
    who += type;
    return who;
}

std::string admin_who(const std::string &user) {
    std::string who = "admin";
    who.push_back('\0');
    who += user;
    return who;
}

bool server_hello_valid(std::string_view token, std::string_view master_nonce, const Hello &hello) {
    return equal_ct(link_mac(token, "shd.cluster/2 server-hello", {master_nonce, hello.nonce, hello.id, hello.type}),
                    hello.mac);
}

std::string printable(std::string_view s, size_t max) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < s.size() && i < max; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '"') {
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    if (s.size() > max) out += "...";
    return out;
}

}  // namespace shd::cluster
