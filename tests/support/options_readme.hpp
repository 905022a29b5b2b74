// The options tables of a plugin's README.md are generated from the plugin's declaration
// (shd::OptionTable, shaddock/cpp/options.hpp). Each table sits between two markers:
//
//   <!-- options table: NAME (generated from the declaration; refresh: build/tests/BINARY --update) -->
//   | option | type | default | meaning |
//   ...
//   <!-- end of options table -->
//
// run_options_readme(argc, argv, tables) is the main() of a test binary taking the README's path:
// it fails, showing the first line that differs, when a table in the README is not what the
// declaration renders; with --update it rewrites the tables instead.
#pragma once

#include <shaddock/cpp/options.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace shd::test {

inline int run_options_readme(int argc, char **argv,
                              const std::vector<std::pair<std::string, const OptionTable *>> &tables) {
    if (argc < 2 || (argc == 3 && std::string(argv[2]) != "--update") || argc > 3) {
        std::cerr << "usage: " << argv[0] << " README.md [--update]\n";
        return 2;
    }
    const std::string path = argv[1];
    const bool update = argc == 3;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::cerr << path << ": cannot read\n";
        return 2;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    std::string text = buf.str();
    const std::string end_marker = "<!-- end of options table -->";
    int failures = 0;
    for (const auto &[name, table] : tables) {
        const std::string begin = "<!-- options table: " + name + " ";
        size_t at = text.find(begin);
        size_t body = at == std::string::npos ? at : text.find('\n', at);
        size_t end = body == std::string::npos ? body : text.find(end_marker, body);
        if (end == std::string::npos) {
            std::cerr << path << ": no generated options table \"" << name << "\" (" << begin << "... -->, then "
                      << end_marker << ")\n";
            ++failures;
            continue;
        }
        ++body;
        const std::string want = options_markdown(*table);
        const std::string have = text.substr(body, end - body);
        if (have == want) continue;
        if (update) {
            text.replace(body, end - body, want);
            std::cout << path << ": options table \"" << name << "\" rewritten\n";
            continue;
        }
        std::istringstream a(have), b(want);
        std::string la, lb;
        int line = 0;
        while (true) {
            bool ga = static_cast<bool>(std::getline(a, la)), gb = static_cast<bool>(std::getline(b, lb));
            ++line;
            if (!ga && !gb) break;
            if (ga && gb && la == lb) continue;
            std::cerr << path << ": options table \"" << name << "\" differs from the declaration at its line " << line
                      << ":\n  README:      " << (ga ? la : "(nothing)")
                      << "\n  declaration: " << (gb ? lb : "(nothing)") << "\n";
            break;
        }
        std::cerr << "(edit the declaration, not the README; then run " << argv[0] << " " << path << " --update)\n";
        ++failures;
    }
    if (update && failures == 0) {
        std::ofstream out(path, std::ios::binary);
        out << text;
        if (!out) {
            std::cerr << path << ": cannot write\n";
            return 2;
        }
    }
    if (failures == 0 && !update) std::cout << path << ": " << tables.size() << " options table(s) as declared\n";
    return failures ? 1 : 0;
}

}  // namespace shd::test
