#include "peer_auth.hpp"

#include "frame_codec.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace shd::rpc {

namespace {

void put_field(std::string &out, std::string_view s) {
    out.push_back(static_cast<char>((s.size() >> 8) & 0xff));
    out.push_back(static_cast<char>(s.size() & 0xff));
    out.append(s.data(), s.size());
}

std::string mac(std::string_view label, std::string_view secret, std::string_view server_nonce,
                std::string_view client_nonce, std::string_view client_id, std::string_view server_id) {
    std::string msg;
    msg.reserve(label.size() + 1 + server_nonce.size() + client_nonce.size() + 4 + client_id.size() + server_id.size());
    msg.append(label.data(), label.size());
    msg.push_back('\0');
    put_field(msg, server_nonce);
    put_field(msg, client_nonce);
    put_field(msg, client_id);
    put_field(msg, server_id);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<const unsigned char *>(msg.data()), msg.size(), out, &len) ||
        len != kMacSize)
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char *>(out), len);
}

}  // namespace

std::string make_nonce() {
    std::string nonce(kNonceSize, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(nonce.data()), static_cast<int>(nonce.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return nonce;
}

std::string hello_mac(std::string_view secret, std::string_view server_nonce, std::string_view client_nonce,
                      std::string_view client_id, std::string_view server_id) {
    return mac("shd.rpc/1 hello", secret, server_nonce, client_nonce, client_id, server_id);
}

std::string welcome_mac(std::string_view secret, std::string_view server_nonce, std::string_view client_nonce,
                        std::string_view client_id, std::string_view server_id) {
    return mac("shd.rpc/1 welcome", secret, server_nonce, client_nonce, client_id, server_id);
}

bool mac_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace shd::rpc
