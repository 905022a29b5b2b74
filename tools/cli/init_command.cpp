// shaddock init <path> [--name NAME] [--force]: writes a new app project that builds against the
// installed SDK with find_package(Shaddock) and runs as a cluster with `shaddock start`. The
// project's files are the templates of tools/cli/init_template/, embedded in the binary
// (init_templates.hpp, generated at build time), with @@PLACEHOLDERS@@ filled in here.
#include "init_command.hpp"

#include "init_templates.hpp"
#include "link_crypto.hpp"

#include <boost/program_options.hpp>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

const char kUsage[] =
    "usage: shaddock init <path> [--name NAME] [--force]\n"
    "\n"
    "Writes a new Shaddock app project into <path> (created when missing): a CMakeLists.txt that\n"
    "builds the app against the installed SDK (find_package(Shaddock)), the app's sources (a connector\n"
    "handler, a game server handler and remote, a filter), config/ for a cluster (master.json,\n"
    "servers.json, plugins.json, adminServer.json with fresh tokens, adminUser.json with a development\n"
    "user) and a README.md on building, starting and connecting.\n"
    "\n"
    "Exit status: 0 written; 1 not written (the folder is not empty, a file cannot be written);\n"
    "2 usage error.\n";

// CMake target names a project cannot take: the app's target is named after the project.
const char *const kReservedNames[] = {"all",
                                      "clean",
                                      "help",
                                      "install",
                                      "test",
                                      "depend",
                                      "package",
                                      "package_source",
                                      "edit_cache",
                                      "rebuild_cache",
                                      "list_install_components"};

// The app name becomes the CMake project and target, the library file (<name>.so) and the name in
// the app's manifest: letters, digits, '_' and '-', starting with a letter.
bool valid_name(const std::string &name, std::string &why) {
    if (name.empty() || name.size() > 64) {
        why = "must have 1 to 64 characters";
        return false;
    }
    if (!std::isalpha(static_cast<unsigned char>(name[0]))) {
        why = "must start with a letter";
        return false;
    }
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
            why = "may hold only letters, digits, '_' and '-'";
            return false;
        }
    }
    for (const char *reserved : kReservedNames) {
        if (name == reserved) {
            why = "is a name CMake reserves for its own targets";
            return false;
        }
    }
    return true;
}

// Where this shaddock is installed: its bin folder, and the prefix when the SDK's CMake package is
// there too (an installed SDK), else empty (a build tree).
struct SdkLocation {
    fs::path bin;
    fs::path prefix;
};

SdkLocation locate_sdk() {
    SdkLocation out;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return out;
    out.bin = exe.parent_path();
    fs::path prefix = out.bin.parent_path();
    if (fs::exists(prefix / "lib" / "cmake" / "Shaddock" / "ShaddockConfig.cmake", ec)) out.prefix = prefix;
    return out;
}

// How the README should call shaddock: by name when its folder is on PATH, else by full path.
std::string command_prefix(const fs::path &bin) {
    if (bin.empty()) return "";
    std::error_code ec;
    fs::path canonical_bin = fs::weakly_canonical(bin, ec);
    if (const char *path = std::getenv("PATH")) {
        std::stringstream entries(path);
        std::string entry;
        while (std::getline(entries, entry, ':')) {
            if (!entry.empty() && fs::weakly_canonical(entry, ec) == canonical_bin && !ec) return "";
        }
    }
    return bin.string() + "/";
}

std::string substitute(std::string text, const std::map<std::string, std::string> &values) {
    for (const auto &[key, value] : values) {
        for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
            text.replace(at, key.size(), value);
    }
    return text;
}

bool write_file(const fs::path &path, const std::string &text, std::string &error) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
        error = path.parent_path().string() + ": " + ec.message();
        return false;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        error = path.string() + ": cannot be written";
        return false;
    }
    return true;
}

}  // namespace

