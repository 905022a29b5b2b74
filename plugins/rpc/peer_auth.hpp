// Mutual authentication of RPC peers with the cluster secret (docs/rpc.md, "Security").
//
// The server sends a fresh nonce; the client answers with its own nonce and
// HMAC-SHA256(secret, "shd.rpc/1 hello" | server nonce | client nonce | client id | server id);
// the server checks it and answers HMAC-SHA256(secret, "shd.rpc/1 welcome" | the same fields), which
// the client checks. Neither side ever sends the secret; a replayed hello fails against a new nonce.
#pragma once

#include <string>
#include <string_view>

namespace shd::rpc {

// kNonceSize random bytes from the OpenSSL CSPRNG.
std::string make_nonce();

std::string hello_mac(std::string_view secret, std::string_view server_nonce, std::string_view client_nonce,
                      std::string_view client_id, std::string_view server_id);
std::string welcome_mac(std::string_view secret, std::string_view server_nonce, std::string_view client_nonce,
                        std::string_view client_id, std::string_view server_id);

// Constant-time comparison of two MACs.
bool mac_equal(std::string_view a, std::string_view b);

}  // namespace shd::rpc
