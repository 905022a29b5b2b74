// lordofpomelo's result codes (shared/code.js), the ones the platform answers.
#pragma once
#include <string>

namespace mmo {
namespace code {
constexpr int ok = 200;
constexpr int fail = 500;
constexpr int duplicate = 501;  // HTTP register: the name is taken; login: wrong password
constexpr int entry_token_invalid = 1001;
constexpr int entry_token_expired = 1002;
constexpr int entry_no_user = 1003;
constexpr int gate_no_server = 2001;
constexpr int chat_user_offline = 3004;
}  // namespace code

inline std::string code_body(int c) {
    return "{\"code\":" + std::to_string(c) + "}";
}

}  // namespace mmo