int run_init(int argc, char **argv) {
    std::string path_text, name;
    bool force = false;
    po::options_description visible("options", 100);
    visible.add_options()("help,h", "print this help and exit")(
        "name", po::value<std::string>(&name)->value_name("NAME"),
        "the app's name: the CMake project, lib/<name>.so and the name in config/plugins.json "
        "(default: the folder's name)")("force", po::bool_switch(&force),
                                        "write into a folder that is not empty, replacing files of the same names");
    po::options_description all;
    all.add(visible).add_options()("path", po::value<std::string>(&path_text));
    po::positional_options_description positional;
    positional.add("path", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const std::exception &e) {
        std::cerr << "shaddock init: " << e.what() << "\n(try shaddock init --help)\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << kUsage << "\n" << visible << "\n";
        return 0;
    }
    if (path_text.empty()) {
        std::cerr << "shaddock init: which folder? e.g. shaddock init mygame\n(try shaddock init --help)\n";
        return 2;
    }

    std::error_code ec;
    fs::path dir = fs::absolute(path_text, ec).lexically_normal();
    if (ec) {
        std::cerr << "shaddock init: " << path_text << ": " << ec.message() << "\n";
        return 1;
    }
    if (dir.filename().empty()) dir = dir.parent_path();  // "mygame/" or "."
    if (name.empty()) name = dir.filename().string();
    std::string why;
    if (!valid_name(name, why)) {
        std::cerr << "shaddock init: the app name \"" << name << "\" " << why << "; choose another with --name NAME\n";
        return 2;
    }
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) {
            std::cerr << "shaddock init: " << dir.string() << " exists and is not a folder\n";
            return 1;
        }
        if (!fs::is_empty(dir, ec) && !force) {
            std::cerr << "shaddock init: " << dir.string()
                      << " is not empty; choose a new folder, or add --force to write into it (files of the "
                         "same names are replaced)\n";
            return 1;
        }
    }

    const SdkLocation sdk = locate_sdk();
    const std::map<std::string, std::string> values = {
        {"@@NAME@@", name},
        {"@@CONNECTOR_TOKEN@@", shd::cluster::to_hex(shd::cluster::random_bytes(32))},
        {"@@GAME_TOKEN@@", shd::cluster::to_hex(shd::cluster::random_bytes(32))},
        {"@@SDK_PREFIX@@", sdk.prefix.empty() ? "<the SDK's install prefix>" : sdk.prefix.string()},
        {"@@SDK_BIN@@", command_prefix(sdk.bin)},
    };
    for (const auto &tpl : shd::cli::kInitTemplates) {
        std::string text = substitute(tpl.text, values);
        if (text.find("@@") != std::string::npos) {
            std::cerr << "shaddock init: internal error: template " << tpl.path << " has an unknown placeholder\n";
            return 1;
        }
        fs::path file = dir / tpl.path;
        std::string error;
        if (!write_file(file, text, error)) {
            std::cerr << "shaddock init: " << error << "\n";
            return 1;
        }
        // The tokens and the admin users are secrets of this cluster.
        if (file.parent_path().filename() == "config" && file.filename().string().rfind("admin", 0) == 0) {
            fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
            if (ec)
                std::cerr << "shaddock init: warning: " << file.string() << ": cannot make it private: " << ec.message()
                          << "\n";
        }
    }

    const std::string shaddock = command_prefix(sdk.bin) + "shaddock";
    std::cout << "Created the Shaddock app \"" << name << "\" in " << dir.string() << ". Next:\n"
              << "  cd " << dir.string() << "\n"
              << "  cmake -S . -B build -DCMAKE_PREFIX_PATH="
              << (sdk.prefix.empty() ? "<the SDK's install prefix>" : sdk.prefix.string()) << "\n"
              << "  cmake --build build\n"
              << "  " << shaddock << " start -d .\n"
              << "README.md tells how to connect a client, manage the cluster and grow the app.\n";
    return 0;
}
