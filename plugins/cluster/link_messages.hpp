// The messages of the master link's handshake (docs/cluster.md, "The master link"), read from frame
// text without I/O: the master, the servers, the CLI and the fuzz target (tests/fuzz/fuzz_master_link)
// share them. Every reader takes untrusted bytes.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace shd::cluster {

// Master-link JSON nests a few levels; anything deeper is hostile.
constexpr size_t kMaxLinkJsonDepth = 16;
constexpr size_t kMaxLinkName = 256;  // server ids, types and user names

// One frame's text: a JSON object (parsed without recursion, depth-limited) with a string "t".
bool parse_link_message(std::string_view text, rapidjson::Document &doc);
// msg["t"], or "" when parse_link_message has not accepted it.
std::string link_message_type(const rapidjson::Value &msg);

// A peer's string for a log line: control bytes, backslashes and quotes escaped as \xNN, at most
// `max` bytes (then "...").
std::string printable(std::string_view s, size_t max = 128);

// A string member, or "" when absent or not a string.
std::string link_field(const rapidjson::Value &msg, const char *key);
// A member holding exactly `n` bytes as 2n hex digits.
bool link_hex_field(const rapidjson::Value &msg, const char *key, size_t n, std::string &out);

struct Hello {
    std::string role;      // "server" or "admin"
    std::string nonce;     // the peer's, raw bytes
    std::string id, type;  // server
    std::string mac;       // server: its proof, raw bytes
    std::string user;      // admin
};
// A "hello": false when a field is missing, malformed or too long.
bool read_hello(const rapidjson::Value &msg, Hello &out);

// The "who" of the session keys and proofs: "server" 0 id 0 type, or "admin" 0 user.
std::string server_who(const std::string &id, const std::string &type);
std::string admin_who(const std::string &user);

// The master's check of a server's proof (constant time).
bool server_hello_valid(std::string_view token, std::string_view master_nonce, const Hello &hello);

}  // namespace shd::cluster
