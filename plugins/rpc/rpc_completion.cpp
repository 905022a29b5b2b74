// RpcService, the end of an outgoing call: every way a call ends goes through complete(), which
// takes it out of the table, runs the after filters and the error handler (run_hooks) and calls its
// callback once. Here too are what leads there: failures found inside invoke()/call(), completed
// from a posted task (fail_later), a lost link and the failover it may allow, the deadlines (one
// host timer, armed for the earliest), and the responses that arrive.
#include "rpc_service.hpp"
#include "rpc_service_util.hpp"

#include <algorithm>

namespace shd::rpc {

void RpcService::fail_io_later(uint64_t id, std::string reason) {
    deferred_.push_back(Deferred{id, SHD_ERR_IO, {}, std::move(reason)});
    schedule_drain();
}

void RpcService::fail_later(uint64_t id, shd_status status, std::string message_json) {
    deferred_.push_back(Deferred{id, status, std::move(message_json), {}});
    schedule_drain();
}

void RpcService::schedule_drain() {
    if (drain_posted_) return;
    drain_posted_ = post([this](bool) { drain_deferred(); });  // runs even while the host shuts down
    if (!drain_posted_) drain_deferred();                      // the host takes no more work: this is the last chance
}

void RpcService::drain_deferred() {
    drain_posted_ = false;
    std::vector<Deferred> batch;
    batch.swap(deferred_);
    for (auto &d : batch) {
        if (!d.io_reason.empty())
            fail_io(d.id, d.io_reason);
        else
            complete(d.id, d.status, d.message);
    }
}

void RpcService::untrack(Pending &p, uint64_t id) {
    deadlines_.erase(std::make_pair(p.deadline, id));
    if (p.link) {
        auto it = calls_on_link_.find(p.link);
        if (it != calls_on_link_.end()) {
            it->second.erase(id);
            if (it->second.empty()) calls_on_link_.erase(it);
        }
        p.link = 0;
    }
    if (p.counted) {
        auto a = active_.find(p.target);
        if (a != active_.end() && --a->second == 0) active_.erase(a);
        p.counted = false;
    }
}

void RpcService::count_call(const Pending &p, shd_status status) {
    std::string_view type = p.type.empty() ? std::string_view("none") : std::string_view(p.type);
    auto it = call_metrics_.find(type);
    if (it == call_metrics_.end()) {
        if (call_metrics_.size() >= kMaxCallLabels) type = "other";
        it = call_metrics_.find(type);
    }
    if (it == call_metrics_.end()) {
        shd::Metrics m(host_);
        const std::string label(type);
        it = call_metrics_
                 .emplace(
                     label,
                     CallMetrics{
                         m.counter("shaddock_rpc_calls",
                                   "RPC calls made, ended (answered, failed or timed out), "
                                   "by target server type",
                                   "target", label),
                         m.counter("shaddock_rpc_errors", "RPC calls that ended with an error (timeouts included)",
                                   "target", label),
                         m.counter("shaddock_rpc_timeouts", "RPC calls that ended at their deadline", "target", label),
                         m.histogram("shaddock_rpc_duration_seconds", "RPC call latency, by target server type",
                                     shd::Metrics::latency_buckets(), "target", label)})
                 .first;
    }
    const CallMetrics &c = it->second;
    c.calls.add();
    if (status != SHD_OK) c.errors.add();
    if (status == SHD_ERR_TIMEOUT) c.timeouts.add();
    const uint64_t now = now_us();
    c.duration.observe(now > p.started_us ? static_cast<double>(now - p.started_us) / 1e6 : 0.0);
}

void RpcService::complete(uint64_t id, shd_status status, std::string_view result, bool answered) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    untrack(it->second, id);
    count_call(it->second, status);
    if (shd_rpc_forward_done_fn fdone = it->second.forward_done) {
        void *user_data = it->second.user_data;
        const bool after = it->second.filtered && !afters_.empty();
        if (after || (!answered && status != SHD_OK && error_fn_)) {
            const Pending p = std::move(it->second);
            pending_.erase(it);
            if (answered) {  // an answer is a success of the call it replaces: [err, body] with SHD_OK
                std::string envelope = status == SHD_OK ? "[null," : R"([{"code":500},)";
                envelope.append(result.empty() ? std::string_view("{}") : result).push_back(']');
                run_hooks(id, p, SHD_OK, envelope);
            } else {
                run_hooks(id, p, status, result);
            }
        } else {
            pending_.erase(it);
        }
        const shd_str none{"", 0}, text{result.data(), result.size()};
        try {
            fdone(user_data, status, answered ? text : none, answered ? none : text);
        } catch (...) {
            host_.error("an rpc forward callback threw an exception");
        }
        return;
    }
    shd_rpc_result_fn done = it->second.done;
    void *user_data = it->second.user_data;
    if ((it->second.filtered && !afters_.empty()) || (status != SHD_OK && error_fn_)) {
        // Out of the table first: a hook may start calls, and this one can no longer end twice.
        const Pending p = std::move(it->second);
        pending_.erase(it);
        run_hooks(id, p, status, result);
    } else {
        pending_.erase(it);
    }
    try {
        // `result` is borrowed from the caller for this call only, as shd_str views are (cppcheck
        // cannot see that the callers' strings outlive it).
        // cppcheck-suppress [invalidLifetime, danglingTemporaryLifetime]
        done(user_data, status, shd_str{result.data(), result.size()});
    } catch (...) {
        host_.error("an rpc result callback threw an exception");
    }
}

