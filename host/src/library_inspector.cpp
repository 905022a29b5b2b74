#include "library_inspector.hpp"

#include "config_files.hpp"

#include <shaddock/abi.h>

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace shd::host {

std::vector<std::string> split_ids(const std::string &text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string id;
    while (in >> id) out.push_back(id);
    return out;
}

namespace {

// A bounded view over the file's bytes; every read is checked so a truncated or crafted file gives an
// error, never an out-of-bounds read.
struct Image {
    const std::string &bytes;
    template <class T> bool read(uint64_t offset, T &out) const {
        if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
        std::memcpy(&out, bytes.data() + offset, sizeof(T));
        return true;
    }
    std::string c_string(uint64_t offset) const {
        if (offset >= bytes.size()) return {};
        const char *start = bytes.data() + offset;
        size_t max = bytes.size() - offset;
        return std::string(start, strnlen(start, max));
    }
};

std::string fixed_string(const char *data, size_t cap) { return std::string(data, strnlen(data, cap)); }

bool read_sections(const Image &img, Elf64_Ehdr &eh, std::vector<Elf64_Shdr> &sections, std::string &error) {
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0) {
        error = "has no section table";
        return false;
    }
    sections.resize(eh.e_shnum);
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
        if (!img.read(eh.e_shoff + uint64_t(i) * sizeof(Elf64_Shdr), sections[i])) {
            error = "is truncated (section table)";
            return false;
        }
    }
    if (eh.e_shstrndx >= sections.size()) {
        error = "has a corrupt section-name table";
        return false;
    }
    return true;
}

}  // namespace

LibraryFacts inspect_library(const std::string &path) {
    LibraryFacts f;
    f.path = path;
    std::string bytes;
    if (!read_file(path, bytes)) {
        f.error = "cannot be read (missing file or no permission)";
        return f;
    }
    Image img{bytes};
    Elf64_Ehdr eh{};
    if (!img.read(0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        f.error = "is not an ELF shared library";
        return f;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_DYN) {
        f.error = "is not a 64-bit ELF shared library";
        return f;
    }
    std::vector<Elf64_Shdr> sections;
    if (!read_sections(img, eh, sections, f.error)) return f;
    const Elf64_Shdr &names = sections[eh.e_shstrndx];

    const Elf64_Shdr *manifest = nullptr;
    const Elf64_Shdr *dynsym = nullptr;
    for (const auto &s : sections) {
        std::string name = img.c_string(names.sh_offset + s.sh_name);
        if (name == SHD_MANIFEST_SECTION) manifest = &s;
        if (s.sh_type == SHT_DYNSYM) dynsym = &s;
    }

    // Exported symbols: defined, global or weak, default or protected visibility.
    if (dynsym && dynsym->sh_link < sections.size() && dynsym->sh_entsize == sizeof(Elf64_Sym)) {
        const Elf64_Shdr &strtab = sections[dynsym->sh_link];
        for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= dynsym->sh_size; off += sizeof(Elf64_Sym)) {
            Elf64_Sym sym{};
            if (!img.read(dynsym->sh_offset + off, sym)) break;
            int bind = ELF64_ST_BIND(sym.st_info);
            int vis = ELF64_ST_VISIBILITY(sym.st_other);
            if (sym.st_shndx == SHN_UNDEF || sym.st_name == 0) continue;
            if (bind != STB_GLOBAL && bind != STB_WEAK) continue;
            if (vis != STV_DEFAULT && vis != STV_PROTECTED) continue;
            f.exported.push_back(img.c_string(strtab.sh_offset + sym.st_name));
        }
    }
    auto exports = [&](const std::string &sym) {
        return std::find(f.exported.begin(), f.exported.end(), sym) != f.exported.end();
    };
    for (const auto &sym : f.exported)
        if (sym != SHD_PLUGIN_ENTRY_SYMBOL && sym != SHD_APP_ENTRY_SYMBOL) f.unexpected_exports.push_back(sym);

    if (!manifest) {
        // Say what it is built for when an entry symbol of another ABI major is present.
        for (const auto &sym : f.exported) {
            for (const char *prefix : {"shd_plugin_entry_v", "shd_app_entry_v"}) {
                if (sym.rfind(prefix, 0) == 0 && sym != SHD_PLUGIN_ENTRY_SYMBOL && sym != SHD_APP_ENTRY_SYMBOL) {
                    f.error = "is built for ABI " + sym.substr(std::strlen(prefix)) + " (exports " + sym +
                              "); this host supports ABI " + std::to_string(SHD_ABI_MAJOR);
                    return f;
                }
            }
        }
        if (!exports(SHD_PLUGIN_ENTRY_SYMBOL) && !exports(SHD_APP_ENTRY_SYMBOL))
            f.error = "has no entry symbol " SHD_PLUGIN_ENTRY_SYMBOL " or " SHD_APP_ENTRY_SYMBOL
                      ": not a Shaddock plugin or app";
        else
            f.error = "has no " SHD_MANIFEST_SECTION " section (declare the library with SHADDOCK_PLUGIN, "
                      "SHADDOCK_APP or SHD_MANIFEST)";
        return f;
    }
    if (manifest->sh_size != sizeof(shd_manifest_v1)) {
        f.error = manifest->sh_size > sizeof(shd_manifest_v1) && manifest->sh_size % sizeof(shd_manifest_v1) == 0
                      ? "declares more than one manifest (SHD_MANIFEST used twice)"
                      : "has a manifest section of " + std::to_string(manifest->sh_size) + " bytes, expected " +
                            std::to_string(sizeof(shd_manifest_v1));
        return f;
    }
    shd_manifest_v1 m{};
    if (!img.read(manifest->sh_offset, m) || std::memcmp(m.magic, SHD_MANIFEST_MAGIC, sizeof m.magic) != 0) {
        f.error = "has a corrupt manifest (bad magic)";
        return f;
    }
    f.kind = m.kind;
    f.name = fixed_string(m.name, sizeof m.name);
    f.version = fixed_string(m.version, sizeof m.version);
    f.abi_major = m.abi_major;
    f.abi_minor = m.abi_minor;
    f.min_host_minor = m.min_host_minor;
    f.provides = split_ids(fixed_string(m.provides, sizeof m.provides));
    f.required = split_ids(fixed_string(m.required, sizeof m.required));

    if (f.abi_major != SHD_ABI_MAJOR) {
        f.error = "is built for ABI " + std::to_string(f.abi_major) + "; this host supports ABI " +
                  std::to_string(SHD_ABI_MAJOR);
        return f;
    }
    if (f.min_host_minor > SHD_ABI_MINOR) {
        f.error = "needs a host with ABI 1." + std::to_string(f.min_host_minor) + " or newer; this host has ABI 1." +
                  std::to_string(SHD_ABI_MINOR);
        return f;
    }
    const char *entry = f.kind == SHD_KIND_APP ? SHD_APP_ENTRY_SYMBOL : SHD_PLUGIN_ENTRY_SYMBOL;
    if (f.kind != SHD_KIND_PLUGIN && f.kind != SHD_KIND_APP) {
        f.error = "has a manifest of unknown kind " + std::to_string(f.kind);
        return f;
    }
    if (!exports(entry)) {
        f.error = std::string("has no entry symbol ") + entry + " (its manifest says it is " +
                  (f.kind == SHD_KIND_APP ? "an app" : "a plugin") + ")";
        return f;
    }
    if (f.name.empty()) {
        f.error = "has an empty name in its manifest";
        return f;
    }
    f.ok = true;
    return f;
}

}  // namespace shd::host
