// RpcService, routing: the route functions of set_route, the choice of a server for call() and
// forward() (route_call: a route function, else the configured router in route_builtin), and a
// route function's choice made after it returned (on_route_chosen). Once a server is chosen the call
// goes to dispatch (rpc_filter_chain.cpp).
#include "rpc_service.hpp"
#include "rpc_service_util.hpp"

#include <shaddock/cpp/json.hpp>

#include <algorithm>

namespace shd::rpc {

namespace {

// What route functions get for a forward, as the frontend built it when forwards were calls:
// {"id":<sid>,"frontendId":"...","uid":"...","settings":<settings>}.
std::string session_json(const ForwardView &f) {
    std::string out;
    out.reserve(48 + f.frontend_id.size() + f.uid.size() + f.settings.size());
    out.append(R"({"id":)").append(std::to_string(f.session_id)).append(R"(,"frontendId":)");
    shd::json_quote_append(out, f.frontend_id);
    out.append(R"(,"uid":)");
    shd::json_quote_append(out, f.uid);
    out.append(R"(,"settings":)").append(f.settings).append("}");
    return out;
}

}  // namespace

shd_status RpcService::set_route(std::string_view server_type, shd_route_fn fn, void *user_data) {
    if (server_type.empty()) return SHD_ERR_INVALID;
    if (!fn) {
        auto it = routes_.find(server_type);
        if (it != routes_.end()) routes_.erase(it);
        return SHD_OK;
    }
    routes_[std::string(server_type)] = Route{fn, user_data};
    return SHD_OK;
}

// The shared part of call() and forward(), once the call is in the table: picks the server (a route
// function, or the configured router) and dispatches.
void RpcService::route_call(uint64_t id, std::string_view server_type, std::string_view route_param,
                            const RequestRef &req) {
    const std::string type(server_type);
    const std::vector<std::string> &candidates = directory_.ids_of_type(type);
    if (candidates.empty()) {
        fail_later(id, SHD_ERR_NOT_FOUND, json_quote("no server of type " + type));
        return;
    }
    auto route = routes_.find(type);
    if (route == routes_.end()) route = routes_.find(std::string_view("default"));
    if (route == routes_.end()) {
        route_builtin(id, type, route_param, req);
        return;
    }
    // A forward's session text is built here, for the route function alone. A choice made during the
    // call (the usual case) dispatches the caller's request as it is; only a function that answers
    // later makes the request be copied, once it has returned.
    std::string session;
    if (req.is_forward) {
        session = session_json(req.fwd);
        route_param = session;
    }
    const std::vector<std::string> names = candidates;
    std::vector<shd_str> views;
    views.reserve(names.size());
    for (const auto &n : names) views.push_back(shd_str{n.data(), n.size()});
    auto *ticket = new RouteTicket{this, id};
    tickets_.insert(ticket);
    const Route r = route->second;
    SyncChoice choice;
    choice.call_id = id;
    sync_choices_.push_back(&choice);
    const std::string threw = what_thrown([&] {
        r.fn(
            r.user_data, shd_str{type.data(), type.size()}, shd_str{route_param.data(), route_param.size()},
            views.data(), views.size(),
            [](void *ctx, shd_status status, shd_str server_id) {
                auto *t = static_cast<RouteTicket *>(ctx);
                t->owner->on_route_chosen(t, status, shd::to_view(server_id));
            },
            ticket);
    });
    sync_choices_.erase(std::find(sync_choices_.begin(), sync_choices_.end(), &choice));
    // A route function that threw before choosing fails its call now (a choice it still makes later
    // finds the call gone). Its ticket stays valid for that late choice, until it comes or until the
    // service is destroyed.
    if (!threw.empty() && tickets_.count(ticket)) {
        host_.error("the route function for server type " + type + " threw: " + threw);
        fail_later(id, SHD_ERR_INTERNAL, json_quote("the route function for server type " + type + " threw"));
        return;
    }
    if (!threw.empty()) host_.error("the route function for server type " + type + " threw after choosing: " + threw);
    if (choice.made) {
        auto it = pending_.find(id);
        if (it == pending_.end() || !accept_choice(id, choice.status, choice.server_id)) return;
        if (options_.failover) keep_copy(it->second, req);
        dispatch(id, choice.server_id, req);
        return;
    }
    // Still deciding: it answers later, after the caller's request is gone.
    auto it = pending_.find(id);
    if (it != pending_.end()) keep_copy(it->second, req);
}

bool RpcService::accept_choice(uint64_t id, shd_status status, const std::string &server_id) {
    const Pending &p = pending_.at(id);
    if (status != SHD_OK) {
        fail_later(id, status,
                   json_quote("the route function for server type " + p.type + " failed (status " +
                              std::to_string(status) + ")"));
        return false;
    }
    if (!directory_.find(server_id)) {
        fail_later(id, SHD_ERR_NOT_FOUND,
                   json_quote("the route function for server type " + p.type + " chose \"" + server_id +
                              "\", which is not a member of the cluster"));
        return false;
    }
    return true;
}

void RpcService::route_builtin(uint64_t id, const std::string &type, std::string_view route_param,
                               const RequestRef &req) {
    const std::vector<std::string> &ids = directory_.ids_of_type(type);
    std::vector<Candidate> candidates(ids.size());
    const RouterKind kind = router_.kind();
    for (size_t i = 0; i < ids.size(); ++i) {
        candidates[i].id = ids[i];
        if (kind == RouterKind::wrr) {
            const PeerEntry *e = directory_.find(ids[i]);
            candidates[i].weight = e ? e->weight : 1;
        } else if (kind == RouterKind::la) {
            auto a = active_.find(ids[i]);
            candidates[i].active = a == active_.end() ? 0 : a->second;
        }
    }
    std::string uid;
    if (kind == RouterKind::crc32 || kind == RouterKind::ch)
        uid = req.is_forward ? std::string(req.fwd.uid) : route_uid(route_param);
    const std::string chosen = ids[router_.pick(type, uid, candidates)];
    if (options_.failover) keep_copy(pending_[id], req);
    dispatch(id, chosen, req);
}

void RpcService::on_route_chosen(RouteTicket *ticket, shd_status status, std::string_view server_id) {
    const uint64_t id = ticket->call_id;
    tickets_.erase(ticket);
    delete ticket;
    for (SyncChoice *c : sync_choices_) {
        if (c->call_id != id) continue;
        // Chosen during the route function's call: route_call dispatches once it returns.
        c->made = true;
        c->status = status;
        c->server_id.assign(server_id);
        return;
    }
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // timed out or stopped while the route function decided
    Pending &p = it->second;
    const std::string chosen(server_id);
    if (!accept_choice(id, status, chosen)) return;
    dispatch(id, chosen, copy_ref(p));
    if (!options_.failover) {
        auto again = pending_.find(id);
        // Still needed: by the filters (hooked), or by a before chain that has not finished.
        if (again != pending_.end() && !again->second.hooked && !again->second.filtered) {
            Pending &q = again->second;
            std::string().swap(q.args);
            q.fwd.reset();
            q.has_copy = false;
        }
    }
}

}  // namespace shd::rpc
