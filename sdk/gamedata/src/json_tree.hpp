// A small JSON tree with the byte offset of every value, for error messages that name the line and
// column of a bad cell. Parsed with RapidJSON's iterative (non-recursive) reader; the depth and the
// number of values are bounded, so no input can exhaust the stack or the memory.
#pragma once

#include <shaddock/gamedata/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace shd::gamedata::detail {

struct JsonNode {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    std::string text;               // a string's contents, a number as written, "true" / "false"
    std::vector<JsonNode> items;    // array items, object values
    std::vector<std::string> keys;  // object keys, one per item
    std::size_t offset = 0;         // of the value's first byte in the text
};

const char *kind_name(JsonNode::Kind kind);

// Parses `text`; throws DataError naming `file`, line and column. At most `max_depth` nested
// containers.
JsonNode parse_json_tree(std::string_view text, const std::string &file, const Limits &limits,
                         std::size_t max_depth = 16);

}  // namespace shd::gamedata::detail
