#include "rpc_service.hpp"

#include "frame_codec.hpp"

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>

namespace shd::rpc {

namespace {

std::string_view view(shd_str s) {
    return std::string_view(s.data ? s.data : "", s.size);
}

// A JSON string literal of `text` (error messages travel as JSON strings).
std::string json_quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out.push_back('"');
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    static const char hex[] = "0123456789abcdef";
                    out += "\\u00";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 15]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Cheap shape checks only: the args are passed through unparsed (the remote parses them once).
std::string check_request(std::string_view ns, std::string_view service, std::string_view method,
                          std::string_view args) {
    if (ns.empty() || service.empty() || method.empty()) return "namespace, service and method must not be empty";
    if (ns.size() > kMaxNameSize || service.size() > kMaxNameSize || method.size() > kMaxNameSize)
        return "namespace, service and method must be at most 65535 bytes";
    std::string_view a = trim(args);
    if (!a.empty() && (a.front() != '[' || a.back() != ']')) return "args must be a JSON array";
    return {};
}

uint64_t now_us() {
    using namespace std::chrono;
    return static_cast<uint64_t>(duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

std::string remote_key(std::string_view ns, std::string_view service, std::string_view method) {
    std::string key;
    key.reserve(ns.size() + service.size() + method.size() + 2);
    key.append(ns).push_back('\0');
    key.append(service).push_back('\0');
    key.append(method);
    return key;
}

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

// The args of sys.msgRemote.forwardMessage, which filters and the error handler still see:
// [{"id":<msg id>,"type":<kind>,"route":"..."},{"id":<sid>,"frontendId":"...","uid":"..."},settings,body].
std::string forward_envelope(const ForwardView &f) {
    std::string out;
    out.reserve(96 + f.route.size() + f.frontend_id.size() + f.uid.size() + f.settings.size() + f.body.size());
    out.append(R"([{"id":)").append(std::to_string(f.msg_id)).append(R"(,"type":)").append(std::to_string(f.kind));
    out.append(R"(,"route":)");
    shd::json_quote_append(out, f.route);
    out.append(R"(},{"id":)").append(std::to_string(f.session_id)).append(R"(,"frontendId":)");
    shd::json_quote_append(out, f.frontend_id);
    out.append(R"(,"uid":)");
    shd::json_quote_append(out, f.uid);
    out.append("},").append(f.settings).append(",").append(f.body).append("]");
    return out;
}

constexpr std::string_view kForwardNs = "sys", kForwardService = "msgRemote", kForwardMethod = "forwardMessage";

}  // namespace

ForwardView RpcService::ForwardCopy::view() const {
    ForwardView v;
    v.kind = kind;
    v.msg_id = msg_id;
    v.session_id = session_id;
    v.route = route;
    v.frontend_id = frontend_id;
    v.uid = uid;
    v.settings = settings;
    v.body = body;
    return v;
}

struct RpcService::FanOut {
    shd_rpc_result_fn done;
    void *user_data;
    size_t remaining;
    std::vector<FanSlot> slots;
    std::vector<std::string> results;
    std::vector<shd_status> statuses;

    static void SHD_CALL slot_done(void *ud, shd_status status, shd_str result) {
        auto *slot = static_cast<FanSlot *>(ud);
        FanOut *fan = slot->fan;
        fan->statuses[slot->index] = status;
        fan->results[slot->index].assign(view(result));
        if (--fan->remaining > 0) return;
        std::unique_ptr<FanOut> owned(fan);
        shd_status first_error = SHD_OK;
        std::string all = "[";
        for (size_t i = 0; i < fan->results.size(); ++i) {
            if (first_error == SHD_OK && fan->statuses[i] != SHD_OK) first_error = fan->statuses[i];
            if (i) all.push_back(',');
            all += fan->results[i].empty() ? std::string("null") : fan->results[i];
        }
        all.push_back(']');
        fan->done(fan->user_data, first_error, shd_str{all.data(), all.size()});
    }
};

RpcService::RpcService(const shd::Host &host, RpcOptions options)
    : host_(host), options_(std::move(options)), self_id_(host.server().id), router_(options_.router) {
    // The plugin's own filters come before the app's (the plugin is configured first).
    for (const RpcFilterSpec &spec : options_.filters) install(spec);
}

RpcService::~RpcService() {
    // The transport first: its threads are joined and its links released before the tables go.
    if (transport_) transport_->stop();
    links_.clear();
    transport_.reset();
    for (RouteTicket *t : tickets_) delete t;
    for (FilterTicket *t : filter_tickets_) delete t;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

void RpcService::start(const shd_cluster_v1 *cluster, void *cluster_ctx) {
    const shd::ServerInfo me = host_.server();
    // The master's port belongs to the master (its admin channel), as in Pomelo: it calls, never serves.
    const int port = me.master ? 0 : me.port;
    if (cluster) {
        directory_.use_cluster(cluster, cluster_ctx);
        if (options_.peers) host_.warn("option peers is ignored: membership comes from shd.cluster/1");
    } else {
        std::vector<PeerEntry> peers;
        if (options_.peers) {
            peers = *options_.peers;
        } else {
            // No master and no peers option: the servers of the app's configuration (host ABI 1.1).
            try {
                peers = parse_server_list(host_.list_servers());
                host_.info("no shd.cluster/1 service and no peers option: " + std::to_string(peers.size()) +
                           " server(s) of the configuration are reachable over RPC");
            } catch (const shd::Error &) {
                host_.info("no shd.cluster/1 service and no peers option: only this server is reachable over RPC");
            }
        }
        bool listed = std::any_of(peers.begin(), peers.end(), [&](const PeerEntry &p) { return p.id == me.id; });
        if (!listed && port > 0) {
            PeerEntry self;
            try {
                self = parse_peer_entry(me.json, "servers.json " + me.id, me.id, me.type);
            } catch (const std::exception &) {
            }
            self.id = me.id;
            self.type = me.type;
            self.host = me.host;
            self.port = me.port;
            peers.push_back(self);
        }
        directory_.use_static(std::move(peers));
        if (options_.secret.empty())
            throw shd::Error(SHD_ERR_INVALID,
                             "option secret: required when no shd.cluster/1 service is loaded (give every server "
                             "the same secret; peers prove they know it)");
    }
    if (port > 0 && me.host.empty())
        throw shd::Error(SHD_ERR_INVALID, "servers.json: server " + me.id + " has port " + std::to_string(me.port) +
                                              " but no host; set \"host\" (\"0.0.0.0\" listens on every interface)");

    TransportConfig cfg;
    cfg.self_id = self_id_;
    cfg.max_frame = options_.max_frame;
    cfg.max_queued_bytes = options_.max_queued_bytes;
    cfg.buffer_msg = options_.buffer_msg;
    cfg.interval_ms = options_.interval_ms;
    cfg.connect_timeout_ms = options_.connect_timeout_ms;
    cfg.io_threads = options_.io_threads;
    cfg.max_unauthenticated = options_.max_unauthenticated;
    cfg.max_json_depth = options_.max_json_depth;
    transport_ = Transport::create(cfg, *this);
    refresh_secret();
    try {
        transport_->start(me.host, port);
    } catch (const std::exception &e) {
        throw shd::Error(SHD_ERR_IO, e.what());
    }
    started_ = true;
    host_.info(port > 0 ? "listening on " + me.host + ":" + std::to_string(port) + " (" +
                              std::to_string(options_.io_threads) + " I/O thread(s))"
                        : std::string(me.master ? "not listening: the master calls, it serves no RPC"
                                                : "not listening: this server has no port"));
    std::vector<std::function<void()>> held;
    held.swap(held_);
    for (auto &fn : held) fn();
}

void RpcService::stop() {
    stopping_ = true;
    for (auto &f : builtins_) f->stop();
    std::vector<std::function<void()>> held;
    held.swap(held_);
    for (auto &fn : held) fn();  // each fails with SHD_ERR_SHUTDOWN below
    std::vector<uint64_t> ids;
    ids.reserve(pending_.size());
    for (const auto &[id, p] : pending_) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (uint64_t id : ids) {
        auto it = pending_.find(id);
        if (it == pending_.end()) continue;
        const std::string message =
            json_quote("rpc to " + describe_target(it->second) + " not completed: server " + self_id_ + " is stopping");
        complete(id, SHD_ERR_SHUTDOWN, message);
    }
    if (transport_) transport_->stop();
    links_.clear();
    calls_on_link_.clear();
    active_.clear();
    // Incoming calls still waiting for the app stay allocated (their responders may yet be called)
    // until the destructor; replies from now on are dropped.
    host_.info("stopped; incoming calls left unanswered: " + std::to_string(inbound_.size()));
}

void RpcService::on_servers_added() {
    directory_.invalidate();
    refresh_secret();
}

void RpcService::on_servers_removed(std::string_view ids_json) {
    directory_.invalidate();
    refresh_secret();
    rapidjson::Document doc;
    doc.Parse(ids_json.data(), ids_json.size());
    if (doc.HasParseError() || !doc.IsArray()) {
        host_.warn("remove_servers: expected a JSON array of server ids");
        return;
    }
    for (const auto &v : doc.GetArray()) {
        if (!v.IsString()) continue;
        std::string id(v.GetString(), v.GetStringLength());
        auto it = links_.find(id);
        if (it == links_.end()) continue;
        const std::string reason = "server " + id + " left the cluster";
        uint64_t serial = it->second->serial();
        it->second->close(reason);
        links_.erase(it);
        auto calls = calls_on_link_.find(serial);
        if (calls == calls_on_link_.end()) continue;
        std::vector<uint64_t> ids(calls->second.begin(), calls->second.end());
        calls_on_link_.erase(calls);
        std::sort(ids.begin(), ids.end());
        for (uint64_t call_id : ids) fail_io(call_id, reason);
    }
}

void RpcService::refresh_secret() {
    std::string s = directory_.cluster_secret();
    if (s.empty()) s = options_.secret;
    if (s != secret_ && transport_) {
        secret_ = s;
        transport_->set_secret(s);
    }
}

// ---------------------------------------------------------------------------------------------
// Outgoing calls

shd_status RpcService::add_remote(std::string_view ns, std::string_view service, std::string_view method,
                                  shd_remote_fn fn, void *user_data) {
    if (!fn || ns.empty() || service.empty() || method.empty()) return SHD_ERR_INVALID;
    auto [it, fresh] = remotes_.emplace(remote_key(ns, service, method), Remote{fn, user_data});
    (void)it;
    return fresh ? SHD_OK : SHD_ERR_EXISTS;
}

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

uint64_t RpcService::begin(shd_rpc_result_fn done, void *user_data, uint32_t timeout_ms, std::string_view type,
                           const RequestRef &req) {
    uint64_t id = next_id_++;
    Pending &p = pending_[id];
    p.done = done;
    p.user_data = user_data;
    p.type.assign(type);
    p.started_us = now_us();
    p.hooked = !befores_.empty() || !afters_.empty() || error_fn_ != nullptr;
    if (p.hooked) keep_copy(p, req);  // the filters and the error handler see the route and the args
    p.timeout_ms = timeout_ms ? timeout_ms : options_.timeout_ms;
    p.deadline = host_.now_ms() + p.timeout_ms;
    deadlines_.emplace(p.deadline, id);
    arm_deadline_timer();
    return id;
}

void RpcService::keep_copy(Pending &p, const RequestRef &req) {
    if (p.has_copy) return;
    if (req.is_forward) {
        const ForwardView &f = req.fwd;
        p.fwd = std::make_unique<ForwardCopy>(ForwardCopy{f.kind, f.msg_id, f.session_id, std::string(f.route),
                                                          std::string(f.frontend_id), std::string(f.uid),
                                                          std::string(f.settings), std::string(f.body)});
        p.ns.assign(kForwardNs);
        p.service.assign(kForwardService);
        p.method.assign(kForwardMethod);
        // The envelope only for those who look at it.
        if (!befores_.empty() || !afters_.empty() || error_fn_) p.args = forward_envelope(f);
        p.has_copy = true;
        return;
    }
    p.ns.assign(req.ns);
    p.service.assign(req.service);
    p.method.assign(req.method);
    p.args.assign(req.args);
    p.has_copy = true;
}

void RpcService::invoke(std::string_view server_id, std::string_view server_type, std::string_view ns,
                        std::string_view service, std::string_view method, std::string_view args, uint32_t timeout_ms,
                        shd_rpc_result_fn done, void *user_data) {
    if (!done) {
        host_.error("shd.rpc/1 invoke called without a result callback; the call is dropped");
        return;
    }
    if (!started_ && !stopping_) {
        held_.push_back(
            [this, server_id = std::string(server_id), server_type = std::string(server_type), ns = std::string(ns),
             service = std::string(service), method = std::string(method), args = std::string(args), timeout_ms, done,
             user_data] { invoke(server_id, server_type, ns, service, method, args, timeout_ms, done, user_data); });
        return;
    }
    const RequestRef req{ns, service, method, trim(args).empty() ? std::string_view("[]") : args};
    if (server_id == "*" && !stopping_ && check_request(ns, service, method, args).empty()) {
        fan_out(server_type, req, timeout_ms, done, user_data);
        return;
    }
    uint64_t id = begin(done, user_data, timeout_ms, server_type, req);
    pending_[id].target.assign(server_id);
    if (std::string err = check_request(ns, service, method, args); !err.empty()) {
        fail_later(id, SHD_ERR_INVALID, json_quote(err));
        return;
    }
    if (stopping_) {
        fail_later(id, SHD_ERR_SHUTDOWN,
                   json_quote("rpc to " + std::string(server_id) + " not sent: server " + self_id_ + " is stopping"));
        return;
    }
    dispatch(id, std::string(server_id), req);
}

void RpcService::fan_out(std::string_view server_type, const RequestRef &req, uint32_t timeout_ms,
                         shd_rpc_result_fn done, void *user_data) {
    const std::vector<std::string> ids = directory_.ids_of_type(std::string(server_type));
    if (ids.empty()) {
        uint64_t id = begin(done, user_data, timeout_ms, server_type, req);
        fail_later(id, SHD_ERR_NOT_FOUND, json_quote("no server of type " + std::string(server_type)));
        return;
    }
    auto *fan = new FanOut{done, user_data, ids.size(), {}, {}, {}};
    fan->slots.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) fan->slots.push_back(FanSlot{fan, i});
    fan->results.resize(ids.size());
    fan->statuses.resize(ids.size(), SHD_OK);
    for (size_t i = 0; i < ids.size(); ++i) {
        uint64_t id = begin(&FanOut::slot_done, &fan->slots[i], timeout_ms, server_type, req);
        dispatch(id, ids[i], req);
    }
}

void RpcService::call(std::string_view server_type, std::string_view route_param, std::string_view ns,
                      std::string_view service, std::string_view method, std::string_view args, uint32_t timeout_ms,
                      shd_rpc_result_fn done, void *user_data) {
    if (!done) {
        host_.error("shd.rpc/1 call called without a result callback; the call is dropped");
        return;
    }
    if (!started_ && !stopping_) {
        held_.push_back(
            [this, server_type = std::string(server_type), route_param = std::string(route_param), ns = std::string(ns),
             service = std::string(service), method = std::string(method), args = std::string(args), timeout_ms, done,
             user_data] { call(server_type, route_param, ns, service, method, args, timeout_ms, done, user_data); });
        return;
    }
    const RequestRef req{ns, service, method, trim(args).empty() ? std::string_view("[]") : args};
    uint64_t id = begin(done, user_data, timeout_ms, server_type, req);
    pending_[id].routed = true;
    if (std::string err = check_request(ns, service, method, args); !err.empty() || server_type.empty()) {
        fail_later(id, SHD_ERR_INVALID, json_quote(err.empty() ? std::string("server type is empty") : err));
        return;
    }
    if (stopping_) {
        fail_later(id, SHD_ERR_SHUTDOWN,
                   json_quote("rpc to server type " + std::string(server_type) + " not sent: server " + self_id_ +
                              " is stopping"));
        return;
    }
    route_call(id, server_type, route_param, req);
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
    std::string threw;
    try {
        r.fn(
            r.user_data, shd_str{type.data(), type.size()}, shd_str{route_param.data(), route_param.size()},
            views.data(), views.size(),
            [](void *ctx, shd_status status, shd_str server_id) {
                auto *t = static_cast<RouteTicket *>(ctx);
                t->owner->on_route_chosen(t, status, view(server_id));
            },
            ticket);
    } catch (const std::exception &e) {
        threw = e.what();
    } catch (...) {
        threw = "a non-standard exception";
    }
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

void RpcService::forward(std::string_view server_type, const shd_inbound_msg_v1 *msg,
                         const shd_session_view_v1 *session, uint32_t timeout_ms, shd_rpc_forward_done_fn done,
                         void *user_data) {
    if (!done) {
        host_.error("shd.rpc/1 forward called without a result callback; the forward is dropped");
        return;
    }
    RequestRef req{kForwardNs, kForwardService, kForwardMethod, {}};
    req.is_forward = true;
    ForwardView &f = req.fwd;
    if (msg && session) {
        f.kind = msg->kind == SHD_MSG_NOTIFY ? 1 : 0;
        f.msg_id = msg->id;
        f.session_id = session->id;
        f.route = view(msg->route);
        f.frontend_id = view(session->frontend_id);
        f.uid = view(session->uid);
        f.settings = session->settings_json.size ? view(session->settings_json) : std::string_view("{}");
        f.body = msg->body_json.size ? view(msg->body_json) : std::string_view("{}");
    }
    if (!started_ && !stopping_) {
        // Rare (a forward before the plugin started): owned copies, replayed by start().
        held_.push_back([this, type = std::string(server_type),
                         copy = std::make_shared<ForwardCopy>(ForwardCopy{
                             f.kind, f.msg_id, f.session_id, std::string(f.route), std::string(f.frontend_id),
                             std::string(f.uid), std::string(f.settings), std::string(f.body)}),
                         valid = msg && session, timeout_ms, done, user_data] {
            shd_inbound_msg_v1 m{};
            shd::stamp(m);
            m.kind = copy->kind;
            m.id = copy->msg_id;
            m.route = shd_str{copy->route.data(), copy->route.size()};
            m.body_json = shd_str{copy->body.data(), copy->body.size()};
            shd_session_view_v1 s{};
            shd::stamp(s);
            s.id = copy->session_id;
            s.frontend_id = shd_str{copy->frontend_id.data(), copy->frontend_id.size()};
            s.uid = shd_str{copy->uid.data(), copy->uid.size()};
            s.settings_json = shd_str{copy->settings.data(), copy->settings.size()};
            forward(type, valid ? &m : nullptr, valid ? &s : nullptr, timeout_ms, done, user_data);
        });
        return;
    }
    uint64_t id = begin(nullptr, user_data, timeout_ms, server_type, req);
    Pending &p = pending_[id];
    p.forward_done = done;
    p.routed = true;
    std::string err;
    if (!msg || !session)
        err = "forward needs a message and a session";
    else if (msg->kind != SHD_MSG_REQUEST && msg->kind != SHD_MSG_NOTIFY)
        err = "the message kind must be SHD_MSG_REQUEST or SHD_MSG_NOTIFY";
    else if (f.route.size() > kMaxNameSize || f.frontend_id.size() > kMaxNameSize || f.uid.size() > kMaxNameSize)
        err = "the route, frontend id and uid of a forward must be at most 65535 bytes";
    else if (server_type.empty())
        err = "server type is empty";
    if (!err.empty()) {
        fail_later(id, SHD_ERR_INVALID, json_quote(err));
        return;
    }
    if (stopping_) {
        fail_later(id, SHD_ERR_SHUTDOWN,
                   json_quote("forward to server type " + std::string(server_type) + " not sent: server " + self_id_ +
                              " is stopping"));
        return;
    }
    route_call(id, server_type, {}, req);
}

shd_status RpcService::set_forward_handler(shd_rpc_forward_handler_fn fn, void *user_data) {
    forward_fn_ = fn;
    forward_user_data_ = fn ? user_data : nullptr;
    return SHD_OK;
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

RpcService::RequestRef RpcService::copy_ref(const Pending &p) const {
    RequestRef r{p.ns, p.service, p.method, p.args};
    if (p.fwd) {
        r.is_forward = true;
        r.fwd = p.fwd->view();
    }
    return r;
}

std::shared_ptr<Link> RpcService::link_to(const PeerEntry &peer) {
    auto it = links_.find(peer.id);
    if (it != links_.end()) return it->second;
    refresh_secret();
    auto link = transport_->connect(peer.id, peer.host, peer.port);
    links_.emplace(peer.id, link);
    return link;
}

void RpcService::send_to(uint64_t id, const std::string &server_id, const RequestRef &req) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    Pending &p = it->second;
    p.target = server_id;
    const PeerEntry *peer = directory_.find(server_id);
    if (!peer) {
        fail_later(id, SHD_ERR_NOT_FOUND, json_quote("no server " + server_id));
        return;
    }
    if (peer->port <= 0 || peer->host.empty()) {
        fail_later(id, SHD_ERR_NOT_FOUND, json_quote("server " + server_id + " has no RPC port"));
        return;
    }
    ForwardView fwd = req.fwd;
    fwd.id = id;
    const size_t size =
        req.is_forward ? forward_frame_size(fwd) : request_frame_size(req.ns, req.service, req.method, req.args);
    if (size > options_.max_frame) {
        fail_later(id, SHD_ERR_INVALID,
                   json_quote("rpc to " + server_id + ": the request is " + std::to_string(size) +
                              " bytes, more than maxFrameSize " + std::to_string(options_.max_frame)));
        return;
    }
    auto send = [&](Link &l) {
        return req.is_forward ? l.send_forward(fwd) : l.send_request(id, req.ns, req.service, req.method, req.args);
    };
    std::shared_ptr<Link> link = link_to(*peer);
    Link::Send sent = send(*link);
    if (sent == Link::Send::closed) {
        // The link died since its last use (its close report is on the way): reconnect now.
        links_.erase(server_id);
        link = link_to(*peer);
        sent = send(*link);
    }
    if (sent == Link::Send::busy) {
        fail_later(id, SHD_ERR_BUSY,
                   json_quote("rpc to " + server_id + ": more than maxQueuedBytes " +
                              std::to_string(options_.max_queued_bytes) + " are waiting to be sent"));
        return;
    }
    if (sent == Link::Send::closed) {
        // A fresh link can close before its first frame (a refused connect on loopback is that fast).
        std::string reason = link->close_reason();
        fail_io_later(id, reason.empty() ? std::string("the connection closed") : reason);
        return;
    }
    p.link = link->serial();
    calls_on_link_[p.link].insert(id);
    ++active_[server_id];
    p.counted = true;
}

// ---------------------------------------------------------------------------------------------
// RPC filters and the error handler

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
    shd_rpc_call_view_v1 v{};
    shd::stamp(v);
    v.call_id = id;
    v.server_id = shd_str{p.target.data(), p.target.size()};
    v.server_type = shd_str{p.type.data(), p.type.size()};
    v.route = shd_str{route.data(), route.size()};
    v.args_json = shd_str{p.args.data(), p.args.size()};
    try {
        f.fn(f.user_data, &v, &RpcService::before_next, ticket);
    } catch (...) {
        // The ticket may be spent or not; the call's deadline ends it either way.
        host_.error("an rpc before filter threw an exception");
    }
}

void SHD_CALL RpcService::before_next(void *ctx, shd_status status, shd_str message) {
    auto *ticket = static_cast<FilterTicket *>(ctx);
    ticket->owner->on_before_done(ticket, status, view(message));
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

void RpcService::run_hooks(uint64_t id, const Pending &p, shd_status status, std::string_view result) {
    const std::string route = p.has_copy ? p.ns + "." + p.service + "." + p.method : std::string();
    shd_rpc_call_view_v1 v{};
    shd::stamp(v);
    v.call_id = id;
    v.server_id = shd_str{p.target.data(), p.target.size()};
    v.server_type = shd_str{p.type.data(), p.type.size()};
    v.route = shd_str{route.data(), route.size()};
    v.args_json = shd_str{p.args.data(), p.args.size()};
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

// ---------------------------------------------------------------------------------------------
// Completion

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

void RpcService::complete(uint64_t id, shd_status status, std::string_view result, bool answered) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    untrack(it->second, id);
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
// Reports from the I/O threads

bool RpcService::post(std::function<void(bool)> fn) {
    using Fn = std::function<void(bool)>;
    auto *box = new Fn(std::move(fn));
    const shd_host_api *api = host_.api();
    shd_status s = api->post(
        api->ctx,
        [](void *ud, shd_status status) {
            std::unique_ptr<Fn> owned(static_cast<Fn *>(ud));
            try {
                (*owned)(status == SHD_OK);
            } catch (...) {
            }
        },
        box);
    if (s != SHD_OK) {
        delete box;
        return false;
    }
    return true;
}

void RpcService::on_responses(uint64_t link_serial, std::vector<InboundResponse> responses) {
    post([this, link_serial, responses = std::move(responses)](bool live) mutable {
        if (live) handle_responses(link_serial, responses);
    });
}

void RpcService::on_link_closed(uint64_t link_serial, std::string reason) {
    post([this, link_serial, reason = std::move(reason)](bool live) {
        if (live) handle_link_closed(link_serial, reason);
    });
}

void RpcService::on_requests(std::shared_ptr<Link> link, std::vector<InboundRequest> requests) {
    post([this, link = std::move(link), requests = std::move(requests)](bool live) mutable {
        if (live) handle_requests(link, requests);
    });
}

void RpcService::on_log(int level, std::string message) {
    host_.log(level, message);
}

// Frames staged during this batch of logic-thread work leave together once it is done: one post of
// ours instead of a lock and a wake-up of an I/O thread per frame.
void RpcService::on_staged() {
    if (post([this](bool) {
            if (transport_) transport_->flush_staged();
        }))
        return;
    transport_->flush_staged();  // the host takes no more work: now or never
}

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
    auto calls = calls_on_link_.find(link_serial);
    if (calls == calls_on_link_.end()) return;
    std::vector<uint64_t> ids(calls->second.begin(), calls->second.end());
    calls_on_link_.erase(calls);
    std::sort(ids.begin(), ids.end());
    for (uint64_t id : ids) fail_io(id, reason);
}

void RpcService::handle_requests(const std::shared_ptr<Link> &link, std::vector<InboundRequest> &requests) {
    if (stopping_) return;
    for (auto &r : requests) {
        if (r.forward) {
            handle_forward(link, r);
            continue;
        }
        auto it = remotes_.find(remote_key(r.ns, r.service, r.method));
        std::string name = r.ns + "." + r.service + "." + r.method;
        if (it == remotes_.end()) {
            link->send_response(r.id, SHD_ERR_NOT_FOUND, json_quote("no remote " + name + " on " + self_id_));
            continue;
        }
        const Remote remote = it->second;
        auto call = std::make_unique<InboundCall>();
        InboundCall *raw = call.get();
        raw->owner = this;
        raw->link = link;
        raw->id = r.id;
        raw->name = std::move(name);
        shd::stamp(raw->responder);
        raw->responder.ctx = raw;
        raw->responder.reply = &RpcService::reply;
        inbound_.emplace(raw, std::move(call));
        std::string_view args = trim(r.args).empty() ? std::string_view("[]") : std::string_view(r.args);
        const std::string &caller = link->peer_id();
        std::string threw;
        try {
            remote.fn(remote.user_data, shd_str{caller.data(), caller.size()}, shd_str{args.data(), args.size()},
                      &raw->responder);
        } catch (const std::exception &e) {
            threw = e.what();
        } catch (...) {
            threw = "a non-standard exception";
        }
        if (threw.empty()) continue;
        // A remote that throws has failed its call (ext/rpc.h): the caller gets SHD_ERR_INTERNAL now
        // rather than a timeout, and the call leaves the table. If it replied before throwing, that
        // reply stands and the call is already gone.
        const std::string what = std::string(r.ns) + "." + r.service + "." + r.method;
        host_.error("remote " + what + " threw: " + threw);
        if (inbound_.count(raw))
            finish_inbound(raw, SHD_ERR_INTERNAL,
                           json_quote("remote " + what + " on " + self_id_ + " threw an exception"));
    }
}

void RpcService::handle_forward(const std::shared_ptr<Link> &link, const InboundRequest &r) {
    if (!forward_fn_) {
        link->send_response(r.id, SHD_ERR_NOT_FOUND, json_quote("no forward handler on " + self_id_));
        return;
    }
    auto call = std::make_unique<InboundCall>();
    InboundCall *raw = call.get();
    raw->owner = this;
    raw->link = link;
    raw->id = r.id;
    raw->forward = true;
    shd::stamp(raw->forward_responder);
    raw->forward_responder.ctx = raw;
    raw->forward_responder.respond = &RpcService::reply;
    inbound_.emplace(raw, std::move(call));

    const std::string_view route = r.route(), frontend_id = r.frontend_id(), uid = r.uid();
    std::string_view settings = r.settings(), body = r.body();
    if (settings.empty()) settings = "{}";
    if (body.empty()) body = "{}";
    shd_inbound_msg_v1 msg{};
    shd::stamp(msg);
    msg.kind = r.kind;
    msg.id = r.msg_id;
    msg.route = shd_str{route.data(), route.size()};
    msg.body_json = shd_str{body.data(), body.size()};
    shd_session_view_v1 session{};
    shd::stamp(session);
    session.id = r.session_id;
    session.frontend_id = shd_str{frontend_id.data(), frontend_id.size()};
    session.uid = shd_str{uid.data(), uid.size()};
    session.settings_json = shd_str{settings.data(), settings.size()};
    const std::string &caller = link->peer_id();
    std::string threw;
    try {
        forward_fn_(forward_user_data_, shd_str{caller.data(), caller.size()}, &msg, &session, &raw->forward_responder);
    } catch (const std::exception &e) {
        threw = e.what();
    } catch (...) {
        threw = "a non-standard exception";
    }
    if (threw.empty()) return;
    host_.error("the forward handler threw on " + std::string(route) + ": " + threw);
    if (inbound_.count(raw)) finish_inbound(raw, SHD_ERR_INTERNAL, "{}");
}

void SHD_CALL RpcService::reply(void *ctx, shd_status status, shd_str result) {
    auto *call = static_cast<InboundCall *>(ctx);
    call->owner->finish_inbound(call, status, view(result));
}

void RpcService::finish_inbound(InboundCall *call, shd_status status, std::string_view result) {
    auto it = inbound_.find(call);
    if (it == inbound_.end()) return;
    std::unique_ptr<InboundCall> owned = std::move(it->second);
    inbound_.erase(it);
    if (stopping_) return;
    std::shared_ptr<Link> link = owned->link.lock();
    if (!link) return;  // the caller's connection is gone; it has failed the call already
    std::string replacement;
    if (owned->forward && result.empty()) result = "{}";  // a handler's empty body (ext/handler.h)
    if (status == SHD_OK && trim(result).empty()) result = "[]";
    if (status != SHD_OK && trim(result).empty()) {
        replacement = json_quote(owned->name + " on " + self_id_ + " failed with status " + std::to_string(status));
        result = replacement;
    }
    if (response_frame_size(result) > options_.max_frame) {
        status = SHD_ERR_INVALID;
        replacement =
            json_quote("the result of " + (owned->forward ? std::string("a forwarded message") : owned->name) + " on " +
                       self_id_ + " is " + std::to_string(result.size()) + " bytes, more than maxFrameSize " +
                       std::to_string(options_.max_frame));
        result = replacement;
    }
    if (link->send_response(owned->id, status, result) == Link::Send::busy)
        host_.warn("dropped the reply of " + (owned->forward ? std::string("a forwarded message") : owned->name) +
                   " to " + link->peer_id() + ": more than maxQueuedBytes are waiting to be sent");
}

}  // namespace shd::rpc
