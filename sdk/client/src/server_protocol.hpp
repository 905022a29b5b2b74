// What a client learns about one server in the handshake: the route dictionary and the protobuf
// schemas, each with the version string the server gave it. Immutable once built and shared
// (through ProtocolCache) by every client of that server, so thousands of clients hold one copy.
#pragma once

#include <shaddock/client.hpp>
#include <shaddock/pomelo/pomelo_protobuf.hpp>

#include <rapidjson/fwd.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shd::client {

// The route dictionary as the handshake sends it (sys.routeToCode / sys.dict): route -> code.
class RouteCodes {
public:
    // Reads {"route": code, ...}. Codes outside 1..65535 are skipped: they cannot travel in the
    // 16-bit compressed form, so those routes go as strings. Returns "" or what is wrong.
    std::string load(const rapidjson::Value &route_to_code);

    // 0 when the route has no code.
    uint16_t code_of(std::string_view route) const {
        auto it = code_by_route_.find(route);
        return it == code_by_route_.end() ? 0 : it->second;
    }
    // nullptr when the code is unknown.
    const std::string *route_of(uint16_t code) const {
        auto it = route_by_code_.find(code);
        return it == route_by_code_.end() ? nullptr : &routes_[it->second];
    }
    size_t size() const { return routes_.size(); }

private:
    std::vector<std::string> routes_;  // reserved up front: the views below point into it
    std::unordered_map<std::string_view, uint16_t> code_by_route_;
    std::unordered_map<uint16_t, size_t> route_by_code_;
};

// sys.protos: the schemas for bodies the client sends (client) and receives (server).
struct Protos {
    pomelo::ProtobufSchema client;
    pomelo::ProtobufSchema server;
};

// Loads one side of sys.protos, which Pomelo sends in pomelo-protobuf's parsed form
// ({"field": {"option","type","tag"}, "__messages": {...}, "__tags": {...}}). Returns "" or what
// is wrong; hostile shapes are errors, never crashes.
std::string load_parsed_protos(const rapidjson::Value &parsed, pomelo::ProtobufSchema &out);

// One server's learned protocol, as a unit.
struct ServerProtocol {
    std::shared_ptr<const RouteCodes> dict;  // null: none known
    std::string dict_version;
    std::shared_ptr<const Protos> protos;  // null: none known
    std::string proto_version;
};

struct ProtocolCache::Impl {
    std::mutex mutex;
    std::unordered_map<std::string, ServerProtocol> servers;  // key: "host:port"

    ServerProtocol get(const std::string &key) {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = servers.find(key);
        return it == servers.end() ? ServerProtocol{} : it->second;
    }
    void put(const std::string &key, const ServerProtocol &p) {
        std::lock_guard<std::mutex> lock(mutex);
        servers[key] = p;
    }
};

// The client's handshake body: {"sys":{"type","version","rsa":{},"dictVersion"?,"protoVersion"?},
// "user":<user_json>}. user_json must already be checked to be a JSON object.
std::string handshake_request_json(const ServerProtocol &cached, std::string_view user_json);

// What the server's handshake reply says.
struct HandshakeOutcome {
    int code = 0;
    uint32_t heartbeat_s = 0;
    bool use_dict = false;
    bool use_proto = false;
    bool dict_from_cache = false;    // the reply omitted the dictionary: the cached one is used
    bool protos_from_cache = false;  // the same for the protos
    ServerProtocol protocol;         // what this connection uses (and what the cache should hold)
    std::string user_json;           // the reply's "user", if any
};

// Parses the reply to a handshake that announced `cached`. Returns "" (then `out.code` tells
// whether the server accepted) or what is wrong with the bytes.
std::string parse_handshake_reply(std::string_view body, const ServerProtocol &cached, HandshakeOutcome &out);

}  // namespace shd::client
