#include "filter_builtins.hpp"

#include "server_options.hpp"

#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/lag_meter.hpp>

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <vector>

namespace shd::server {

namespace {

// Pomelo's serial filter (a seq-queue per session). The session's next request starts on a posted
// task, never inside the previous one's after filter, so long queues do not nest.
class SerialFilter final : public BuiltinFilter {
public:
    SerialFilter(const Host &host, uint64_t timeout_ms) : host_(host), timeout_ms_(timeout_ms) {}

    void before(FilterRun &run) override {
        if (stopped_) return run.resume();
        std::string k = key(run);
        Queue &q = queues_[k];
        if (q.current) {
            q.waiting.push_back(&run);
            return;
        }
        begin(k, q, run);
        q.started = true;
        run.resume();
    }

    void after(FilterRun &run) override {
        auto it = queues_.find(key(run));
        if (it != queues_.end() && it->second.current_id == run.id()) {
            if (it->second.timer) host_.cancel(it->second.timer);
            next(it);
        }
        run.resume();
    }

    void stop() override {
        stopped_ = true;
        std::vector<FilterRun *> held;  // runs that would otherwise never go on
        for (auto &[k, q] : queues_) {
            if (q.timer) host_.cancel(q.timer);
            if (q.current && !q.started) held.push_back(q.current);
            held.insert(held.end(), q.waiting.begin(), q.waiting.end());
        }
        queues_.clear();
        for (FilterRun *run : held) run->abort(SHD_ERR_SHUTDOWN, "{}");
    }

private:
    struct Queue {
        FilterRun *current = nullptr;
        uint64_t current_id = 0;
        bool started = false;  // current has been resumed
        uint64_t timer = 0;
        std::deque<FilterRun *> waiting;
    };
    using Queues = std::unordered_map<std::string, Queue>;

    static std::string key(const FilterRun &run) { return run.frontend_id() + '#' + std::to_string(run.session_id()); }

    void begin(const std::string &k, Queue &q, FilterRun &run) {
        q.current = &run;
        q.current_id = run.id();
        q.started = false;
        q.timer = host_.after(timeout_ms_, [this, k, id = run.id()] { timed_out(k, id); });
    }

    // The current request finished or timed out: start the next one, or forget the idle session.
    void next(Queues::iterator it) {
        Queue &q = it->second;
        q.current = nullptr;
        q.current_id = 0;
        q.timer = 0;
        if (q.waiting.empty()) {
            queues_.erase(it);
            return;
        }
        FilterRun *run = q.waiting.front();
        q.waiting.pop_front();
        std::string k = it->first;
        begin(k, q, *run);
        host_.post([this, k, id = run->id()] {
            auto found = queues_.find(k);
            if (found == queues_.end() || found->second.current_id != id || found->second.started) return;
            found->second.started = true;
            found->second.current->resume();
        });
    }

    void timed_out(const std::string &k, uint64_t id) {
        auto it = queues_.find(k);
        if (it == queues_.end() || it->second.current_id != id) return;
        FilterRun *run = it->second.current;
        it->second.timer = 0;
        host_.warn("serial: " + run->route() + " of session " + std::to_string(run->session_id()) + " (" +
                   run->frontend_id() + ") still running after " + std::to_string(timeout_ms_) +
                   " ms: answered with an error; the session's next request starts");
        bool started = it->second.started;
        next(it);
        run->answer_now(SHD_ERR_TIMEOUT, "{}");
        // A request that timed out before it began (its start was still posted) goes on unqueued.
        if (!started) run->resume();
    }

    Host host_;
    uint64_t timeout_ms_;
    Queues queues_;
    bool stopped_ = false;
};

// Pomelo's time filter: the route and the time used, logged when the request is done.
class TimeFilter final : public BuiltinFilter {
public:
    explicit TimeFilter(const Host &host) : host_(host) {}
    void before(FilterRun &run) override {
        run.set_mark(this, host_.now_ms());
        run.resume();
    }
    void after(FilterRun &run) override {
        if (auto started = run.take_mark(this))
            host_.info("time: " + run.route() + " took " + std::to_string(host_.now_ms() - *started) + " ms");
        run.resume();
    }

private:
    Host host_;
};

// Pomelo's timeout filter: a warning for each request still running after the timeout.
class TimeoutFilter final : public BuiltinFilter {
public:
    TimeoutFilter(const Host &host, uint64_t timeout_ms, uint64_t max_size)
        : host_(host), timeout_ms_(timeout_ms), max_size_(max_size) {}

    void before(FilterRun &run) override {
        if (watched_ < max_size_) {
            ++watched_;
            uint64_t timer = host_.after(timeout_ms_, [host = host_, route = run.route(), ms = timeout_ms_] {
                host.warn("timeout: " + route + " is still running after " + std::to_string(ms) + " ms");
            });
            run.set_mark(this, timer);
        }
        run.resume();
    }

    void after(FilterRun &run) override {
        if (auto timer = run.take_mark(this)) {
            host_.cancel(*timer);  // already fired: nothing to cancel, which is fine
            --watched_;
        }
        run.resume();
    }

private:
    Host host_;
    uint64_t timeout_ms_, max_size_;
    uint64_t watched_ = 0;
};

// Pomelo's toobusy filter: requests are refused while the logic thread lags (shd::LagMeter) more
// than maxLag.
class ToobusyFilter final : public BuiltinFilter {
public:
    ToobusyFilter(const Host &host, uint64_t max_lag_ms)
        : host_(host), max_lag_ms_(max_lag_ms), meter_(LagMeter::interval_for(max_lag_ms), host.now_ms()) {
        timer_ = host_.every(meter_.interval(), [this] { meter_.tick(host_.now_ms()); });
    }

    bool has_after() const override { return false; }

    void before(FilterRun &run) override {
        const uint64_t now = host_.now_ms();
        const uint64_t lag = meter_.lag(now);
        if (lag <= max_lag_ms_) return run.resume();
        if (now - last_warning_ >= 1000) {  // one line a second is enough in an overload
            last_warning_ = now;
            host_.warn("toobusy: the logic thread lags " + std::to_string(lag) + " ms (maxLag " +
                       std::to_string(max_lag_ms_) + "): rejecting requests such as " + run.route());
        }
        run.abort(SHD_ERR_BUSY, R"({"code":500})");
    }

    void stop() override {
        if (timer_) host_.cancel(timer_);
        timer_ = 0;
    }

private:
    Host host_;
    uint64_t max_lag_ms_;
    LagMeter meter_;
    uint64_t timer_ = 0;
    uint64_t last_warning_ = 0;
};

}  // namespace

std::shared_ptr<BuiltinFilter> make_builtin_filter(const Host &host, std::string_view name,
                                                   const rapidjson::Value *options, const std::string &where) {
    if (options && !options->IsObject())
        throw Error(SHD_ERR_INVALID, where + ": the options of a filter must be a JSON object");
    const OptionTable *table = builtin_filter_table(name);
    if (!table)
        throw Error(SHD_ERR_NOT_FOUND, where + ": unknown filter \"" + std::string(name) +
                                           "\"; expected one of: serial, time, timeout, toobusy");
    Options opts(options, *table, where);  // checks every key: "option filters[1].timeout: expected ..."
    if (name == "serial") return std::make_shared<SerialFilter>(host, opts.integer("timeout"));
    if (name == "time") return std::make_shared<TimeFilter>(host);
    if (name == "timeout")
        return std::make_shared<TimeoutFilter>(host, opts.integer("timeout"), opts.integer("maxSize"));
    return std::make_shared<ToobusyFilter>(host, opts.integer("maxLag"));
}

}  // namespace shd::server
