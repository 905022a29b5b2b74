#include "filter_run.hpp"

#include <shaddock/pomelo/json_parse.hpp>


#include <exception>

namespace shd::server {

void BuiltinFilter::before(FilterRun &run) {
    run.resume();
}
void BuiltinFilter::after(FilterRun &run) {
    run.resume();
}

namespace {
uint64_t next_run_id = 1;  // logic thread only
}  // namespace

FilterRun::FilterRun(const Host &host, std::shared_ptr<const FilterChain> chain, FilterScope scope,
                     const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session, const shd_responder_v1 *client,
                     shd_handler_fn inner, void *inner_data)
    : host_(host),
      chain_(std::move(chain)),
      scope_(scope),
      id_(next_run_id++),
      kind_(msg.kind),
      msg_id_(msg.id),
      route_(to_view(msg.route)),
      body_(to_view(msg.body_json)),
      sid_(session.id),
      frontend_id_(to_view(session.frontend_id)),
      uid_(to_view(session.uid)),
      settings_(to_view(session.settings_json)),
      client_(client),
      inner_(inner),
      inner_data_(inner_data),
      inner_responder_{sizeof(shd_responder_v1), SHD_ABI_MAJOR, SHD_ABI_MINOR, this, &FilterRun::on_inner_respond} {
    // One continuation per step, allocated once: their addresses must not move while filters hold them.
    slots_.resize(chain_->before.size() + chain_->after.size() + 1);
    for (Slot &s : slots_) {
        s.table = shd_filter_next_v1{};
        shd::stamp(s.table);
        s.table.ctx = &s;
        s.table.next = &FilterRun::on_next;
        s.table.set_body = &FilterRun::on_set_body;
        s.run = this;
        s.fired = false;
    }
}

void FilterRun::start(const Host &host, std::shared_ptr<const FilterChain> chain, FilterScope scope,
                      const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session, const shd_responder_v1 *client,
                      shd_handler_fn inner, void *inner_data) {
    auto *run = new FilterRun(host, std::move(chain), scope, msg, session, client, inner, inner_data);
    run->loop();
}

// Runs steps until one has to wait; the outermost frame frees the finished run.
void FilterRun::loop() {
    if (in_loop_) return;  // a continuation from inside a step: the loop below goes on
    in_loop_ = true;
    while (!waiting_ && phase_ != Phase::done) {
        try {
            step();
        } catch (const std::exception &e) {
            fail_step(e.what());
        } catch (...) {
            fail_step("an exception that is not a std::exception");
        }
    }
    in_loop_ = false;
    if (phase_ == Phase::done) delete this;
}

// A step threw. A filter that had not continued has failed its step; a handler that had not answered
// has failed the request (its responder is invalid from now on: docs/abi.md, "Errors across the ABI").
// Either way the chain goes on with SHD_ERR_INTERNAL, so the client is answered at once.
void FilterRun::fail_step(const std::string &what) {
    host_.error("filter chain of " + route_ + " threw: " + what);
    if (!waiting_) return;
    if (phase_ == Phase::inner) {
        waiting_ = false;
        set_outcome(SHD_ERR_INTERNAL, {});
    } else {
        complete(pending_slot_, SHD_ERR_INTERNAL, {});
    }
}

void FilterRun::step() {
    // A body set by the previous before filter takes effect now, when nobody holds a view of the old one.
    if (next_body_) {
        body_ = std::move(*next_body_);
        next_body_.reset();
    }
    const FilterChain &c = *chain_;
    switch (phase_) {
        case Phase::before: {
            if (before_index_ == c.before.size()) {
                phase_ = Phase::inner;
                return;
            }
            const BeforeStep &s = c.before[before_index_];
            const shd_filter_next_v1 *next = arm(before_index_);
            if (s.builtin) return s.builtin->before(*this);
            shd_inbound_msg_v1 msg = msg_view();
            shd_session_view_v1 session = session_view();
            s.fn(s.user_data, &msg, &session, next);
            return;
        }
        case Phase::inner: call_inner(); return;
        case Phase::error: {
            const shd_filter_next_v1 *next = arm(slots_.size() - 1);
            std::string shown = response_;  // the handler's next() replaces response_ while it may read this
            shd_inbound_msg_v1 msg = msg_view();
            shd_session_view_v1 session = session_view();
            c.error_fn(c.error_data, status_, &msg, &session, to_shd(shown), next);
            return;
        }
        case Phase::after: {
            if (scope_ == FilterScope::global) answer();  // global after filters never delay the client
            if (after_index_ == c.after.size()) {
                answer();
                phase_ = Phase::done;
                return;
            }
            const AfterStep &s = c.after[after_index_];
            const shd_filter_next_v1 *next = arm(c.before.size() + after_index_);
            if (s.builtin) return s.builtin->after(*this);
            shd_inbound_msg_v1 msg = msg_view();
            shd_session_view_v1 session = session_view();
            s.fn(s.user_data, status_, &msg, &session, to_shd(response_), next);
            return;
        }
        case Phase::done: return;
    }
}

void FilterRun::call_inner() {
    waiting_ = true;
    shd_inbound_msg_v1 msg = msg_view();
    shd_session_view_v1 session = session_view();
    inner_(inner_data_, &msg, &session, &inner_responder_);
}

const shd_filter_next_v1 *FilterRun::arm(size_t slot) {
    pending_slot_ = slot;
    waiting_ = true;
    return &slots_[slot].table;
}

void FilterRun::complete(size_t slot, shd_status status, std::string_view body) {
    Slot &s = slots_[slot];
    if (s.fired || !waiting_ || slot != pending_slot_) {
        host_.warn("a filter of " + route_ + " continued more than once; the extra call is ignored");
        return;
    }
    s.fired = true;
    waiting_ = false;
    switch (phase_) {
        case Phase::before:
            if (status == SHD_OK) {
                ++before_index_;
            } else {
                next_body_.reset();
                set_outcome(status, body);
            }
            break;
        case Phase::error:
            status_ = status;
            response_.assign(body.empty() ? std::string_view("{}") : body);
            phase_ = Phase::after;
            break;
        case Phase::after: ++after_index_; break;
        default: break;
    }
    loop();
}

void FilterRun::complete_builtin(shd_status status, std::string_view body) {
    complete(pending_slot_, status, body);
}

// The outcome of the before chain or of the handler: errors go to the error handler first.
void FilterRun::set_outcome(shd_status status, std::string_view body) {
    status_ = status;
    response_.assign(body.empty() ? std::string_view("{}") : body);
    phase_ = status != SHD_OK && chain_->error_fn && !is_notify() ? Phase::error : Phase::after;
}

void FilterRun::answer() {
    if (answered_) return;
    answered_ = true;
    client_->respond(client_->ctx, status_, to_shd(response_));
}

void FilterRun::answer_now(shd_status status, std::string_view body_json) {
    if (answered_) return;
    answered_ = true;
    client_->respond(client_->ctx, status, to_shd(body_json.empty() ? std::string_view("{}") : body_json));
}

std::optional<uint64_t> FilterRun::take_mark(const void *owner) {
    for (auto it = marks_.begin(); it != marks_.end(); ++it) {
        if (it->first == owner) {
            uint64_t value = it->second;
            marks_.erase(it);
            return value;
        }
    }
    return std::nullopt;
}

shd_inbound_msg_v1 FilterRun::msg_view() const {
    shd_inbound_msg_v1 m{};
    shd::stamp(m);
    m.kind = kind_;
    m.id = msg_id_;
    m.route = to_shd(route_);
    m.body_json = to_shd(body_);
    return m;
}

shd_session_view_v1 FilterRun::session_view() const {
    shd_session_view_v1 v{};
    shd::stamp(v);
    v.id = sid_;
    v.frontend_id = to_shd(frontend_id_);
    v.uid = to_shd(uid_);
    v.settings_json = to_shd(settings_);
    return v;
}

void SHD_CALL FilterRun::on_next(void *ctx, shd_status status, shd_str body) {
    auto *slot = static_cast<Slot *>(ctx);
    FilterRun *run = slot->run;
    run->complete(static_cast<size_t>(slot - run->slots_.data()), status, to_view(body));
}

shd_status SHD_CALL FilterRun::on_set_body(void *ctx, shd_str body) {
    auto *slot = static_cast<Slot *>(ctx);
    FilterRun *run = slot->run;
    if (run->phase_ != Phase::before || slot->fired || slot != &run->slots_[run->pending_slot_])
        return SHD_ERR_UNSUPPORTED;
    // Checked in one pass with a bounded depth (a filter's body is plugin input, but a recursive parse
    // of a deeply nested one would overflow the stack).
    if (!shd::pomelo::json_valid(to_view(body))) return SHD_ERR_INVALID;
    run->next_body_.emplace(to_view(body));
    return SHD_OK;
}

void SHD_CALL FilterRun::on_inner_respond(void *ctx, shd_status status, shd_str body) {
    auto *run = static_cast<FilterRun *>(ctx);
    if (run->phase_ != Phase::inner || !run->waiting_) {
        run->host_.warn("the handler of " + run->route_ + " answered more than once; the extra answer is dropped");
        return;
    }
    run->waiting_ = false;
    run->set_outcome(status, to_view(body));
    run->loop();
}

}  // namespace shd::server
