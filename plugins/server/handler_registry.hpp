// The routes an app registered and the functions serving them. [logic] only.
#pragma once

#include <shaddock/ext/handler.h>

#include <map>
#include <string>
#include <string_view>

namespace shd::server {

struct HandlerEntry {
    shd_handler_fn fn;
    void *user_data;
};

// Splits "type.handler.method"; false unless exactly three non-empty parts.
bool split_route(std::string_view route, std::string_view &type, std::string_view &handler, std::string_view &method);

class HandlerRegistry {
public:
    shd_status add(std::string_view route, shd_handler_fn fn, void *user_data);
    const HandlerEntry *find(std::string_view route) const;
    const std::map<std::string, HandlerEntry, std::less<>> &all() const { return handlers_; }

private:
    std::map<std::string, HandlerEntry, std::less<>> handlers_;
};

}  // namespace shd::server
