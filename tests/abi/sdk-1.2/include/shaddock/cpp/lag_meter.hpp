// shaddock/cpp/lag_meter.hpp - how late the logic thread runs, the measure behind Pomelo's toobusy
// (the server plugin's toobusy filter and the rpc plugin's toobusy rpc filter both use it).
//
//   shd::LagMeter meter(shd::LagMeter::interval_for(max_lag), host.now_ms());
//   timer = host.every(meter.interval(), [&] { meter.tick(host.now_ms()); });
//   if (meter.lag(host.now_ms()) > max_lag) ... reject ...
//
// The lag is how late a periodic timer of period `interval` runs: the lateness of its last run, or
// how overdue it is right now when the logic thread is still busy (so a request made behind a long
// task sees the lag at once, not after the next tick). Pure arithmetic on milliseconds; [logic].
#pragma once

#include <algorithm>
#include <cstdint>

namespace shd {

class LagMeter {
public:
    // The sampling period for a maximum lag: half of it, between 5 and 100 ms.
    static uint64_t interval_for(uint64_t max_lag_ms) { return std::clamp<uint64_t>(max_lag_ms / 2, 5, 100); }

    LagMeter(uint64_t interval_ms, uint64_t now_ms) : interval_(interval_ms), last_(now_ms) {}

    // Called by the periodic timer.
    void tick(uint64_t now_ms) {
        const uint64_t gap = now_ms > last_ ? now_ms - last_ : 0;
        measured_ = gap > interval_ ? gap - interval_ : 0;
        last_ = now_ms;
    }
    uint64_t lag(uint64_t now_ms) const {
        const uint64_t since = now_ms > last_ ? now_ms - last_ : 0;
        const uint64_t overdue = since > interval_ ? since - interval_ : 0;
        return overdue > measured_ ? overdue : measured_;
    }
    uint64_t interval() const { return interval_; }

private:
    uint64_t interval_, last_;
    uint64_t measured_ = 0;
};

}  // namespace shd
