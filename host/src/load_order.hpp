// Orders plugins so that every provider of a service comes before the modules that require it.
#pragma once

#include <string>
#include <vector>

namespace shd::host {

struct OrderItem {
    std::string name;
    std::vector<std::string> provides;
    std::vector<std::string> required;
};

struct OrderResult {
    bool ok = false;
    std::string error;          // names the module, the service and the cause
    std::vector<size_t> order;  // indexes into the input, providers first
};

// Stable: among modules with no dependency between them, the configured order is kept.
// `extra_required` are services someone else (the app) needs; each must have a provider too.
OrderResult order_by_services(const std::vector<OrderItem> &items, const std::string &extra_name = {},
                              const std::vector<std::string> &extra_required = {});

}  // namespace shd::host
