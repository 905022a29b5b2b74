// One request's way through a filter chain (Pomelo's beforeFilter -> handler -> handleError ->
// afterFilter), for either scope. [logic] only.
//
// A run copies the message and the session, calls each step (a filter, the handler or the dispatch,
// the error handler) and waits for its continuation, which may come at once or later. A trampoline
// loop drives it, so synchronous filters do not nest and the run frees itself only from the outermost
// frame, once the client has its answer and the last after filter has finished.
#pragma once

#include <shaddock/ext/filter.h>
#include <shaddock/cpp/host.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shd::server {

class FilterRun;

// A built-in filter (serial, time, timeout, toobusy): C++ inside this plugin, with the run at hand.
// Each half ends, now or later, with exactly one run.resume() (a before half may run.abort() instead).
class BuiltinFilter {
public:
    virtual ~BuiltinFilter() = default;
    virtual bool has_before() const { return true; }
    virtual bool has_after() const { return true; }
    virtual void before(FilterRun &run);
    virtual void after(FilterRun &run);
    // The server is stopping: cancel timers, answer the runs it holds back.
    virtual void stop() {}
};

struct BeforeStep {
    shd_before_filter_fn fn;
    void *user_data;
    std::shared_ptr<BuiltinFilter> builtin;  // set instead of fn for a built-in
};

struct AfterStep {
    shd_after_filter_fn fn;
    void *user_data;
    std::shared_ptr<BuiltinFilter> builtin;
};

// One scope's filters. Immutable once published: registering builds a new chain, and a run keeps the
// chain it started with.
struct FilterChain {
    std::vector<BeforeStep> before;  // in run order (registration order)
    std::vector<AfterStep> after;    // in run order (reverse registration order)
    shd_error_handler_fn error_fn = nullptr;
    void *error_data = nullptr;
    bool empty() const { return before.empty() && after.empty() && !error_fn; }
};

enum class FilterScope { local, global };

class FilterRun {
public:
    // Runs `inner` (a handler, or the frontend's dispatch) inside the chain. `client` is answered
    // exactly once: after the after filters (local), or before them (global).
    static void start(const Host &host, std::shared_ptr<const FilterChain> chain, FilterScope scope,
                      const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session, const shd_responder_v1 *client,
                      shd_handler_fn inner, void *inner_data);

    FilterRun(const FilterRun &) = delete;
    FilterRun &operator=(const FilterRun &) = delete;

    uint64_t id() const { return id_; }
    const std::string &route() const { return route_; }
    uint64_t session_id() const { return sid_; }
    const std::string &frontend_id() const { return frontend_id_; }
    bool is_notify() const { return kind_ == SHD_MSG_NOTIFY; }
    const Host &host() const { return host_; }

    // For built-ins: ends the pending built-in step (continue).
    void resume() { complete_builtin(SHD_OK, {}); }
    // For built-ins, before half only: aborts the chain with an error answer.
    void abort(shd_status status, std::string_view body_json) { complete_builtin(status, body_json); }
    // Answers the client now (serial's timeout). The run goes on; its own answer is dropped later.
    void answer_now(shd_status status, std::string_view body_json);

    // Small values a built-in keeps between its two halves (a start time, a timer id).
    void set_mark(const void *owner, uint64_t value) { marks_.emplace_back(owner, value); }
    std::optional<uint64_t> take_mark(const void *owner);

private:
    enum class Phase { before, inner, error, after, done };
    struct Slot {  // the continuation of one step; a second call is noticed by `fired`
        shd_filter_next_v1 table;
        FilterRun *run;
        bool fired;
    };

    FilterRun(const Host &host, std::shared_ptr<const FilterChain> chain, FilterScope scope,
              const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session, const shd_responder_v1 *client,
              shd_handler_fn inner, void *inner_data);

    void loop();
    void step();
    void fail_step(const std::string &what);
    void call_inner();
    void complete(size_t slot, shd_status status, std::string_view body);
    void complete_builtin(shd_status status, std::string_view body);
    void set_outcome(shd_status status, std::string_view body);
    void answer();
    shd_inbound_msg_v1 msg_view() const;
    shd_session_view_v1 session_view() const;
    const shd_filter_next_v1 *arm(size_t slot);

    static void SHD_CALL on_next(void *ctx, shd_status status, shd_str body);
    static shd_status SHD_CALL on_set_body(void *ctx, shd_str body);
    static void SHD_CALL on_inner_respond(void *ctx, shd_status status, shd_str body);

    Host host_;
    std::shared_ptr<const FilterChain> chain_;
    FilterScope scope_;
    uint64_t id_;

    // The message and the session, copied: filters may finish after the caller's views are gone.
    int32_t kind_;
    uint32_t msg_id_;
    std::string route_, body_;
    std::optional<std::string> next_body_;  // set_body's text, applied when the filter continues
    uint64_t sid_;
    std::string frontend_id_, uid_, settings_;

    const shd_responder_v1 *client_;
    shd_handler_fn inner_;
    void *inner_data_;
    shd_responder_v1 inner_responder_;

    Phase phase_ = Phase::before;
    size_t before_index_ = 0, after_index_ = 0;
    std::vector<Slot> slots_;  // before steps, then after steps, then the error handler
    size_t pending_slot_ = 0;
    bool waiting_ = false;  // a step was called and has not continued yet
    bool in_loop_ = false;
    bool answered_ = false;
    shd_status status_ = SHD_OK;
    std::string response_ = "{}";
    std::vector<std::pair<const void *, uint64_t>> marks_;
};

}  // namespace shd::server
