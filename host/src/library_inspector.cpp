#include "library_inspector.hpp"

#include <shaddock/abi.h>

#include <elf.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
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

// Reads byte ranges of one library file with pread: only the parts the inspector needs (the ELF header,
// the section table, the section names, the manifest and the dynamic symbols), so the cost does not grow
// with the file (debug info makes a plugin tens of megabytes). Every range is checked against the file's
// size before anything is allocated or read, without overflow, so a truncated or crafted file gives an
// error, never an out-of-bounds read or an allocation larger than the file.
class RangeReader {
public:
    explicit RangeReader(const std::string &path) {
        // O_NONBLOCK: opening a FIFO named like a library must not block the host; reads of a regular
        // file ignore it.
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd_ < 0) return;
        struct stat st {};
        if (::fstat(fd_, &st) != 0) {
            close_fd();
            return;
        }
        regular_ = S_ISREG(st.st_mode);
        size_ = st.st_size > 0 ? uint64_t(st.st_size) : 0;
    }
    ~RangeReader() { close_fd(); }
    RangeReader(const RangeReader &) = delete;
    RangeReader &operator=(const RangeReader &) = delete;

    bool opened() const { return fd_ >= 0; }
    bool regular() const { return regular_; }
    uint64_t size() const { return size_; }
    uint64_t bytes_read() const { return bytes_read_; }
    unsigned read_calls() const { return read_calls_; }

    // True when [offset, offset + length) lies inside the file.
    bool contains(uint64_t offset, uint64_t length) const { return offset <= size_ && length <= size_ - offset; }

    // Reads exactly `length` bytes at `offset`; false when the range is outside the file or the read fails
    // (the file shrank meanwhile, an I/O error).
    bool read(uint64_t offset, void *out, uint64_t length) {
        if (!contains(offset, length)) return false;
        auto *dst = static_cast<char *>(out);
        while (length > 0) {
            ++read_calls_;
            ssize_t n = ::pread(fd_, dst, length, off_t(offset));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            bytes_read_ += uint64_t(n);
            dst += n;
            offset += uint64_t(n);
            length -= uint64_t(n);
        }
        return true;
    }
    template <class T>
    bool read(uint64_t offset, T &out) {
        return read(offset, &out, sizeof(T));
    }

    // The bytes of one section; false when they lie (partly) outside the file.
    bool read_section(const Elf64_Shdr &s, std::string &out) {
        if (!contains(s.sh_offset, s.sh_size)) return false;
        out.resize(s.sh_size);
        return read(s.sh_offset, out.data(), s.sh_size);
    }

private:
    void close_fd() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int fd_ = -1;
    bool regular_ = false;
    uint64_t size_ = 0;
    uint64_t bytes_read_ = 0;
    unsigned read_calls_ = 0;
};

// The NUL-terminated string at `offset` of a string table, cut at the table's end; nullopt when the offset
// is outside the table.
std::optional<std::string> table_string(const std::string &table, uint64_t offset) {
    if (offset >= table.size()) return std::nullopt;
    const char *start = table.data() + offset;
    return std::string(start, strnlen(start, table.size() - offset));
}

std::string fixed_string(const char *data, size_t cap) {
    return std::string(data, strnlen(data, cap));
}

constexpr unsigned char kHostByteOrder = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;

bool read_sections(RangeReader &file, const Elf64_Ehdr &eh, std::vector<Elf64_Shdr> &sections, std::string &error) {
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0) {
        error = "has no section table";
        return false;
    }
    // e_shnum is 16 bits, so the table is at most 4 MiB; it is read in one call.
    sections.resize(eh.e_shnum);
    if (!file.read(eh.e_shoff, sections.data(), uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr))) {
        error = "is truncated (section table)";
        return false;
    }
    if (eh.e_shstrndx >= sections.size()) {
        error = "has a corrupt section-name table";
        return false;
    }
    return true;
}

// Exported symbols: defined, global or weak, default or protected visibility.
bool read_exports(RangeReader &file, const std::vector<Elf64_Shdr> &sections, const Elf64_Shdr &dynsym,
                  std::vector<std::string> &exported, std::string &error) {
    if (dynsym.sh_link >= sections.size() || dynsym.sh_entsize != sizeof(Elf64_Sym)) return true;  // none usable
    std::string symbols, names;
    if (!file.read_section(dynsym, symbols)) {
        error = "is truncated (dynamic symbol table)";
        return false;
    }
    if (!file.read_section(sections[dynsym.sh_link], names)) {
        error = "is truncated (dynamic symbol names)";
        return false;
    }
    for (size_t off = 0; off + sizeof(Elf64_Sym) <= symbols.size(); off += sizeof(Elf64_Sym)) {
        Elf64_Sym sym{};
        std::memcpy(&sym, symbols.data() + off, sizeof sym);
        int bind = ELF64_ST_BIND(sym.st_info);
        int vis = ELF64_ST_VISIBILITY(sym.st_other);
        if (sym.st_shndx == SHN_UNDEF || sym.st_name == 0) continue;
        if (bind != STB_GLOBAL && bind != STB_WEAK) continue;
        if (vis != STV_DEFAULT && vis != STV_PROTECTED) continue;
        std::optional<std::string> name = table_string(names, sym.st_name);
        if (!name) {
            error = "has a corrupt dynamic symbol table (a name outside its string table)";
            return false;
        }
        exported.push_back(std::move(*name));
    }
    return true;
}

