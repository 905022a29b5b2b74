// libFuzzer target: the game data loader (sdk/gamedata) on arbitrary bytes. The first byte picks CSV
// or JSON; the rest is the file. Loading must either succeed or throw DataError (never crash, never
// throw anything else), and what it accepts must hold together: every row is found by its id, and a
// CSV file's records, written back per RFC 4180, read back the same.
#include <shaddock/gamedata/csv.hpp>
#include <shaddock/gamedata/database.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace shd::gamedata;

namespace {

const Schema &schema() {
    static const Schema s = [] {
        Schema s("fuzz");
        s.integer("id").string("name", "").integer("hp", 0).number("speed", 1.0).boolean("boss", false);
        s.strings("tags", true).integers("drops", true).numbers("xy", true).booleans("flags", true);
        s.unique("name");
        return s;
    }();
    return s;
}

Limits small_limits() {
    Limits l;
    l.max_rows = 2000;
    l.max_columns = 64;
    l.max_cells = 20000;
    l.max_cell_bytes = 4096;
    l.max_list_items = 256;
    return l;
}

std::string write_csv(const std::vector<CsvRecord> &records) {
    std::string out;
    for (const CsvRecord &r : records) {
        for (std::size_t i = 0; i < r.fields.size(); ++i) {
            if (i) out += ',';
            out += '"';
            for (char c : r.fields[i].text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
            out += '"';
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const bool csv = data[0] & 1;
    const std::string_view text(reinterpret_cast<const char *>(data) + 1, size - 1);
    const Limits limits = small_limits();
    if (csv) {
        try {
            const std::vector<CsvRecord> records = parse_csv(text, "fuzz.csv", limits);
            // A record of one empty field is written as "" and read back the same; comments and
            // blank lines are not records, so the round trip compares records only.
            const std::vector<CsvRecord> again = parse_csv(write_csv(records), "again.csv", limits);
            if (again.size() != records.size()) abort();
            for (std::size_t r = 0; r < records.size(); ++r) {
                if (again[r].fields.size() != records[r].fields.size()) abort();
                for (std::size_t f = 0; f < records[r].fields.size(); ++f)
                    if (again[r].fields[f].text != records[r].fields[f].text) abort();
            }
        } catch (const DataError &) {
        }
    }
    try {
        const Table t = load_table(text, csv ? Format::csv : Format::json, schema(), csv ? "fuzz.csv" : "fuzz.json",
                                   limits);
        for (const Row &row : t.rows()) {
            const Row *found = t.find(row.id());
            if (found != &row) abort();
            if (!row.string("name").empty() && t.find_one("name", row.string("name")) != &row) abort();
            (void)to_text(row.value("speed"));
        }
    } catch (const DataError &) {
    }
    return 0;
}
