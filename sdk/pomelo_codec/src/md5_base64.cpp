#include <shaddock/pomelo/md5_base64.hpp>

#include <openssl/evp.h>

namespace shd::pomelo {

std::string md5_base64(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    // EVP_Digest cannot fail for MD5 short of memory exhaustion; an all-zero digest then is as
    // good as any other mismatch (clients just receive the full dictionary/protos).
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &digest_size, EVP_md5(), nullptr) != 1) digest_size = 16;
    unsigned char text[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(text, digest, static_cast<int>(digest_size));
    return std::string(reinterpret_cast<const char *>(text), static_cast<size_t>(n));
}

}  // namespace shd::pomelo
