#include "nats_envelope.hpp"

#include "frame_codec.hpp"
#include "peer_auth.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace shd::rpc::nats {

namespace {

constexpr std::string_view kLabel{"shd.rpc/1 nats\0", 15};

struct MacCtxFree {
    void operator()(EVP_MAC_CTX *c) const { EVP_MAC_CTX_free(c); }
};

EVP_MAC *hmac() {
    static EVP_MAC *mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // fetched once, kept for the process
    if (!mac) throw std::runtime_error("OpenSSL has no HMAC");
    return mac;
}

void update(EVP_MAC_CTX *ctx, std::string_view s) {
    if (!s.empty() && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(s.data()), s.size()) != 1)
        throw std::runtime_error("HMAC-SHA256 failed");
}

void update_u16_field(EVP_MAC_CTX *ctx, std::string_view s) {
    const char len[2] = {static_cast<char>((s.size() >> 8) & 0xff), static_cast<char>(s.size() & 0xff)};
    update(ctx, std::string_view(len, 2));
    update(ctx, s);
}

// A copy of the context keyed with the secret: keying HMAC (and looking up SHA-256 by name) once per
// secret rather than once per message. The keyed context is shared by every thread under a lock and
// kept for the process from a static pointer, never destroyed: a NATS thread still verifying while the
// process exits finds it, and no copy lives in a thread's storage (a NATS thread that outlives the stop
// would leave it there, unreachable as far as LeakSanitizer can see).
std::unique_ptr<EVP_MAC_CTX, MacCtxFree> keyed_copy(std::string_view secret) {
    struct Keyed {
        std::mutex mu;
        std::string secret;
        EVP_MAC_CTX *ctx = nullptr;
    };
    static Keyed *const cache = new Keyed;
    std::lock_guard<std::mutex> lock(cache->mu);
    if (!cache->ctx || cache->secret != secret) {
        std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(hmac()));
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        // An empty key is valid HMAC input; the transport never runs without a secret.
        static const unsigned char empty = 0;
        const unsigned char *key = secret.empty() ? &empty : reinterpret_cast<const unsigned char *>(secret.data());
        if (!ctx || EVP_MAC_init(ctx.get(), key, secret.size(), params) != 1)
            throw std::runtime_error("HMAC init failed");
        EVP_MAC_CTX_free(cache->ctx);
        cache->ctx = ctx.release();
        cache->secret.assign(secret);
    }
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> copy(EVP_MAC_CTX_dup(cache->ctx));
    if (!copy) throw std::runtime_error("HMAC init failed");
    return copy;
}

// Writes the 32-byte MAC to `out`.
void compute(std::string_view secret, std::string_view subject, std::string_view reply, std::string_view sender,
             std::string_view frame, unsigned char *out) {
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx = keyed_copy(secret);
    update(ctx.get(), kLabel);
    update_u16_field(ctx.get(), subject);
    update_u16_field(ctx.get(), reply);
    const char n = static_cast<char>(sender.size());
    update(ctx.get(), std::string_view(&n, 1));
    update(ctx.get(), sender);
    update(ctx.get(), frame);
    size_t len = 0;
    if (EVP_MAC_final(ctx.get(), out, &len, kMacSize) != 1 || len != kMacSize)
        throw std::runtime_error("HMAC-SHA256 failed");
}

}  // namespace

void seal(std::string &out, std::string_view secret, std::string_view subject, std::string_view reply,
          std::string_view sender, std::string_view frame) {
    out.reserve(out.size() + envelope_overhead(sender.size()) + frame.size());
    out.push_back(static_cast<char>(kEnvelopeVersion));
    out.push_back(static_cast<char>(sender.size()));
    out.append(sender);
    const size_t at = out.size();
    out.append(kMacSize, '\0');
    out.append(frame);
    unsigned char mac[kMacSize];
    compute(secret, subject, reply, sender, frame, mac);
    out.replace(at, kMacSize, reinterpret_cast<const char *>(mac), kMacSize);
}

std::string open(std::string_view payload, std::string_view secret, std::string_view subject, std::string_view reply,
                 size_t max_frame, Opened &out) {
    if (payload.size() < 2) return "shorter than an envelope";
    if (static_cast<uint8_t>(payload[0]) != kEnvelopeVersion)
        return "envelope version " + std::to_string(static_cast<uint8_t>(payload[0]));
    const size_t sender_size = static_cast<uint8_t>(payload[1]);
    if (sender_size == 0) return "no sender id";
    const size_t head = envelope_overhead(sender_size);
    if (payload.size() < head + kLengthSize + 1) return "shorter than its envelope and a frame";
    const std::string_view sender = payload.substr(2, sender_size);
    const std::string_view mac = payload.substr(2 + sender_size, kMacSize);
    const std::string_view frame = payload.substr(head);
    const auto *p = reinterpret_cast<const unsigned char *>(frame.data());
    const size_t length = (size_t(p[0]) << 24) | (size_t(p[1]) << 16) | (size_t(p[2]) << 8) | size_t(p[3]);
    if (length + kLengthSize != frame.size()) return "frame length " + std::to_string(length) + " does not fit";
    if (frame.size() > max_frame)
        return "frame of " + std::to_string(frame.size()) + " bytes, more than maxFrameSize " +
               std::to_string(max_frame);
    if (secret.empty()) return "no cluster secret to check it with yet";
    unsigned char expected[kMacSize];
    compute(secret, subject, reply, sender, frame, expected);
    if (!mac_equal(mac, std::string_view(reinterpret_cast<const char *>(expected), kMacSize)))
        return "bad MAC (not signed with the cluster secret, or not for this subject)";
    out.sender = sender;
    out.type = static_cast<uint8_t>(frame[kLengthSize]);
    out.body = frame.substr(kLengthSize + 1);
    return {};
}

}  // namespace shd::rpc::nats
