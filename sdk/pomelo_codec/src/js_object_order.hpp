// Private: the order in which a JS engine enumerates an object that JSON.parse built from the same
// text. Integer-like keys ("array indices": "0".."4294967294" without leading zeros) come first in
// ascending order, then the other keys in insertion order; a repeated key keeps its first position
// and its last value. JSON.stringify and `for..in` (pomelo-protobuf's encoder) both use this order,
// so reproducing their bytes from a RapidJSON object needs it.
#pragma once

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace shd::pomelo {

inline std::string_view json_string_view(const rapidjson::Value &v) {
    return std::string_view(v.GetString(), v.GetStringLength());
}

// True if `key` is a JS array index; stores its numeric value.
inline bool is_js_array_index(std::string_view key, uint32_t &index) {
    if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return false;
    uint64_t v = 0;
    for (char c : key) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > 4294967294u) return false;
    index = static_cast<uint32_t>(v);
    return true;
}

namespace detail {

// Common case check: no integer-like keys and no repeated keys, so insertion order is JS order.
inline bool has_plain_js_order(const rapidjson::Value &obj) {
    const rapidjson::SizeType n = obj.MemberCount();
    const auto *m = &*obj.MemberBegin();
    uint32_t ignored;
    for (rapidjson::SizeType i = 0; i < n; ++i) {
        if (is_js_array_index(json_string_view(m[i].name), ignored)) return false;
    }
    if (n <= 16) {
        for (rapidjson::SizeType i = 1; i < n; ++i)
            for (rapidjson::SizeType j = 0; j < i; ++j)
                if (json_string_view(m[i].name) == json_string_view(m[j].name)) return false;
        return true;
    }
    std::unordered_map<std::string_view, int> seen;
    seen.reserve(n);
    for (rapidjson::SizeType i = 0; i < n; ++i)
        if (!seen.emplace(json_string_view(m[i].name), 0).second) return false;
    return true;
}

}  // namespace detail

// Calls f(std::string_view key, const rapidjson::Value &value) for each member of `obj` in JS
// enumeration order; stops early and returns false as soon as f returns false.
template <class F>
bool for_each_js_member(const rapidjson::Value &obj, F &&f) {
    if (obj.MemberCount() == 0) return true;
    if (detail::has_plain_js_order(obj)) {
        for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it)
            if (!f(json_string_view(it->name), it->value)) return false;
        return true;
    }
    struct Entry {
        std::string_view key;
        const rapidjson::Value *value;
        bool is_index;
        uint32_t index;
    };
    std::vector<Entry> entries;
    std::unordered_map<std::string_view, size_t> position;
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
        const std::string_view key = json_string_view(it->name);
        auto [slot, inserted] = position.emplace(key, entries.size());
        if (!inserted) {
            entries[slot->second].value = &it->value;
            continue;
        }
        Entry e{key, &it->value, false, 0};
        e.is_index = is_js_array_index(key, e.index);
        entries.push_back(e);
    }
    auto first_named = std::stable_partition(entries.begin(), entries.end(), [](const Entry &e) { return e.is_index; });
    std::sort(entries.begin(), first_named, [](const Entry &a, const Entry &b) { return a.index < b.index; });
    for (const Entry &e : entries)
        if (!f(e.key, *e.value)) return false;
    return true;
}

}  // namespace shd::pomelo
