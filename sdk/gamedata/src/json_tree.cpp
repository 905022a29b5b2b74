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

// Builds the tree from the reader's events. A value's start is found from where the previous event
// ended: between two JSON tokens there is only white space and at most one ',' or ':'.
class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
public:
    Builder(std::string_view text, const rapidjson::StringStream &stream, const Limits &limits, std::size_t max_depth)
        : text_(text), stream_(stream), limits_(limits), max_depth_(max_depth) {}

    bool Null() { return scalar(JsonNode::Kind::null, {}); }
    bool Bool(bool b) { return scalar(JsonNode::Kind::boolean, b ? "true" : "false"); }
    bool RawNumber(const char *s, rapidjson::SizeType n, bool) { return scalar(JsonNode::Kind::number, {s, n}); }
    bool String(const char *s, rapidjson::SizeType n, bool) { return scalar(JsonNode::Kind::string, {s, n}); }
    bool Key(const char *s, rapidjson::SizeType n, bool) {
        if (n > limits_.max_cell_bytes) return stop("a key longer than " + std::to_string(limits_.max_cell_bytes) + " bytes (the limit)");
        stack_.back()->keys.emplace_back(s, n);
        mark();
        return true;
    }
    bool StartObject() { return open(JsonNode::Kind::object); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return open(JsonNode::Kind::array); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    JsonNode root;
    std::string stopped;       // why the builder ended the parse (a limit), or empty
    std::size_t stopped_at = 0;

private:
    std::size_t offset() const { return stream_.Tell(); }
    void mark() { last_end_ = offset(); }
    // The offset of the value that just ended at offset().
    std::size_t value_start() const {
        std::size_t i = last_end_;
        auto space = [&] {
            while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) ++i;
        };
        space();
        if (i < text_.size() && (text_[i] == ',' || text_[i] == ':')) ++i;
        space();
        return i;
    }
    bool stop(std::string why) {
        stopped = std::move(why);
        stopped_at = value_start();
        return false;
    }
    JsonNode *place(JsonNode::Kind kind) {
        if (++count_ > limits_.max_cells) {
            stop("more than " + std::to_string(limits_.max_cells) + " values in the file (the limit)");
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
        node->offset = value_start();
        return node;
    }
    bool scalar(JsonNode::Kind kind, std::string_view text) {
        if (text.size() > limits_.max_cell_bytes)
            return stop("a value longer than " + std::to_string(limits_.max_cell_bytes) + " bytes (the limit)");
        JsonNode *node = place(kind);
        if (!node) return false;
        node->text.assign(text.data(), text.size());
        mark();
        return true;
    }
    bool open(JsonNode::Kind kind) {
        if (stack_.size() >= max_depth_)
            return stop("values nested more than " + std::to_string(max_depth_) + " deep (the limit)");
        // The reader has taken the '[' or '{': the value started one byte back.
        last_end_ = offset() - 1;
        JsonNode *node = place(kind);
        if (!node) return false;
        node->offset = offset() - 1;
        stack_.push_back(node);  // ancestors' item vectors do not grow while a child is open
        mark();
        return true;
    }
    bool close() {
        stack_.pop_back();
        mark();
        return true;
    }

    std::string_view text_;
    const rapidjson::StringStream &stream_;
    const Limits &limits_;
    std::size_t max_depth_;
    std::vector<JsonNode *> stack_;
    std::size_t last_end_ = 0;
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
    Builder builder(copy, stream, limits, max_depth);
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
