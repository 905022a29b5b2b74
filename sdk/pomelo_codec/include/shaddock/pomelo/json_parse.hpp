// Parsing untrusted JSON text (handshake bodies, JSON message bodies) without recursion: nesting is
// checked on the raw text first and RapidJSON runs in iterative mode, so hostile input cannot
// exhaust the stack. Numbers are converted by the C library, correctly rounded as JSON.parse does
// (RapidJSON's own conversion is not used: hostile literals send it outside its tables).
#pragma once

#include <rapidjson/fwd.h>

#include <cstddef>
#include <string_view>

namespace shd::pomelo {

constexpr size_t kDefaultMaxJsonDepth = 64;

// True if no array/object in `text` nests deeper than max_depth (strings are skipped; the text
// need not be valid JSON).
bool json_depth_within(std::string_view text, size_t max_depth);

// Parses `text` into `doc`. False if it is not one JSON value (optionally surrounded by whitespace)
// or nests deeper than max_depth; `doc` is then unspecified. A number below the range of double
// (under 1e-324) is read as 0 like JSON.parse does; one above it (1e309 and more) makes the text
// invalid.
bool parse_json(std::string_view text, rapidjson::Document &doc, size_t max_depth = kDefaultMaxJsonDepth);

// True exactly when parse_json would accept `text`, without building a document: one pass of the
// reader with a handler that keeps nothing (numbers are checked for the same range). For the
// protocol layer, which only decides whether a client body goes on as it came or becomes {}; the
// code that owns the body parses it once.
bool json_valid(std::string_view text, size_t max_depth = kDefaultMaxJsonDepth);

}  // namespace shd::pomelo
