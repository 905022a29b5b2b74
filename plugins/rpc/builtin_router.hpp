// The routers the `routerType` option selects when the app installed no route function for a
// server type (Pomelo's proxyConfig.routerType, plus its default crc32 route).
//
// [logic] only: the per-type state (round-robin positions, hash rings) is not locked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace shd::rpc {

enum class RouterKind { crc32, rr, wrr, la, ch, random };

// Parses the option value; false for an unknown name. "" and "crc32" mean Pomelo's default route.
bool parse_router_kind(std::string_view name, RouterKind &out);

// Pomelo's String(session.uid || ''): the "uid" member of a JSON object, as JS would print it;
// "" when the text is not an object, has no uid, or the uid is falsy (0, false, "", null).
std::string route_uid(std::string_view route_param_json);

// A candidate server as the routers see it.
struct Candidate {
    std::string_view id;
    int weight = 1;     // the server entry's "weight" (wrr); a missing weight counts as 1
    size_t active = 0;  // calls this process has pending on it (la)
};

class BuiltinRouter {
public:
    explicit BuiltinRouter(RouterKind kind, uint32_t seed = std::random_device{}()) : kind_(kind), rng_(seed) {}

    RouterKind kind() const { return kind_; }

    // The index of the chosen candidate; candidates must not be empty.
    size_t pick(const std::string &server_type, std::string_view uid, const std::vector<Candidate> &candidates);

private:
    struct WrrState {
        long index = -1;
        long weight = 0;
    };
    struct Ring {
        std::string members;                              // the candidate ids joined, to notice a membership change
        std::vector<std::pair<uint64_t, size_t>> points;  // (hash, candidate index), sorted
    };
    size_t pick_wrr(const std::string &type, const std::vector<Candidate> &c);
    size_t pick_ch(const std::string &type, std::string_view uid, const std::vector<Candidate> &c);

    RouterKind kind_;
    std::mt19937 rng_;
    std::map<std::string, uint64_t, std::less<>> rr_;
    std::map<std::string, WrrState, std::less<>> wrr_;
    std::map<std::string, Ring, std::less<>> rings_;
};

// The 64-bit hash the consistent-hash ring uses (FNV-1a with a final mix); exposed for tests.
uint64_t ring_hash(std::string_view s);

}  // namespace shd::rpc
