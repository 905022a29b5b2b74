// Cryptography of the master link (docs/cluster.md, "The master link"): nonces, the HMAC-SHA256
// proofs of the handshake, HKDF-SHA256 session keys, AES-256-GCM sealed frames and the admin
// password verifiers (Pomelo's md5 form and PBKDF2-SHA256). OpenSSL's libcrypto; no I/O, so the
// master, the servers, the `shaddock` CLI and the fuzz target share it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace shd::cluster {

constexpr size_t kLinkNonceSize = 32;  // bytes (sent as 64 hex digits)
constexpr size_t kLinkMacSize = 32;    // HMAC-SHA256
constexpr size_t kLinkKeySize = 32;    // AES-256
constexpr size_t kLinkTagSize = 16;    // GCM tag appended to every sealed frame

// n bytes from OpenSSL's CSPRNG; throws std::runtime_error if RAND_bytes fails.
std::string random_bytes(size_t n);

std::string to_hex(std::string_view bytes);
// False unless `hex` is an even number of hex digits (either case).
bool from_hex(std::string_view hex, std::string &out);

// HMAC-SHA256(key, label | 0 | each field as 2-byte big-endian length + bytes): the proofs of the
// handshake. Fields longer than 65535 bytes make it throw.
std::string link_mac(std::string_view key, std::string_view label, std::initializer_list<std::string_view> fields);

// Constant-time comparison (CRYPTO_memcmp); different lengths compare unequal.
bool equal_ct(std::string_view a, std::string_view b);

// HKDF-SHA256(ikm, salt = master nonce | peer nonce, info = "shd.cluster/2 keys" | 0 | who): 64 bytes,
// the master-to-peer key then the peer-to-master key.
struct LinkKeys {
    std::string master_to_peer, peer_to_master;
};
LinkKeys derive_link_keys(std::string_view ikm, std::string_view master_nonce, std::string_view peer_nonce,
                          std::string_view who);

// One direction of a sealed link: AES-256-GCM, the 96-bit IV is the frame's sequence number
// (big-endian, counted from 0 in each direction, never sent). A frame out of order, replayed,
// dropped or altered fails to open.
class FrameSealer {
public:
    FrameSealer() = default;
    explicit FrameSealer(std::string key) : key_(std::move(key)) {}
    bool active() const { return !key_.empty(); }
    // ciphertext | tag
    std::string seal(std::string_view plain);
    // False when the frame does not authenticate (the link must close).
    bool open(std::string_view sealed, std::string &plain);

private:
    void iv(unsigned char out[12]) const;
    std::string key_;
    uint64_t seq_ = 0;
};

// Admin password verifiers. The master keeps, per user, a key K derived from the stored password;
// the CLI derives the same K from the typed password and the parameters the master sends.
//   "md5":    K = lowercase hex MD5 of the password (Pomelo's md5 form; a plain password is turned into
//             it when adminUser.json is read)
//   "pbkdf2": K = PBKDF2-HMAC-SHA256(password, salt, iterations, 32 bytes)
std::string md5_hex(std::string_view s);
std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations);

}  // namespace shd::cluster
