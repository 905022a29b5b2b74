// JSON text byte-identical to JS JSON.stringify (Node 20), for the values Pomelo sends: handshake
// replies, kick bodies, the route dictionary, the parsed protobuf schemas. RapidJSON's own Writer
// differs (1.0 vs 1, uppercase \u escapes, no key reordering), hence this writer.
#pragma once

#include <rapidjson/fwd.h>

#include <string>
#include <string_view>

namespace shd::pomelo {

// JSON.stringify(string) for the JS string Node would decode from these UTF-8 bytes: quotes,
// escapes \" \\ \b \f \n \r \t and \u00xx (lowercase) for other controls; invalid UTF-8 becomes
// U+FFFD; everything else is copied.
void append_js_string(std::string &out, std::string_view utf8);

// JSON.stringify(number): shortest round-trip digits laid out as Number#toString does; NaN and
// infinities become null, -0 becomes 0.
void append_js_number(std::string &out, double value);

// JSON.stringify(value) with JS key order (see js_object_order.hpp); 64-bit integers beyond 2^53
// are written as the double JS would hold. Returns false (and leaves `out` partly written) if
// arrays/objects nest deeper than max_depth.
bool append_js_json(std::string &out, const rapidjson::Value &value, unsigned max_depth = 128);

}  // namespace shd::pomelo
