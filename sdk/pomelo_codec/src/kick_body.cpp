#include <shaddock/pomelo/kick_body.hpp>

#include <shaddock/pomelo/js_json_writer.hpp>

namespace shd::pomelo {

std::string kick_body(std::string_view reason) {
    std::string out = "{\"reason\":";
    append_js_string(out, reason);
    out.push_back('}');
    return out;
}

}  // namespace shd::pomelo
