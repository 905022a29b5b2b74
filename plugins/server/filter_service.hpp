// The service "shd.filter/1" (sdk/include/shaddock/ext/filter.h): the local and global filter chains
// and error handlers, the built-ins chosen in plugins.json, and the two places requests meet them:
// every handler is wrapped so its local chain runs wherever it runs (frontend or backend), and the
// frontend's dispatch runs inside the global chain. [logic] only.
#pragma once

#include "filter_run.hpp"
#include "handler_registry.hpp"

#include <shaddock/ext/filter.h>
#include <shaddock/cpp/options.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace shd::server {

class FilterService {
public:
    explicit FilterService(const Host &host);
    FilterService(const FilterService &) = delete;
    FilterService &operator=(const FilterService &) = delete;

    // Adds the built-ins of the options "filters" (local) and "globalFilters", then publishes the
    // service. Throws shd::Error naming the option on a bad entry.
    void configure(const Options &options);

    // The handler to register instead of (fn, user_data): it runs the local chain around them.
    HandlerEntry wrap_handler(shd_handler_fn fn, void *user_data);

    // Runs `inner` (the routing of a client message) inside the global chain: the frontend's entry.
    void dispatch(const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session, const shd_responder_v1 *responder,
                  shd_handler_fn inner, void *inner_data);

    // The server stops: built-ins cancel their timers and answer the requests they hold back.
    void stop();

    const Host &host() const { return host_; }  // where the table's entries report a failure

private:
    struct WrappedHandler {
        FilterService *service;
        shd_handler_fn fn;
        void *user_data;
    };

    std::shared_ptr<const FilterChain> &chain(FilterScope scope) {
        return scope == FilterScope::local ? local_ : global_;
    }
    void add_builtin(FilterScope scope, std::shared_ptr<BuiltinFilter> filter);
    void add_configured(const Options &options, const char *key, FilterScope scope);

    static void SHD_CALL run_wrapped(void *ud, const shd_inbound_msg_v1 *msg, const shd_session_view_v1 *session,
                                     const shd_responder_v1 *responder);
    static shd_status add_before(FilterService *sctx, int32_t scope, shd_before_filter_fn fn, void *user_data);
    static shd_status add_after(FilterService *sctx, int32_t scope, shd_after_filter_fn fn, void *user_data);
    static shd_status add_builtin_by_name(FilterService *sctx, int32_t scope, shd_str name, shd_str options_json,
                                          shd_text_fn why, void *why_data);
    static shd_status set_error_handler(FilterService *sctx, int32_t scope, shd_error_handler_fn fn, void *user_data);

    Host host_;
    std::shared_ptr<const FilterChain> local_, global_;
    std::vector<std::shared_ptr<BuiltinFilter>> builtins_;
    std::deque<WrappedHandler> wrapped_;  // stable addresses: the registry holds pointers to them
    shd_filter_service_v1 vtable_{};
};

}  // namespace shd::server