// Fills `f` from the file; leaves f.ok false with f.error set when the library cannot be loaded.
void inspect_file(RangeReader &file, LibraryFacts &f) {
    if (!file.opened()) {
        f.error = "cannot be read (missing file or no permission)";
        return;
    }
    if (!file.regular()) {
        f.error = "is not a regular file";
        return;
    }
    Elf64_Ehdr eh{};
    if (!file.read(0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        f.error = "is not an ELF shared library";
        return;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_DYN) {
        f.error = "is not a 64-bit ELF shared library";
        return;
    }
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB && eh.e_ident[EI_DATA] != ELFDATA2MSB) {
        f.error = "has an unknown ELF byte order (EI_DATA " + std::to_string(eh.e_ident[EI_DATA]) + ")";
        return;
    }
    if (eh.e_ident[EI_DATA] != kHostByteOrder) {
        bool big = eh.e_ident[EI_DATA] == ELFDATA2MSB;
        f.error = std::string("is a ") + (big ? "big" : "little") + "-endian ELF file; this host loads " +
                  (big ? "little" : "big") + "-endian libraries";
        return;
    }
    std::vector<Elf64_Shdr> sections;
    if (!read_sections(file, eh, sections, f.error)) return;
    std::string names;
    if (!file.read_section(sections[eh.e_shstrndx], names)) {
        f.error = "is truncated (section names)";
        return;
    }

    const Elf64_Shdr *manifest = nullptr;
    const Elf64_Shdr *dynsym = nullptr;
    for (const auto &s : sections) {
        if (table_string(names, s.sh_name) == SHD_MANIFEST_SECTION) manifest = &s;
        if (s.sh_type == SHT_DYNSYM) dynsym = &s;
    }
    if (dynsym && !read_exports(file, sections, *dynsym, f.exported, f.error)) return;
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
                    return;
                }
            }
        }
        if (!exports(SHD_PLUGIN_ENTRY_SYMBOL) && !exports(SHD_APP_ENTRY_SYMBOL))
            f.error = "has no entry symbol " SHD_PLUGIN_ENTRY_SYMBOL " or " SHD_APP_ENTRY_SYMBOL
                      ": not a Shaddock plugin or app";
        else
            f.error = "has no " SHD_MANIFEST_SECTION
                      " section (declare the library with SHADDOCK_PLUGIN, "
                      "SHADDOCK_APP or SHD_MANIFEST)";
        return;
    }
    if (manifest->sh_size != sizeof(shd_manifest_v1)) {
        f.error = manifest->sh_size > sizeof(shd_manifest_v1) && manifest->sh_size % sizeof(shd_manifest_v1) == 0
                      ? "declares more than one manifest (SHD_MANIFEST used twice)"
                      : "has a manifest section of " + std::to_string(manifest->sh_size) + " bytes, expected " +
                            std::to_string(sizeof(shd_manifest_v1));
        return;
    }
    shd_manifest_v1 m{};
    if (!file.read(manifest->sh_offset, m)) {
        f.error = "is truncated (manifest section)";
        return;
    }
    if (std::memcmp(m.magic, SHD_MANIFEST_MAGIC, sizeof m.magic) != 0) {
        f.error = "has a corrupt manifest (bad magic)";
        return;
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
        return;
    }
    if (f.min_host_minor > SHD_ABI_MINOR) {
        f.error = "needs a host with ABI 1." + std::to_string(f.min_host_minor) + " or newer; this host has ABI 1." +
                  std::to_string(SHD_ABI_MINOR);
        return;
    }
    const char *entry = f.kind == SHD_KIND_APP ? SHD_APP_ENTRY_SYMBOL : SHD_PLUGIN_ENTRY_SYMBOL;
    if (f.kind != SHD_KIND_PLUGIN && f.kind != SHD_KIND_APP) {
        f.error = "has a manifest of unknown kind " + std::to_string(f.kind);
        return;
    }
    if (!exports(entry)) {
        f.error = std::string("has no entry symbol ") + entry + " (its manifest says it is " +
                  (f.kind == SHD_KIND_APP ? "an app" : "a plugin") + ")";
        return;
    }
    if (f.name.empty()) {
        f.error = "has an empty name in its manifest";
        return;
    }
}

}  // namespace

LibraryFacts inspect_library(const std::string &path) {
    LibraryFacts f;
    f.path = path;
    RangeReader file(path);
    inspect_file(file, f);
    f.ok = f.error.empty();
    f.bytes_read = file.bytes_read();
    f.read_calls = file.read_calls();
    return f;
}

}  // namespace shd::host
