#include "cron_expression.hpp"

#include <vector>

namespace shd::cron {

namespace {

struct FieldSpec {
    const char *name;
    int min, max;
};

constexpr FieldSpec kFields[6] = {
    {"second", 0, 59}, {"minute", 0, 59}, {"hour", 0, 23}, {"dayOfMonth", 1, 31}, {"month", 0, 11}, {"dayOfWeek", 0, 6},
};

// Parses one field into a bit set; every error names the field and its text.
class FieldParser {
public:
    FieldParser(const FieldSpec &spec, std::string_view text) : spec_(spec), text_(text) {}

    uint64_t parse() const {
        uint64_t bits = 0;
        size_t pos = 0;
        for (;;) {
            size_t comma = text_.find(',', pos);
            std::string_view item =
                text_.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
            bits |= parse_item(item);
            if (comma == std::string_view::npos) return bits;
            pos = comma + 1;
        }
    }

private:
    // n | a-b | * , each optionally followed by /step.
    uint64_t parse_item(std::string_view item) const {
        if (item.empty()) fail("an empty list item");
        int step = 1;
        std::string_view range = item;
        size_t slash = item.find('/');
        bool stepped = slash != std::string_view::npos;
        if (stepped) {
            step = number(item.substr(slash + 1), "step");
            if (step == 0) fail("a step of 0");
            range = item.substr(0, slash);
        }
        int lo, hi;
        if (range == "*") {
            lo = spec_.min;
            hi = spec_.max;
        } else if (size_t dash = range.find('-'); dash != std::string_view::npos) {
            lo = value(range.substr(0, dash));
            hi = value(range.substr(dash + 1));
            if (lo > hi) fail("the range " + std::string(range) + " runs backwards");
        } else {
            lo = value(range);
            hi = stepped ? spec_.max : lo;
        }
        uint64_t bits = 0;
        for (int v = lo; v <= hi; v += step) bits |= uint64_t{1} << v;
        return bits;
    }

    int value(std::string_view s) const {
        int v = number(s, "value");
        if (v < spec_.min || v > spec_.max)
            fail(std::to_string(v) + " is out of range " + std::to_string(spec_.min) + "-" + std::to_string(spec_.max));
        return v;
    }

    int number(std::string_view s, const char *what) const {
        if (s.empty()) fail(std::string("a ") + what + " is missing");
        long v = 0;
        for (char c : s) {
            if (c < '0' || c > '9') fail(std::string("unexpected \"") + c + "\"");
            v = v * 10 + (c - '0');
            if (v > 100000) fail(std::string(s) + " is out of range");
        }
        return static_cast<int>(v);
    }

    [[noreturn]] void fail(const std::string &why) const {
        throw CronSyntaxError(std::string(spec_.name) + " field \"" + std::string(text_) + "\": " + why);
    }

    const FieldSpec &spec_;
    std::string_view text_;
};

bool has(uint64_t bits, int v) {
    return v >= 0 && v < 64 && ((bits >> v) & 1u) != 0;
}

// Lets mktime carry overflowing fields (61 minutes, day 32, ...) and recomputes the weekday.
std::time_t normalize(std::tm &tm) {
    tm.tm_isdst = -1;
    std::time_t t = std::mktime(&tm);
    localtime_r(&t, &tm);
    return t;
}

}  // namespace

CronExpression CronExpression::parse(std::string_view text) {
    std::vector<std::string_view> fields;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
        if (i > start) fields.push_back(text.substr(start, i - start));
    }
    if (fields.size() != 6)
        throw CronSyntaxError("expected 6 fields (second minute hour dayOfMonth month dayOfWeek), got " +
                              std::to_string(fields.size()));
    uint64_t bits[6];
    for (int f = 0; f < 6; ++f) bits[f] = FieldParser(kFields[f], fields[f]).parse();
    CronExpression e;
    e.seconds_ = bits[0];
    e.minutes_ = bits[1];
    e.hours_ = static_cast<uint32_t>(bits[2]);
    e.days_ = static_cast<uint32_t>(bits[3]);
    e.months_ = static_cast<uint16_t>(bits[4]);
    e.weekdays_ = static_cast<uint8_t>(bits[5]);
    return e;
}

bool CronExpression::matches(const std::tm &t) const {
    return has(seconds_, t.tm_sec) && has(minutes_, t.tm_min) && has(hours_, t.tm_hour) && has(days_, t.tm_mday) &&
           has(months_, t.tm_mon) && has(weekdays_, t.tm_wday);
}

// Field by field from the largest unit: a unit that does not match moves to the start of the next one.
std::optional<std::time_t> CronExpression::next_after(std::time_t after) const {
    std::time_t start = after + 1;
    std::tm tm{};
    localtime_r(&start, &tm);
    const int last_year = tm.tm_year + 30;
    // Each pass advances by at least a second, and skips whole months, days, hours and minutes that
    // cannot match, so even a once-in-28-years date (Feb 29 on a Monday) is found in a few thousand.
    for (int pass = 0; pass < 1000000; ++pass) {
        if (tm.tm_year > last_year) return std::nullopt;
        if (!has(months_, tm.tm_mon)) {
            tm.tm_mon += 1;
            tm.tm_mday = 1;
            tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        } else if (!has(days_, tm.tm_mday) || !has(weekdays_, tm.tm_wday)) {
            tm.tm_mday += 1;
            tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        } else if (!has(hours_, tm.tm_hour)) {
            tm.tm_hour += 1;
            tm.tm_min = tm.tm_sec = 0;
        } else if (!has(minutes_, tm.tm_min)) {
            tm.tm_min += 1;
            tm.tm_sec = 0;
        } else if (!has(seconds_, tm.tm_sec)) {
            tm.tm_sec += 1;
        } else {
            std::tm probe = tm;
            std::time_t t = normalize(probe);
            // A wall time the clock skipped (a DST gap) normalizes elsewhere; go on from there.
            if (t > after && matches(probe)) return t;
            tm.tm_sec += 1;
        }
        normalize(tm);
    }
    return std::nullopt;
}

}  // namespace shd::cron
