// The host's logger: leveled lines to the console (stderr) and to logs/<server-id>.log.
// Thread-safe; every line is written whole.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace shd::host {

enum class Level { trace = 0, debug = 1, info = 2, warn = 3, error = 4 };

const char *level_name(Level level);

// Appends `text` with every control byte escaped: \n \r \t as such, the other bytes below 0x20 and
// 0x7f as \xHH. Every message and module name goes through it, so no text a client or a module
// supplies (a route, a reason) can start a line of its own or move the terminal's cursor.
void append_escaped(std::string &out, std::string_view text);
// Parses "trace".."error"; returns false for anything else.
bool parse_level(std::string_view text, Level &out);

class Logger {
public:
    Logger() = default;
    ~Logger();
    Logger(const Logger &) = delete;
    Logger &operator=(const Logger &) = delete;

    void set_level(Level level) { level_ = level; }
    Level level() const { return level_; }
    void set_server_id(std::string id) { server_id_ = std::move(id); }
    // Opens (appends to) the per-server log file; returns false with a reason when it cannot.
    bool open_file(const std::string &path, std::string &error);

    void write(Level level, std::string_view source, std::string_view message);

    void debug(std::string_view m) { write(Level::debug, "host", m); }
    void info(std::string_view m) { write(Level::info, "host", m); }
    void warn(std::string_view m) { write(Level::warn, "host", m); }
    void error(std::string_view m) { write(Level::error, "host", m); }

private:
    std::mutex mutex_;
    Level level_ = Level::info;
    std::string server_id_;
    std::FILE *file_ = nullptr;
};

}  // namespace shd::host
