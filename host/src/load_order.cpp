#include "load_order.hpp"

#include <map>

namespace shd::host {

OrderResult order_by_services(const std::vector<OrderItem> &items, const std::string &extra_name,
                              const std::vector<std::string> &extra_required) {
    OrderResult r;
    std::map<std::string, size_t> provider;
    for (size_t i = 0; i < items.size(); ++i) {
        for (const auto &id : items[i].provides) {
            auto [it, fresh] = provider.emplace(id, i);
            if (!fresh) {
                r.error = "service " + id + " is provided by both \"" + items[it->second].name + "\" and \"" +
                          items[i].name + "\"; enable only one of them";
                return r;
            }
        }
    }
    auto missing = [&](const std::string &who, const std::string &id) {
        std::string avail;
        for (const auto &[sid, idx] : provider) avail += (avail.empty() ? "" : ", ") + sid;
        return "\"" + who + "\" requires service " + id + ", but no enabled plugin provides it" +
               (avail.empty() ? std::string(" (no plugin provides any service)") : " (provided: " + avail + ")");
    };
    std::vector<std::vector<size_t>> deps(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        for (const auto &id : items[i].required) {
            auto it = provider.find(id);
            if (it == provider.end()) {
                r.error = missing(items[i].name, id);
                return r;
            }
            if (it->second != i) deps[i].push_back(it->second);
        }
    }
    for (const auto &id : extra_required) {
        if (!provider.count(id)) {
            r.error = missing(extra_name, id);
            return r;
        }
    }
    // Depth-first, visiting in configured order, so the result is stable and a cycle is reported with
    // its path.
    enum { fresh, active, done };
    std::vector<int> state(items.size(), fresh);
    std::vector<size_t> path;
    std::string cycle;
    auto visit = [&](auto &&self, size_t i) -> bool {
        if (state[i] == done) return true;
        if (state[i] == active) {
            size_t start = 0;
            while (path[start] != i) ++start;
            for (size_t k = start; k < path.size(); ++k) cycle += items[path[k]].name + " -> ";
            cycle += items[i].name;
            return false;
        }
        state[i] = active;
        path.push_back(i);
        for (size_t d : deps[i])
            if (!self(self, d)) return false;
        path.pop_back();
        state[i] = done;
        r.order.push_back(i);
        return true;
    };
    for (size_t i = 0; i < items.size(); ++i) {
        if (!visit(visit, i)) {
            r.order.clear();
            r.error = "dependency cycle between plugins: " + cycle + " (each requires a service the next provides)";
            return r;
        }
    }
    r.ok = true;
    return r;
}

}  // namespace shd::host
