#include "json_parse.hpp"

#include <rapidjson/document.h>

namespace shd::pomelo {

bool json_depth_within(std::string_view text, size_t max_depth) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
            case '"': in_string = true; break;
            case '[':
            case '{':
                if (++depth > max_depth) return false;
                break;
            case ']':
            case '}':
                if (depth > 0) --depth;
                break;
            default: break;
        }
    }
    return true;
}

bool parse_json(std::string_view text, rapidjson::Document &doc, size_t max_depth) {
    if (!json_depth_within(text, max_depth)) return false;
    constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;
    doc.Parse<kFlags>(text.data(), text.size());
    return !doc.HasParseError();
}

}  // namespace shd::pomelo
