// RpcProvider: the "shd.rpc/1" table over an RpcService and the lifecycle every RPC plugin shares
// (rpc_provider.hpp).
#include "rpc_provider.hpp"

#include <shaddock/ext/cluster.h>
#include <shaddock/cpp/service.hpp>

namespace shd::rpc {

namespace {

std::string_view view(shd_str s) {
    return std::string_view(s.data ? s.data : "", s.size);
}

// The table's entries; shd::guard turns each into a noexcept C function (cpp/service.hpp), which
// completes the result callback of invoke/call with SHD_ERR_INTERNAL when the body throws.
shd_status add_remote(RpcService *s, shd_str ns, shd_str service, shd_str method, shd_remote_fn fn, void *user_data) {
    return s->add_remote(view(ns), view(service), view(method), fn, user_data);
}

void invoke(RpcService *s, shd_str server_id, shd_str server_type, shd_str ns, shd_str service, shd_str method,
            shd_str args_json, uint32_t timeout_ms, shd_rpc_result_fn done, void *user_data) {
    s->invoke(view(server_id), view(server_type), view(ns), view(service), view(method), view(args_json), timeout_ms,
              done, user_data);
}

void call(RpcService *s, shd_str server_type, shd_str route_param_json, shd_str ns, shd_str service, shd_str method,
          shd_str args_json, uint32_t timeout_ms, shd_rpc_result_fn done, void *user_data) {
    s->call(view(server_type), view(route_param_json), view(ns), view(service), view(method), view(args_json),
            timeout_ms, done, user_data);
}

shd_status set_route(RpcService *s, shd_str server_type, shd_route_fn fn, void *user_data) {
    return s->set_route(view(server_type), fn, user_data);
}

shd_status add_before(RpcService *s, shd_rpc_before_fn fn, void *user_data) {
    return s->add_before(fn, user_data);
}

shd_status add_after(RpcService *s, shd_rpc_after_fn fn, void *user_data) {
    return s->add_after(fn, user_data);
}

shd_status add_builtin_filter(RpcService *s, shd_str name, shd_str options_json) {
    return s->add_builtin_filter(view(name), view(options_json));
}

shd_status set_error_handler(RpcService *s, shd_rpc_error_fn fn, void *user_data) {
    return s->set_error_handler(fn, user_data);
}

void forward(RpcService *s, shd_str server_type, const shd_inbound_msg_v1 *msg, const shd_session_view_v1 *session,
             uint32_t timeout_ms, shd_rpc_forward_done_fn done, void *user_data) {
    s->forward(view(server_type), msg, session, timeout_ms, done, user_data);
}

shd_status set_forward_handler(RpcService *s, shd_rpc_forward_handler_fn fn, void *user_data) {
    return s->set_forward_handler(fn, user_data);
}

}  // namespace

void RpcProvider::configure() {
    service_ = make_service();
    shd::stamp(vtable_);
    vtable_.add_remote = shd::guard<&add_remote>;
    vtable_.invoke = shd::guard<&invoke>;
    vtable_.call = shd::guard<&call>;
    vtable_.set_route = shd::guard<&set_route>;
    vtable_.add_before = shd::guard<&add_before>;
    vtable_.add_after = shd::guard<&add_after>;
    vtable_.add_builtin_filter = shd::guard<&add_builtin_filter>;
    vtable_.set_error_handler = shd::guard<&set_error_handler>;
    vtable_.forward = shd::guard<&forward>;
    vtable_.set_forward_handler = shd::guard<&set_forward_handler>;
    vtable_.abi_minor = SHD_RPC_MINOR;  // the table's own revision (ext/rpc.h)
    host().provide(SHD_RPC_SERVICE_ID, &vtable_, service_.get());
}

void RpcProvider::start() {
    // Looked up now rather than in configure: a cluster plugin listed after this one is configured
    // by the time anything starts.
    auto [cluster, cluster_ctx] = host().find<shd_cluster_v1>(SHD_CLUSTER_SERVICE_ID);
    if (cluster && !SHD_HAS_FIELD(shd_cluster_v1, cluster->struct_size, cluster_secret)) {
        host().warn("shd.cluster/1 is too old (no cluster_secret); using the static peers option instead");
        cluster = nullptr;
    }
    service_->start(cluster, cluster_ctx);
    subscriptions_.push_back(
        host().subscribe("add_servers", [this](std::string_view, std::string_view) { service_->on_servers_added(); }));
    subscriptions_.push_back(host().subscribe(
        "remove_servers", [this](std::string_view, std::string_view ids) { service_->on_servers_removed(ids); }));
}

void RpcProvider::stop(shd::Done done) {
    for (uint64_t id : subscriptions_) host().unsubscribe(id);
    subscriptions_.clear();
    service_->stop();  // fails what is pending with SHD_ERR_SHUTDOWN, stops the transport
    done();
}

}  // namespace shd::rpc
