#include "config_files.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace shd::host {

bool read_file(const std::string &path, std::string &out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream buf;
    buf << in.rdbuf();
    out = buf.str();
    return true;
}

static bool file_exists(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

rapidjson::Document parse_json(const std::string &text, const std::string &shown_name) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag>(text.c_str(), text.size());
    if (doc.HasParseError()) {
        size_t offset = doc.GetErrorOffset();
        size_t line = 1, col = 1;
        for (size_t i = 0; i < offset && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw ConfigError(shown_name + ": invalid JSON at line " + std::to_string(line) + ", column " +
                          std::to_string(col) + ": " + rapidjson::GetParseError_En(doc.GetParseError()));
    }
    return doc;
}

std::optional<ConfigFile> load_config(const std::string &app_dir, const std::string &env, const std::string &name) {
    std::string flat = app_dir + "/config/" + name;
    std::string per_env = app_dir + "/config/" + env + "/" + name;
    ConfigFile out;
    std::string text;
    if (file_exists(flat)) {
        out.shown_name = "config/" + name;
        if (!read_file(flat, text)) throw ConfigError(out.shown_name + ": cannot be read");
        out.json = parse_json(text, out.shown_name);
        if (out.json.IsObject() && out.json.HasMember(env.c_str())) {
            rapidjson::Document sub;
            sub.CopyFrom(out.json[env.c_str()], sub.GetAllocator());
            out.json.Swap(sub);
            out.shown_name += " (" + env + ")";
        }
        return out;
    }
    if (file_exists(per_env)) {
        out.shown_name = "config/" + env + "/" + name;
        if (!read_file(per_env, text)) throw ConfigError(out.shown_name + ": cannot be read");
        out.json = parse_json(text, out.shown_name);
        return out;
    }
    return std::nullopt;
}

std::string to_json(const rapidjson::Value &value) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
    value.Accept(writer);
    return std::string(buf.GetString(), buf.GetSize());
}

const char *json_type_name(const rapidjson::Value &v) {
    if (v.IsNull()) return "null";
    if (v.IsBool()) return "a boolean";
    if (v.IsNumber()) return "a number";
    if (v.IsString()) return "a string";
    if (v.IsArray()) return "an array";
    return "an object";
}

std::string describe(const rapidjson::Value &v) {
    if (v.IsObject()) return "an object";
    if (v.IsArray()) return "an array";
    std::string s = to_json(v);
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

}  // namespace shd::host
