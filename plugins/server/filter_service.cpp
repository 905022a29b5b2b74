#include "filter_service.hpp"

#include "filter_builtins.hpp"

#include <shaddock/cpp/service.hpp>

#include <rapidjson/document.h>

namespace shd::server {

namespace {

bool scope_of(int32_t value, FilterScope &out) {
    if (value == SHD_FILTER_LOCAL)
        out = FilterScope::local;
    else if (value == SHD_FILTER_GLOBAL)
        out = FilterScope::global;
    else
        return false;
    return true;
}

}  // namespace

FilterService::FilterService(const Host &host)
    : host_(host), local_(std::make_shared<FilterChain>()), global_(std::make_shared<FilterChain>()) {}

void FilterService::configure(const Options &options) {
    add_configured(options, "filters", FilterScope::local);
    add_configured(options, "globalFilters", FilterScope::global);
    shd::stamp(vtable_);
    vtable_.add_before = shd::guard<&FilterService::add_before>;
    vtable_.add_after = shd::guard<&FilterService::add_after>;
    vtable_.add_builtin = shd::guard<&FilterService::add_builtin_by_name>;
    vtable_.set_error_handler = shd::guard<&FilterService::set_error_handler>;
    host_.provide(SHD_FILTER_SERVICE_ID, &vtable_, this);
}

// "filters": ["serial", {"name": "timeout", "timeout": 3000}, ...] (an array: the options table checked it)
void FilterService::add_configured(const Options &options, const char *key, FilterScope scope) {
    const rapidjson::Value *list = options.find(key);
    if (!list) return;
    std::string option = options.name_of(key);
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const rapidjson::Value &item = (*list)[i];
        std::string where = option + "[" + std::to_string(i) + "]";
        if (item.IsString()) {
            add_builtin(scope, make_builtin_filter(host_, item.GetString(), nullptr, where));
        } else if (item.IsObject() && item.HasMember("name") && item["name"].IsString()) {
            add_builtin(scope, make_builtin_filter(host_, item["name"].GetString(), &item, where));
        } else {
            throw Error(SHD_ERR_INVALID, where + ": expected a filter name or an object with a \"name\"");
        }
    }
}

void FilterService::add_builtin(FilterScope scope, std::shared_ptr<BuiltinFilter> filter) {
    auto next = std::make_shared<FilterChain>(*chain(scope));
    if (filter->has_before()) next->before.push_back(BeforeStep{nullptr, nullptr, filter});
    if (filter->has_after()) next->after.insert(next->after.begin(), AfterStep{nullptr, nullptr, filter});
    chain(scope) = std::move(next);
    builtins_.push_back(std::move(filter));
}

HandlerEntry FilterService::wrap_handler(shd_handler_fn fn, void *user_data) {
    if (!fn) return HandlerEntry{nullptr, nullptr};
    wrapped_.push_back(WrappedHandler{this, fn, user_data});
    return HandlerEntry{&FilterService::run_wrapped, &wrapped_.back()};
}

void SHD_CALL FilterService::run_wrapped(void *ud, const shd_inbound_msg_v1 *msg, const shd_session_view_v1 *session,
                                         const shd_responder_v1 *responder) {
    auto *w = static_cast<WrappedHandler *>(ud);
    const std::shared_ptr<const FilterChain> &chain = w->service->local_;
    if (chain->empty()) return w->fn(w->user_data, msg, session, responder);  // no filters: no copies
    FilterRun::start(w->service->host_, chain, FilterScope::local, *msg, *session, responder, w->fn, w->user_data);
}

void FilterService::dispatch(const shd_inbound_msg_v1 &msg, const shd_session_view_v1 &session,
                             const shd_responder_v1 *responder, shd_handler_fn inner, void *inner_data) {
    if (global_->empty()) return inner(inner_data, &msg, &session, responder);
    FilterRun::start(host_, global_, FilterScope::global, msg, session, responder, inner, inner_data);
}

void FilterService::stop() {
    for (const auto &b : builtins_) b->stop();
}

shd_status FilterService::add_before(FilterService *sctx, int32_t scope, shd_before_filter_fn fn, void *user_data) {
    auto *self = static_cast<FilterService *>(sctx);
    FilterScope s;
    if (!fn || !scope_of(scope, s)) return SHD_ERR_INVALID;
    auto next = std::make_shared<FilterChain>(*self->chain(s));
    next->before.push_back(BeforeStep{fn, user_data, nullptr});
    self->chain(s) = std::move(next);
    return SHD_OK;
}

shd_status FilterService::add_after(FilterService *sctx, int32_t scope, shd_after_filter_fn fn, void *user_data) {
    auto *self = static_cast<FilterService *>(sctx);
    FilterScope s;
    if (!fn || !scope_of(scope, s)) return SHD_ERR_INVALID;
    auto next = std::make_shared<FilterChain>(*self->chain(s));
    next->after.insert(next->after.begin(), AfterStep{fn, user_data, nullptr});  // Pomelo unshifts them
    self->chain(s) = std::move(next);
    return SHD_OK;
}

shd_status FilterService::add_builtin_by_name(FilterService *sctx, int32_t scope, shd_str name, shd_str options_json,
                                              shd_text_fn why, void *why_data) {
    auto *self = static_cast<FilterService *>(sctx);
    FilterScope s;
    std::string filter_name(to_view(name));
    try {
        if (!scope_of(scope, s)) throw Error(SHD_ERR_INVALID, filter_name + ": unknown scope " + std::to_string(scope));
        rapidjson::Document options;
        std::string_view text = to_view(options_json);
        if (!text.empty()) {
            options.Parse(text.data(), text.size());
            if (options.HasParseError()) throw Error(SHD_ERR_INVALID, filter_name + ": the options are not valid JSON");
        }
        self->add_builtin(
            s, make_builtin_filter(self->host_, filter_name, text.empty() ? nullptr : &options, filter_name));
        return SHD_OK;
    } catch (const Error &e) {  // a refused name or options: the reason goes to the caller
        if (why) why(why_data, to_shd(e.what()));
        return e.status();
    }
}

shd_status FilterService::set_error_handler(FilterService *sctx, int32_t scope, shd_error_handler_fn fn,
                                            void *user_data) {
    auto *self = static_cast<FilterService *>(sctx);
    FilterScope s;
    if (!scope_of(scope, s)) return SHD_ERR_INVALID;
    auto next = std::make_shared<FilterChain>(*self->chain(s));
    next->error_fn = fn;
    next->error_data = fn ? user_data : nullptr;
    self->chain(s) = std::move(next);
    return SHD_OK;
}

}  // namespace shd::server