std::string RpcService::describe_target(const Pending &p) const {
    return p.target.empty() ? "server type " + p.type : p.target;
}

bool RpcService::try_failover(uint64_t id) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return false;
    Pending &p = it->second;
    if (!p.routed || !options_.failover || p.retried || !p.has_copy || stopping_) return false;
    const std::vector<std::string> &ids = directory_.ids_of_type(p.type);
    if (ids.empty()) return false;
    auto pos = std::find(ids.begin(), ids.end(), p.target);
    const std::string next =
        pos == ids.end() ? ids.front() : ids[static_cast<size_t>(pos - ids.begin() + 1) % ids.size()];
    if (next == p.target) return false;
    host_.info("rpc " + p.service + "." + p.method + " to " + p.target + " failed before any response; failover to " +
               next);
    const uint64_t deadline = p.deadline;
    untrack(p, id);
    deadlines_.emplace(deadline, id);  // the same deadline covers the retry
    p.retried = true;
    send_to(id, next, copy_ref(p));
    return true;
}

void RpcService::fail_io(uint64_t id, const std::string &reason) {
    if (try_failover(id)) return;
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    const std::string message = json_quote("rpc to " + describe_target(it->second) + " failed: " + reason);
    complete(id, SHD_ERR_IO, message);
}

// ---------------------------------------------------------------------------------------------
// Deadlines: one host timer, armed for the earliest deadline.

void RpcService::arm_deadline_timer() {
    if (deadlines_.empty()) return;
    const uint64_t at = deadlines_.begin()->first;
    if (timer_armed_ && timer_at_ <= at) return;
    const uint64_t now = host_.now_ms();
    try {
        host_.after(at > now ? at - now : 0, [this, at] { on_deadline_timer(at); });
        timer_armed_ = true;
        timer_at_ = at;
    } catch (const std::exception &) {
        // The host is shutting down: stop() completes every pending call.
    }
}

void RpcService::on_deadline_timer(uint64_t armed_for) {
    if (timer_armed_ && timer_at_ == armed_for) timer_armed_ = false;
    const uint64_t now = host_.now_ms();
    std::vector<uint64_t> expired;
    for (const auto &[deadline, id] : deadlines_) {
        if (deadline > now) break;
        expired.push_back(id);
    }
    for (uint64_t id : expired) {
        auto it = pending_.find(id);
        if (it == pending_.end()) continue;
        const Pending &p = it->second;
        const std::string message =
            json_quote("rpc to " + describe_target(p) + " timed out after " + std::to_string(p.timeout_ms) + " ms");
        complete(id, SHD_ERR_TIMEOUT, message);
    }
    arm_deadline_timer();
}

// ---------------------------------------------------------------------------------------------
// Responses and lost links (posted from the I/O threads by rpc_service.cpp)

void RpcService::handle_responses(uint64_t link_serial, std::vector<InboundResponse> &responses) {
    for (auto &r : responses) {
        auto it = pending_.find(r.id);
        if (it == pending_.end() || it->second.link != link_serial) continue;  // late: timed out or failed over
        complete(r.id, r.status, r.result, !r.refused);
    }
}

void RpcService::handle_link_closed(uint64_t link_serial, const std::string &reason) {
    for (auto it = links_.begin(); it != links_.end(); ++it) {
        if (it->second->serial() == link_serial) {
            links_.erase(it);
            break;
        }
    }
    fail_link_calls(link_serial, reason);
}

void RpcService::fail_link_calls(uint64_t link_serial, const std::string &reason) {
    auto calls = calls_on_link_.find(link_serial);
    if (calls == calls_on_link_.end()) return;
    std::vector<uint64_t> ids(calls->second.begin(), calls->second.end());
    calls_on_link_.erase(calls);
    std::sort(ids.begin(), ids.end());
    for (uint64_t id : ids) fail_io(id, reason);
}

}  // namespace shd::rpc
