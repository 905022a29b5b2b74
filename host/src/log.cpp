#include "log.hpp"

#include <chrono>
#include <ctime>

namespace shd::host {

const char *level_name(Level level) {
    switch (level) {
    case Level::trace: return "TRACE";
    case Level::debug: return "DEBUG";
    case Level::info: return "INFO";
    case Level::warn: return "WARN";
    case Level::error: return "ERROR";
    }
    return "?";
}

bool parse_level(std::string_view text, Level &out) {
    static const std::pair<const char *, Level> names[] = {{"trace", Level::trace}, {"debug", Level::debug},
                                                           {"info", Level::info},   {"warn", Level::warn},
                                                           {"error", Level::error}};
    for (const auto &[name, level] : names) {
        if (text == name) {
            out = level;
            return true;
        }
    }
    return false;
}

void append_escaped(std::string &out, std::string_view text) {
    static const char hex[] = "0123456789abcdef";
    size_t clean = 0;  // start of the run not yet copied
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != 0x7f) continue;
        out.append(text.data() + clean, i - clean);
        clean = i + 1;
        switch (c) {
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            default:
                out.append("\\x");
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xf]);
        }
    }
    out.append(text.data() + clean, text.size() - clean);
}

Logger::~Logger() {
    if (file_) std::fclose(file_);
}

bool Logger::open_file(const std::string &path, std::string &error) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::FILE *f = std::fopen(path.c_str(), "a");
    if (!f) {
        error = "cannot open log file " + path;
        return false;
    }
    if (file_) std::fclose(file_);
    file_ = f;
    return true;
}

void Logger::write(Level level, std::string_view source, std::string_view message) {
    if (level < level_) return;
    using namespace std::chrono;
    auto now = system_clock::now();
    std::time_t secs = system_clock::to_time_t(now);
    int millis = static_cast<int>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);

    std::string line;
    line.reserve(64 + message.size());
    line.append("[").append(stamp).append(".");
    char ms[8];
    std::snprintf(ms, sizeof ms, "%03d", millis);
    line.append(ms).append("] [").append(level_name(level)).append("] ");
    if (!server_id_.empty()) line.append(server_id_).append(" ");
    append_escaped(line, source);
    line.append(": ");
    append_escaped(line, message);
    line.append("\n");

    std::lock_guard<std::mutex> lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), stderr);
    if (file_) {
        std::fwrite(line.data(), 1, line.size(), file_);
        std::fflush(file_);
    }
}

}  // namespace shd::host
