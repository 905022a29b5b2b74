// A cron expression as pomelo-scheduler reads it: six whitespace-separated fields, seconds first.
//
//   field        values   notes
//   second       0-59
//   minute       0-59
//   hour         0-23
//   dayOfMonth   1-31
//   month        0-11     January is 0 (JavaScript's Date, as in Pomelo)
//   dayOfWeek    0-6      Sunday is 0
//
// Each field is `*` or a comma-separated list of `n`, `a-b`, `*/step`, `a/step` or `a-b/step`
// (`a/step`: a, a+step, ... up to the field's maximum; pomelo-scheduler reads it as "value % step ==
// a", the same values whenever a < step). A time matches when every field matches; as in
// pomelo-scheduler, dayOfMonth and dayOfWeek must both match (not either, as in Vixie cron).
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace shd::cron {

// A malformed expression; what() says which field and why: `minute field "61": 61 is out of range 0-59`.
class CronSyntaxError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

class CronExpression {
public:
    // Throws CronSyntaxError.
    static CronExpression parse(std::string_view text);

    // The first second strictly after `after` (seconds since the epoch) that matches, in the process's
    // local time zone; nullopt when none comes within the next 30 years (e.g. "0 0 0 30 1 *", Feb 30).
    std::optional<std::time_t> next_after(std::time_t after) const;

    // Whether a broken-down local time matches.
    bool matches(const std::tm &local) const;

private:
    uint64_t seconds_ = 0, minutes_ = 0;  // bit n set: value n matches
    uint32_t hours_ = 0, days_ = 0;
    uint16_t months_ = 0;
    uint8_t weekdays_ = 0;
};

}  // namespace shd::cron
