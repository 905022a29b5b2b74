#include "json_tree.hpp"

#include <shaddock/gamedata/csv.hpp>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace shd::gamedata::detail {

const char *kind_name(JsonNode::Kind kind) {
    switch (kind) {
        case JsonNode::Kind::null: return "null";
        case JsonNode::Kind::boolean: return "a boolean";
        case JsonNode::Kind::number: return "a number";
        case JsonNode::Kind::string: return "a string";
        case JsonNode::Kind::array: return "an array";
        case JsonNode::Kind::object: return "an object";
    }
    return "?";
}

namespace {

// Builds the tree from the reader's events.
class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
public:
    Builder(const rapidjson::StringStream &stream, const Limits &limits, std::size_t max_depth)
        : stream_(stream), limits_(limits), max_depth_(max_depth) {}

    // Where a value starts, from the stream position at the event. RapidJSON's reader (iterative, on a
    // StringStream) reads strings, keys and numbers on a local copy of the stream, so at those events
    // Tell() is still the token's first byte; true, false and null are taken before the event; a
    // bracket is taken after StartArray/StartObject and before EndArray/EndObject. The unit tests pin
    // the positions this gives.
    bool Null() { return scalar(JsonNode::Kind::null, {}, offset() - 4); }
    bool Bool(bool b) { return scalar(JsonNode::Kind::boolean, b ? "true" : "false", offset() - (b ? 4 : 5)); }
    bool RawNumber(const char *s, rapidjson::SizeType n, bool) {
        return scalar(JsonNode::Kind::number, {s, n}, offset());
    }
    bool String(const char *s, rapidjson::SizeType n, bool) { return scalar(JsonNode::Kind::string, {s, n}, offset()); }
    bool Key(const char *s, rapidjson::SizeType n, bool) {
        if (n > limits_.max_cell_bytes)
            return stop("a key longer than " + std::to_string(limits_.max_cell_bytes) + " bytes (the limit)", offset());
        stack_.back()->keys.emplace_back(s, n);
        return true;
    }
    bool StartObject() { return open(JsonNode::Kind::object); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return open(JsonNode::Kind::array); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    JsonNode root;
    std::string stopped;  // why the builder ended the parse (a limit), or empty
    std::size_t stopped_at = 0;

private:
    std::size_t offset() const { return stream_.Tell(); }
    bool stop(std::string why, std::size_t at) {
        stopped = std::move(why);
        stopped_at = at;
        return false;
    }
    JsonNode *place(JsonNode::Kind kind, std::size_t at) {
        if (++count_ > limits_.max_cells) {
            stop("more than " + std::to_string(limits_.max_cells) + " values in the file (the limit)", at);
            return nullptr;
        }
        JsonNode *node;
        if (stack_.empty()) {
            node = &root;
        } else {
            stack_.back()->items.emplace_back();
            node = &stack_.back()->items.back();
        }
        node->kind = kind;
        node->offset = at;
        return node;
    }
    bool scalar(JsonNode::Kind kind, std::string_view text, std::size_t at) {
        if (text.size() > limits_.max_cell_bytes)
            return stop("a value longer than " + std::to_string(limits_.max_cell_bytes) + " bytes (the limit)", at);
        JsonNode *node = place(kind, at);
        if (!node) return false;
        node->text.assign(text.data(), text.size());
        return true;
    }
    bool open(JsonNode::Kind kind) {
        const std::size_t at = offset();
        if (stack_.size() >= max_depth_)
            return stop("values nested more than " + std::to_string(max_depth_) + " deep (the limit)", at);
        JsonNode *node = place(kind, at);
        if (!node) return false;
        stack_.push_back(node);  // ancestors' item vectors do not grow while a child is open
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }

    const rapidjson::StringStream &stream_;
    const Limits &limits_;
    std::size_t max_depth_;
    std::vector<JsonNode *> stack_;
    std::size_t count_ = 0;
};

}  // namespace

JsonNode parse_json_tree(std::string_view text, const std::string &file, const Limits &limits, std::size_t max_depth) {
    // RapidJSON reads up to a NUL: copy the text so it ends with one, and so a NUL inside the text
    // is seen as the end (then reported as the error it is).
    // A byte order mark becomes three spaces, so offsets stay those of `text`.
    std::string copy(text);
    if (copy.compare(0, 3, "\xEF\xBB\xBF") == 0) copy.replace(0, 3, "   ");
    rapidjson::StringStream stream(copy.c_str());
    Builder builder(stream, limits, max_depth);
    rapidjson::Reader reader;
    constexpr unsigned flags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag |
                               rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag;
    const rapidjson::ParseResult result = reader.Parse<flags>(stream, builder);
    std::size_t at = result.Offset();
    std::string why;
    if (!builder.stopped.empty()) {
        why = builder.stopped;
        at = builder.stopped_at;
    } else if (result.IsError()) {
        why = std::string("invalid JSON: ") + rapidjson::GetParseError_En(result.Code());
    } else {
        // kParseStopWhenDoneFlag: anything after the value but white space is an error.
        at = stream.Tell();
        while (at < copy.size() && (copy[at] == ' ' || copy[at] == '\t' || copy[at] == '\n' || copy[at] == '\r')) ++at;
        if (at == copy.size()) return std::move(builder.root);
        why = "invalid JSON: text after the end of the value";
    }
    const TextPosition p = position_of(text, at);
    throw DataError(file, p.line, p.column, why);
}

}  // namespace shd::gamedata::detail
