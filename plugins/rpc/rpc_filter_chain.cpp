// RpcService, the RPC filter chain (Pomelo's rpcBefore/rpcAfter) and the error handler, as the
// service runs them around every outgoing call: dispatch runs the before filters once the target is
// known (each may answer later, through a FilterTicket) and then sends; run_hooks runs the after
// filters and the error handler from complete() (rpc_completion.cpp), right before the result
// callback. The built-in filters themselves are rpc_filters.cpp.
#include "rpc_service.hpp"
#include "rpc_service_util.hpp"

#include <rapidjson/document.h>

namespace shd::rpc {

shd_status RpcService::add_before(shd_rpc_before_fn fn, void *user_data) {
    if (!fn) return SHD_ERR_INVALID;
    befores_.push_back(Before{fn, user_data});
    return SHD_OK;
}

shd_status RpcService::add_after(shd_rpc_after_fn fn, void *user_data) {
    if (!fn) return SHD_ERR_INVALID;
    afters_.push_back(After{fn, user_data});
    return SHD_OK;
}

shd_status RpcService::set_error_handler(shd_rpc_error_fn fn, void *user_data) {
    error_fn_ = fn;
    error_user_data_ = fn ? user_data : nullptr;
    return SHD_OK;
}

shd_status RpcService::add_builtin_filter(std::string_view name, std::string_view options_json) {
    rapidjson::Document doc;
    const rapidjson::Value *options = nullptr;
    if (!trim(options_json).empty()) {
        doc.Parse(options_json.data(), options_json.size());
        if (doc.HasParseError()) {
            host_.warn("rpc filter " + std::string(name) + ": the options are not JSON");
            return SHD_ERR_INVALID;
        }
        options = &doc;
    }
    try {
        install(parse_rpc_filter(name, options, "rpc filter " + std::string(name)));
    } catch (const shd::Error &e) {
        host_.warn(e.what());
        return e.status();
    }
    return SHD_OK;
}

void RpcService::install(const RpcFilterSpec &spec) {
    std::unique_ptr<BuiltinRpcFilter> f = make_rpc_filter(host_, spec);
    if (shd_rpc_before_fn b = f->before()) befores_.push_back(Before{b, f.get()});
    if (shd_rpc_after_fn a = f->after()) afters_.push_back(After{a, f.get()});
    builtins_.push_back(std::move(f));
}

// The target is known: runs the before chain (if any), then sends. A target that is no member fails
// in send_to without running a filter.
void RpcService::dispatch(uint64_t id, const std::string &server_id, const RequestRef &req) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    Pending &p = it->second;
    if ((befores_.empty() && afters_.empty()) || !directory_.find(server_id)) return send_to(id, server_id, req);
    p.target = server_id;
    p.filtered = true;
    if (befores_.empty()) return send_to(id, server_id, req);
    keep_copy(p, req);
    p.next_before = 0;
    run_before(id);
}

void RpcService::run_before(uint64_t id) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // timed out or stopped while a filter decided
    Pending &p = it->second;
    if (p.next_before >= befores_.size()) {
        send_to(id, p.target, copy_ref(p));
        return;
    }
    const Before f = befores_[p.next_before];
    auto *ticket = new FilterTicket{this, id};
    filter_tickets_.insert(ticket);
    const std::string route = p.ns + "." + p.service + "." + p.method;
    const shd_rpc_call_view_v1 v = call_view(id, p, route);
    try {
        f.fn(f.user_data, &v, &RpcService::before_next, ticket);
    } catch (...) {
        // The ticket may be spent or not; the call's deadline ends it either way.
        host_.error("an rpc before filter threw an exception");
    }
}

void SHD_CALL RpcService::before_next(void *ctx, shd_status status, shd_str message) {
    auto *ticket = static_cast<FilterTicket *>(ctx);
    ticket->owner->on_before_done(ticket, status, shd::to_view(message));
}

void RpcService::on_before_done(FilterTicket *ticket, shd_status status, std::string_view message) {
    if (filter_tickets_.erase(ticket) == 0) return;
    const uint64_t id = ticket->call_id;
    delete ticket;
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // already ended (deadline, stop): a late next does nothing
    if (status != SHD_OK) {
        // Completed from a posted task, so even a filter answering inside invoke() never calls back inline.
        const std::string text = trim(message).empty()
                                     ? json_quote("rpc to " + it->second.target + " rejected by an rpc before filter")
                                     : std::string(message);
        fail_later(id, status, text);
        return;
    }
    ++it->second.next_before;
    run_before(id);
}

// What a filter or the error handler sees of a call; route is borrowed.
shd_rpc_call_view_v1 RpcService::call_view(uint64_t id, const Pending &p, const std::string &route) {
    shd_rpc_call_view_v1 v{};
    shd::stamp(v);
    v.call_id = id;
    v.server_id = shd_str{p.target.data(), p.target.size()};
    v.server_type = shd_str{p.type.data(), p.type.size()};
    v.route = shd_str{route.data(), route.size()};
    v.args_json = shd_str{p.args.data(), p.args.size()};
    return v;
}

void RpcService::run_hooks(uint64_t id, const Pending &p, shd_status status, std::string_view result) {
    const std::string route = p.has_copy ? p.ns + "." + p.service + "." + p.method : std::string();
    const shd_rpc_call_view_v1 v = call_view(id, p, route);
    const shd_str r{result.data(), result.size()};
    if (p.filtered) {
        const uint64_t now = now_us();
        const uint64_t elapsed = now > p.started_us ? now - p.started_us : 0;
        for (size_t i = 0; i < afters_.size(); ++i) {  // by index: a filter may add filters
            const After f = afters_[i];
            try {
                f.fn(f.user_data, &v, status, r, elapsed);
            } catch (...) {
                host_.error("an rpc after filter threw an exception");
            }
        }
    }
    if (status != SHD_OK && error_fn_) {
        try {
            error_fn_(error_user_data_, &v, status, r);
        } catch (...) {
            host_.error("the rpc error handler threw an exception");
        }
    }
}

}  // namespace shd::rpc
