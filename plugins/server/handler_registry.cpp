#include "handler_registry.hpp"

namespace shd::server {

bool split_route(std::string_view route, std::string_view &type, std::string_view &handler, std::string_view &method) {
    size_t a = route.find('.');
    if (a == std::string_view::npos) return false;
    size_t b = route.find('.', a + 1);
    if (b == std::string_view::npos || route.find('.', b + 1) != std::string_view::npos) return false;
    type = route.substr(0, a);
    handler = route.substr(a + 1, b - a - 1);
    method = route.substr(b + 1);
    return !type.empty() && !handler.empty() && !method.empty();
}

shd_status HandlerRegistry::add(std::string_view route, shd_handler_fn fn, void *user_data) {
    std::string_view t, h, m;
    if (!fn || !split_route(route, t, h, m)) return SHD_ERR_INVALID;
    auto [it, fresh] = handlers_.emplace(std::string(route), HandlerEntry{fn, user_data});
    (void)it;
    return fresh ? SHD_OK : SHD_ERR_EXISTS;
}

const HandlerEntry *HandlerRegistry::find(std::string_view route) const {
    auto it = handlers_.find(route);
    return it == handlers_.end() ? nullptr : &it->second;
}

}  // namespace shd::server
