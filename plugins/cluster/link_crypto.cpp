#include "link_crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace shd::cluster {

namespace {

const unsigned char *bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char *>(s.data());
}

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};

}  // namespace

std::string random_bytes(size_t n) {
    std::string out(n, '\0');
    if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed: the system has no usable randomness");
    return out;
}

std::string to_hex(std::string_view in) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(in.size() * 2);
    for (unsigned char c : in) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

bool from_hex(std::string_view hex, std::string &out) {
    if (hex.size() % 2) return false;
    auto val = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    out.clear();
    out.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        int hi = val(hex[i]), lo = val(hex[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return true;
}

std::string link_mac(std::string_view key, std::string_view label, std::initializer_list<std::string_view> fields) {
    std::string msg(label);
    msg.push_back('\0');
    for (auto f : fields) {
        if (f.size() > 0xffff) throw std::runtime_error("link_mac: field too long");
        msg.push_back(static_cast<char>(f.size() >> 8));
        msg.push_back(static_cast<char>(f.size() & 0xff));
        msg.append(f);
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    static const unsigned char empty = 0;  // HMAC wants a non-null key even when it is empty
    if (!HMAC(EVP_sha256(), key.empty() ? &empty : bytes(key), static_cast<int>(key.size()), bytes(msg), msg.size(),
              out, &len) ||
        len != kLinkMacSize)
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char *>(out), len);
}

bool equal_ct(std::string_view a, std::string_view b) {
    return a.size() == b.size() && (a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

LinkKeys derive_link_keys(std::string_view ikm, std::string_view master_nonce, std::string_view peer_nonce,
                          std::string_view who) {
    std::string salt = std::string(master_nonce) + std::string(peer_nonce);
    std::string info = "shd.cluster/2 keys";
    info.push_back('\0');
    info.append(who);
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
    unsigned char out[2 * kLinkKeySize];
    size_t len = sizeof out;
    static const unsigned char empty = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) <= 0 ||
        EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), bytes(salt), static_cast<int>(salt.size())) <= 0 ||
        EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), ikm.empty() ? &empty : bytes(ikm), static_cast<int>(ikm.size())) <= 0 ||
        EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), bytes(info), static_cast<int>(info.size())) <= 0 ||
        EVP_PKEY_derive(ctx.get(), out, &len) <= 0 || len != sizeof out)
        throw std::runtime_error("HKDF-SHA256 failed");
    LinkKeys keys;
    keys.master_to_peer.assign(reinterpret_cast<const char *>(out), kLinkKeySize);
    keys.peer_to_master.assign(reinterpret_cast<const char *>(out) + kLinkKeySize, kLinkKeySize);
    OPENSSL_cleanse(out, sizeof out);
    return keys;
}

void FrameSealer::iv(unsigned char out[12]) const {
    for (int i = 0; i < 4; ++i) out[i] = 0;
    for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<unsigned char>(seq_ >> (56 - 8 * i));
}

std::string FrameSealer::seal(std::string_view plain) {
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    unsigned char nonce[12];
    iv(nonce);
    std::string out(plain.size() + kLinkTagSize, '\0');
    auto *o = reinterpret_cast<unsigned char *>(out.data());
    int n = 0, fin = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), nonce) != 1 ||
        EVP_EncryptUpdate(ctx.get(), o, &n, bytes(plain), static_cast<int>(plain.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), o + n, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kLinkTagSize, o + plain.size()) != 1)
        throw std::runtime_error("AES-256-GCM encryption failed");
    ++seq_;
    return out;
}

bool FrameSealer::open(std::string_view sealed, std::string &plain) {
    if (sealed.size() < kLinkTagSize) return false;
    size_t n_plain = sealed.size() - kLinkTagSize;
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    unsigned char nonce[12];
    iv(nonce);
    plain.assign(n_plain, '\0');
    auto *o = reinterpret_cast<unsigned char *>(plain.data());
    unsigned char tag[kLinkTagSize];
    std::copy(sealed.end() - kLinkTagSize, sealed.end(), tag);
    int n = 0, fin = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), nonce) != 1 ||
        EVP_DecryptUpdate(ctx.get(), o, &n, bytes(sealed), static_cast<int>(n_plain)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kLinkTagSize, tag) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), o + n, &fin) != 1) {
        plain.clear();
        return false;
    }
    ++seq_;
    return true;
}

std::string md5_hex(std::string_view s) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(s.data(), s.size(), out, &len, EVP_md5(), nullptr) != 1) throw std::runtime_error("MD5 failed");
    return to_hex(std::string_view(reinterpret_cast<const char *>(out), len));
}

std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations) {
    unsigned char out[32];
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes(salt),
                          static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof out, out) != 1)
        throw std::runtime_error("PBKDF2-HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char *>(out), sizeof out);
}

}  // namespace shd::cluster
