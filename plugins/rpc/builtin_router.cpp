#include "builtin_router.hpp"

#include <shaddock/cpp/json.hpp>

#include <shaddock/cpp/route_hash.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace shd::rpc {

bool parse_router_kind(std::string_view name, RouterKind &out) {
    if (name.empty() || name == "crc32")
        out = RouterKind::crc32;
    else if (name == "rr")
        out = RouterKind::rr;
    else if (name == "wrr")
        out = RouterKind::wrr;
    else if (name == "la")
        out = RouterKind::la;
    else if (name == "ch")
        out = RouterKind::ch;
    else if (name == "random")
        out = RouterKind::random;
    else
        return false;
    return true;
}

std::string route_uid(std::string_view route_param_json) {
    if (route_param_json.empty()) return {};
    rapidjson::Document doc;
    doc.Parse(route_param_json.data(), route_param_json.size());
    if (doc.HasParseError() || !doc.IsObject()) return {};
    auto it = doc.FindMember("uid");
    if (it == doc.MemberEnd()) return {};
    const rapidjson::Value &v = it->value;
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    if (v.IsBool()) return v.GetBool() ? "true" : "";
    if (v.IsInt64()) return v.GetInt64() == 0 ? "" : std::to_string(v.GetInt64());
    if (v.IsUint64()) return std::to_string(v.GetUint64());
    if (v.IsDouble()) {
        double d = v.GetDouble();
        if (d == 0 || std::isnan(d)) return {};
        if (std::trunc(d) == d && std::fabs(d) < 1e21) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.0f", d);
            return buf;
        }
        // Other numbers: rapidjson's shortest round-trip form, which is JS's for most values.
        return shd::to_json(v);
    }
    // Objects and arrays print as "[object Object]" / joined items in JS; nobody routes by those.
    return {};
}

uint64_t ring_hash(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (char c : s) {
        h ^= static_cast<uint8_t>(c);
        h *= 1099511628211ull;
    }
    // splitmix64 finalizer: FNV alone clusters similar keys ("server-1#1", "server-1#2").
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

size_t BuiltinRouter::pick(const std::string &server_type, std::string_view uid, const std::vector<Candidate> &c) {
    const size_t n = c.size();
    switch (kind_) {
        case RouterKind::crc32: return shd::pomelo_route_index(uid, n);
        case RouterKind::rr: {
            auto it = rr_.find(server_type);
            if (it == rr_.end()) it = rr_.emplace(server_type, 0).first;
            return static_cast<size_t>(it->second++ % n);
        }
        case RouterKind::wrr: return pick_wrr(server_type, c);
        case RouterKind::la: {
            // The first of the least active, in membership order (deterministic, unlike Pomelo's).
            size_t best = 0;
            for (size_t i = 1; i < n; ++i)
                if (c[i].active < c[best].active) best = i;
            return best;
        }
        case RouterKind::ch: return pick_ch(server_type, uid, c);
        case RouterKind::random: return std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
    }
    return 0;
}

// Pomelo-rpc's interleaved weighted round robin (router.js wrr): walk the servers, lowering the
// threshold by one after each full pass, and take the next server whose weight reaches it.
size_t BuiltinRouter::pick_wrr(const std::string &type, const std::vector<Candidate> &c) {
    const long n = static_cast<long>(c.size());
    long max_weight = 0;
    for (const auto &x : c) max_weight = std::max<long>(max_weight, x.weight);
    if (max_weight <= 0) return 0;  // every weight is 0 or less: fall back to the first server
    auto it = wrr_.find(type);
    if (it == wrr_.end()) it = wrr_.emplace(type, WrrState{}).first;
    WrrState &s = it->second;
    if (s.index >= n) s.index = -1;  // the membership shrank
    for (;;) {
        s.index = (s.index + 1) % n;
        if (s.index == 0) {
            s.weight -= 1;
            if (s.weight <= 0) s.weight = max_weight;
        }
        if (c[static_cast<size_t>(s.index)].weight >= s.weight) return static_cast<size_t>(s.index);
    }
}

size_t BuiltinRouter::pick_ch(const std::string &type, std::string_view uid, const std::vector<Candidate> &c) {
    constexpr int kPointsPerServer = 160;
    std::string members;
    for (const auto &x : c) {
        members.append(x.id.data(), x.id.size());
        members.push_back('\n');
    }
    auto it = rings_.find(type);
    if (it == rings_.end()) it = rings_.emplace(type, Ring{}).first;
    Ring &ring = it->second;
    if (ring.members != members) {
        ring.members = std::move(members);
        ring.points.clear();
        ring.points.reserve(c.size() * kPointsPerServer);
        for (size_t i = 0; i < c.size(); ++i)
            for (int k = 0; k < kPointsPerServer; ++k)
                ring.points.emplace_back(ring_hash(std::string(c[i].id) + "#" + std::to_string(k)), i);
        std::sort(ring.points.begin(), ring.points.end());
    }
    uint64_t h = ring_hash(uid);
    auto p = std::lower_bound(ring.points.begin(), ring.points.end(), std::make_pair(h, size_t(0)));
    if (p == ring.points.end()) p = ring.points.begin();
    return p->second;
}

}  // namespace shd::rpc
