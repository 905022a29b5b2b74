// The library inspector (host/src/library_inspector.cpp) on a real plugin file and on damaged copies of
// it: every truncated, out-of-range or overflowing table gives an error naming the cause (never a crash,
// an out-of-bounds read or an allocation the size of a bogus field), and a large debug section added to
// the file is never read, so inspecting, and so starting a server, stays flat as plugin files grow.
#include "library_inspector.hpp"
#include "host_process.hpp"

#include <shaddock/abi.h>

#include <cppunit/extensions/HelperMacros.h>

#include <elf.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

using shd::host::inspect_library;
using shd::host::LibraryFacts;
using shd::test::TempAppDir;

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

void spit(const std::string &path, const std::string &bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    CPPUNIT_ASSERT_MESSAGE("cannot write " + path, out.good());
}

// The bytes this process has read through read(2)/pread(2) so far, as the kernel counts them
// (/proc/self/io rchar): a count the inspector cannot influence.
uint64_t bytes_read_by_process() {
    std::ifstream in("/proc/self/io");
    std::string key;
    uint64_t value = 0;
    while (in >> key >> value)
        if (key == "rchar:") return value;
    CPPUNIT_FAIL("/proc/self/io has no rchar line");
    return 0;
}

// A copy of the sample plugin's bytes with its ELF structures at hand, to damage one field at a time.
struct ElfCopy {
    std::string bytes;

    Elf64_Ehdr header() const {
        Elf64_Ehdr eh;
        std::memcpy(&eh, bytes.data(), sizeof eh);
        return eh;
    }
    void set_header(const Elf64_Ehdr &eh) { std::memcpy(bytes.data(), &eh, sizeof eh); }
    uint64_t section_offset(unsigned index) const { return header().e_shoff + uint64_t(index) * sizeof(Elf64_Shdr); }
    Elf64_Shdr section(unsigned index) const {
        Elf64_Shdr s;
        std::memcpy(&s, bytes.data() + section_offset(index), sizeof s);
        return s;
    }
    void set_section(unsigned index, const Elf64_Shdr &s) {
        std::memcpy(bytes.data() + section_offset(index), &s, sizeof s);
    }
    unsigned find_type(uint32_t type) const {
        for (unsigned i = 0; i < header().e_shnum; ++i)
            if (section(i).sh_type == type) return i;
        CPPUNIT_FAIL("the sample plugin has no section of type " + std::to_string(type));
        return 0;
    }
    unsigned find_name(const std::string &name) const {
        Elf64_Shdr names = section(header().e_shstrndx);
        for (unsigned i = 0; i < header().e_shnum; ++i)
            if (bytes.c_str() + names.sh_offset + section(i).sh_name == name) return i;
        CPPUNIT_FAIL("the sample plugin has no section " + name);
        return 0;
    }
};

}  // namespace

class LibraryInspectorTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LibraryInspectorTest);
    CPPUNIT_TEST(a_real_plugin_is_described);
    CPPUNIT_TEST(a_large_debug_section_is_never_read);
    CPPUNIT_TEST(missing_empty_and_special_files);
    CPPUNIT_TEST(a_truncated_or_foreign_elf_header);
    CPPUNIT_TEST(a_section_table_past_the_end_of_the_file);
    CPPUNIT_TEST(section_names_out_of_range);
    CPPUNIT_TEST(dynamic_symbols_out_of_range);
    CPPUNIT_TEST(a_manifest_out_of_range);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        dir_ = std::make_unique<TempAppDir>("inspector");
        sample_.bytes = slurp(SHD_TEST_SAMPLE_PLUGIN);
        CPPUNIT_ASSERT_MESSAGE("cannot read " SHD_TEST_SAMPLE_PLUGIN, sample_.bytes.size() > sizeof(Elf64_Ehdr));
    }
    void tearDown() override { dir_.reset(); }

    void a_real_plugin_is_described() {
        LibraryFacts f = inspect_library(SHD_TEST_SAMPLE_PLUGIN);
        CPPUNIT_ASSERT_MESSAGE(f.error, f.ok);
        CPPUNIT_ASSERT_EQUAL(int(SHD_KIND_PLUGIN), f.kind);
        CPPUNIT_ASSERT_EQUAL(std::string("stop_soon"), f.name);
        CPPUNIT_ASSERT_EQUAL(int(SHD_ABI_MAJOR), f.abi_major);
        CPPUNIT_ASSERT_EQUAL(size_t(1), f.exported.size());
        CPPUNIT_ASSERT_EQUAL(std::string(SHD_PLUGIN_ENTRY_SYMBOL), f.exported[0]);
        CPPUNIT_ASSERT(f.bytes_read > 0 && f.read_calls > 0);
    }

    // objcopy adds a 48 MiB debug section to a copy of the plugin (as a debug build's DWARF would). The
    // inspector must read no more of the bigger file than of the original, plus the longer section table
    // and section names; and the kernel's own count of the bytes this process read must stay under
    // 1 MiB. Reading the file whole, as the inspector once did, reads at least 48 MiB, so the bound
    // cannot pass by accident, and it does not depend on the inspector's own counters.
    void a_large_debug_section_is_never_read() {
        const uint64_t pad_size = 48ull << 20;
        std::string pad = dir_->file("pad.bin"), padded = dir_->file("padded.so");
        {
            std::ofstream out(pad, std::ios::binary);
            std::string chunk(1 << 20, '\x5a');
            for (uint64_t i = 0; i < pad_size >> 20; ++i) out.write(chunk.data(), std::streamsize(chunk.size()));
        }
        std::string cmd = std::string("'") + SHD_TEST_OBJCOPY + "' --add-section .debug_padding=" + pad +
                          " --set-section-flags .debug_padding=noload,readonly '" SHD_TEST_SAMPLE_PLUGIN "' " + padded;
        int rc = std::system(cmd.c_str());
        CPPUNIT_ASSERT_MESSAGE(cmd, rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
        struct stat st {};
        CPPUNIT_ASSERT(::stat(padded.c_str(), &st) == 0);
        CPPUNIT_ASSERT_MESSAGE("the padded copy is " + std::to_string(st.st_size) + " bytes",
                               uint64_t(st.st_size) > pad_size);

        LibraryFacts original = inspect_library(SHD_TEST_SAMPLE_PLUGIN);
        uint64_t before = bytes_read_by_process();
        LibraryFacts big = inspect_library(padded);
        uint64_t read_by_process = bytes_read_by_process() - before;

        CPPUNIT_ASSERT_MESSAGE(big.error, big.ok);
        CPPUNIT_ASSERT_EQUAL(original.name, big.name);
        CPPUNIT_ASSERT(original.exported == big.exported);
        const uint64_t new_section_cost = sizeof(Elf64_Shdr) + sizeof(".debug_padding");
        CPPUNIT_ASSERT_MESSAGE("read " + std::to_string(big.bytes_read) + " bytes of the padded copy, " +
                                   std::to_string(original.bytes_read) + " of the original",
                               big.bytes_read <= original.bytes_read + new_section_cost);
        CPPUNIT_ASSERT_EQUAL(original.read_calls, big.read_calls);
        CPPUNIT_ASSERT_MESSAGE("the process read " + std::to_string(read_by_process) + " bytes",
                               read_by_process >= big.bytes_read && read_by_process < (1u << 20));
    }

    void missing_empty_and_special_files() {
        expect_error(inspect_library(dir_->file("nothing-here.so")), "cannot be read (missing file or no permission)");
        expect_error(inspect_library(dir_->path()), "is not a regular file");
        // A FIFO named like a library: opening it must not wait for a writer.
        std::string fifo = dir_->file("fifo.so");
        CPPUNIT_ASSERT(::mkfifo(fifo.c_str(), 0600) == 0);
        expect_error(inspect_library(fifo), "is not a regular file");
        expect_error(inspect(""), "is not an ELF shared library");
    }

    void a_truncated_or_foreign_elf_header() {
        expect_error(inspect(sample_.bytes.substr(0, 4)), "is not an ELF shared library");
        expect_error(inspect(sample_.bytes.substr(0, sizeof(Elf64_Ehdr) - 1)), "is not an ELF shared library");

        ElfCopy c = sample_;
        c.bytes[EI_CLASS] = ELFCLASS32;
        expect_error(inspect(c.bytes), "is not a 64-bit ELF shared library");

        c = sample_;
        c.bytes[EI_DATA] = ELFDATA2MSB;
        expect_error(inspect(c.bytes), "is a big-endian ELF file; this host loads little-endian libraries");
        c.bytes[EI_DATA] = 7;
        expect_error(inspect(c.bytes), "has an unknown ELF byte order (EI_DATA 7)");

        c = sample_;
        Elf64_Ehdr eh = c.header();
        eh.e_shnum = 0;
        c.set_header(eh);
        expect_error(inspect(c.bytes), "has no section table");
    }

    void a_section_table_past_the_end_of_the_file() {
        const Elf64_Ehdr eh = sample_.header();
        const uint64_t table_end = eh.e_shoff + uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr);
        CPPUNIT_ASSERT_MESSAGE("the sample's section table is not at the end of its file",
                               table_end == sample_.bytes.size());
        // The file ends inside the table's last entry.
        expect_error(inspect(sample_.bytes.substr(0, sample_.bytes.size() - 8)), "is truncated (section table)");

        for (uint64_t shoff : {uint64_t(sample_.bytes.size()), uint64_t(sample_.bytes.size()) + 4096, kMax - 63,
                               kMax - sizeof(Elf64_Shdr) * eh.e_shnum + 1, kMax}) {
            ElfCopy c = sample_;
            Elf64_Ehdr bad = eh;
            bad.e_shoff = shoff;
            c.set_header(bad);
            expect_error(inspect(c.bytes), "is truncated (section table)");
        }
        ElfCopy c = sample_;
        Elf64_Ehdr bad = eh;
        bad.e_shstrndx = eh.e_shnum;
        c.set_header(bad);
        expect_error(inspect(c.bytes), "has a corrupt section-name table");
    }

    void section_names_out_of_range() {
        const unsigned index = sample_.header().e_shstrndx;
        const Elf64_Shdr names = sample_.section(index);
        for (auto [offset, size] : {std::pair<uint64_t, uint64_t>{sample_.bytes.size(), 1},
                                    {names.sh_offset, kMax},
                                    {names.sh_offset, sample_.bytes.size()},
                                    {kMax, names.sh_size},
                                    {kMax - 1, 2}}) {
            ElfCopy c = sample_;
            Elf64_Shdr s = names;
            s.sh_offset = offset;
            s.sh_size = size;
            c.set_section(index, s);
            expect_error(inspect(c.bytes), "is truncated (section names)");
        }
        // A section whose name lies outside the name table has no name: the manifest is not found.
        ElfCopy c = sample_;
        const unsigned manifest = c.find_name(SHD_MANIFEST_SECTION);
        Elf64_Shdr s = c.section(manifest);
        s.sh_name = uint32_t(names.sh_size);
        c.set_section(manifest, s);
        expect_error(inspect(c.bytes), "has no " SHD_MANIFEST_SECTION " section");
    }

    void dynamic_symbols_out_of_range() {
        const unsigned dynsym = sample_.find_type(SHT_DYNSYM);
        const Elf64_Shdr symbols = sample_.section(dynsym);
        for (auto [offset, size] : {std::pair<uint64_t, uint64_t>{sample_.bytes.size(), sizeof(Elf64_Sym)},
                                    {symbols.sh_offset, kMax - sizeof(Elf64_Sym) + 1},
                                    {symbols.sh_offset, uint64_t(1) << 62},
                                    {kMax - sizeof(Elf64_Sym) + 1, symbols.sh_size}}) {
            ElfCopy c = sample_;
            Elf64_Shdr s = symbols;
            s.sh_offset = offset;
            s.sh_size = size;
            c.set_section(dynsym, s);
            expect_error(inspect(c.bytes), "is truncated (dynamic symbol table)");
        }
        const unsigned dynstr = symbols.sh_link;
        {
            ElfCopy c = sample_;
            Elf64_Shdr s = c.section(dynstr);
            s.sh_offset = kMax - 2;
            c.set_section(dynstr, s);
            expect_error(inspect(c.bytes), "is truncated (dynamic symbol names)");
        }
        {
            // A string table too short for the symbols' names.
            ElfCopy c = sample_;
            Elf64_Shdr s = c.section(dynstr);
            s.sh_size = 1;
            c.set_section(dynstr, s);
            expect_error(inspect(c.bytes), "has a corrupt dynamic symbol table (a name outside its string table)");
        }
        {
            // A link to a section that does not exist: no usable symbols, so no entry symbol.
            ElfCopy c = sample_;
            Elf64_Shdr s = symbols;
            s.sh_link = c.header().e_shnum;
            c.set_section(dynsym, s);
            expect_error(inspect(c.bytes), "has no entry symbol " SHD_PLUGIN_ENTRY_SYMBOL);
        }
    }

    void a_manifest_out_of_range() {
        const unsigned index = sample_.find_name(SHD_MANIFEST_SECTION);
        const Elf64_Shdr manifest = sample_.section(index);
        for (uint64_t offset : {uint64_t(sample_.bytes.size()), uint64_t(sample_.bytes.size()) - 1, kMax - 7, kMax}) {
            ElfCopy c = sample_;
            Elf64_Shdr s = manifest;
            s.sh_offset = offset;
            c.set_section(index, s);
            expect_error(inspect(c.bytes), "is truncated (manifest section)");
        }
        ElfCopy c = sample_;
        Elf64_Shdr s = manifest;
        s.sh_size = kMax;
        c.set_section(index, s);
        expect_error(inspect(c.bytes), "has a manifest section of " + std::to_string(kMax) + " bytes, expected " +
                                           std::to_string(sizeof(shd_manifest_v1)));
    }

private:
    LibraryFacts inspect(const std::string &bytes) {
        std::string path = dir_->file("case-" + std::to_string(++cases_) + ".so");
        spit(path, bytes);
        return inspect_library(path);
    }

    static void expect_error(const LibraryFacts &f, const std::string &text) {
        CPPUNIT_ASSERT_MESSAGE(f.path + " was accepted; expected \"" + text + "\"", !f.ok);
        CPPUNIT_ASSERT_MESSAGE(f.path + ": \"" + f.error + "\" does not contain \"" + text + "\"",
                               f.error.find(text) != std::string::npos);
    }

    std::unique_ptr<TempAppDir> dir_;
    ElfCopy sample_;
    int cases_ = 0;
};

CPPUNIT_TEST_SUITE_REGISTRATION(LibraryInspectorTest);
