// MasterRole: what the servers report every second ("stats" frames) and the master's admin HTTP port,
// served by the project's one HTTP server (shd_http_server). Routes (add_http_route): GET/HEAD
// /metrics, the Prometheus text of every server (docs/operations.md, "Metrics"), and the dashboard
// and HTTP admin API (admin_web.cpp). A route answers on the logic thread, where the cluster's state
// lives. [logic] unless noted.
#include "admin_web.hpp"
#include "link_crypto.hpp"
#include "master_role.hpp"
#include "metrics_exposition.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/pomelo/json_parse.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <arpa/inet.h>

#include <cctype>
#include <memory>
#include <stdexcept>

namespace shd::cluster {

namespace bhttp = boost::beast::http;

namespace {

// The same answer without its body, for HEAD.
http::Response without_body(const std::shared_ptr<http::StringResponse> &full) {
    auto head = std::make_shared<http::EmptyResponse>(full->result(), full->version());
    for (const auto &field : *full) head->set(field.name_string(), field.value());
    head->keep_alive(full->keep_alive());
    return head;
}

// A route's answer as an HTTP response; every answer says its type is not to be sniffed.
std::shared_ptr<http::StringResponse> to_response(HttpAnswer a, unsigned version, bool keep_alive) {
    auto res = http::text_response(static_cast<bhttp::status>(a.status), version, std::move(a.body),
                                   keep_alive && !a.close, a.content_type);
    res->set("X-Content-Type-Options", "nosniff");
    for (const auto &[name, value] : a.fields) res->insert(name, value);
    return res;
}

bool loopback(const std::string &address) {
    return address.rfind("127.", 0) == 0 || address == "::1" || address == "localhost";
}

// DNS rebinding: a page of another site whose name is made to resolve to this address would send
// that name as Host, and the browser would treat the port as that site's. This port answers to
// addresses, `localhost` and the configured adminHttpHost only (a request without Host is no browser's).
bool known_host_name(std::string_view host, const std::string &configured) {
    if (host.empty()) return true;
    if (host.front() == '[') return host.find(']') != std::string_view::npos;  // an IPv6 address
    const size_t colon = host.rfind(':');
    std::string name(host.substr(0, colon));
    for (char &c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    in_addr v4{};
    return name == "localhost" || name == configured || ::inet_pton(AF_INET, name.c_str(), &v4) == 1;
}

}  // namespace

void MasterRole::handle_stats(const std::string &id, const rapidjson::Document &msg) {
    auto m = msg.FindMember("metrics");
    if (m == msg.MemberEnd() || !m->value.IsArray()) return;
    Figures &f = figures_[id];
    f.metrics_json = to_json(m->value);
    f.summary = stats_summary(m->value);
}

std::string MasterRole::stats_field(const std::string &id) const {
    auto it = figures_.find(id);
    return it == figures_.end() ? std::string() : R"(,"stats":)" + it->second.summary;
}

void MasterRole::add_http_route(const std::string &path, HttpRoute route) {
    http_routes_[path] = std::move(route);
}

void MasterRole::start_admin_http() {
    own_stats_ = std::make_unique<ServerStats>(host_);
    own_stats_->start(0, nullptr);
    if (!options_.admin_http) return;
    HttpRoute metrics;
    metrics.metrics_token = true;
    metrics.answer = [this](const http::RequestMessage &) {
        HttpAnswer a;
        a.content_type = "text/plain; version=0.0.4; charset=utf-8";
        a.body = metrics_text();
        return a;
    };
    add_http_route("/metrics", std::move(metrics));
    if (!loopback(options_.admin_http_host) && options_.metrics_token.empty()) {
        const std::string what = "adminHttpHost " + options_.admin_http_host +
                                 " is not a loopback address and metricsToken is empty: /metrics is open to "
                                 "anyone who can reach the port";
        if (host_.server().env == "production")
            throw Error(SHD_ERR_INVALID, what + " (refused in production; set metricsToken)");
        host_.warn(what);
    }
    admin_web_ = std::make_shared<AdminWeb>(*this);
    admin_web_->add_routes();
    http::Limits limits;
    limits.max_body_bytes = AdminWeb::kMaxBodyBytes;  // POST /api/login and /api/command
    http_ = std::make_unique<http::Server>(
        limits, [this](const http::Request &req, http::Reply reply) { serve_http(req, std::move(reply)); },
        [this](const std::string &line) { host_.warn("admin HTTP: " + line); });
    try {
        http_->start(options_.admin_http_host, options_.admin_http_port);
    } catch (const std::invalid_argument &e) {
        throw Error(SHD_ERR_INVALID, std::string("option adminHttpHost: ") + e.what());
    } catch (const std::runtime_error &e) {
        // The cluster runs without its admin port rather than not at all (another cluster on this
        // machine may hold it): one clear line, and `adminHttpPort` says how to move it.
        host_.error(std::string("admin HTTP off: ") + e.what() + " (set adminHttpPort, or adminHttp false)");
        http_.reset();
        return;
    }
    host_.info("admin HTTP on http://" + options_.admin_http_host + ":" + std::to_string(http_->port()) +
               "/ (dashboard; /metrics" + (options_.metrics_token.empty() ? "" : ", bearer token") + ")");
}

void MasterRole::stop_admin_http() {
    if (http_) http_->stop();
    if (admin_web_) admin_web_->stop();
    if (own_stats_) own_stats_->stop();
}

void MasterRole::serve_http(const http::Request &req, http::Reply reply) {
    const auto &msg = req.message;
    const unsigned version = msg.version();
    const bool keep_alive = msg.keep_alive(), head = msg.method() == bhttp::verb::head;
    auto answer = [reply, head](std::shared_ptr<http::StringResponse> res) {
        if (head)
            reply(without_body(res));
        else
            reply(std::move(res));
    };
    auto host = msg.find(bhttp::field::host);
    if (host != msg.end() && !known_host_name(std::string_view(host->value().data(), host->value().size()),
                                              options_.admin_http_host))
        return answer(http::text_response(bhttp::status::misdirected_request, version,
                                          "unknown host name: use the address (or adminHttpHost)\n", false));
    std::string_view target(msg.target().data(), msg.target().size());
    auto route = http_routes_.find(std::string(target.substr(0, target.find('?'))));
    if (route == http_routes_.end())
        return answer(http::text_response(bhttp::status::not_found, version, "not found\n", keep_alive));
    const HttpRoute *r = &route->second;
    if (!r->call && msg.method() != bhttp::verb::get && msg.method() != bhttp::verb::head) {
        HttpAnswer a;
        a.status = 405;
        a.content_type = "text/plain; charset=utf-8";
        a.body = "only GET and HEAD\n";
        a.fields.emplace_back("Allow", "GET, HEAD");
        a.close = true;
        return answer(to_response(std::move(a), version, keep_alive));
    }
    if (r->metrics_token && !options_.metrics_token.empty()) {
        auto auth = msg.find(bhttp::field::authorization);
        std::string_view given =
            auth == msg.end() ? std::string_view() : std::string_view(auth->value().data(), auth->value().size());
        const std::string_view scheme = "Bearer ";
        const bool ok = given.size() > scheme.size() && given.substr(0, scheme.size()) == scheme &&
                        equal_ct(given.substr(scheme.size()), options_.metrics_token);
        if (!ok) {
            auto res =
                http::text_response(bhttp::status::unauthorized, version, "a bearer token is needed\n", keep_alive);
            res->set(bhttp::field::www_authenticate, "Bearer realm=\"shaddock\"");
            return answer(res);
        }
    }
    // The cluster's state lives on the logic thread: answer from there. The request is copied (the
    // handler's view of it ends with this call).
    auto call = std::make_shared<HttpCall>(HttpCall{msg, req.body, req.remote_address});
    const bool posted = host_.post([answer, call, r, version, keep_alive] {
        if (!r->answer) {
            r->call(*call, [answer, version, keep_alive](HttpAnswer a) {
                answer(to_response(std::move(a), version, keep_alive));
            });
            return;
        }
        answer(to_response(r->answer(call->message), version, keep_alive));
    });
    if (!posted) answer(http::text_response(bhttp::status::service_unavailable, version, "stopping\n", false));
}

std::string MasterRole::metrics_text() {
    std::vector<rapidjson::Document> docs;
    docs.reserve(order_.size() + 1);
    std::vector<ServerMetrics> servers;
    servers.reserve(order_.size() + 1);
    ServerInfo me = host_.server();
    auto add = [&](const std::string &id, const std::string &type, const std::string &json) {
        docs.emplace_back();
        if (!pomelo::parse_json(json, docs.back()) || !docs.back().IsArray()) return;
        servers.push_back(ServerMetrics{id, type, &docs.back()});
    };
    add(me.id, me.type, own_stats_ ? own_stats_->snapshot() : "[]");
    for (const auto &id : order_) {
        auto it = figures_.find(id);
        if (it != figures_.end()) add(id, children_.at(id).type, it->second.metrics_json);
    }
    return prometheus_text(servers);
}

}  // namespace shd::cluster
