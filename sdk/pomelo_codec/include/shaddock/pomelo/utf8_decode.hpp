// UTF-8 decoding the way Node turns bytes into a JS string (Buffer#toString, TextDecoder): each
// maximal invalid subpart becomes one U+FFFD. Used wherever we must agree with a JS string built
// from bytes: route sorting (UTF-16 order), crc32 over UTF-16 code units, JSON.stringify output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shd::pomelo {

constexpr char32_t kReplacementCharacter = 0xFFFD;

// Decodes the code point starting at in[pos] and advances pos past the bytes it used (at least
// one). Precondition: pos < in.size().
char32_t decode_utf8(std::string_view in, size_t &pos);

// True if `in` is well-formed UTF-8 (so decoding it changes nothing).
bool is_valid_utf8(std::string_view in);

// Appends the UTF-8 form of `cp` (a scalar value, not a surrogate).
void append_utf8(std::string &out, char32_t cp);

// The UTF-16 code units of the JS string Node would build from these bytes.
std::u16string utf8_to_utf16(std::string_view in);

// Orders two byte strings the way JS Array.prototype.sort orders the strings decoded from them:
// by UTF-16 code units. Returns <0, 0 or >0.
int compare_as_utf16(std::string_view a, std::string_view b);

}  // namespace shd::pomelo
