// base64(md5(bytes)): the version strings Pomelo sends in the handshake (dictVersion, protos
// version) are crypto.createHash('md5').update(str).digest('base64') over a UTF-8 string.
#pragma once

#include <string>
#include <string_view>

namespace shd::pomelo {

// Standard base64 with '=' padding, 24 characters.
std::string md5_base64(std::string_view bytes);

}  // namespace shd::pomelo
