#include "plugin_listing.hpp"

#include "library_inspector.hpp"

#include <shaddock/abi.h>

#include <algorithm>
#include <filesystem>
#include <vector>

namespace shd::host {

namespace {
std::string join_or_none(const std::vector<std::string> &items) {
    if (items.empty()) return "-";
    std::string out;
    for (const auto &i : items) out += (out.empty() ? "" : " ") + i;
    return out;
}
}  // namespace

int list_plugins(const std::string &dir, std::ostream &out) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto &e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && e.path().extension() == ".so") files.push_back(e.path());
    if (ec) {
        out << "cannot read " << dir << ": " << ec.message() << "\n";
        return 1;
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) out << "no .so files in " << dir << "\n";
    int broken = 0;
    for (const auto &path : files) {
        LibraryFacts f = inspect_library(path.string());
        out << path.filename().string() << "\n";
        if (!f.ok) {
            ++broken;
            out << "  cannot be loaded: " << path.filename().string() << " " << f.error << "\n";
            continue;
        }
        out << "  name:      " << f.name << "\n"
            << "  kind:      " << (f.kind == SHD_KIND_APP ? "app" : "plugin") << "\n"
            << "  version:   " << f.version << "\n"
            << "  abi:       " << f.abi_major << "." << f.abi_minor << " (needs host 1." << f.min_host_minor
            << " or newer)\n"
            << "  provides:  " << join_or_none(f.provides) << "\n"
            << "  requires:  " << join_or_none(f.required) << "\n";
        if (!f.unexpected_exports.empty())
            out << "  warning:   exports more than its entry symbol: " << join_or_none(f.unexpected_exports) << "\n";
    }
    return broken;
}

}  // namespace shd::host
