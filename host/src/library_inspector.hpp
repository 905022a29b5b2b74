// Reads what a plugin or app library is, from the file alone: its manifest section and its exported
// symbols. No code of the library runs (no dlopen), so a broken or hostile file cannot hurt the host.
// Only the ELF header, the section table, the section names, the manifest and the dynamic symbol and
// string tables are read (pread of those ranges, each checked against the file's size first), so the
// cost does not grow with the file's debug info.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shd::host {

struct LibraryFacts {
    std::string path;
    bool ok = false;
    std::string error;  // why it cannot be loaded, when !ok

    // From the manifest.
    int kind = 0;  // SHD_KIND_PLUGIN or SHD_KIND_APP
    std::string name, version;
    int abi_major = 0, abi_minor = 0, min_host_minor = 0;
    std::vector<std::string> provides, required;

    // From the dynamic symbol table: every defined, exported symbol.
    std::vector<std::string> exported;
    std::vector<std::string> unexpected_exports;  // exports other than the entry symbols

    // What the inspection cost: bytes read from the file and pread calls (logged at debug level).
    uint64_t bytes_read = 0;
    unsigned read_calls = 0;
};

LibraryFacts inspect_library(const std::string &path);

std::vector<std::string> split_ids(const std::string &space_separated);

}  // namespace shd::host
