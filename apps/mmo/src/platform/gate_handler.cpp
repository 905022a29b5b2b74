#include "platform/gate_handler.hpp"

#include "platform/app_context.hpp"
#include "platform/codes.hpp"

#include <shaddock/cpp/cluster.hpp>

#include <cstdint>
#include <optional>

namespace mmo {
namespace {

// The uid as the login answered it (a number), or its decimal string form; nullopt otherwise.
std::optional<uint64_t> read_uid(const rapidjson::Value &body) {
    if (!body.IsObject()) return std::nullopt;
    auto it = body.FindMember("uid");
    if (it == body.MemberEnd()) return std::nullopt;
    if (it->value.IsUint64()) return it->value.GetUint64();
    if (!it->value.IsString() || it->value.GetStringLength() == 0 || it->value.GetStringLength() > 19)
        return std::nullopt;
    uint64_t n = 0;
    for (const char *p = it->value.GetString(); *p; ++p) {
        if (*p < '0' || *p > '9') return std::nullopt;
        n = n * 10 + static_cast<uint64_t>(*p - '0');
    }
    return n;
}

}  // namespace

void install_gate_handler(AppContext &ctx) {
    ctx.handlers->on("gate.gateHandler.queryEntry", [&ctx](shd::RequestPtr req) {
        auto uid = read_uid(req->json());
        if (!uid) return req->respond(code_body(code::fail));
        shd::Cluster cluster(ctx.host);
        std::vector<shd::ServerEntry> connectors = cluster.servers_by_type("connector");
        if (connectors.empty()) return req->respond(code_body(code::gate_no_server));
        const shd::ServerEntry &c = connectors[*uid % connectors.size()];
        // The address clients should use: clientHost when servers.json gives one.
        std::string host = shd::json_string(shd::parse_json_or_empty(c.json), "clientHost", c.host);
        req->respond(R"({"code":200,"host":)" + shd::json_quote(host) + R"(,"port":)" + std::to_string(c.client_port) +
                     "}");
    });
}

}  // namespace mmo
