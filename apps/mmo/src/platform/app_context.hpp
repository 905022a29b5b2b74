// What every part of the MMO app shares on one server: the host, the handler registry, the RPC
// client and the area directory. Built once by the app (app.cpp) in configure(); the parts keep a
// reference for the life of the app. Logic thread only.
#pragma once
#include "platform/area_directory.hpp"

#include <shaddock/cpp/handler.hpp>
#include <shaddock/cpp/rpc.hpp>

#include <memory>
#include <optional>
#include <string>

namespace mmo {

class PlayerStore;

struct AppContext {
    explicit AppContext(const shd::Host &h) : host(h), server(h.server()) {}

    shd::Host host;
    shd::ServerInfo server;  // this server: id, type, ...
    // Null on servers without the handler service (the web server).
    std::unique_ptr<shd::Handlers> handlers;
    // Empty on servers without RPC (gate, web).
    std::optional<shd::Rpc> rpc;
    // Area id -> server id, from servers.json ("area": N).
    AreaDirectory areas;
    // The players' records, on servers with a database (area, connector); null elsewhere.
    PlayerStore *players = nullptr;
};

}  // namespace mmo
